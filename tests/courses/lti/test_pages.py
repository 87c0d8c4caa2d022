"""The organizer's "Nilai ke LMS" page (``courses/lti/pages.py``): the status line, the
deliveries with the platform's reason for a failed one, and "Kirim ulang" (CSRF) that queues
the retry job and comes back with a message; another unit's organizer gets 404."""

from __future__ import annotations

from lms.jobs import runner
from lms.jobs.tables import Job
from lms.lti.tables import LtiScore
from tests.courses.builders.assessments import build_world
from tests.courses.lti.test_quiz_scores import _placed_quiz, _take
from tests.lms.web.test_shell import csrf_of, login


async def test_a_failed_delivery_is_shown_and_sent_again_from_the_page(
    app, client, web, admin, organizer, participant, platform
):
    world, quiz, _ = await _placed_quiz(client, admin, organizer, participant, platform)
    sid = world.session["id"]
    platform.fail_scores = True
    await _take(client, world, participant, quiz["id"])
    await runner.wait_for_jobs(30)
    await login(web, organizer.username, "rahasia-123")

    hub = await web.get(f"/kelola/sesi/{sid}")
    assert f'href="/kelola/sesi/{sid}/lms"' in hub.text and "Nilai ke LMS" in hub.text

    page = await web.get(f"/kelola/sesi/{sid}/lms")
    assert page.status_code == 200, page.text
    html = page.text
    assert "Nilai ke LMS: 0 terkirim, 1 gagal." in html
    assert 'class="table-wrap"' in html
    assert "Afrizal" in html and quiz["title"] in html and "50.00" in html
    assert ">gagal<" in html and "Platform LMS menolak nilai (503)." in html
    assert 'action="/kelola/sesi/' + sid + '/lms/kirim-ulang"' in html
    token = csrf_of(html)
    jobs_before = await Job.count().where(Job.kind == "lti.scores")

    # Without the CSRF token: refused, nothing queued.
    forged = await web.post(f"/kelola/sesi/{sid}/lms/kirim-ulang", data={})
    assert forged.status_code == 403
    assert await Job.count().where(Job.kind == "lti.scores") == jobs_before
    assert (await LtiScore.select().first())["status"] == "failed"

    platform.fail_scores = False
    retried = await web.post(f"/kelola/sesi/{sid}/lms/kirim-ulang", data={"_csrf_token": token})
    assert retried.status_code == 303
    assert retried.headers["location"] == f"/kelola/sesi/{sid}/lms?pesan=dikirim"
    assert await Job.count().where(Job.kind == "lti.scores") == jobs_before + 1
    await runner.wait_for_jobs(30)
    assert len(platform.scores) == 1

    after = await web.get(retried.headers["location"])
    assert "sedang dikirim ulang" in after.text
    assert "Nilai ke LMS: 1 terkirim." in after.text and ">terkirim<" in after.text
    assert "kirim-ulang" not in after.text  # nothing left to send

    # Sent already: the retry answers with its own message and queues nothing.
    again = await web.post(f"/kelola/sesi/{sid}/lms/kirim-ulang", data={"_csrf_token": token})
    assert again.headers["location"] == f"/kelola/sesi/{sid}/lms?pesan=semua"
    assert await Job.count().where(Job.kind == "lti.scores") == jobs_before + 1


async def test_another_units_organizer_gets_404_and_an_empty_session_says_so(
    app, client, web, organizer, other_organizer, participant
):
    world = await build_world(client, organizer, [participant])
    sid = world.session["id"]
    await login(web, organizer.username, "rahasia-123")
    page = await web.get(f"/kelola/sesi/{sid}/lms")
    assert page.status_code == 200
    assert "Belum ada nilai sesi ini yang dikirim ke LMS." in page.text
    assert "kirim-ulang" not in page.text and "<table" not in page.text

    await login(web, other_organizer.username, "rahasia-123")
    token = csrf_of((await web.get("/kelola/sesi")).text)
    assert (await web.get(f"/kelola/sesi/{sid}/lms")).status_code == 404
    refused = await web.post(f"/kelola/sesi/{sid}/lms/kirim-ulang", data={"_csrf_token": token})
    assert refused.status_code == 404 and "Tidak ditemukan" in refused.text

"""The participant's session page (agenda, check-in form, quizzes, evaluation, result) and the
results, certificates and JP pages; a session that is not the caller's is a 404 on each of
its pages (check-in and evaluation included). The check-in and evaluation forms are tested
beside their pages (``delivery/attendance``, ``assessments/reports``)."""

from __future__ import annotations

from courses.tables import AttendanceMark
from tests.courses.builders.delivery import running_today
from tests.factories import make_actor, make_person
from tests.lms.web.test_shell import csrf_of, login


async def _as(web, actor):
    resp = await login(web, actor.username, "rahasia-123")
    assert resp.status_code == 303, resp.text


async def test_home_links_today_session_and_the_page_shows_agenda_and_check_in(
    app, client, web, organizer, unit
):
    session, trainer, (andi, _) = await running_today(client, app, organizer, unit["id"])
    await _as(web, andi)
    home = await web.get("/saya")
    today = home.text.split("<h3>Hari ini</h3>")[1].split("<h3>")[0]
    assert f'href="/saya/sesi/{session["id"]}"' in today
    assert 'href="/saya/hasil"' in home.text and 'href="/saya/jp"' in home.text

    page = await web.get(f"/saya/sesi/{session['id']}")
    assert page.status_code == 200, page.text
    html = page.text
    assert "<h1>Pelatihan Pelayanan Prima</h1>" in html
    assert "08.00–10.00" in html or "08.00 – 10.00" in html or "08.00" in html
    assert trainer["name"] in html
    assert 'action="/saya/sesi/' + session["id"] + '/hadir"' in html
    assert "Catat kehadiran" in html
    assert "Isi evaluasi" in html
    assert "Nilai saya" in html and "Sementara" in html
    assert "<script>" not in html and "style=" not in html


async def test_a_session_that_is_not_mine_is_not_found_on_every_page(
    app, client, web, organizer, unit
):
    session, _, _ = await running_today(client, app, organizer, unit["id"])
    stranger = await make_actor(app, "participant", person_id=await make_person(unit["id"]))
    await _as(web, stranger)
    csrf = csrf_of((await web.get("/saya")).text)
    for path in ("", "/hadir", "/hadir?kode=123456", "/evaluasi"):
        resp = await web.get(f"/saya/sesi/{session['id']}{path}")
        assert resp.status_code == 404, path
        assert "Sesi tidak ditemukan." in resp.text
    for path in ("/hadir", "/evaluasi"):
        resp = await web.post(
            f"/saya/sesi/{session['id']}{path}", data={"_csrf_token": csrf, "kode": "123456"}
        )
        assert resp.status_code == 404, path
    assert await AttendanceMark.count() == 0


async def test_a_withdrawn_participant_no_longer_sees_the_session(
    app, client, web, organizer, unit
):
    session, _, (andi, _) = await running_today(client, app, organizer, unit["id"])
    enrollments = await client.get(
        f"/api/v1/sessions/{session['id']}/enrollments", headers=organizer.headers
    )
    mine = next(e for e in enrollments.json()["items"] if e["person_id"] == str(andi.person_id))
    from courses.tables import Enrollment

    await Enrollment.update({Enrollment.status: "withdrawn"}).where(Enrollment.id == mine["id"])
    await _as(web, andi)
    assert (await web.get(f"/saya/sesi/{session['id']}")).status_code == 404


async def test_results_certificates_and_jp_pages_render_for_a_participant(
    app, client, web, organizer, unit
):
    session, _, (andi, _) = await running_today(client, app, organizer, unit["id"])
    await _as(web, andi)
    results = await web.get("/saya/hasil")
    assert results.status_code == 200
    assert "Pelatihan Pelayanan Prima" in results.text and "Sementara" in results.text
    assert f'href="/saya/sesi/{session["id"]}"' in results.text
    certificates = await web.get("/saya/sertifikat")
    assert certificates.status_code == 200
    assert "Belum ada sertifikat." in certificates.text
    jp = await web.get("/saya/jp")
    assert jp.status_code == 200
    assert "JP saya tahun" in jp.text and "0 JP" in jp.text

"""The participant's session page (agenda, check-in, quizzes, evaluation, result), the
check-in by typed code or the projector's QR link, the evaluation form, and the results,
certificates and JP pages; a session that is not the caller's is a 404 on each."""

from __future__ import annotations

import re

from courses.tables import AttendanceMark, EvaluationResponse
from tests.courses.builders.delivery import running_today
from tests.factories import make_actor, make_person
from tests.lms.web.test_shell import csrf_of, login


async def _as(web, actor):
    resp = await login(web, actor.username, "rahasia-123")
    assert resp.status_code == 303, resp.text


async def _code(client, organizer, session_id) -> str:
    resp = await client.get(
        f"/api/v1/sessions/{session_id}/check-in-code", headers=organizer.headers
    )
    assert resp.status_code == 200, resp.text
    return resp.json()["code"]


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


async def test_check_in_with_a_typed_code_and_a_wrong_one_said_beside_the_field(
    app, client, web, organizer, unit
):
    session, _, (andi, _) = await running_today(client, app, organizer, unit["id"])
    await _as(web, andi)
    page = await web.get(f"/saya/sesi/{session['id']}")
    url = f"/saya/sesi/{session['id']}/hadir"
    code = await _code(client, organizer, session["id"])
    wrong = "000000" if code != "000000" else "111111"

    bad = await web.post(url, data={"_csrf_token": csrf_of(page.text), "kode": wrong})
    assert bad.status_code == 422
    assert 'aria-invalid="true"' in bad.text
    assert "Kode presensi salah atau sudah kedaluwarsa" in bad.text

    spaced = f"{code[:3]} {code[3:]}"  # as people type it from the screen
    ok = await web.post(url, data={"_csrf_token": csrf_of(page.text), "kode": spaced})
    assert ok.status_code == 303
    assert ok.headers["location"] == f"/saya/sesi/{session['id']}?pesan=hadir"
    after = await web.get(ok.headers["location"])
    assert "Kehadiran Anda hari ini sudah tercatat." in after.text
    assert "Hadir hari ini" in after.text and "Catat kehadiran" not in after.text
    assert await AttendanceMark.count().where(AttendanceMark.person == andi.person_id) == 1

    again = await web.post(url, data={"_csrf_token": csrf_of(page.text), "kode": code})
    assert again.headers["location"].endswith("?pesan=sudah-hadir")


async def test_the_qr_link_asks_to_confirm_with_the_code_filled_in(
    app, client, web, organizer, unit
):
    session, _, (andi, _) = await running_today(client, app, organizer, unit["id"])
    code = await _code(client, organizer, session["id"])
    link = f"/saya/sesi/{session['id']}/hadir?kode={code}"
    anonymous = await web.get(link)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"].startswith("/masuk?lanjut=")
    await _as(web, andi)
    page = await web.get(link)
    assert page.status_code == 200
    assert f'value="{code}"' in page.text and "Konfirmasi hadir" in page.text
    assert await AttendanceMark.count() == 0  # opening the link records nothing
    done = await web.post(
        f"/saya/sesi/{session['id']}/hadir", data={"_csrf_token": csrf_of(page.text), "kode": code}
    )
    assert done.status_code == 303
    assert await AttendanceMark.count() == 1


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


async def test_the_evaluation_form_checks_every_statement_and_sends_each_target_once(
    app, client, web, organizer, unit
):
    session, trainer, (andi, _) = await running_today(client, app, organizer, unit["id"])
    await _as(web, andi)
    url = f"/saya/sesi/{session['id']}/evaluasi"
    page = await web.get(url)
    assert page.status_code == 200
    assert "Penyelenggaraan pelatihan" in page.text and "Narasumber: " in page.text
    csrf = csrf_of(page.text)
    codes = re.findall(r'name="a-([a-z_]+)" value="1"', page.text)
    organization_codes = codes[:5]

    partial = {"_csrf_token": csrf, "sasaran": "organization", "a-" + organization_codes[0]: "4"}
    bad = await web.post(url, data=partial)
    assert bad.status_code == 422
    assert bad.text.count("Pilih salah satu nilai.") == 4
    assert 'value="4" required checked' in bad.text  # what was chosen stays chosen

    full = {"_csrf_token": csrf, "sasaran": "organization", "komentar": "Ruangan sejuk."}
    full |= {f"a-{code}": "3" for code in organization_codes}
    sent = await web.post(url, data=full)
    assert sent.status_code == 303 and sent.headers["location"] == url
    again = await web.get(url)
    assert "Sudah diisi" in again.text
    trainer_form = {"_csrf_token": csrf, "sasaran": f"trainer:{trainer['id']}"}
    trainer_form |= {f"a-{code}": "4" for code in codes[5:10]}
    last = await web.post(url, data=trainer_form)
    assert last.headers["location"] == f"/saya/sesi/{session['id']}?pesan=evaluasi"
    assert await EvaluationResponse.count().where(EvaluationResponse.person == andi.person_id) == 2
    done = await web.get(last.headers["location"])
    assert "Semua evaluasi sudah diisi" in done.text


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

"""The participant's check-in page: a typed code (a wrong one said beside the field) and the
projector's QR link, which fills the code in and asks to confirm."""

from __future__ import annotations

from courses.tables import AttendanceMark
from tests.courses.builders.delivery import running_today
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

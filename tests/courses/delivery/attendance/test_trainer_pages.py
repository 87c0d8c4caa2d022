"""The trainer's projector and attendance pages: the rotating code as text and QR code (which
holds the participant's check-in page), marking a day, and 404 for trainers of other sessions."""

from __future__ import annotations

import re
from uuid import UUID

from courses.delivery.attendance.trainer_pages import checkin_url, qr_svg
from lms.web.assets import asset_url
from tests.courses.builders.delivery import (
    create_session,
    enroll,
    local_today,
    make_participants,
    teach,
)
from tests.factories import make_actor, make_person
from tests.lms.web.test_shell import csrf_of, login


async def _class(app, client, organizer, unit, trainer_user, count=3):
    today = local_today()
    session = await create_session(
        client,
        organizer,
        status="running",
        name="Angkatan Presensi",
        start_date=today.isoformat(),
        end_date=today.isoformat(),
    )
    people = await make_participants(app, unit["id"], count)
    await enroll(client, organizer, session["id"], [p.person_id for p in people])
    await teach(client, organizer, session, trainer_user, today)
    return session, people, today


async def _code(client, actor, session_id) -> str:
    resp = await client.get(f"/api/v1/sessions/{session_id}/check-in-code", headers=actor.headers)
    assert resp.status_code == 200, resp.text
    return resp.json()["code"]


async def test_the_projector_shows_the_code_and_its_qr_code(
    app, web, client, organizer, unit, trainer_user
):
    session, _, today = await _class(app, client, organizer, unit, trainer_user)
    await login(web, trainer_user.username, "rahasia-123")

    before = await _code(client, trainer_user, session["id"])
    page = await web.get(f"/latih/sesi/{session['id']}/proyektor?tanggal={today.isoformat()}")
    after = await _code(client, trainer_user, session["id"])

    assert page.status_code == 200
    html = page.text
    code = re.search(r'data-code="(\d{6})"', html).group(1)
    assert code in (before, after)
    assert f"{code[:3]} {code[3:]}" in html
    url = f"https://prima.test/saya/sesi/{session['id']}/hadir?kode={code}"
    assert checkin_url(app.state.settings, UUID(session["id"]), code) == url
    assert url in html
    # The inline QR code is segno's encoding of exactly that address.
    assert str(qr_svg(url)) in html
    assert "<strong>0</strong> dari 3 peserta sudah hadir" in html
    # Its own script (no inline one), a no-script refresh, and a plain link to refresh.
    assert asset_url("projector.js") in html and "<script>" not in html
    assert '<noscript><meta http-equiv="refresh"' in html
    refresh = f"/latih/sesi/{session['id']}/proyektor?tanggal={today.isoformat()}"
    assert f'href="{refresh}">Perbarui' in html


async def test_marking_a_day_saves_the_chosen_and_optionally_everyone_else(
    app, web, client, organizer, unit, trainer_user
):
    session, people, today = await _class(app, client, organizer, unit, trainer_user)
    await login(web, trainer_user.username, "rahasia-123")
    url = f"/latih/sesi/{session['id']}/kehadiran"

    page = await web.get(f"{url}?tanggal={today.isoformat()}")
    assert page.status_code == 200
    assert all(f'name="s-{p.person_id}"' in page.text for p in people)
    saved = await web.post(
        url,
        data={
            "_csrf_token": csrf_of(page.text),
            "tanggal": today.isoformat(),
            f"s-{people[0].person_id}": "late",
            f"s-{people[1].person_id}": "excused",
        },
    )
    assert saved.status_code == 303
    assert saved.headers["location"] == f"{url}?tanggal={today.isoformat()}&tersimpan=2"
    summary = (
        await client.get(f"/api/v1/sessions/{session['id']}/attendance", headers=organizer.headers)
    ).json()
    status = {p["person_id"]: p["marks"][0]["status"] for p in summary["people"]}
    assert status == {
        str(people[0].person_id): "late",
        str(people[1].person_id): "excused",
        str(people[2].person_id): None,
    }
    shown = await web.get(saved.headers["location"])
    assert "Kehadiran tersimpan (2 perubahan)" in shown.text
    assert f'name="s-{people[0].person_id}" value="late" checked' in shown.text

    # "The rest present" fills only the unmarked; the others keep their marks.
    rest = await web.post(
        url,
        data={"_csrf_token": csrf_of(shown.text), "tanggal": today.isoformat(), "semua": "present"},
    )
    assert rest.headers["location"].endswith("tersimpan=1")
    summary = (
        await client.get(f"/api/v1/sessions/{session['id']}/attendance", headers=organizer.headers)
    ).json()
    assert [p["marks"][0]["status"] for p in summary["people"]] == ["late", "excused", "present"]
    projector = await web.get(f"/latih/sesi/{session['id']}/proyektor")
    assert "<strong>2</strong> dari 3 peserta sudah hadir" in projector.text


async def test_only_the_sessions_trainers_and_organizers_open_its_pages(
    app, web, client, organizer, other_organizer, unit, trainer_user, participant
):
    session, people, today = await _class(app, client, organizer, unit, trainer_user, count=1)
    other_person = await make_person(unit["id"], "Narasumber Lain", jabatan="Widyaiswara")
    other = await make_actor(app, "trainer", person_id=other_person, unit_id=unit["id"])
    base = f"/latih/sesi/{session['id']}"
    pages = [f"{base}/proyektor", f"{base}/kehadiran", f"{base}/esai", f"{base}/nilai"]

    await login(web, other.username, "rahasia-123")
    for page in pages:
        assert (await web.get(page)).status_code == 404, page
    form = await web.get("/latih")
    marked = await web.post(
        f"{base}/kehadiran",
        data={"_csrf_token": csrf_of(form.text), f"s-{people[0].person_id}": "present"},
    )
    assert marked.status_code == 404
    web.cookies.clear()
    await login(web, other_organizer.username, "rahasia-123")
    for page in pages:
        assert (await web.get(page)).status_code == 404, page
    web.cookies.clear()
    await login(web, participant.username, "rahasia-123")
    for page in pages:
        assert (await web.get(page)).status_code == 403, page
    web.cookies.clear()
    await login(web, organizer.username, "rahasia-123")
    for page in pages:
        assert (await web.get(page)).status_code == 200, page
    web.cookies.clear()
    assert (await web.get(pages[0])).status_code == 303  # to the login page

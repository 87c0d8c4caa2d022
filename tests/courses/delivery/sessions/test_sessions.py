"""Sessions: scheduling, the status life cycle, edits and who sees what."""

from __future__ import annotations

import datetime as dt
from uuid import UUID

import pytest

from courses.delivery.sessions.access import get_visible_session
from courses.tables import CourseSession
from lms.audit.services import entries_for
from lms.shared.errors import NotFound
from tests.courses.builders.delivery import (
    caller_of,
    create_course,
    create_session,
    create_trainer,
    session_body,
    wib,
)


async def test_organizer_schedules_a_draft_session_of_a_course(client, organizer, unit):
    course = await create_course(client, organizer, code="PP-2026")
    resp = await client.post(
        "/api/v1/sessions",
        json=session_body(course["id"], timezone="Asia/Makassar", capacity=25),
        headers=organizer.headers,
    )
    assert resp.status_code == 201, resp.text
    session = resp.json()
    assert {
        k: session[k]
        for k in (
            "course_code",
            "course_title",
            "course_version",
            "unit_name",
            "name",
            "start_date",
            "end_date",
            "timezone",
            "timezone_label",
            "capacity",
            "confirmed_count",
            "seats_left",
            "status",
        )
    } == {
        "course_code": "PP-2026",
        "course_title": "Pelatihan Pelayanan Prima",
        "course_version": 1,
        "unit_name": "DPMPTSP Kota Padang Panjang",
        "name": "Angkatan I",
        "start_date": "2026-11-18",
        "end_date": "2026-11-20",
        "timezone": "Asia/Makassar",
        "timezone_label": "WITA",
        "capacity": 25,
        "confirmed_count": 0,
        "seats_left": 25,
        "status": "draft",
    }
    assert session["unit_id"] == str(unit["id"])
    assert [e["action"] for e in await entries_for("session", session["id"])] == ["session.create"]


async def test_bad_session_input(client, organizer, other_organizer):
    course = await create_course(client, organizer)
    for override in (
        {"timezone": "Asia/Padang"},
        {"end_date": "2026-11-17"},
        {"capacity": 0},
        {"start_date": "0001-01-01", "end_date": "0001-01-02"},
        {"enroll_opens_at": "0001-01-01T00:00:00+07:00"},
        {"enroll_opens_at": "2026-11-01T08:00:00"},  # no offset
        {
            "enroll_opens_at": "2026-11-10T08:00:00+07:00",
            "enroll_closes_at": "2026-11-01T08:00:00+07:00",
        },
    ):
        resp = await client.post(
            "/api/v1/sessions",
            json=session_body(course["id"], **override),
            headers=organizer.headers,
        )
        assert resp.status_code == 400, (override, resp.text)
    # A course outside the caller's units cannot be scheduled.
    resp = await client.post(
        "/api/v1/sessions", json=session_body(course["id"]), headers=other_organizer.headers
    )
    assert resp.status_code == 422


async def test_status_moves_forward_only_and_cancel_from_any_but_completed(client, organizer):
    session = await create_session(client, organizer)
    url = f"/api/v1/sessions/{session['id']}"

    async def move(status: str) -> int:
        resp = await client.patch(url, json={"status": status}, headers=organizer.headers)
        return resp.status_code

    assert await move("running") == 422
    assert await move("completed") == 422
    assert await move("open") == 200
    assert await move("draft") == 422
    assert await move("running") == 200
    assert await move("open") == 422
    assert await move("completed") == 200
    assert await move("cancelled") == 422
    other = await create_session(client, organizer, status="running")
    resp = await client.patch(
        f"/api/v1/sessions/{other['id']}", json={"status": "cancelled"}, headers=organizer.headers
    )
    assert resp.status_code == 200
    again = await client.patch(
        f"/api/v1/sessions/{other['id']}", json={"status": "open"}, headers=organizer.headers
    )
    assert again.status_code == 422
    assert "dibatalkan" in again.json()["detail"]
    actions = [e["action"] for e in await entries_for("session", session["id"])]
    assert actions == ["session.create", "session.open", "session.running", "session.completed"]


async def test_completed_session_keeps_its_dates_and_finalized_one_is_frozen(client, organizer):
    session = await create_session(client, organizer, status="completed")
    url = f"/api/v1/sessions/{session['id']}"
    renamed = await client.patch(url, json={"venue": "Aula Balai Kota"}, headers=organizer.headers)
    assert renamed.status_code == 200
    assert renamed.json()["venue"] == "Aula Balai Kota"
    moved = await client.patch(url, json={"start_date": "2026-11-17"}, headers=organizer.headers)
    assert moved.status_code == 422
    await CourseSession.update({CourseSession.finalized_at: dt.datetime.now(dt.UTC)}).where(
        CourseSession.id == UUID(session["id"])
    )
    frozen = await client.patch(url, json={"venue": "Aula Lain"}, headers=organizer.headers)
    assert frozen.status_code == 409


async def test_new_dates_must_keep_the_agenda_inside(client, organizer):
    session = await create_session(client, organizer)
    item = await client.post(
        f"/api/v1/sessions/{session['id']}/agenda",
        json={
            "starts_at": wib("2026-11-20", "08:00"),
            "ends_at": wib("2026-11-20", "10:00"),
            "title": "Penutupan",
        },
        headers=organizer.headers,
    )
    assert item.status_code == 201
    url = f"/api/v1/sessions/{session['id']}"
    shorter = await client.patch(url, json={"end_date": "2026-11-19"}, headers=organizer.headers)
    assert shorter.status_code == 409
    assert "20 November 2026" in shorter.json()["detail"]
    # In WITA the item (08:00–10:00 WIB = 09:00–11:00 WITA) still falls on the 20th.
    zone = await client.patch(url, json={"timezone": "Asia/Makassar"}, headers=organizer.headers)
    assert zone.status_code == 200
    longer = await client.patch(url, json={"end_date": "2026-11-21"}, headers=organizer.headers)
    assert longer.status_code == 200


async def test_who_sees_a_session(
    client, app, organizer, other_organizer, hr, participant, trainer_user
):
    draft = await create_session(client, organizer)
    open_session = await create_session(client, organizer, status="open", name="Angkatan II")
    url = f"/api/v1/sessions/{draft['id']}"
    assert (await client.get(url, headers=organizer.headers)).status_code == 200
    assert (await client.get(url, headers=hr.headers)).status_code == 200
    assert (await client.get(url, headers=other_organizer.headers)).status_code == 404
    assert (await client.get(url, headers=participant.headers)).status_code == 404
    assert (await client.get(url, headers=trainer_user.headers)).status_code == 404
    # A participant sees open sessions (to enroll) and their own.
    listing = await client.get("/api/v1/sessions", headers=participant.headers)
    assert [s["name"] for s in listing.json()["items"]] == ["Angkatan II"]
    mine = await client.get("/api/v1/sessions?mine=true", headers=participant.headers)
    assert mine.json()["total"] == 0
    await client.post(
        f"/api/v1/sessions/{open_session['id']}/enrollments", json={}, headers=participant.headers
    )
    mine = await client.get("/api/v1/sessions?mine=true", headers=participant.headers)
    assert [s["name"] for s in mine.json()["items"]] == ["Angkatan II"]
    # A trainer sees the sessions whose agenda has them.
    trainer = await create_trainer(client, organizer, person_id=str(trainer_user.person_id))
    assert trainer["user_id"] == str(trainer_user.user_id)
    await client.post(
        f"/api/v1/sessions/{draft['id']}/agenda",
        json={
            "starts_at": wib("2026-11-18", "08:00"),
            "ends_at": wib("2026-11-18", "12:00"),
            "module_id": (
                await client.get(f"/api/v1/courses/{draft['course_id']}", headers=organizer.headers)
            ).json()["modules"][0]["id"],
            "trainer_id": trainer["id"],
        },
        headers=organizer.headers,
    )
    assert (await client.get(url, headers=trainer_user.headers)).status_code == 200
    listing = await client.get("/api/v1/sessions?mine=true", headers=trainer_user.headers)
    assert [s["id"] for s in listing.json()["items"]] == [draft["id"]]
    # Staff lists are scoped to units.
    assert (await client.get("/api/v1/sessions", headers=other_organizer.headers)).json()[
        "total"
    ] == 0
    assert (await client.get("/api/v1/sessions", headers=hr.headers)).json()["total"] == 2
    # Only organizers change sessions.
    for actor in (hr, trainer_user, participant):
        resp = await client.patch(url, json={"name": "X"}, headers=actor.headers)
        assert resp.status_code == 403


async def test_get_visible_session_for_other_features(
    client, organizer, other_organizer, participant
):
    session = await create_session(client, organizer)
    record = await get_visible_session(await caller_of(organizer), UUID(session["id"]))
    assert (record.name, record.days) == (
        "Angkatan I",
        [dt.date(2026, 11, 18), dt.date(2026, 11, 19), dt.date(2026, 11, 20)],
    )
    for actor in (other_organizer, participant):
        with pytest.raises(NotFound):
            await get_visible_session(await caller_of(actor), UUID(session["id"]))


async def test_list_filters(client, organizer):
    course = await create_course(client, organizer, title="Pelatihan Pelayanan Prima")
    await create_session(client, organizer, course["id"], name="Angkatan I", status="open")
    await create_session(
        client,
        organizer,
        course["id"],
        name="Angkatan II",
        start_date="2026-12-01",
        end_date="2026-12-03",
    )
    by_status = await client.get("/api/v1/sessions?status=open", headers=organizer.headers)
    assert [s["name"] for s in by_status.json()["items"]] == ["Angkatan I"]
    by_text = await client.get("/api/v1/sessions?q=angkatan%20ii", headers=organizer.headers)
    assert [s["name"] for s in by_text.json()["items"]] == ["Angkatan II"]
    latest_first = await client.get(
        f"/api/v1/sessions?course_id={course['id']}", headers=organizer.headers
    )
    assert [s["name"] for s in latest_first.json()["items"]] == ["Angkatan II", "Angkatan I"]

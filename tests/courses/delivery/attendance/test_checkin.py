"""Check-in with the rotating code: current and previous period only, once per day, on
session days in the session's time zone, late after the first agenda item, guessing limited."""

from __future__ import annotations

import datetime as dt
from uuid import UUID, uuid4

import pytest

from courses.delivery.attendance import checkin
from courses.delivery.attendance.checkin import PERIOD_SECONDS, code_for, period_of, verify_code
from tests.courses.builders.delivery import create_course, create_session, enroll, make_participants

SECRET = "rahasia-uji"


def test_codes_rotate_per_period_and_differ_per_session():
    session_id = uuid4()
    start = dt.datetime(2026, 11, 18, 1, 0, tzinfo=dt.UTC)
    period = period_of(start)
    code = code_for(SECRET, session_id, period)
    assert len(code) == 6 and code.isdigit()
    assert code_for(SECRET, session_id, period) == code
    assert code_for(SECRET, session_id, period + 1) != code
    assert code_for(SECRET, uuid4(), period) != code
    assert code_for("other-secret", session_id, period) != code
    period_start = dt.datetime.fromtimestamp(period * PERIOD_SECONDS, dt.UTC)
    assert verify_code(SECRET, session_id, code, period_start)
    assert verify_code(
        SECRET, session_id, code, period_start + dt.timedelta(seconds=PERIOD_SECONDS)
    )
    assert verify_code(
        SECRET, session_id, code, period_start + dt.timedelta(seconds=2 * PERIOD_SECONDS - 1)
    )
    assert not verify_code(
        SECRET, session_id, code, period_start + dt.timedelta(seconds=2 * PERIOD_SECONDS)
    )
    assert not verify_code(SECRET, session_id, code, period_start - dt.timedelta(seconds=1))
    assert not verify_code(SECRET, session_id, code, period_start + dt.timedelta(days=1))


class Clock:
    """A movable ``checkin.now``."""

    def __init__(self, at: dt.datetime) -> None:
        self.at = at

    def __call__(self) -> dt.datetime:
        return self.at


@pytest.fixture
def clock(monkeypatch) -> Clock:
    fake = Clock(dt.datetime(2026, 11, 18, 1, 5, tzinfo=dt.UTC))  # 08:05 WIB
    monkeypatch.setattr(checkin, "now", fake)
    return fake


async def _session_with_participants(client, app, organizer, unit, count, **overrides):
    course = await create_course(client, organizer)
    session = await create_session(client, organizer, course["id"], status="running", **overrides)
    people = await make_participants(app, unit["id"], count)
    await enroll(client, organizer, session["id"], [p.person_id for p in people])
    await client.post(
        f"/api/v1/sessions/{session['id']}/agenda",
        json={
            "starts_at": "2026-11-18T08:00:00+07:00",
            "ends_at": "2026-11-18T12:00:00+07:00",
            "module_id": course["modules"][0]["id"],
        },
        headers=organizer.headers,
    )
    return session, people


async def _code(client, actor, session_id) -> str:
    resp = await client.get(f"/api/v1/sessions/{session_id}/check-in-code", headers=actor.headers)
    assert resp.status_code == 200, resp.text
    return resp.json()["code"]


async def test_check_in_once_per_day_with_the_current_code(client, app, organizer, unit, clock):
    session, (andi, budi) = await _session_with_participants(client, app, organizer, unit, 2)
    url = f"/api/v1/sessions/{session['id']}/check-in"
    code_resp = await client.get(
        f"/api/v1/sessions/{session['id']}/check-in-code", headers=organizer.headers
    )
    body = code_resp.json()
    assert body["period_seconds"] == PERIOD_SECONDS
    assert body["valid_until"].endswith("Z")  # the API's one timestamp form
    assert body["valid_until_local"][11:] == dt.datetime.fromisoformat(
        body["valid_until"]
    ).astimezone(dt.timezone(dt.timedelta(hours=7))).strftime("%H:%M:%S")
    first = await client.post(url, json={"code": body["code"]}, headers=andi.headers)
    assert first.status_code == 201, first.text
    assert (first.json()["day"], first.json()["status"]) == ("2026-11-18", "present")
    second = await client.post(url, json={"code": body["code"]}, headers=andi.headers)
    assert second.status_code == 409
    # 20 minutes after the first item began: late.
    clock.at = dt.datetime(2026, 11, 18, 1, 20, tzinfo=dt.UTC)
    late = await client.post(
        url, json={"code": await _code(client, organizer, session["id"])}, headers=budi.headers
    )
    assert late.json()["status"] == "late"
    # Next day, a new code, a new check-in.
    clock.at = dt.datetime(2026, 11, 19, 1, 0, tzinfo=dt.UTC)
    next_day = await client.post(
        url, json={"code": await _code(client, organizer, session["id"])}, headers=andi.headers
    )
    assert next_day.status_code == 201
    summary = (
        await client.get(f"/api/v1/sessions/{session['id']}/attendance", headers=organizer.headers)
    ).json()
    assert {p["full_name"]: p["percent"] for p in summary["people"]} == {
        "Peserta 001": "66.67",
        "Peserta 002": "33.33",
    }


async def test_yesterdays_code_and_a_code_two_periods_old_fail(client, app, organizer, unit, clock):
    session, (andi,) = await _session_with_participants(client, app, organizer, unit, 1)
    url = f"/api/v1/sessions/{session['id']}/check-in"
    old = await _code(client, organizer, session["id"])
    clock.at = clock.at + dt.timedelta(seconds=2 * PERIOD_SECONDS)
    stale = await client.post(url, json={"code": old}, headers=andi.headers)
    assert stale.status_code == 422
    assert stale.json()["errors"] == [{"field": "code", "message": "tidak berlaku"}]
    clock.at = clock.at + dt.timedelta(days=1)
    yesterday = await client.post(url, json={"code": old}, headers=andi.headers)
    assert yesterday.status_code == 422
    current = await _code(client, organizer, session["id"])
    clock.at = clock.at + dt.timedelta(seconds=PERIOD_SECONDS)
    just_rotated = await client.post(url, json={"code": current}, headers=andi.headers)
    assert just_rotated.status_code == 201
    malformed = await client.post(url, json={"code": "12ab56"}, headers=andi.headers)
    assert malformed.status_code == 400


async def test_only_on_session_days_in_the_session_time_zone(client, app, organizer, unit, clock):
    session, (andi,) = await _session_with_participants(
        client, app, organizer, unit, 1, timezone="Asia/Jayapura"
    )
    url = f"/api/v1/sessions/{session['id']}/check-in"
    # 16:30 UTC on the 17th is 01:30 WIT on the 18th: a session day there.
    clock.at = dt.datetime(2026, 11, 17, 16, 30, tzinfo=dt.UTC)
    ok = await client.post(
        url, json={"code": await _code(client, organizer, session["id"])}, headers=andi.headers
    )
    assert ok.status_code == 201
    assert ok.json()["day"] == "2026-11-18"
    # 15:30 UTC on the 20th is 00:30 WIT on the 21st: after the session.
    clock.at = dt.datetime(2026, 11, 20, 15, 30, tzinfo=dt.UTC)
    after = await client.post(
        url, json={"code": await _code(client, organizer, session["id"])}, headers=andi.headers
    )
    assert after.status_code == 422
    assert "Sabtu, 21 November 2026" in after.json()["detail"]


async def test_who_may_check_in_and_see_the_code(client, app, organizer, unit, participant, clock):
    session, (andi,) = await _session_with_participants(client, app, organizer, unit, 1)
    url = f"/api/v1/sessions/{session['id']}/check-in"
    code = await _code(client, organizer, session["id"])
    assert (
        await client.get(f"/api/v1/sessions/{session['id']}/check-in-code", headers=andi.headers)
    ).status_code == 403
    # Not enrolled: the running session is not even visible.
    assert (
        await client.post(url, json={"code": code}, headers=participant.headers)
    ).status_code == 404
    # Waitlisted: no seat, no check-in.
    full = await create_session(client, organizer, status="open", capacity=1, name="Penuh")
    await enroll(client, organizer, full["id"], [andi.person_id, participant.person_id])
    await client.patch(
        f"/api/v1/sessions/{full['id']}", json={"status": "running"}, headers=organizer.headers
    )
    waiting = await client.post(
        f"/api/v1/sessions/{full['id']}/check-in",
        json={"code": await _code(client, organizer, full["id"])},
        headers=participant.headers,
    )
    assert waiting.status_code == 422


async def test_guessing_codes_is_limited(client, app, organizer, unit, clock):
    session, (andi,) = await _session_with_participants(client, app, organizer, unit, 1)
    url = f"/api/v1/sessions/{session['id']}/check-in"
    code = await _code(client, organizer, session["id"])
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    statuses = [
        (await client.post(url, json={"code": wrong}, headers=andi.headers)).status_code
        for _ in range(checkin.MAX_WRONG_CODES + 1)
    ]
    assert statuses == [422] * checkin.MAX_WRONG_CODES + [429]
    blocked = await client.post(url, json={"code": code}, headers=andi.headers)
    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) >= 1
    assert UUID(session["id"])


async def test_concurrent_wrong_codes_are_limited_exactly(client, app, organizer, unit, clock):
    # Issue 12: 150 concurrent wrong codes were all checked (the counter moved by about 2).
    import asyncio

    session, (andi,) = await _session_with_participants(client, app, organizer, unit, 1)
    url = f"/api/v1/sessions/{session['id']}/check-in"
    code = await _code(client, organizer, session["id"])
    wrongs = [f"{(int(code) + n) % 1_000_000:06d}" for n in range(1, 151)]
    answers = await asyncio.gather(
        *(client.post(url, json={"code": wrong}, headers=andi.headers) for wrong in wrongs)
    )
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [422] * checkin.MAX_WRONG_CODES + [429] * (150 - checkin.MAX_WRONG_CODES)


async def test_a_right_code_does_not_count_against_the_limit(client, app, organizer, unit, clock):
    session, (andi,) = await _session_with_participants(client, app, organizer, unit, 1)
    url = f"/api/v1/sessions/{session['id']}/check-in"
    code = await _code(client, organizer, session["id"])
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(checkin.MAX_WRONG_CODES - 1):
        assert (
            await client.post(url, json={"code": wrong}, headers=andi.headers)
        ).status_code == 422
    assert (await client.post(url, json={"code": code}, headers=andi.headers)).status_code == 201
    # The tenth wrong code is still checked: the right one gave its place back.
    assert (await client.post(url, json={"code": wrong}, headers=andi.headers)).status_code == 422
    assert (await client.post(url, json={"code": wrong}, headers=andi.headers)).status_code == 429


async def test_the_sessions_trainers_see_the_code_whichever_way_their_login_is_linked(
    client, app, organizer, unit, trainer_user, clock
):
    from tests.courses.builders.delivery import create_trainer, wib
    from tests.factories import make_actor

    session, _ = await _session_with_participants(client, app, organizer, unit, 1)
    url = f"/api/v1/sessions/{session['id']}/check-in-code"
    # An outside trainer linked by their login only, and a register trainer linked by person.
    outsider = await make_actor(app, "trainer")
    by_login = await create_trainer(client, organizer, name="Rina", user_id=str(outsider.user_id))
    by_person = await create_trainer(client, organizer, person_id=str(trainer_user.person_id))
    stranger = await make_actor(app, "trainer")
    assert (await client.get(url, headers=outsider.headers)).status_code == 404
    for trainer, day in ((by_login, "2026-11-19"), (by_person, "2026-11-20")):
        resp = await client.post(
            f"/api/v1/sessions/{session['id']}/agenda",
            json={
                "starts_at": wib(day, "08:00"),
                "ends_at": wib(day, "10:00"),
                "trainer_id": trainer["id"],
                "title": "Materi",
            },
            headers=organizer.headers,
        )
        assert resp.status_code == 201, resp.text
    code = await _code(client, organizer, session["id"])
    for actor in (outsider, trainer_user):
        resp = await client.get(url, headers=actor.headers)
        assert resp.status_code == 200 and resp.json()["code"] == code
    assert (await client.get(url, headers=stranger.headers)).status_code == 404

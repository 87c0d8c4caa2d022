"""Enrollment: organizers and self-enrollment, capacity and waitlist, withdrawal, approval."""

from __future__ import annotations

import asyncio
import datetime as dt
from uuid import UUID

from courses.delivery.enrollment.participants import session_participants
from courses.tables import CourseSession, Enrollment
from lms.audit.services import entries_for
from tests.courses.builders.delivery import create_session, enroll, make_participants
from tests.factories import make_person


async def _statuses(session_id: str) -> list[tuple[UUID, str, int]]:
    rows = (
        await Enrollment.select(Enrollment.person, Enrollment.status, Enrollment.seq)
        .where(Enrollment.session == UUID(session_id))
        .order_by(Enrollment.seq)
    )
    return [(r["person"], r["status"], r["seq"]) for r in rows]


async def _confirmed_count(session_id: str) -> int:
    row = (
        await CourseSession.select(CourseSession.confirmed_count)
        .where(CourseSession.id == UUID(session_id))
        .first()
    )
    return row["confirmed_count"]


async def test_organizer_enrolls_a_list_seats_then_waitlist_in_order(client, organizer, unit):
    session = await create_session(client, organizer, status="open", capacity=3)
    people = [await make_person(unit["id"], f"Peserta {i}") for i in range(5)]
    batch = await enroll(client, organizer, session["id"], people)
    assert (batch["total"], batch["confirmed"], batch["waitlisted"]) == (5, 3, 2)
    assert [
        (e["person_id"], e["status"], e["seq"], e["waitlist_position"]) for e in batch["items"]
    ] == [
        (str(people[0]), "confirmed", 1, None),
        (str(people[1]), "confirmed", 2, None),
        (str(people[2]), "confirmed", 3, None),
        (str(people[3]), "waitlisted", 4, 1),
        (str(people[4]), "waitlisted", 5, 2),
    ]
    got = await client.get(f"/api/v1/sessions/{session['id']}", headers=organizer.headers)
    assert (
        got.json()["confirmed_count"],
        got.json()["waitlisted_count"],
        got.json()["seats_left"],
    ) == (3, 2, 0)
    waiting = await client.get(
        f"/api/v1/sessions/{session['id']}/enrollments?status=waitlisted", headers=organizer.headers
    )
    assert [e["full_name"] for e in waiting.json()["items"]] == ["Peserta 3", "Peserta 4"]
    assert waiting.json()["total"] == 2
    audit = await entries_for("enrollment", batch["items"][0]["id"])
    assert [e["action"] for e in audit] == ["enrollment.create"]


async def test_no_person_twice_in_a_session_and_nothing_written_on_conflict(
    client, organizer, unit
):
    session = await create_session(client, organizer, status="open")
    first = await make_person(unit["id"], "Afrizal", back_title="S.Sos.")
    second = await make_person(unit["id"], "Rina Yulianti")
    await enroll(client, organizer, session["id"], [first])
    resp = await client.post(
        f"/api/v1/sessions/{session['id']}/enrollments",
        json={"person_ids": [str(second), str(first)]},
        headers=organizer.headers,
    )
    assert resp.status_code == 409
    assert "Afrizal, S.Sos." in resp.json()["detail"]
    assert [p for p, _, _ in await _statuses(session["id"])] == [first]
    assert await _confirmed_count(session["id"]) == 1


async def test_unknown_person_is_422_and_empty_list_is_422(client, organizer):
    session = await create_session(client, organizer, status="open")
    unknown = await client.post(
        f"/api/v1/sessions/{session['id']}/enrollments",
        json={"person_ids": [session["id"]]},
        headers=organizer.headers,
    )
    assert unknown.status_code == 422
    empty = await client.post(
        f"/api/v1/sessions/{session['id']}/enrollments", json={}, headers=organizer.headers
    )
    assert empty.status_code == 422


async def test_participant_self_enrolls_with_empty_body_or_empty_object(
    client, app, organizer, unit
):
    session = await create_session(client, organizer, status="open", capacity=1)
    one, two = await make_participants(app, unit["id"], 2)
    first = await client.post(f"/api/v1/sessions/{session['id']}/enrollments", headers=one.headers)
    assert first.status_code == 201, first.text
    assert first.json()["items"][0]["status"] == "confirmed"
    assert first.json()["items"][0]["person_id"] == str(one.person_id)
    second = await client.post(
        f"/api/v1/sessions/{session['id']}/enrollments", json={}, headers=two.headers
    )
    assert second.status_code == 201, second.text
    assert second.json()["items"][0]["status"] == "waitlisted"
    again = await client.post(
        f"/api/v1/sessions/{session['id']}/enrollments", json={}, headers=one.headers
    )
    assert again.status_code == 409
    other = await client.post(
        f"/api/v1/sessions/{session['id']}/enrollments",
        json={"person_ids": [str(two.person_id)]},
        headers=one.headers,
    )
    assert other.status_code == 403
    # A participant sees only their own enrollment.
    listing = await client.get(f"/api/v1/sessions/{session['id']}/enrollments", headers=two.headers)
    assert [(e["person_id"], e["waitlist_position"]) for e in listing.json()["items"]] == [
        (str(two.person_id), 1)
    ]
    mine = await client.get("/api/v1/enrollments/mine", headers=two.headers)
    assert [(e["session_name"], e["status"]) for e in mine.json()] == [("Angkatan I", "waitlisted")]


async def test_self_enrollment_only_while_open_and_in_window(client, app, organizer, unit):
    (person,) = await make_participants(app, unit["id"], 1)
    draft = await create_session(client, organizer)
    resp = await client.post(
        f"/api/v1/sessions/{draft['id']}/enrollments", json={}, headers=person.headers
    )
    assert resp.status_code == 404  # a draft is not visible to participants
    now = dt.datetime.now(dt.UTC)
    closed = await create_session(
        client,
        organizer,
        status="open",
        enroll_opens_at=(now - dt.timedelta(days=10)).isoformat(),
        enroll_closes_at=(now - dt.timedelta(days=1)).isoformat(),
    )
    resp = await client.post(
        f"/api/v1/sessions/{closed['id']}/enrollments", json={}, headers=person.headers
    )
    assert resp.status_code == 422
    assert resp.json()["detail"] == "Pendaftaran sesi ini sudah ditutup."
    later = await create_session(
        client, organizer, status="open", enroll_opens_at=(now + dt.timedelta(days=1)).isoformat()
    )
    resp = await client.post(
        f"/api/v1/sessions/{later['id']}/enrollments", json={}, headers=person.headers
    )
    assert resp.status_code == 422
    no_self = await create_session(client, organizer, status="open", self_enroll=False)
    resp = await client.post(
        f"/api/v1/sessions/{no_self['id']}/enrollments", json={}, headers=person.headers
    )
    assert resp.status_code == 404  # not offered for self-enrollment, so not visible
    running = await create_session(client, organizer, status="running")
    resp = await client.post(
        f"/api/v1/sessions/{running['id']}/enrollments", json={}, headers=person.headers
    )
    assert resp.status_code == 404


async def test_withdrawal_promotes_the_first_waitlisted_atomically(client, app, organizer, unit):
    session = await create_session(client, organizer, status="open", capacity=2)
    people = await make_participants(app, unit["id"], 4)
    ids = []
    for person in people:
        resp = await client.post(
            f"/api/v1/sessions/{session['id']}/enrollments", json={}, headers=person.headers
        )
        ids.append(resp.json()["items"][0]["id"])
    resp = await client.delete(f"/api/v1/enrollments/{ids[0]}", headers=people[0].headers)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["enrollment"]["status"] == "withdrawn"
    assert body["promoted"]["id"] == ids[2]
    assert body["promoted"]["status"] == "confirmed"
    assert [(p, s) for p, s, _ in await _statuses(session["id"])] == [
        (people[0].person_id, "withdrawn"),
        (people[1].person_id, "confirmed"),
        (people[2].person_id, "confirmed"),
        (people[3].person_id, "waitlisted"),
    ]
    assert await _confirmed_count(session["id"]) == 2
    # Withdrawing from the waitlist frees no seat and promotes nobody.
    resp = await client.delete(f"/api/v1/enrollments/{ids[3]}", headers=organizer.headers)
    assert resp.json()["promoted"] is None
    assert await _confirmed_count(session["id"]) == 2
    again = await client.delete(f"/api/v1/enrollments/{ids[3]}", headers=organizer.headers)
    assert again.status_code == 409
    actions = [e["action"] for e in await entries_for("enrollment", ids[2])]
    assert actions == ["enrollment.create", "enrollment.promote"]
    # Re-enrolling after withdrawal reopens the same row at the back of the queue.
    back = await client.post(
        f"/api/v1/sessions/{session['id']}/enrollments", json={}, headers=people[0].headers
    )
    assert back.status_code == 201
    assert (
        back.json()["items"][0]["id"],
        back.json()["items"][0]["status"],
        back.json()["items"][0]["seq"],
    ) == (
        ids[0],
        "waitlisted",
        5,
    )


async def test_only_own_or_managed_enrollments_can_be_withdrawn(
    client, app, organizer, other_organizer, unit
):
    session = await create_session(client, organizer, status="open")
    one, two = await make_participants(app, unit["id"], 2)
    resp = await client.post(
        f"/api/v1/sessions/{session['id']}/enrollments", json={}, headers=one.headers
    )
    enrollment_id = resp.json()["items"][0]["id"]
    assert (
        await client.delete(f"/api/v1/enrollments/{enrollment_id}", headers=two.headers)
    ).status_code == 404
    assert (
        await client.delete(f"/api/v1/enrollments/{enrollment_id}", headers=other_organizer.headers)
    ).status_code == 404
    assert (
        await client.delete(f"/api/v1/enrollments/{enrollment_id}", headers=one.headers)
    ).status_code == 200


async def test_approval_required_requests_then_organizer_approves(client, app, organizer, unit):
    session = await create_session(
        client, organizer, status="open", capacity=1, approval_required=True
    )
    one, two = await make_participants(app, unit["id"], 2)
    requests = []
    for person in (one, two):
        resp = await client.post(
            f"/api/v1/sessions/{session['id']}/enrollments", json={}, headers=person.headers
        )
        assert resp.json()["items"][0]["status"] == "requested"
        requests.append(resp.json()["items"][0]["id"])
    assert await _confirmed_count(session["id"]) == 0
    first = await client.post(
        f"/api/v1/enrollments/{requests[1]}/approve", headers=organizer.headers
    )
    assert first.status_code == 200, first.text
    assert first.json()["status"] == "confirmed"
    second = await client.post(
        f"/api/v1/enrollments/{requests[0]}/approve", headers=organizer.headers
    )
    assert second.json()["status"] == "waitlisted"
    again = await client.post(
        f"/api/v1/enrollments/{requests[0]}/approve", headers=organizer.headers
    )
    assert again.status_code == 422
    assert (
        await client.post(f"/api/v1/enrollments/{requests[0]}/approve", headers=one.headers)
    ).status_code == 403
    # The organizer's own additions are approved by adding them.
    person = await make_person(unit["id"])
    batch = await enroll(client, organizer, session["id"], [person])
    assert batch["items"][0]["status"] == "waitlisted"


async def test_capacity_increase_promotes_and_decrease_below_confirmed_is_refused(
    client, organizer, unit
):
    session = await create_session(client, organizer, status="open", capacity=2)
    people = [await make_person(unit["id"], f"Peserta {i}") for i in range(4)]
    await enroll(client, organizer, session["id"], people)
    too_small = await client.patch(
        f"/api/v1/sessions/{session['id']}", json={"capacity": 1}, headers=organizer.headers
    )
    assert too_small.status_code == 422
    bigger = await client.patch(
        f"/api/v1/sessions/{session['id']}", json={"capacity": 3}, headers=organizer.headers
    )
    assert bigger.status_code == 200
    assert (bigger.json()["confirmed_count"], bigger.json()["waitlisted_count"]) == (3, 1)
    assert [s for _, s, _ in await _statuses(session["id"])] == [
        "confirmed",
        "confirmed",
        "confirmed",
        "waitlisted",
    ]


async def test_completing_a_session_completes_confirmed_enrollments(client, organizer, unit):
    session = await create_session(client, organizer, status="open", capacity=1)
    people = [await make_person(unit["id"], f"Peserta {i}") for i in range(2)]
    await enroll(client, organizer, session["id"], people)
    for status in ("running", "completed"):
        resp = await client.patch(
            f"/api/v1/sessions/{session['id']}", json={"status": status}, headers=organizer.headers
        )
        assert resp.status_code == 200
    assert [s for _, s, _ in await _statuses(session["id"])] == ["completed", "waitlisted"]
    participants = await session_participants(UUID(session["id"]))
    assert [(p.person_id, p.status) for p in participants] == [(people[0], "completed")]
    late = await client.post(
        f"/api/v1/sessions/{session['id']}/enrollments",
        json={"person_ids": [str(await make_person(unit["id"]))]},
        headers=organizer.headers,
    )
    assert late.status_code == 422


async def test_200_concurrent_self_enrollments_fill_30_seats_in_arrival_order(
    client, app, organizer, unit
):
    session = await create_session(client, organizer, status="open", capacity=30)
    people = await make_participants(app, unit["id"], 200)

    async def self_enroll(index: int, person) -> int:
        url = f"/api/v1/sessions/{session['id']}/enrollments"
        resp = await (
            client.post(url, headers=person.headers)
            if index % 2
            else client.post(url, json={}, headers=person.headers)
        )
        return resp.status_code

    codes = await asyncio.gather(*(self_enroll(i, p) for i, p in enumerate(people)))
    assert codes == [201] * 200
    rows = await _statuses(session["id"])
    assert len(rows) == 200
    assert [seq for _, _, seq in rows] == list(range(1, 201))
    assert [status for _, status, _ in rows] == ["confirmed"] * 30 + ["waitlisted"] * 170
    assert await _confirmed_count(session["id"]) == 30
    assert len({person for person, _, _ in rows}) == 200
    got = await client.get(f"/api/v1/sessions/{session['id']}", headers=organizer.headers)
    assert (got.json()["confirmed_count"], got.json()["waitlisted_count"]) == (30, 170)

    # Ten confirmed people withdraw while ten more enroll, all at once: the ten first
    # waitlisted move up, the seats stay at 30 and the newcomers queue at the back.
    confirmed_ids = [
        r["id"]
        for r in await Enrollment.select(Enrollment.id)
        .where((Enrollment.session == UUID(session["id"])) & (Enrollment.status == "confirmed"))
        .order_by(Enrollment.seq)
    ]
    by_person = {p.person_id: p for p in people}
    owners = {
        r["id"]: r["person"]
        for r in await Enrollment.select(Enrollment.id, Enrollment.person).where(
            Enrollment.id.is_in(confirmed_ids[:10])
        )
    }
    newcomers = await make_participants(app, unit["id"], 10, prefix="Susulan")
    results = await asyncio.gather(
        *(
            client.delete(f"/api/v1/enrollments/{eid}", headers=by_person[owners[eid]].headers)
            for eid in confirmed_ids[:10]
        ),
        *(
            client.post(f"/api/v1/sessions/{session['id']}/enrollments", json={}, headers=p.headers)
            for p in newcomers
        ),
    )
    assert [r.status_code for r in results] == [200] * 10 + [201] * 10
    rows = await _statuses(session["id"])
    statuses = {
        status: sum(1 for _, s, _ in rows if s == status)
        for status in ("confirmed", "waitlisted", "withdrawn")
    }
    assert statuses == {"confirmed": 30, "waitlisted": 170, "withdrawn": 10}
    assert await _confirmed_count(session["id"]) == 30
    confirmed_seqs = sorted(seq for _, s, seq in rows if s == "confirmed")
    assert confirmed_seqs == list(range(11, 41))

"""Excusing a participant from the post-test beforehand, one by one with a reason: the API
(``PUT/DELETE /api/v1/sessions/{id}/results/excusals/{person_id}``), the checklist that lists
them as excused, finalize that keeps the reason on the result, and the organizer's page."""

from __future__ import annotations

from uuid import uuid4

from courses.tables import Result
from lms.audit.tables import AuditEntry
from tests.courses.builders.results import add_quiz, build_world, make_true_false, take_quiz
from tests.lms.web.test_shell import csrf_of, login


async def _world(app, client, organizer, unit):
    """Three participants and a post-test; only the first hands it in."""
    world = await build_world(app, client, organizer, unit, participants=3)
    questions = await make_true_false(unit["id"], [("Maklumat wajib dipajang.", True, "")])
    quiz = await add_quiz(client, organizer, world, "post_test", questions)
    await take_quiz(client, world.people[0], quiz, {questions[0]: True})
    return world


def _post_tests(readiness: dict) -> dict:
    return next(c for c in readiness["checks"] if c["code"] == "post_tests")


async def test_the_api_excuses_one_by_one_and_finalize_keeps_the_reason(
    app, client, organizer, unit
):
    world = await _world(app, client, organizer, unit)
    url = f"/api/v1/sessions/{world.session_id}/results"
    first, second, third = world.people
    check = _post_tests((await client.get(f"{url}/readiness", headers=organizer.headers)).json())
    assert check["ok"] is False and len(check["people"]) == 2 and check["excused"] == []

    reason = "Sakit pada hari terakhir, surat dokter 14/XI/2026"
    resp = await client.put(
        f"{url}/excusals/{second.person_id}", json={"reason": reason}, headers=organizer.headers
    )
    assert resp.status_code == 200, resp.text
    assert resp.json() == {
        "person_id": str(second.person_id),
        "name": "Peserta 002",
        "reason": reason,
    }
    check = _post_tests((await client.get(f"{url}/readiness", headers=organizer.headers)).json())
    assert [p["person_id"] for p in check["people"]] == [str(third.person_id)]
    assert check["excused"] == [
        {"person_id": str(second.person_id), "name": "Peserta 002", "days": [], "reason": reason}
    ]

    # Refusals: too short, not a participant, another unit's organizer, a participant.
    short = await client.put(
        f"{url}/excusals/{third.person_id}", json={"reason": "x"}, headers=organizer.headers
    )
    assert short.status_code == 400
    stranger = await client.put(
        f"{url}/excusals/{uuid4()}", json={"reason": "Tidak ada"}, headers=organizer.headers
    )
    assert stranger.status_code == 404
    assert (
        await client.delete(f"{url}/excusals/{third.person_id}", headers=organizer.headers)
    ).status_code == 404  # not excused
    assert (
        await client.put(
            f"{url}/excusals/{third.person_id}", json={"reason": "Saya"}, headers=third.headers
        )
    ).status_code == 403

    # Excused and taken back: the checklist waits again; both are audited.
    await client.put(
        f"{url}/excusals/{third.person_id}", json={"reason": "Keliru"}, headers=organizer.headers
    )
    gone = await client.delete(f"{url}/excusals/{third.person_id}", headers=organizer.headers)
    assert gone.status_code == 204
    check = _post_tests((await client.get(f"{url}/readiness", headers=organizer.headers)).json())
    assert [p["person_id"] for p in check["people"]] == [str(third.person_id)]
    actions = [
        row["action"]
        for row in await AuditEntry.select(AuditEntry.action).where(
            AuditEntry.action.like("enrollment.post_test_excuse%")
        )
    ]
    assert sorted(actions) == [
        "enrollment.post_test_excuse",
        "enrollment.post_test_excuse",
        "enrollment.post_test_excuse_withdraw",
    ]

    # Finalize with an override for the rest: the stored excusal lands on the result note.
    done = await client.post(
        f"{url}/finalize",
        json={"override_reason": "Sesi dipercepat, surat kepala dinas 12/2026."},
        headers=organizer.headers,
    )
    assert done.status_code == 200, done.text
    notes = {row["person"]: row["note"] for row in await Result.select(Result.person, Result.note)}
    assert notes[second.person_id] == f"Post-test dibebaskan: {reason}"
    assert notes[third.person_id] == "" and notes[first.person_id] == ""
    late = await client.put(
        f"{url}/excusals/{third.person_id}", json={"reason": "Terlambat"}, headers=organizer.headers
    )
    assert late.status_code == 409


async def test_another_units_organizer_gets_404(app, client, organizer, other_organizer, unit):
    world = await _world(app, client, organizer, unit)
    url = f"/api/v1/sessions/{world.session_id}/results/excusals/{world.people[1].person_id}"
    resp = await client.put(url, json={"reason": "Bukan urusan"}, headers=other_organizer.headers)
    assert resp.status_code == 404
    assert (await client.delete(url, headers=other_organizer.headers)).status_code == 404


async def test_the_checklist_page_excuses_a_person_and_takes_it_back(
    app, client, web, organizer, other_organizer, unit
):
    world = await _world(app, client, organizer, unit)
    sid = world.session_id
    second = world.people[1]
    await login(web, organizer.username, "rahasia-123")
    page = await web.get(f"/kelola/sesi/{sid}/finalisasi")
    assert page.status_code == 200
    assert page.text.count(">Bebaskan dari post-test<") == 2
    token = csrf_of(page.text)
    path = f"/kelola/sesi/{sid}/finalisasi/bebas/{second.person_id}"

    empty = await web.post(path, data={"_csrf_token": token, "reason": ""})
    assert empty.status_code == 422
    assert f'id="bebas-{second.person_id}-error"' in empty.text
    assert "<details open>" in empty.text  # the form that failed stays open

    reason = "Sakit, surat dokter terlampir"
    done = await web.post(path, data={"_csrf_token": token, "reason": reason})
    assert done.status_code == 303
    assert done.headers["location"] == f"/kelola/sesi/{sid}/finalisasi?pesan=bebas"
    shown = await web.get(done.headers["location"])
    assert "Dibebaskan dari post-test:" in shown.text
    assert f"Peserta 002 — {reason}" in shown.text
    assert shown.text.count(">Bebaskan dari post-test<") == 1

    back = await web.post(f"{path}/batal", data={"_csrf_token": token})
    assert back.status_code == 303
    again = await web.get(back.headers["location"])
    assert "Pembebasan dibatalkan" in again.text
    assert again.text.count(">Bebaskan dari post-test<") == 2

    await login(web, other_organizer.username, "rahasia-123")
    token = csrf_of((await web.get("/kelola/sesi")).text)
    assert (await web.post(path, data={"_csrf_token": token, "reason": reason})).status_code == 404
    assert (await web.post(f"{path}/batal", data={"_csrf_token": token})).status_code == 404


async def test_a_withdrawal_ends_the_excusal(app, client, organizer, unit):
    world = await _world(app, client, organizer, unit)
    url = f"/api/v1/sessions/{world.session_id}/results"
    second = world.people[1]
    await client.put(
        f"{url}/excusals/{second.person_id}", json={"reason": "Sakit"}, headers=organizer.headers
    )
    listing = await client.get(
        f"/api/v1/sessions/{world.session_id}/enrollments", headers=organizer.headers
    )
    enrollment = next(e for e in listing.json()["items"] if e["person_id"] == str(second.person_id))
    assert (
        await client.delete(f"/api/v1/enrollments/{enrollment['id']}", headers=organizer.headers)
    ).status_code == 200
    await client.post(
        f"/api/v1/sessions/{world.session_id}/enrollments",
        json={"person_ids": [str(second.person_id)]},
        headers=organizer.headers,
    )
    check = _post_tests((await client.get(f"{url}/readiness", headers=organizer.headers)).json())
    assert check["excused"] == []
    assert str(second.person_id) in [p["person_id"] for p in check["people"]]

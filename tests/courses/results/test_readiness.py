"""The finalize checklist and what a finalized session refuses.

Finalize once ran on day 1 of a two-day session with an essay ungraded and people without a
post-test; grading afterwards answered 200 and changed nothing. Now finalize waits for the
checklist (or a written, audited override), and every later write to its inputs answers 409
naming the amendment route.
"""

from __future__ import annotations

import datetime as dt
import json
from uuid import UUID, uuid4

from tests.courses.builders.results import (
    DAYS,
    add_quiz,
    build_world,
    mark_attendance,
    take_quiz,
)

AMEND = "POST /api/v1/sessions/{}/results/{{person_id}}/amend"


async def _questions(unit_id: UUID) -> tuple[UUID, UUID]:
    """A true/false question (auto-graded) and an essay, in a new bank."""
    from courses.assessments.questions.model import Essay, TrueFalse
    from courses.assessments.questions.store import new_row
    from courses.tables import Question as QuestionRow
    from courses.tables import QuestionBank

    now = dt.datetime.now(dt.UTC)
    bank_id = uuid4()
    await QuestionBank.insert(
        QuestionBank(id=bank_id, name="Bank Uji", unit=unit_id, created_at=now)
    )
    true_false = new_row(
        bank_id, TrueFalse(title="Maklumat", text="Maklumat wajib dipajang.", correct=True), now
    )
    essay = new_row(bank_id, Essay(title="Esai", text="Jelaskan standar pelayanan."), now)
    await QuestionRow.insert(true_false, essay)
    return true_false.id, essay.id


def _checks(body: dict) -> dict[str, tuple[bool, list]]:
    return {
        check["code"]: (
            check["ok"],
            [(p["person_id"], p["days"]) for p in check["people"]],
        )
        for check in body["checks"]
    }


async def test_finalize_waits_for_the_checklist_then_freezes_its_inputs(
    app, client, organizer, unit, trainer_user
):
    from lms.audit.services import entries_for

    world = await build_world(app, client, organizer, unit, trainer_user, participants=3)
    essayist, quick, absent = world.people
    true_false, essay = await _questions(unit["id"])
    quiz = await add_quiz(client, organizer, world, "post_test", [true_false, essay])
    await take_quiz(client, essayist, quiz, {true_false: True})
    attempt = (await client.post(f"/api/v1/quizzes/{quiz}/attempts", headers=quick.headers)).json()[
        "id"
    ]
    for question, body in (
        (true_false, {"type": "true_false", "value": True}),
        (essay, {"type": "essay", "text": "Standar pelayanan adalah tolok ukur."}),
    ):
        saved = await client.put(
            f"/api/v1/attempts/{attempt}/answers/{question}", json=body, headers=quick.headers
        )
        assert saved.status_code == 200, saved.text
    assert (
        await client.post(f"/api/v1/attempts/{attempt}/submit", headers=quick.headers)
    ).status_code == 200
    # ``absent`` opens the post-test but never submits it, and misses the last day's mark.
    pending = (
        await client.post(f"/api/v1/quizzes/{quiz}/attempts", headers=absent.headers)
    ).json()["id"]
    for person in (essayist, quick):
        await mark_attendance(client, organizer, world, person, 3)
    marks = [
        {"person_id": str(absent.person_id), "day": day, "status": "present"} for day in DAYS[:2]
    ]
    url = f"/api/v1/sessions/{world.session_id}/results"
    assert (
        await client.post(
            f"/api/v1/sessions/{world.session_id}/attendance", json=marks, headers=organizer.headers
        )
    ).status_code == 200

    resp = await client.get(f"{url}/readiness", headers=organizer.headers)
    assert resp.status_code == 200, resp.text
    readiness = resp.json()
    assert (readiness["ready"], readiness["finalized"]) == (False, False)
    assert _checks(readiness) == {
        "session_ended": (True, []),
        "essays_graded": (False, [(str(quick.person_id), [])]),
        "post_tests": (False, [(str(absent.person_id), [])]),
        "attendance": (False, [(str(absent.person_id), [DAYS[2]])]),
        "rules": (True, []),
    }
    assert [c["label"] for c in readiness["checks"]] == [
        "Sesi sudah berakhir",
        "Semua jawaban esai sudah dinilai",
        "Post-test lengkap atau peserta dibebaskan",
        "Presensi tercatat untuk setiap hari",
        "Batas lulus sesuai dengan predikat",
    ]
    assert (await client.get(f"{url}/readiness", headers=quick.headers)).status_code == 403

    refused = await client.post(f"{url}/finalize", headers=organizer.headers)
    assert refused.status_code == 422, refused.text
    problem = refused.json()
    assert problem["detail"].startswith("Sesi belum siap difinalisasi: 1 peserta masih memiliki")
    assert problem["errors"] == [
        {"field": "essays_graded", "message": "Semua jawaban esai sudah dinilai: belum"},
        {"field": "post_tests", "message": "Post-test lengkap atau peserta dibebaskan: belum"},
        {"field": "attendance", "message": "Presensi tercatat untuk setiap hari: belum"},
    ]

    graded = await client.post(
        f"/api/v1/attempts/{attempt}/answers/{essay}/grade",
        json={"points": 1, "comment": "Tepat"},
        headers=trainer_user.headers,
    )
    assert graded.status_code == 200, graded.text
    marks = [{"person_id": str(absent.person_id), "day": DAYS[2], "status": "excused"}]
    assert (
        await client.post(
            f"/api/v1/sessions/{world.session_id}/attendance", json=marks, headers=organizer.headers
        )
    ).status_code == 200
    readiness = (await client.get(f"{url}/readiness", headers=organizer.headers)).json()
    assert [c["code"] for c in readiness["checks"] if not c["ok"]] == ["post_tests"]
    stranger = await client.post(
        f"{url}/finalize",
        json={"excused": [{"person_id": str(uuid4()), "reason": "Sakit"}]},
        headers=organizer.headers,
    )
    assert stranger.status_code == 422
    assert stranger.json()["errors"] == [
        {"field": "excused[0].person_id", "message": "bukan peserta sesi ini"}
    ]
    done = await client.post(
        f"{url}/finalize",
        json={"excused": [{"person_id": str(absent.person_id), "reason": "Sakit, surat dokter"}]},
        headers=organizer.headers,
    )
    assert done.status_code == 200, done.text
    assert done.json()["results"] == 3
    finalized = (await client.get(f"{url}/readiness", headers=organizer.headers)).json()
    assert finalized["finalized"] is True
    assert not [
        e
        for e in await entries_for("session", world.session_id)
        if e["action"] == "session.finalize_override"
    ]

    # After finalize every input of the results answers 409 naming the amendment route.
    route = AMEND.format(world.session_id)
    tries = [
        client.post(
            f"/api/v1/sessions/{world.session_id}/attendance", json=marks, headers=organizer.headers
        ),
        client.post(
            f"/api/v1/sessions/{world.session_id}/check-in",
            json={"code": "000000"},
            headers=absent.headers,
        ),
        client.post(f"/api/v1/quizzes/{quiz}/attempts", headers=absent.headers),
        client.put(
            f"/api/v1/attempts/{pending}/answers/{true_false}",
            json={"type": "true_false", "value": True},
            headers=absent.headers,
        ),
        client.post(f"/api/v1/attempts/{pending}/submit", headers=absent.headers),
        # Re-grading an auto-graded answer would change the post-test, not the frozen result.
        client.post(
            f"/api/v1/attempts/{attempt}/answers/{true_false}/grade",
            json={"points": 0, "comment": "Dinilai ulang"},
            headers=trainer_user.headers,
        ),
        client.post(
            f"/api/v1/attempts/{attempt}/answers/{essay}/grade",
            json={"points": 0},
            headers=organizer.headers,
        ),
    ]
    for request in tries:
        resp = await request
        assert resp.status_code == 409, resp.text
        body = resp.json()
        assert body["amendment_route"] == route
        assert body["detail"].startswith("Hasil sesi ini sudah difinalisasi; ")
        assert body["detail"].endswith(f"melalui amandemen hasil: {route}.")
    attempts = (await client.get(f"/api/v1/attempts/{attempt}", headers=quick.headers)).json()
    assert attempts["score"] == "2.00"  # the marks given before finalize stay


async def test_override_needs_a_reason_is_audited_and_certificates_wait_for_the_end(
    app, client, organizer, unit
):
    from lms.audit.services import entries_for
    from tests.courses.builders.delivery import create_session, enroll, make_participants

    today = dt.datetime.now(dt.timezone(dt.timedelta(hours=7))).date()
    session = await create_session(
        client,
        organizer,
        status="open",
        start_date=today.isoformat(),
        end_date=(today + dt.timedelta(days=1)).isoformat(),
    )
    people = await make_participants(app, unit["id"], 2)
    await enroll(client, organizer, session["id"], [p.person_id for p in people])
    url = f"/api/v1/sessions/{session['id']}/results"
    readiness = (await client.get(f"{url}/readiness", headers=organizer.headers)).json()
    ended = readiness["checks"][0]
    assert (ended["code"], ended["ok"]) == ("session_ended", False)
    assert ended["detail"].startswith("Sesi baru berakhir setelah ")
    short = await client.post(
        f"{url}/finalize", json={"override_reason": "besok"}, headers=organizer.headers
    )
    assert short.status_code == 400  # a reason of at least 10 characters
    reason = "Peserta dipanggil tugas mendadak; hasil dibekukan atas arahan kepala dinas"
    done = await client.post(
        f"{url}/finalize", json={"override_reason": reason}, headers=organizer.headers
    )
    assert done.status_code == 200, done.text
    override = [
        e
        for e in await entries_for("session", UUID(session["id"]))
        if e["action"] == "session.finalize_override"
    ]
    assert len(override) == 1
    changes = override[0]["changes"]
    changes = json.loads(changes) if isinstance(changes, str) else changes
    assert changes["reason"] == reason
    assert [c["code"] for c in changes["open_checks"]] == [
        "session_ended",
        "post_tests",
        "attendance",
    ]
    issue = await client.post(
        f"/api/v1/sessions/{session['id']}/certificates", json={}, headers=organizer.headers
    )
    assert issue.status_code == 422, issue.text
    assert issue.json()["detail"].endswith("sertifikat diterbitkan setelah hari terakhir sesi.")


def test_a_session_ends_in_its_own_time_zone():
    from courses.delivery.sessions.access import SessionRecord
    from courses.delivery.sessions.frozen import has_ended

    moment = dt.datetime(2026, 11, 20, 15, 30, tzinfo=dt.UTC)  # 22.30 WIB, 00.30 WIT next day

    def session(tz: str) -> SessionRecord:
        now = dt.datetime.now(dt.UTC)
        return SessionRecord(
            id=uuid4(),
            course_id=uuid4(),
            course_code="PP",
            course_title="PP",
            course_version=1,
            unit_id=uuid4(),
            unit_name="U",
            unit_path="/u",
            name="A",
            start_date=dt.date(2026, 11, 18),
            end_date=dt.date(2026, 11, 20),
            timezone=tz,
            venue="",
            city="",
            online_url="",
            capacity=30,
            confirmed_count=0,
            enrollment_seq=0,
            enroll_opens_at=None,
            enroll_closes_at=None,
            approval_required=False,
            self_enroll=False,
            status="running",
            finalized_at=None,
            created_at=now,
            updated_at=now,
        )

    assert has_ended(session("Asia/Jayapura"), moment) is True
    assert has_ended(session("Asia/Jakarta"), moment) is False


async def test_a_course_saved_with_its_pass_mark_inside_a_band_says_so_and_holds_finalize(
    app, client, organizer, unit
):
    """A course saved before the pass-mark rule (pass mark 70 inside "Kurang Memuaskan"
    60.01–70.00) still reads, names the problem, and its sessions wait on the checklist."""
    from courses.tables import Course
    from tests.courses.builders.delivery import create_course, create_session

    course = await create_course(client, organizer)
    assert course["rule_problems"] == []
    await Course.update({Course.pass_mark: 70}).where(Course.id == UUID(course["id"]))
    read = await client.get(f"/api/v1/courses/{course['id']}", headers=organizer.headers)
    assert read.status_code == 200, read.text
    [problem] = read.json()["rule_problems"]
    assert problem["field"] == "pass_mark"
    assert problem["message"].startswith(
        'Batas lulus 70.00 jatuh di dalam predikat "Kurang Memuaskan" (mulai 60.01)'
    )
    assert "Gunakan batas lulus 70.01" in problem["message"]
    session = await create_session(client, organizer, course["id"], status="open")
    url = f"/api/v1/sessions/{session['id']}/results"
    readiness = (await client.get(f"{url}/readiness", headers=organizer.headers)).json()
    rules = next(c for c in readiness["checks"] if c["code"] == "rules")
    assert (rules["ok"], rules["detail"]) == (False, problem["message"])
    fixed = await client.patch(
        f"/api/v1/courses/{course['id']}", json={"pass_mark": "70.01"}, headers=organizer.headers
    )
    assert fixed.status_code == 200, fixed.text
    assert fixed.json()["rule_problems"] == []
    readiness = (await client.get(f"{url}/readiness", headers=organizer.headers)).json()
    assert next(c for c in readiness["checks"] if c["code"] == "rules")["ok"] is True

"""Attempts: nothing leaks, answers are kept, time is enforced by the server, submit is
idempotent, attempts are limited, and only confirmed participants take part."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any
from uuid import UUID

from courses.tables import Attempt, AttemptAnswer
from tests.courses.builders.assessments import (
    build_world,
    create_quiz,
    right_answer,
    save,
    start,
    submit,
    wrong_answer,
)
from tests.factories import make_actor, make_person

ALL_TYPES = (
    "single_choice",
    "multiple_choice",
    "true_false",
    "short_answer",
    "numerical",
    "matching",
    "essay",
)
FORBIDDEN_KEYS = {
    "weight",
    "weights",
    "fraction",
    "correct",
    "is_correct",
    "feedback",
    "general_feedback",
    "feedback_true",
    "feedback_false",
    "other_feedback",
    "answers",
    "accepted",
    "tolerance",
    "minimum",
    "maximum",
    "choice_id",
    "key",
    "title",
    "category",
    "points_awarded",
    "score",
    "percent",
    "comment",
}
QUESTION_KEYS = {
    "id",
    "number",
    "type",
    "text",
    "text_format",
    "points",
    "options",
    "items",
    "choices",
    "response",
    "saved_at",
}


def walk(value: Any, path: str = "$"):
    """Every (path, key, value) in a JSON document."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield path, key, item
            yield from walk(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from walk(item, f"{path}[{index}]")


def secrets_of(question: dict) -> set[str]:
    """Texts that would give a question's answer away: its title (titles often name the
    answer), feedback, accepted answers and numbers."""
    q = question["question"]
    found = {q["title"], q["general_feedback"]}
    for option in q.get("options", []):
        found.add(option["feedback"])
    for answer in q.get("answers", []):
        found.add(answer["feedback"])
        for field in ("text", "value", "minimum", "maximum"):
            if answer.get(field) is not None:
                found.add(str(answer[field]))
    for field in ("feedback_true", "feedback_false", "other_feedback"):
        found.add(q.get(field, ""))
    found.discard("")
    return {text.casefold() for text in found}


def assert_no_leak(payload: dict, questions: list[dict], *, responses_allowed: bool) -> None:
    """Fail on any key or value that reveals a key, weight or feedback."""
    every_feedback = set()
    for question in questions:
        q = question["question"]
        every_feedback.add(q["general_feedback"])
        every_feedback.update(o["feedback"] for o in q.get("options", []))
        every_feedback.update(a["feedback"] for a in q.get("answers", []))
    every_feedback = {text.casefold() for text in every_feedback if text}
    for path, key, value in walk(payload):
        assert key not in FORBIDDEN_KEYS, f"{path}.{key} leaks"
        if isinstance(value, str) and not (responses_allowed and ".response" in path):
            assert value.casefold() not in every_feedback, f"{path}.{key} = {value!r} leaks"
            assert not value.startswith(("=", "~", "%")), f"{path}.{key} = {value!r}"
    by_id = {q["id"]: q for q in questions}
    for question in payload["questions"]:
        assert set(question) <= QUESTION_KEYS, set(question) - QUESTION_KEYS
        for entries in ("options", "items", "choices"):
            for entry in question.get(entries, []):
                assert set(entry) == {"id", "text"}
        secrets = secrets_of(by_id[question["id"]])
        shown = {question["text"].casefold()} | {
            entry["text"].casefold()
            for entries in ("options", "items", "choices")
            for entry in question.get(entries, [])
        }
        assert not shown & secrets, shown & secrets


async def _attempt(client, world, quiz_kind: str = "quiz", **quiz_body) -> tuple[dict, dict]:
    quiz_body.setdefault("selection", world.ids(types=ALL_TYPES))
    quiz = await create_quiz(
        client, world.organizer, world.session["id"], kind=quiz_kind, **quiz_body
    )
    resp = await start(client, world.participants[0], quiz["id"])
    assert resp.status_code == 201, resp.text
    return quiz, resp.json()


async def test_participant_payload_carries_no_answer_key(client, world):
    _, attempt = await _attempt(client, world)
    assert attempt["status"] == "in_progress"
    assert attempt["review"] == "in_progress"
    assert len(attempt["questions"]) == 23
    assert_no_leak(attempt, world.questions, responses_allowed=False)
    participant = world.participants[0]
    for item in attempt["questions"]:
        bank_question = next(q for q in world.questions if q["id"] == item["id"])
        resp = await save(
            client, participant, attempt["id"], item["id"], right_answer(bank_question)
        )
        assert resp.status_code == 200, resp.text
    again = (
        await client.get(f"/api/v1/attempts/{attempt['id']}", headers=participant.headers)
    ).json()
    assert_no_leak(again, world.questions, responses_allowed=True)
    quiz = (
        await client.get(f"/api/v1/quizzes/{attempt['quiz_id']}", headers=participant.headers)
    ).json()
    assert quiz["title"] == "Kuis" and quiz["selection"] is None
    quiz_fields = {key: value for key, value in quiz.items() if key != "title"}
    assert_no_leak({**quiz_fields, "questions": []}, world.questions, responses_allowed=False)


async def test_autosave_overwrites_and_resumes_with_the_same_order(client, world):
    _, attempt = await _attempt(client, world)
    participant = world.participants[0]
    tf = next(q for q in attempt["questions"] if q["type"] == "true_false")
    first = await save(
        client, participant, attempt["id"], tf["id"], {"type": "true_false", "value": True}
    )
    assert first.status_code == 200
    assert set(first.json()) == {"question_id", "saved_at"}
    second = await save(
        client, participant, attempt["id"], tf["id"], {"type": "true_false", "value": False}
    )
    assert second.status_code == 200
    rows = await AttemptAnswer.select().where(AttemptAnswer.attempt == attempt["id"])
    assert len(rows) == 1
    assert json.loads(rows[0]["response"]) == {"type": "true_false", "value": False}
    resumed = await start(client, participant, attempt["quiz_id"])
    assert resumed.status_code == 200
    body = resumed.json()
    assert body["id"] == attempt["id"]
    assert [q["id"] for q in body["questions"]] == [q["id"] for q in attempt["questions"]]
    assert [q.get("options") for q in body["questions"]] == [
        q.get("options") for q in attempt["questions"]
    ]
    saved = next(q for q in body["questions"] if q["id"] == tf["id"])
    assert saved["response"] == {"type": "true_false", "value": False}
    assert dt.datetime.fromisoformat(saved["saved_at"]) == dt.datetime.fromisoformat(
        second.json()["saved_at"]
    )


async def test_autosave_rejects_bad_shapes_unknown_options_and_foreign_questions(
    client, world, second_participant
):
    _, attempt = await _attempt(client, world)
    participant = world.participants[0]
    single = next(q for q in attempt["questions"] if q["type"] == "single_choice")
    url = f"/api/v1/attempts/{attempt['id']}/answers/{single['id']}"
    cases = [
        {"type": "single_choice", "option_id": "zz"},
        {"type": "true_false", "value": True},
        {"type": "single_choice"},
        {"type": "single_choice", "option_id": "a", "extra": 1},
        {"type": "nonsense"},
    ]
    for body in cases:
        resp = await client.put(url, json=body, headers=participant.headers)
        assert resp.status_code == 400, (body, resp.text)
    resp = await client.put(
        url, json={"type": "single_choice", "option_id": "zz"}, headers=participant.headers
    )
    assert resp.json()["detail"] == "Pilihan 'zz' tidak ada pada soal ini."
    not_in_attempt = "00000000-0000-4000-8000-000000000000"
    resp = await save(
        client, participant, attempt["id"], not_in_attempt, {"type": "true_false", "value": True}
    )
    assert resp.status_code == 404
    resp = await client.put(
        url, json={"type": "single_choice", "option_id": "a"}, headers=second_participant.headers
    )
    assert resp.status_code == 404
    resp = await client.put(
        url, json={"type": "single_choice", "option_id": "a"}, headers=world.organizer.headers
    )
    assert resp.status_code == 404
    assert await AttemptAnswer.count().where(AttemptAnswer.attempt == attempt["id"]) == 0


async def _expire(attempt_id: str) -> None:
    past = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    await Attempt.update({Attempt.deadline: past}).where(Attempt.id == UUID(attempt_id))


async def test_late_save_is_409_and_the_attempt_is_graded_with_what_was_saved(client, world):
    _, attempt = await _attempt(
        client, world, selection=world.ids(types=("true_false",)), time_limit_minutes=20
    )
    participant = world.participants[0]
    first, second = attempt["questions"][0], attempt["questions"][1]
    bank = {q["id"]: q for q in world.questions}
    resp = await save(
        client, participant, attempt["id"], first["id"], right_answer(bank[first["id"]])
    )
    assert resp.status_code == 200
    await _expire(attempt["id"])
    resp = await save(
        client, participant, attempt["id"], second["id"], right_answer(bank[second["id"]])
    )
    assert resp.status_code == 409
    assert resp.json()["detail"].startswith("Batas waktu pengerjaan sudah lewat")
    row = await Attempt.select().where(Attempt.id == UUID(attempt["id"])).first()
    assert row["status"] == "submitted"
    assert row["submitted_at"] == row["deadline"]
    assert str(row["score"]) in ("1", "1.0", "1.00")
    assert await AttemptAnswer.count().where(AttemptAnswer.attempt == attempt["id"]) == 1
    again = await save(
        client, participant, attempt["id"], second["id"], right_answer(bank[second["id"]])
    )
    assert again.status_code == 409
    assert again.json()["detail"] == "Percobaan ini sudah dikumpulkan; jawaban tidak dapat diubah."


async def test_reading_an_overdue_attempt_closes_it(client, world):
    quiz, attempt = await _attempt(
        client,
        world,
        selection=world.ids(types=("true_false",)),
        time_limit_minutes=5,
        review={"after_submit": "correct", "after_close": "correct"},
    )
    participant = world.participants[0]
    bank = {q["id"]: q for q in world.questions}
    for item in attempt["questions"][:3]:
        await save(client, participant, attempt["id"], item["id"], right_answer(bank[item["id"]]))
    await _expire(attempt["id"])
    body = (
        await client.get(f"/api/v1/attempts/{attempt['id']}", headers=participant.headers)
    ).json()
    assert body["status"] == "submitted"
    assert body["closed_by_deadline"] is True
    assert body["submitted_at"] == body["deadline"]
    assert (body["score"], body["max_score"], body["percent"]) == ("3.00", "5.00", "60.00")
    assert [q["correct"] for q in body["questions"]] == [True, True, True, False, False]
    # A new start after the close counts the closed attempt.
    resp = await start(client, participant, quiz["id"])
    assert resp.status_code == 409
    assert resp.json()["detail"] == "Batas percobaan kuis ini (1 kali) sudah tercapai."


async def test_submit_is_idempotent(client, world):
    _, attempt = await _attempt(
        client, world, selection=world.ids(types=("single_choice",)), pass_mark="70"
    )
    participant = world.participants[0]
    bank = {q["id"]: q for q in world.questions}
    for index, item in enumerate(attempt["questions"]):
        answer = right_answer if index < 7 else wrong_answer
        await save(client, participant, attempt["id"], item["id"], answer(bank[item["id"]]))
    first = await submit(client, participant, attempt["id"])
    second = await submit(client, participant, attempt["id"])
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()
    body = first.json()
    assert body["review"] == "score"
    assert body["questions"] == []
    assert (body["score"], body["max_score"], body["percent"], body["passed"]) == (
        "7.00",
        "10.00",
        "70.00",
        True,
    )
    from lms.audit.tables import AuditEntry

    submits = await AuditEntry.count().where(
        (AuditEntry.object_id == attempt["id"]) & (AuditEntry.action == "attempt.submit")
    )
    assert submits == 1
    resp = await save(
        client,
        participant,
        attempt["id"],
        attempt["questions"][0]["id"],
        right_answer(bank[attempt["questions"][0]["id"]]),
    )
    assert resp.status_code == 409


async def test_attempts_allowed_is_enforced(client, world):
    quiz = await create_quiz(
        client,
        world.organizer,
        world.session["id"],
        selection=world.ids(types=("true_false",)),
        attempts_allowed=2,
    )
    participant = world.participants[0]
    for number in (1, 2):
        resp = await start(client, participant, quiz["id"])
        assert resp.status_code == 201
        assert resp.json()["number"] == number
        assert (await submit(client, participant, resp.json()["id"])).status_code == 200
    resp = await start(client, participant, quiz["id"])
    assert resp.status_code == 409
    assert resp.json()["detail"] == "Batas percobaan kuis ini (2 kali) sudah tercapai."
    mine = (await client.get(f"/api/v1/quizzes/{quiz['id']}", headers=participant.headers)).json()
    assert [a["number"] for a in mine["my_attempts"]] == [1, 2]
    assert [a["percent"] for a in mine["my_attempts"]] == ["0.00", "0.00"]


async def test_quiz_window_is_enforced(client, world):
    now = dt.datetime.now(dt.UTC)
    later = create_quiz(
        client,
        world.organizer,
        world.session["id"],
        selection=world.ids(types=("true_false",)),
        opens_at=(now + dt.timedelta(hours=1)).isoformat(),
    )
    quiz = await later
    participant = world.participants[0]
    resp = await start(client, participant, quiz["id"])
    assert resp.status_code == 422
    assert resp.json()["detail"].startswith("Kuis belum dibuka. Kuis dibuka ")
    assert resp.json()["detail"].endswith(" WIB.")
    resp = await client.patch(
        f"/api/v1/quizzes/{quiz['id']}",
        json={
            "opens_at": (now - dt.timedelta(hours=2)).isoformat(),
            "closes_at": (now - dt.timedelta(hours=1)).isoformat(),
        },
        headers=world.organizer.headers,
    )
    assert resp.status_code == 200 and resp.json()["is_open"] is False
    resp = await start(client, participant, quiz["id"])
    assert resp.status_code == 422
    assert resp.json()["detail"].startswith("Kuis sudah ditutup ")


async def test_deadline_is_capped_by_the_close_and_follows_a_changed_close(client, world):
    now = dt.datetime.now(dt.UTC)
    closes = (now + dt.timedelta(minutes=10)).replace(microsecond=0)
    quiz, attempt = await _attempt(
        client,
        world,
        selection=world.ids(types=("true_false",)),
        time_limit_minutes=60,
        closes_at=closes.isoformat(),
    )
    assert dt.datetime.fromisoformat(attempt["deadline"]) == closes
    earlier = closes - dt.timedelta(minutes=5)
    await client.patch(
        f"/api/v1/quizzes/{quiz['id']}",
        json={"closes_at": earlier.isoformat()},
        headers=world.organizer.headers,
    )
    body = (
        await client.get(f"/api/v1/attempts/{attempt['id']}", headers=world.participants[0].headers)
    ).json()
    assert dt.datetime.fromisoformat(body["deadline"]) == earlier


async def test_only_confirmed_participants_start(
    app, client, organizer, participant, unit, other_organizer
):
    world = await build_world(client, organizer, [participant])
    quiz = await create_quiz(
        client, organizer, world.session["id"], selection=world.ids(types=("true_false",))
    )
    # Enrolled in another session only: this session is not theirs.
    stranger = await make_actor(app, "participant", person_id=await make_person(unit["id"]))
    from courses.tables import CourseSession

    await CourseSession.update({CourseSession.self_enroll: False}).where(
        CourseSession.id == world.session["id"]
    )
    assert (await start(client, stranger, quiz["id"])).status_code == 404
    assert (await start(client, other_organizer, quiz["id"])).status_code == 404
    # The organizer sees the session but is no participant.
    resp = await start(client, organizer, quiz["id"])
    assert resp.status_code == 403
    # A waitlisted (not confirmed) person sees the session but may not start.
    from courses.tables import Enrollment

    await Enrollment.update({Enrollment.status: "waitlisted"}).where(
        Enrollment.person == participant.person_id
    )
    resp = await start(client, participant, quiz["id"])
    assert resp.status_code == 403
    assert resp.json()["detail"].startswith("Hanya peserta terdaftar")
    # A withdrawn participant is answered like a stranger: the quiz is no longer theirs.
    await Enrollment.update({Enrollment.status: "withdrawn"}).where(
        Enrollment.person == participant.person_id
    )
    resp = await start(client, participant, quiz["id"])
    assert resp.status_code == 404
    assert resp.json()["detail"] == "Kuis tidak ditemukan."


async def test_attempt_visibility(
    app, client, world, second_participant, other_organizer, trainer_user
):
    _, attempt = await _attempt(client, world, selection=world.ids(types=("true_false",)))
    url = f"/api/v1/attempts/{attempt['id']}"
    assert (await client.get(url, headers=second_participant.headers)).status_code == 404
    assert (await client.get(url, headers=other_organizer.headers)).status_code == 404
    assert (await client.get(url, headers=trainer_user.headers)).status_code == 404
    staff = await client.get(url, headers=world.organizer.headers)
    assert staff.status_code == 200 and staff.json()["review"] == "staff"
    resp = await client.post(url + "/submit", headers=world.organizer.headers)
    assert resp.status_code == 404


async def test_random_draw_by_category_is_deterministic_per_attempt(
    client, world, second_participant
):
    from tests.courses.builders.delivery import enroll

    await enroll(client, world.organizer, world.session["id"], [second_participant.person_id])
    rules = [
        {"category": "Pelayanan Prima/Dasar Hukum", "count": 3},
        {"category": "Pelayanan Prima/Sikap dan Perilaku", "count": 2},
    ]
    quiz = await create_quiz(
        client,
        world.organizer,
        world.session["id"],
        selection={"random": rules},
        shuffle_questions=False,
    )
    assert quiz["question_count"] == 5
    assert quiz["selection"] == {
        "random": [dict(r, bank_id=None, include_subcategories=True) for r in rules]
    }
    category = {q["id"]: q["category"] for q in world.questions}
    drawn = []
    for actor in (world.participants[0], second_participant):
        attempt = (await start(client, actor, quiz["id"])).json()
        ids = [q["id"] for q in attempt["questions"]]
        assert [category[i] for i in ids] == ["Pelayanan Prima/Dasar Hukum"] * 3 + [
            "Pelayanan Prima/Sikap dan Perilaku"
        ] * 2
        assert len(set(ids)) == 5
        again = (await start(client, actor, quiz["id"])).json()
        assert [q["id"] for q in again["questions"]] == ids
        drawn.append(ids)
        import random

        from courses.tables import Question

        pools = []
        for rule in rules:
            rows = await Question.select(Question.id).where(Question.category == rule["category"])
            pools.append(sorted(str(r["id"]) for r in rows))
        rng = random.Random(attempt["id"])
        expected = rng.sample(pools[0], 3) + rng.sample(pools[1], 2)
        assert ids == expected
    assert drawn[0] != drawn[1]


async def test_a_cancelled_sessions_quiz_cannot_be_started(client, world):
    quiz = await create_quiz(
        client, world.organizer, world.session["id"], selection=world.ids(types=("true_false",))
    )
    resp = await client.patch(
        f"/api/v1/sessions/{world.session['id']}",
        json={"status": "cancelled"},
        headers=world.organizer.headers,
    )
    assert resp.status_code == 200, resp.text
    resp = await start(client, world.participants[0], quiz["id"])
    assert resp.status_code == 422
    assert resp.json()["detail"] == "Sesi ini dibatalkan; kuisnya tidak dapat dikerjakan."


async def test_answers_racing_a_submit_are_graded_or_refused(client, world):
    import asyncio

    _, attempt = await _attempt(
        client, world, selection=world.ids(types=("single_choice", "true_false"))
    )
    participant = world.participants[0]
    bank = {q["id"]: q for q in world.questions}
    saves = [
        save(client, participant, attempt["id"], item["id"], right_answer(bank[item["id"]]))
        for item in attempt["questions"]
    ]
    *saved, submitted = await asyncio.gather(*saves, submit(client, participant, attempt["id"]))
    assert submitted.status_code == 200
    assert {resp.status_code for resp in saved} <= {200, 409}
    accepted = {
        item["id"]
        for item, resp in zip(attempt["questions"], saved, strict=True)
        if resp.status_code == 200
    }
    rows = await AttemptAnswer.select(AttemptAnswer.question, AttemptAnswer.points).where(
        AttemptAnswer.attempt == attempt["id"]
    )
    assert {str(row["question"]) for row in rows} == accepted
    assert all(row["points"] is not None for row in rows)
    final = await Attempt.select(Attempt.score).where(Attempt.id == UUID(attempt["id"])).first()
    assert Decimal(str(final["score"])) == len(accepted)

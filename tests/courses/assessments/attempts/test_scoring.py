"""Exact grading of whole attempts, grading methods, manual essay marks and review levels."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from uuid import UUID

from courses.assessments.attempts.scoring import apply_method, percent_of, quiz_grade, quiz_grades
from courses.tables import Attempt
from tests.courses.builders.assessments import (
    create_quiz,
    right_answer,
    save,
    start,
    submit,
    wrong_answer,
)
from tests.courses.builders.delivery import create_trainer, wib


def test_percent_is_rounded_half_up_to_two_decimals():
    assert percent_of(Decimal("2.00"), Decimal("3.00")) == Decimal("66.67")
    assert percent_of(Decimal("0.01"), Decimal("8.00")) == Decimal("0.13")
    assert percent_of(Decimal("7.00"), Decimal("10.00")) == Decimal("70.00")
    assert percent_of(Decimal("0.00"), Decimal("0.00")) == Decimal("0.00")


def test_grading_methods_over_percents_in_attempt_order():
    percents = [Decimal("60.00"), Decimal("100.00"), Decimal("20.00")]
    assert apply_method("highest", percents) == Decimal("100.00")
    assert apply_method("last", percents) == Decimal("20.00")
    assert apply_method("first", percents) == Decimal("60.00")
    assert apply_method("average", percents) == Decimal("60.00")
    assert apply_method("average", [Decimal("10.00"), Decimal("10.01")]) == Decimal("10.01")
    assert apply_method("highest", []) is None


async def _take(client, world, participant, quiz_id, right: int) -> dict:
    """Start an attempt, answer the first ``right`` questions right, the rest wrong, submit."""
    attempt = (await start(client, participant, quiz_id)).json()
    bank = {q["id"]: q for q in world.questions}
    for index, item in enumerate(attempt["questions"]):
        answer = right_answer if index < right else wrong_answer
        resp = await save(client, participant, attempt["id"], item["id"], answer(bank[item["id"]]))
        assert resp.status_code == 200, resp.text
    resp = await submit(client, participant, attempt["id"])
    assert resp.status_code == 200
    return resp.json()


async def test_quiz_grade_applies_the_grading_method(client, world, second_participant):
    quiz = await create_quiz(
        client,
        world.organizer,
        world.session["id"],
        kind="post_test",
        selection=world.ids(types=("true_false",)),
        attempts_allowed=0,
    )
    participant = world.participants[0]
    for right in (3, 5, 1):
        await _take(client, world, participant, quiz["id"], right)
    person = participant.person_id
    expected = {"highest": "100.00", "last": "20.00", "first": "60.00", "average": "60.00"}
    for method, grade in expected.items():
        resp = await client.patch(
            f"/api/v1/quizzes/{quiz['id']}",
            json={"grading_method": method},
            headers=world.organizer.headers,
        )
        assert resp.status_code == 200
        assert await quiz_grade(UUID(quiz["id"]), person) == Decimal(grade)
    assert await quiz_grade(UUID(quiz["id"]), second_participant.person_id) is None
    assert await quiz_grades(UUID(quiz["id"])) == {person: Decimal("60.00")}


async def test_quiz_grades_close_overdue_attempts_first(client, world):
    quiz = await create_quiz(
        client,
        world.organizer,
        world.session["id"],
        selection=world.ids(types=("true_false",)),
        time_limit_minutes=10,
    )
    participant = world.participants[0]
    attempt = (await start(client, participant, quiz["id"])).json()
    bank = {q["id"]: q for q in world.questions}
    for item in attempt["questions"][:2]:
        await save(client, participant, attempt["id"], item["id"], right_answer(bank[item["id"]]))
    past = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    await Attempt.update({Attempt.deadline: past}).where(Attempt.id == UUID(attempt["id"]))
    assert await quiz_grades(UUID(quiz["id"])) == {participant.person_id: Decimal("40.00")}


async def test_partial_and_negative_credit_is_exact(client, world):
    question = world.by_title("Berorientasi Pelayanan")
    options = question["question"]["options"]
    positive = [o["id"] for o in options if Decimal(o["weight"]) > 0]
    negative = [o["id"] for o in options if Decimal(o["weight"]) < 0]
    quiz = await create_quiz(
        client, world.organizer, world.session["id"], selection=[question["id"]], attempts_allowed=2
    )
    participant = world.participants[0]
    cases = [(positive, "1.00", "100.00"), (positive[:2] + negative[:1], "0.17", "17.00")]
    for chosen, score, percent in cases:
        attempt = (await start(client, participant, quiz["id"])).json()
        await save(
            client,
            participant,
            attempt["id"],
            question["id"],
            {"type": "multiple_choice", "option_ids": chosen},
        )
        body = (await submit(client, participant, attempt["id"])).json()
        assert (body["score"], body["max_score"], body["percent"]) == (score, "1.00", percent)


async def test_essay_waits_for_a_trainer_whose_mark_retotals(
    client, world, trainer_user, second_participant
):
    essay = world.ids(types=("essay",))[0]
    tf = world.ids(types=("true_false",))[0]
    quiz = await create_quiz(
        client,
        world.organizer,
        world.session["id"],
        selection=[tf, essay],
        shuffle_questions=False,
        pass_mark="70",
        review={"after_submit": "correct", "after_close": "correct"},
    )
    participant = world.participants[0]
    body = await _take(client, world, participant, quiz["id"], right=2)
    assert (body["score"], body["max_score"], body["percent"]) == ("1.00", "2.00", "50.00")
    assert body["needs_grading"] is True and body["passed"] is None
    assert [q["needs_grading"] for q in body["questions"]] == [False, True]
    assert body["questions"][1]["points_awarded"] is None
    grade_url = f"/api/v1/attempts/{body['id']}/answers/{essay}/grade"
    # Not on the agenda yet: the trainer cannot see the attempt.
    resp = await client.post(grade_url, json={"points": "0.5"}, headers=trainer_user.headers)
    assert resp.status_code == 404
    trainer = await create_trainer(
        client,
        world.organizer,
        person_id=str(trainer_user.person_id),
        user_id=str(trainer_user.user_id),
    )
    resp = await client.post(
        f"/api/v1/sessions/{world.session['id']}/agenda",
        json={
            "starts_at": wib("2026-11-18", "08:00"),
            "ends_at": wib("2026-11-18", "10:00"),
            "trainer_id": trainer["id"],
            "title": "Sikap melayani",
        },
        headers=world.organizer.headers,
    )
    assert resp.status_code == 201, resp.text
    resp = await client.post(grade_url, json={"points": "1.5"}, headers=trainer_user.headers)
    assert resp.status_code == 422
    resp = await client.post(
        grade_url, json={"points": "0.5", "comment": "Cukup baik."}, headers=participant.headers
    )
    assert resp.status_code == 403
    resp = await client.post(
        grade_url, json={"points": "0.5", "comment": "Cukup baik."}, headers=trainer_user.headers
    )
    assert resp.status_code == 200, resp.text
    graded = resp.json()
    assert graded["review"] == "staff"
    assert (graded["score"], graded["percent"], graded["needs_grading"], graded["passed"]) == (
        "1.50",
        "75.00",
        False,
        True,
    )
    mine = (await client.get(f"/api/v1/attempts/{body['id']}", headers=participant.headers)).json()
    assert mine["questions"][1]["points_awarded"] == "0.50"
    assert mine["questions"][1]["correct"] is False
    assert mine["questions"][1]["comment"] == "Cukup baik."
    assert await quiz_grade(UUID(quiz["id"]), participant.person_id) == Decimal("75.00")
    # An attempt in progress cannot be graded.
    from tests.courses.builders.delivery import enroll

    await enroll(client, world.organizer, world.session["id"], [second_participant.person_id])
    other = (await start(client, second_participant, quiz["id"])).json()
    resp = await client.post(
        f"/api/v1/attempts/{other['id']}/answers/{essay}/grade",
        json={"points": "1"},
        headers=world.organizer.headers,
    )
    assert resp.status_code == 409


async def test_review_levels_after_submit_and_after_close(client, world):
    selection = world.ids(types=("true_false",))
    quiz = await create_quiz(
        client,
        world.organizer,
        world.session["id"],
        selection=selection,
        attempts_allowed=0,
        review={"after_submit": "none", "after_close": "correct"},
    )
    participant = world.participants[0]
    body = await _take(client, world, participant, quiz["id"], right=4)
    assert body["review"] == "none"
    assert body["questions"] == []
    assert not {"score", "percent", "max_score", "passed"} & set(body)
    resp = await client.patch(
        f"/api/v1/quizzes/{quiz['id']}",
        json={"review": {"after_submit": "responses"}},
        headers=world.organizer.headers,
    )
    assert resp.json()["review"] == {"after_submit": "responses", "after_close": "correct"}
    body = (await client.get(f"/api/v1/attempts/{body['id']}", headers=participant.headers)).json()
    assert body["percent"] == "80.00"
    assert len(body["questions"]) == 5
    assert all("response" in q and "correct" not in q for q in body["questions"])
    past = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)).isoformat()
    await client.patch(
        f"/api/v1/quizzes/{quiz['id']}",
        json={"opens_at": None, "closes_at": past},
        headers=world.organizer.headers,
    )
    body = (await client.get(f"/api/v1/attempts/{body['id']}", headers=participant.headers)).json()
    assert body["review"] == "correct"
    assert [q["correct"] for q in body["questions"]] == [True, True, True, True, False]

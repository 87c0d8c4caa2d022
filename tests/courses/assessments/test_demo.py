"""The assessments demo: real attempts for the 27 participants, the same figures every run,
and an open practice quiz the demo participant can take."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from courses.assessments import demo as assessments_demo
from courses.assessments.attempts.scoring import quiz_grades
from courses.tables import Attempt, Question
from tests.courses.builders.assessments import any_answer, save, start, submit


def _mean(values) -> Decimal:
    values = list(values)
    return (sum(values, Decimal(0)) / len(values)).quantize(Decimal("0.01"), ROUND_HALF_UP)


async def test_demo_gives_every_participant_a_pre_and_post_test(app, client):
    from courses import demo as courses_demo
    from lms import demo as lms_demo
    from lms.cli import DEMO_PASSWORDS

    ctx: dict = {"passwords": DEMO_PASSWORDS}
    await lms_demo.seed(ctx)
    await courses_demo.seed(ctx)
    await assessments_demo.seed(ctx)

    assert await Question.count().where(Question.bank == ctx["bank_id"]) == 23
    tagged = await Question.select(Question.title, Question.competency_code).where(
        Question.bank == ctx["bank_id"]
    )
    assert {row["title"]: row["competency_code"] for row in tagged} == assessments_demo.COMPETENCIES
    pre = await quiz_grades(ctx["pre_test_id"])
    post = await quiz_grades(ctx["post_test_id"])
    assert set(pre) == set(post) == set(ctx["people"])
    assert (_mean(pre.values()), _mean(post.values())) == (Decimal("54.33"), Decimal("80.75"))
    assert sum(post[p] > pre[p] for p in pre) == 24
    first = ctx["people"][0]
    assert (pre[first], post[first]) == (Decimal("46.67"), Decimal("100.00"))
    finished = await Attempt.count().where(
        Attempt.quiz.is_in([ctx["pre_test_id"], ctx["post_test_id"]])
        & (Attempt.status == "submitted")
    )
    assert finished == 54

    # The practice quiz is open and untouched: the demo participant takes it.
    assert await Attempt.count().where(Attempt.quiz == ctx["practice_quiz_id"]) == 0
    token = app.state.jwt_auth.create_token(identifier=str(ctx["users"]["participant"]))

    class Participant:
        headers = {"Authorization": f"Bearer {token}"}

    listed = await client.get(
        f"/api/v1/sessions/{ctx['session_id']}/quizzes", headers=Participant.headers
    )
    assert [(q["kind"], q["is_open"]) for q in listed.json()["items"]] == [
        ("pre_test", False),
        ("post_test", False),
        ("quiz", True),
    ]
    attempt = (await start(client, Participant, str(ctx["practice_quiz_id"]))).json()
    assert attempt["question_count"] == 5
    for question in attempt["questions"]:
        resp = await save(client, Participant, attempt["id"], question["id"], any_answer(question))
        assert resp.status_code == 200, resp.text
    done = await submit(client, Participant, attempt["id"])
    assert done.json()["review"] == "correct"

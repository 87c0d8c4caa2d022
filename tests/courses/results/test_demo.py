"""The results demo finalizes the demo session: most pass with varied predikat, absentees fail."""

from __future__ import annotations

from tests.courses.builders.results import (
    add_quiz,
    answers_scoring,
    build_world,
    make_true_false,
    mark_attendance,
    take_quiz,
)

KEYS = [True, False, True, True, False]
# (days present of 3, post-test right of 5); trainer marks come from the demo's fixed list
PLAN = [(3, 5), (3, 4), (3, 4), (3, 3), (1, 5), (1, 4)]


async def test_seed_enters_marks_and_finalizes(app, client, organizer, unit, trainer_user) -> None:
    from courses.results import demo

    world = await build_world(app, client, organizer, unit, trainer_user, participants=len(PLAN))
    questions = await make_true_false(unit["id"], [(f"S{n}", k, "") for n, k in enumerate(KEYS)])
    quiz = await add_quiz(client, organizer, world, "post_test", questions)
    for person, (present, right) in zip(world.people, PLAN, strict=True):
        await mark_attendance(client, organizer, world, person, present)
        await take_quiz(client, person, quiz, answers_scoring(questions, KEYS, right))

    ctx = {"session_id": world.session_id, "users": {"organizer": organizer.user_id}}
    await demo.seed(ctx)
    assert (ctx["results"]["passed"], ctx["results"]["failed"]) == (4, 2)

    body = (
        await client.get(f"/api/v1/sessions/{world.session_id}/results", headers=organizer.headers)
    ).json()
    index = {item["person_id"]: item for item in body["items"]}
    rows = [index[str(p.person_id)] for p in world.people]
    assert [
        (r["components"]["trainer_assessment"], r["final_score"], r["predikat"], r["passed"])
        for r in rows
    ] == [
        ("88.00", "96.40", "Sangat Memuaskan", True),  # 10 + 60 + 26.4
        ("92.00", "85.60", "Memuaskan", True),  # 10 + 48 + 27.6
        ("79.00", "81.70", "Memuaskan", True),  # 10 + 48 + 23.7
        ("85.00", "71.50", "Cukup Memuaskan", True),  # 10 + 36 + 25.5
        ("95.00", "91.83", "Sangat Memuaskan", False),  # attendance 33.33 %
        ("82.00", "75.93", "Cukup Memuaskan", False),  # attendance 33.33 %
    ]
    assert body["finalized"] is True


async def test_seed_without_a_session_does_nothing(app) -> None:
    from courses.results import demo

    ctx: dict = {}
    await demo.seed(ctx)
    assert "results" not in ctx

"""A running session to assess and finalize: course (weights 10/60/30), trainer on the agenda,
participants, a pre-test and a post-test of true/false questions, attendance marks.

Courses, sessions, enrollments, agenda, quizzes, attempts and attendance go through the API
(the tests exercise the real flow); questions are inserted directly into a bank.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import httpx

from tests.courses.builders.delivery import (
    create_course,
    create_session,
    create_trainer,
    enroll,
    make_participants,
    wib,
)
from tests.factories import Actor

DAYS = ["2026-11-18", "2026-11-19", "2026-11-20"]


@dataclass
class World:
    """What the builders made."""

    course: dict
    session: dict
    trainer: dict
    people: list[Actor]
    questions: list[UUID] = field(default_factory=list)
    quizzes: dict[str, str] = field(default_factory=dict)

    @property
    def session_id(self) -> str:
        return self.session["id"]


async def make_true_false(unit_id: UUID, statements: list[tuple[str, bool, str]]) -> list[UUID]:
    """A bank with one true/false question per (text, correct, competency code)."""
    from courses.assessments.questions.model import TrueFalse
    from courses.assessments.questions.store import new_row
    from courses.tables import Question as QuestionRow
    from courses.tables import QuestionBank

    now = dt.datetime.now(dt.UTC)
    bank_id = uuid4()
    await QuestionBank.insert(
        QuestionBank(id=bank_id, name="Bank Uji", unit=unit_id, created_at=now)
    )
    rows = [
        new_row(
            bank_id,
            TrueFalse(
                title=f"Pernyataan {n}", text=text, correct=correct, competency_code=code or None
            ),
            now,
        )
        for n, (text, correct, code) in enumerate(statements, start=1)
    ]
    await QuestionRow.insert(*rows)
    return [row.id for row in rows]


async def build_world(
    app: Any,
    client: httpx.AsyncClient,
    organizer: Actor,
    unit: dict,
    trainer_user: Actor | None = None,
    *,
    participants: int = 4,
    course_overrides: dict | None = None,
) -> World:
    """A running 3-day session with a trainer on the agenda and enrolled participants."""
    course = await create_course(client, organizer, **(course_overrides or {}))
    session = await create_session(client, organizer, course["id"], status="open")
    body: dict[str, Any] = {}
    if trainer_user is not None:
        body = {"person_id": str(trainer_user.person_id), "institution": "BPSDM Sumbar"}
    trainer = await create_trainer(client, organizer, **body)
    resp = await client.post(
        f"/api/v1/sessions/{session['id']}/agenda",
        json={
            "starts_at": wib(DAYS[0], "08:00"),
            "ends_at": wib(DAYS[0], "10:00"),
            "trainer_id": trainer["id"],
            "module_id": course["modules"][0]["id"],
        },
        headers=organizer.headers,
    )
    assert resp.status_code == 201, resp.text
    people = await make_participants(app, unit["id"], participants)
    await enroll(client, organizer, session["id"], [p.person_id for p in people])
    resp = await client.patch(
        f"/api/v1/sessions/{session['id']}", json={"status": "running"}, headers=organizer.headers
    )
    assert resp.status_code == 200, resp.text
    return World(course=course, session=resp.json(), trainer=trainer, people=people)


async def add_quiz(
    client: httpx.AsyncClient,
    organizer: Actor,
    world: World,
    kind: str,
    questions: list[UUID],
    **overrides: Any,
) -> str:
    """A pre-test/post-test over ``questions`` in order, open now, unlimited attempts."""
    body = {
        "kind": kind,
        "selection": [str(q) for q in questions],
        "shuffle_questions": False,
        "shuffle_options": False,
        "attempts_allowed": 0,
        "review": {"after_submit": "correct", "after_close": "correct"},
        **overrides,
    }
    resp = await client.post(
        f"/api/v1/sessions/{world.session_id}/quizzes", json=body, headers=organizer.headers
    )
    assert resp.status_code == 201, resp.text
    world.quizzes[kind] = resp.json()["id"]
    return resp.json()["id"]


async def take_quiz(
    client: httpx.AsyncClient, actor: Actor, quiz_id: str, answers: dict[UUID, bool | None]
) -> dict:
    """Start an attempt, save each true/false answer (None: leave it), submit."""
    resp = await client.post(f"/api/v1/quizzes/{quiz_id}/attempts", headers=actor.headers)
    assert resp.status_code in (200, 201), resp.text
    attempt_id = resp.json()["id"]
    for question_id, value in answers.items():
        if value is None:
            continue
        resp = await client.put(
            f"/api/v1/attempts/{attempt_id}/answers/{question_id}",
            json={"type": "true_false", "value": value},
            headers=actor.headers,
        )
        assert resp.status_code == 200, resp.text
    resp = await client.post(f"/api/v1/attempts/{attempt_id}/submit", headers=actor.headers)
    assert resp.status_code in (200, 201), resp.text
    return resp.json()


def answers_scoring(questions: list[UUID], keys: list[bool], right: int) -> dict[UUID, bool]:
    """Answers that get the first ``right`` questions right and the rest wrong."""
    return {
        q: (k if n < right else not k) for n, (q, k) in enumerate(zip(questions, keys, strict=True))
    }


async def mark_attendance(
    client: httpx.AsyncClient, actor: Actor, world: World, person: Actor, present_days: int
) -> None:
    """``present_days`` of the 3 days present, the rest absent."""
    marks = [
        {
            "person_id": str(person.person_id),
            "day": day,
            "status": "present" if n < present_days else "absent",
        }
        for n, day in enumerate(DAYS)
    ]
    resp = await client.post(
        f"/api/v1/sessions/{world.session_id}/attendance", json=marks, headers=actor.headers
    )
    assert resp.status_code == 200, resp.text


async def set_scores(
    client: httpx.AsyncClient,
    actor: Actor,
    world: World,
    scores: list[tuple[Actor, Decimal | str | int]],
    component: str = "trainer_assessment",
) -> httpx.Response:
    """PUT component scores."""
    return await client.put(
        f"/api/v1/sessions/{world.session_id}/component-scores",
        json=[
            {"person_id": str(p.person_id), "component": component, "score": str(score)}
            for p, score in scores
        ],
        headers=actor.headers,
    )


PRE_POST_KEYS = [True, False, True, True]
PRE_POST_CODES = ["K1", "K1", "K2", "K2"]
# 1 = right, 0 = wrong, None = left unanswered; one row per participant (6 of them)
PRE_RIGHT: list[list[int | None] | None] = [
    [1, 1, 1, 0],  # 75
    [1, 0, 0, 0],  # 25
    [1, 1, 0, 0],  # 50
    [0, 1, 0, 0],  # 25
    [1, 1, 1, 1],  # 100, never takes the post-test
    None,  # takes neither
]
POST_RIGHT: list[list[int | None] | None] = [
    [1, 1, 1, 1],  # 100
    [1, 1, 0, 0],  # 50
    [1, 1, 1, 0],  # 75
    [0, 0, 0, None],  # 0
    None,
    None,
]


def _answers(questions: list[UUID], right: list[int | None]) -> dict[UUID, bool | None]:
    return {
        q: None if r is None else (key if r else not key)
        for q, key, r in zip(questions, PRE_POST_KEYS, right, strict=True)
    }


async def pre_post_world(
    app: Any, client: httpx.AsyncClient, organizer: Actor, unit: dict, trainer_user: Actor
) -> World:
    """Six participants, a pre-test and a post-test sharing four true/false questions
    (competencies K1, K1, K2, K2), answered as ``PRE_RIGHT`` and ``POST_RIGHT`` say."""
    world = await build_world(app, client, organizer, unit, trainer_user, participants=6)
    world.questions = await make_true_false(
        unit["id"],
        [
            (f"Pernyataan {n}", key, code)
            for n, (key, code) in enumerate(zip(PRE_POST_KEYS, PRE_POST_CODES, strict=True))
        ],
    )
    pre = await add_quiz(client, organizer, world, "pre_test", world.questions)
    post = await add_quiz(client, organizer, world, "post_test", world.questions)
    for person, pre_right, post_right in zip(world.people, PRE_RIGHT, POST_RIGHT, strict=True):
        if pre_right is not None:
            await take_quiz(client, person, pre, _answers(world.questions, pre_right))
        if post_right is not None:
            await take_quiz(client, person, post, _answers(world.questions, post_right))
    return world

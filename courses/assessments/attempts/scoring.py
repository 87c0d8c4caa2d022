"""Grading whole attempts, and a quiz's grade per participant.

An attempt is graded when it is submitted or closed at its deadline: every question it drew is
graded by ``grading.grade`` against what was saved (unanswered: 0). An essay with text waits
for a trainer: its answer keeps ``points = NULL`` and the attempt ``needs_grading``; its score
counts the essay as 0 until ``regrade`` adds the trainer's mark. All sums are Decimal:
``percent = score / max_score × 100``, rounded half-up to 2 decimals (0 when the attempt is
worth 0 points).

``quiz_grade`` applies the quiz's grading method over a participant's finished attempts
(``highest``, ``last``, ``first`` or ``average`` of their percents).
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from uuid import UUID

import msgspec

from courses.assessments.attempts import events
from courses.assessments.questions import store as question_store
from courses.assessments.questions.grading import Response, grade
from courses.assessments.questions.store import StoredQuestion
from courses.tables import Attempt, AttemptAnswer, Quiz
from lms.audit import services as audit
from lms.auth.caller import Caller
from lms.db.locks import lock_row
from lms.shared.values import CENT, cents

FINISHED = "submitted"
IN_PROGRESS = "in_progress"
HUNDRED = Decimal(100)

_response_decoder = msgspec.json.Decoder(Response)


def percent_of(score: Decimal, max_score: Decimal) -> Decimal:
    """``score / max_score × 100`` rounded half-up to 2 decimals (0 for a 0-point attempt)."""
    if max_score <= 0:
        return Decimal("0.00")
    return (score * HUNDRED / max_score).quantize(CENT, rounding=ROUND_HALF_UP)


def decode_response(raw: Any) -> Response | None:
    """A saved response from its JSON column (``None`` when empty)."""
    if raw is None or raw in ("", "{}", b"{}", {}):
        return None
    if isinstance(raw, dict):
        return msgspec.convert(raw, Response)
    return _response_decoder.decode(raw)


def order_of(attempt: dict[str, Any]) -> list[str]:
    """The question ids an attempt drew, in its order."""
    raw = attempt["question_order"]
    return json.loads(raw) if isinstance(raw, str) else list(raw or [])


async def lock_attempt(attempt_id: UUID) -> dict[str, Any] | None:
    """The attempt row, locked until the transaction ends on PostgreSQL (``FOR UPDATE``).

    On SQLite every write transaction already runs alone, so a plain read is enough. Saving an
    answer, submitting and closing all take this lock first, so an answer is either saved
    before the attempt is graded (and counted) or refused.
    """
    if not await lock_row(Attempt, attempt_id):
        return None
    return await Attempt.select(*Attempt.all_columns()).where(Attempt.id == attempt_id).first()


async def _answers(attempt_id: UUID) -> dict[str, dict[str, Any]]:
    rows = await AttemptAnswer.select(*AttemptAnswer.all_columns()).where(
        AttemptAnswer.attempt == attempt_id
    )
    return {str(row["question"]): row for row in rows}


def _totals(
    order: list[str], questions: dict[UUID, StoredQuestion], answers: dict[str, dict[str, Any]]
) -> tuple[Decimal, Decimal, bool]:
    score = Decimal("0.00")
    maximum = Decimal("0.00")
    pending = False
    for question_id in order:
        stored = questions.get(UUID(question_id))
        if stored is None:
            continue
        maximum += stored.points
        answer = answers.get(question_id)
        if answer is None:
            continue
        if answer["points"] is None:
            pending = pending or stored.type == "essay"
        else:
            score += cents(answer["points"])
    return score, maximum, pending


async def finish(
    attempt: dict[str, Any],
    actor: Caller | None,
    now: dt.datetime,
    *,
    by_deadline: bool,
    questions: dict[UUID, StoredQuestion] | None = None,
) -> None:
    """Grade an in-progress attempt and mark it submitted (call inside a transaction, after
    ``lock_attempt``). ``by_deadline``: the server closes it, ``submitted_at`` = deadline.

    ``questions`` (the attempt's, from ``question_store.load_questions``) may be loaded before
    the transaction: questions never change under an attempt, and the less work inside, the
    shorter other writers (autosaves) wait. The answers are read inside, under the lock.
    """
    order = order_of(attempt)
    if questions is None:
        questions = await question_store.load_questions(order)
    answers = await _answers(attempt["id"])
    by_points: dict[Decimal, list[UUID]] = {}
    for question_id, answer in answers.items():
        stored = questions.get(UUID(question_id))
        if stored is None:
            continue
        try:
            outcome = grade(stored.question, decode_response(answer["response"]), stored.points)
        except (ValueError, msgspec.ValidationError):
            outcome = grade(stored.question, None, stored.points)  # unreadable: unanswered
        points = None if outcome.needs_manual else outcome.points_awarded
        answer["points"] = points
        if points is not None:
            by_points.setdefault(points, []).append(answer["id"])
    # One UPDATE per distinct mark (typically 0 and full marks) rather than one per answer.
    for points, ids in by_points.items():
        await AttemptAnswer.update({AttemptAnswer.points: points}).where(
            AttemptAnswer.id.is_in(ids)
        )
    score, maximum, pending = _totals(order, questions, answers)
    submitted_at = attempt["deadline"] if by_deadline else now
    percent = percent_of(score, maximum)
    await Attempt.update(
        {
            Attempt.status: FINISHED,
            Attempt.submitted_at: submitted_at,
            Attempt.score: score,
            Attempt.max_score: maximum,
            Attempt.percent: percent,
            Attempt.needs_grading: pending,
        }
    ).where(Attempt.id == attempt["id"])
    await audit.record(
        actor,
        "attempt.close" if by_deadline else "attempt.submit",
        "attempt",
        attempt["id"],
        f"nilai {percent}" + (" (ditutup otomatis pada batas waktu)" if by_deadline else ""),
        {"score": score, "max_score": maximum, "percent": percent, "needs_grading": pending},
    )


async def regrade_totals(attempt: dict[str, Any]) -> None:
    """Re-total a finished attempt after a trainer's mark (inside the transaction)."""
    order = order_of(attempt)
    questions = await question_store.load_questions(order)
    score, maximum, pending = _totals(order, questions, await _answers(attempt["id"]))
    await Attempt.update(
        {
            Attempt.score: score,
            Attempt.max_score: maximum,
            Attempt.percent: percent_of(score, maximum),
            Attempt.needs_grading: pending,
        }
    ).where(Attempt.id == attempt["id"])


def is_overdue(attempt: dict[str, Any], now: dt.datetime) -> bool:
    """An attempt still in progress whose deadline has passed."""
    return (
        attempt["status"] == IN_PROGRESS
        and attempt["deadline"] is not None
        and now >= attempt["deadline"]
    )


async def close_if_overdue(attempt_id: UUID, now: dt.datetime) -> bool:
    """Close and grade the attempt if its deadline passed (the lazy close every read and write
    does). Returns True when this call closed it."""
    row = await Attempt.select(Attempt.question_order).where(Attempt.id == attempt_id).first()
    if row is None:
        return False
    questions = await question_store.load_questions(order_of(row))
    async with Attempt._meta.db.transaction():
        attempt = await lock_attempt(attempt_id)
        if attempt is None or not is_overdue(attempt, now):
            return False
        await finish(attempt, None, now, by_deadline=True, questions=questions)
    await events.graded(attempt_id)
    return True


async def close_overdue(quiz_id: UUID, now: dt.datetime | None = None) -> int:
    """Close every overdue attempt of a quiz; returns how many were closed."""
    now = now or dt.datetime.now(dt.UTC)
    rows = await Attempt.select(Attempt.id, Attempt.status, Attempt.deadline).where(
        (Attempt.quiz == quiz_id) & (Attempt.status == IN_PROGRESS)
    )
    closed = 0
    for row in rows:
        if is_overdue(row, now):
            closed += await close_if_overdue(row["id"], now)
    return closed


def apply_method(method: str, percents: list[Decimal]) -> Decimal | None:
    """The quiz grade from finished attempts' percents in attempt order."""
    if not percents:
        return None
    if method == "last":
        return percents[-1]
    if method == "first":
        return percents[0]
    if method == "average":
        return (sum(percents, Decimal(0)) / len(percents)).quantize(CENT, rounding=ROUND_HALF_UP)
    return max(percents)


async def _grades(quiz_id: UUID, person_id: UUID | None) -> dict[UUID, Decimal]:
    quiz = await Quiz.select(Quiz.grading_method).where(Quiz.id == quiz_id).first()
    if quiz is None:
        return {}
    await close_overdue(quiz_id)
    where = (Attempt.quiz == quiz_id) & (Attempt.status == FINISHED)
    if person_id is not None:
        where = where & (Attempt.person == person_id)
    rows = (
        await Attempt.select(Attempt.person, Attempt.percent).where(where).order_by(Attempt.number)
    )
    by_person: dict[UUID, list[Decimal]] = {}
    for row in rows:
        by_person.setdefault(row["person"], []).append(cents(row["percent"] or 0))
    grades: dict[UUID, Decimal] = {}
    for person, percents in by_person.items():
        value = apply_method(quiz["grading_method"], percents)
        if value is not None:
            grades[person] = value
    return grades


async def quiz_grades(quiz_id: UUID) -> dict[UUID, Decimal]:
    """Every participant's grade on a quiz (percent 0–100, 2 decimals), by the quiz's grading
    method over their finished attempts. Overdue attempts are closed first. An attempt that
    still waits for essay grading counts with the points it has so far."""
    return await _grades(quiz_id, None)


async def quiz_grade(quiz_id: UUID, person_id: UUID) -> Decimal | None:
    """One participant's grade on a quiz (see ``quiz_grades``); ``None`` without a finished
    attempt."""
    return (await _grades(quiz_id, person_id)).get(person_id)

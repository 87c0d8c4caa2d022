"""The counted attempts of a quiz: one finished attempt per participant, scored per question.

This is the data the item analysis (``analysis``) and the learning gain's per-competency
comparison (``learning_gain``) both work on. Loading it is kept apart from the statistics so
those stay pure computation over these Structs.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any
from uuid import UUID

import msgspec

from courses.assessments.attempts.scoring import FINISHED, close_overdue, decode_response, order_of
from courses.assessments.questions import store as question_store
from courses.assessments.questions.model import (
    MultipleChoice,
    SingleChoice,
    TrueFalse,
    question_type,
)
from courses.assessments.quizzes import selection as selection_rules
from courses.tables import Attempt, AttemptAnswer
from courses.tables import Question as QuestionRow
from lms.shared.values import cents


class OptionInfo(msgspec.Struct, frozen=True, kw_only=True):
    """An option participants can pick (choice options; ``true``/``false``)."""

    id: str
    text: str


class ItemInfo(msgspec.Struct, frozen=True, kw_only=True):
    """A question as the analysis needs it."""

    question_id: UUID
    title: str
    type: str
    competency_code: str = ""
    options: tuple[OptionInfo, ...] = ()


class ItemScore(msgspec.Struct, frozen=True, kw_only=True):
    """One question of one attempt: points earned (0 when unanswered) out of its maximum."""

    points: Decimal
    max_points: Decimal
    response: dict[str, Any] | None = None


class ScoredAttempt(msgspec.Struct, frozen=True, kw_only=True):
    """The counted attempt of one participant: every question it contained."""

    person_id: UUID
    items: dict[UUID, ItemScore]

    @property
    def total(self) -> Fraction:
        """Points earned."""
        return sum((Fraction(item.points) for item in self.items.values()), Fraction(0))

    @property
    def max_total(self) -> Fraction:
        """Points available."""
        return sum((Fraction(item.max_points) for item in self.items.values()), Fraction(0))

    @property
    def percent(self) -> Fraction:
        """Points earned as a percentage of the points available (0 when none are)."""
        available = self.max_total
        return self.total * 100 / available if available else Fraction(0)


ATTEMPT_RULES = {
    "highest": "highest",
    "first": "first",
    "last": "last",
    "average": "first",
}
"""Which finished attempt of each participant is analysed, by the quiz's grading method: the
one the method grades by; for ``average`` the first, because every participant must count
once and a first attempt is not yet shaped by practice on the same questions."""


def pick_attempt(method: str, attempts: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The counted attempt among one participant's finished attempts (ordered by number);
    ``highest`` takes the earliest of equal percentages."""
    rule = ATTEMPT_RULES.get(method, "first")
    if rule == "last":
        return attempts[-1]
    if rule == "highest":
        best = max(cents(a["percent"] or 0) for a in attempts)
        return next(a for a in attempts if cents(a["percent"] or 0) == best)
    return attempts[0]


def item_info(stored: question_store.StoredQuestion, title: str) -> ItemInfo:
    """What the analysis shows of a question, with its options (true/false: Benar, Salah)."""
    question = stored.question
    options: tuple[OptionInfo, ...] = ()
    if isinstance(question, SingleChoice | MultipleChoice):
        options = tuple(OptionInfo(id=o.id, text=o.text) for o in question.options)
    elif isinstance(question, TrueFalse):
        options = (OptionInfo(id="true", text="Benar"), OptionInfo(id="false", text="Salah"))
    return ItemInfo(
        question_id=stored.id,
        title=title,
        type=question_type(question),
        competency_code=question.competency_code or "",
        options=options,
    )


class CountedAttempts(msgspec.Struct, frozen=True, kw_only=True):
    """A quiz's counted attempts with the questions they contain (in quiz order)."""

    items: list[ItemInfo]
    attempts: list[ScoredAttempt]


async def counted_attempts(quiz: dict[str, Any]) -> CountedAttempts:
    """One finished attempt per participant (``pick_attempt``), scored per question.

    Overdue attempts are closed first, as for grades. An essay still waiting for a trainer
    counts 0, as in the attempt's score.
    """
    await close_overdue(quiz["id"])
    rows = await (
        Attempt.select(Attempt.id, Attempt.person, Attempt.percent, Attempt.question_order)
        .where((Attempt.quiz == quiz["id"]) & (Attempt.status == FINISHED))
        .order_by(Attempt.number)
    )
    by_person: dict[UUID, list[dict[str, Any]]] = {}
    for row in rows:
        by_person.setdefault(row["person"], []).append(row)
    chosen = [pick_attempt(quiz["grading_method"], group) for group in by_person.values()]
    orders = {row["id"]: order_of(row) for row in chosen}
    wanted = {q for order in orders.values() for q in order}
    selection = selection_rules.from_stored(quiz["selection"])
    if isinstance(selection, list):
        wanted |= {str(q) for q in selection}
    questions = await question_store.load_questions(wanted)
    answers: dict[UUID, dict[str, dict[str, Any]]] = {row["id"]: {} for row in chosen}
    if chosen:
        for saved in await AttemptAnswer.select(
            AttemptAnswer.attempt,
            AttemptAnswer.question,
            AttemptAnswer.response,
            AttemptAnswer.points,
        ).where(AttemptAnswer.attempt.is_in([row["id"] for row in chosen])):
            answers[saved["attempt"]][str(saved["question"])] = saved
    attempts = []
    for row in chosen:
        scores: dict[UUID, ItemScore] = {}
        for question_id in orders[row["id"]]:
            stored = questions.get(UUID(question_id))
            if stored is None:
                continue
            answer = answers[row["id"]].get(question_id)
            response = decode_response(answer["response"]) if answer else None
            points = answer["points"] if answer and answer["points"] is not None else 0
            scores[stored.id] = ItemScore(
                points=cents(points),
                max_points=stored.points,
                response=msgspec.to_builtins(response) if response is not None else None,
            )
        attempts.append(ScoredAttempt(person_id=row["person"], items=scores))
    titles = await _titles(list(questions))
    order = [UUID(str(q)) for q in selection] if isinstance(selection, list) else []
    seen = {q for a in attempts for q in a.items}
    order += sorted(seen - set(order), key=lambda q: (titles.get(q, ""), str(q)))
    items = [item_info(questions[q], titles.get(q, "")) for q in order if q in questions]
    return CountedAttempts(items=items, attempts=attempts)


async def _titles(question_ids: list[UUID]) -> dict[UUID, str]:
    if not question_ids:
        return {}
    rows = await QuestionRow.select(QuestionRow.id, QuestionRow.title).where(
        QuestionRow.id.is_in(question_ids)
    )
    return {row["id"]: row["title"] for row in rows}

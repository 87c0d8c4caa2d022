"""Building the body of an attempt for whoever reads it.

Three audiences: the participant while answering (questions through ``participant_view`` and
their saved responses, nothing else), the participant after finishing (as much as the quiz's
review level shows) and staff (organizers and the session's trainers: responses, points and
right/wrong per question, to grade essays). Answer keys, weights and feedback of the bank are
never part of any of them.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from uuid import UUID

import msgspec

from courses.assessments.attempts.schemas import AttemptQuestion, AttemptRead, ChoiceView
from courses.assessments.attempts.scoring import FINISHED, decode_response, order_of
from courses.assessments.questions.model import participant_view
from courses.assessments.questions.store import StoredQuestion
from courses.assessments.quizzes import review as review_policy
from courses.assessments.quizzes.times import to_local
from lms.shared.values import cents, wall_clock

STAFF = "staff"
IN_PROGRESS_VIEW = "in_progress"
UNSET = msgspec.UNSET


def option_seed(attempt_id: UUID, question_id: str) -> str:
    """The shuffle seed of a question's options in one attempt: stable across reloads."""
    return f"{attempt_id}:{question_id}"


def audience(attempt: dict[str, Any], quiz: dict[str, Any], now: dt.datetime, staff: bool) -> str:
    """``staff``, ``in_progress`` or the review level that applies to the participant now."""
    if staff:
        return STAFF
    if attempt["status"] != FINISHED:
        return IN_PROGRESS_VIEW
    return review_policy.level(review_policy.policy(quiz["review"]), quiz["closes_at"], now)


def _shows(view: str, level: str) -> bool:
    if view == STAFF:
        return True
    if view == IN_PROGRESS_VIEW:
        return level == "responses"
    return review_policy.shows(view, level)


def _choices(entries: list[dict[str, str]] | None) -> list[ChoiceView] | msgspec.UnsetType:
    if entries is None:
        return UNSET
    return [ChoiceView(id=entry["id"], text=entry["text"]) for entry in entries]


def _question(
    number: int,
    stored: StoredQuestion,
    answer: dict[str, Any] | None,
    attempt: dict[str, Any],
    quiz: dict[str, Any],
    view: str,
    tz: str,
) -> AttemptQuestion:
    seed = option_seed(attempt["id"], str(stored.id)) if quiz["shuffle_options"] else None
    shown = participant_view(stored.question, seed)
    item = AttemptQuestion(
        id=stored.id,
        number=number,
        type=shown["type"],
        text=shown["text"],
        text_format=shown["text_format"],
        points=stored.points,
        options=_choices(shown.get("options")),
        items=_choices(shown.get("items")),
        choices=_choices(shown.get("choices")),
    )
    if _shows(view, "responses"):
        item.response = decode_response(answer["response"]) if answer else None
        item.saved_at = to_local(answer["saved_at"], tz) if answer else None
    if attempt["status"] == FINISHED and _shows(view, "correct"):
        awarded = answer["points"] if answer else Decimal(0)
        pending = answer is not None and awarded is None and stored.type == "essay"
        item.needs_grading = pending
        if stored.type == "description":
            item.points_awarded, item.correct = None, None
        elif pending:
            item.points_awarded, item.correct = None, None
        else:
            item.points_awarded = cents(awarded or 0)
            item.correct = item.points_awarded == stored.points
        item.comment = (answer or {}).get("feedback") or ""
    return item


def shows_questions(attempt: dict[str, Any], view: str) -> bool:
    """Whether the body lists the questions (always while in progress)."""
    return attempt["status"] != FINISHED or _shows(view, "responses")


def build(
    attempt: dict[str, Any],
    quiz: dict[str, Any],
    timezone: str,
    questions: dict[UUID, StoredQuestion],
    answers: dict[str, dict[str, Any]],
    view: str,
) -> AttemptRead:
    """The attempt as ``view`` (``staff``, ``in_progress`` or a review level) shows it."""
    order = order_of(attempt)
    finished = attempt["status"] == FINISHED
    items: list[AttemptQuestion] = []
    if shows_questions(attempt, view):
        for number, question_id in enumerate(order, start=1):
            stored = questions.get(UUID(question_id))
            if stored is not None:
                items.append(
                    _question(
                        number, stored, answers.get(question_id), attempt, quiz, view, timezone
                    )
                )
    body = AttemptRead(
        id=attempt["id"],
        quiz_id=attempt["quiz"],
        person_id=attempt["person"],
        number=attempt["number"],
        status=attempt["status"],
        started_at=to_local(attempt["started_at"], timezone),  # type: ignore[arg-type]
        deadline=to_local(attempt["deadline"], timezone),
        deadline_local=wall_clock(attempt["deadline"], timezone),
        submitted_at=to_local(attempt["submitted_at"], timezone),
        closed_by_deadline=bool(
            finished
            and attempt["deadline"] is not None
            and attempt["submitted_at"] == attempt["deadline"]
        ),
        review=view,
        question_count=len(order),
        questions=items,
    )
    if finished and _shows(view, "score"):
        percent = cents(attempt["percent"] or 0)
        body.score = cents(attempt["score"] or 0)
        body.max_score = cents(attempt["max_score"] or 0)
        body.percent = percent
        body.needs_grading = bool(attempt["needs_grading"])
        body.passed = None if attempt["needs_grading"] else percent >= cents(quiz["pass_mark"])
    return body

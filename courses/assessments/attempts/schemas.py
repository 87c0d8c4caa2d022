"""Bodies of attempts: what a participant sees while answering, and after.

Built only from ``questions.participant_view`` (ids and texts to pick from), the participant's
own saved responses and, once the review policy allows it, their marks. Fields that a review
level does not show are left out of the JSON altogether (``UNSET``), so an attempt in progress
carries no key named like a mark, a weight or feedback.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated
from uuid import UUID

import msgspec

from courses.assessments.questions.grading import Response
from lms.shared.schemas import Input, Output

UNSET = msgspec.UNSET
UnsetType = msgspec.UnsetType


class ChoiceView(Output):
    """Something to pick: an option, a matching item or a matching choice."""

    id: str
    text: str


class AttemptQuestion(Output):
    """One question of an attempt, numbered in the attempt's order.

    ``points`` is what the question is worth. ``response``/``saved_at`` are the caller's last
    autosave. ``points_awarded``, ``correct`` and ``comment`` (a trainer's remark on a manually
    graded answer) appear only when the review policy (or the caller's role) shows marks.
    """

    id: UUID
    number: int
    type: str
    text: str
    text_format: str
    points: Decimal
    options: list[ChoiceView] | UnsetType = UNSET
    items: list[ChoiceView] | UnsetType = UNSET
    choices: list[ChoiceView] | UnsetType = UNSET
    response: Response | None | UnsetType = UNSET
    saved_at: dt.datetime | None | UnsetType = UNSET
    points_awarded: Decimal | None | UnsetType = UNSET
    correct: bool | None | UnsetType = UNSET
    needs_grading: bool | UnsetType = UNSET
    comment: str | UnsetType = UNSET


class AttemptRead(Output):
    """An attempt with its questions.

    ``status``: ``in_progress`` or ``submitted`` (by the participant, or closed by the server at
    the deadline: ``closed_by_deadline``). ``review`` names what is shown: ``in_progress``,
    one of the review levels, or ``staff`` for organizers and trainers. Scores appear from the
    ``score`` level on; ``questions`` is empty at the ``none`` and ``score`` levels. Times are
    UTC; ``deadline_local`` is the deadline on the session's wall clock.
    """

    id: UUID
    quiz_id: UUID
    person_id: UUID
    number: int
    status: str
    started_at: dt.datetime
    deadline: dt.datetime | None
    submitted_at: dt.datetime | None
    closed_by_deadline: bool
    review: str
    question_count: int
    questions: list[AttemptQuestion]
    score: Decimal | None | UnsetType = UNSET
    max_score: Decimal | None | UnsetType = UNSET
    percent: Decimal | None | UnsetType = UNSET
    deadline_local: str | None = None
    passed: bool | None | UnsetType = UNSET
    needs_grading: bool | UnsetType = UNSET


class AnswerSaved(Output):
    """An autosave is stored durably: when (server time)."""

    question_id: UUID
    saved_at: dt.datetime


class ManualGrade(Input):
    """A trainer's mark for one answer (an essay, or an override), in points, with a remark."""

    points: Decimal
    comment: Annotated[str, msgspec.Meta(max_length=5_000, pattern=r"^[^\x00]*$")] = ""


AnswerBody = Response
"""The body of an autosave: ``{"type": "single_choice", "option_id": "b"}`` and the like."""

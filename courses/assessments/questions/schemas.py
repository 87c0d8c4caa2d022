"""Request and response bodies of question banks and quizzes.

Attempts have their own bodies in ``courses.assessments.attempts.schemas``: they are what a
participant sees, and keeping them apart makes it easy to check that nothing from here (answer
keys live in ``QuestionRead.question``) ever reaches them.

Times travel as RFC 3339. A quiz's ``opens_at``/``closes_at`` may be sent without an offset: it
is then a local time of the session's time zone ("08:00" in Makassar is 08:00 WITA), and
responses give them back in that zone. Decimals travel as strings.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal
from uuid import UUID

import msgspec

from courses.assessments.questions.model import Question
from lms.shared.schemas import Input, Output

QuizKind = Literal["pre_test", "post_test", "quiz"]
GradingMethod = Literal["highest", "last", "first", "average"]
ReviewLevel = Literal["none", "score", "responses", "correct"]
"""What a participant sees of a finished attempt, each level including the ones before it:
``none`` only that it was submitted; ``score`` the total, percent and pass; ``responses`` also
their own answers; ``correct`` also points and right/wrong per question (never the keys)."""
ImportFormat = Literal["gift", "aiken"]

REVIEW_LEVELS: tuple[str, ...] = ("none", "score", "responses", "correct")
KIND_TITLES = {"pre_test": "Pre-test", "post_test": "Post-test", "quiz": "Kuis"}

NO_NUL = r"^[^\x00]*$"
"""Text fields refuse the NUL character: PostgreSQL cannot store it in a text column."""
CategoryPath = Annotated[str, msgspec.Meta(min_length=1, max_length=500, pattern=NO_NUL)]
BankName = Annotated[str, msgspec.Meta(min_length=1, max_length=255, pattern=NO_NUL)]
Description = Annotated[str, msgspec.Meta(max_length=2_000, pattern=NO_NUL)]
MAX_IMPORT_CHARS = 5_000_000
MAX_QUIZ_QUESTIONS = 200


def check_percent(value: Decimal) -> None:
    """Raise ``ValueError`` unless ``value`` is a percentage 0–100 with at most 2 decimals."""
    if not value.is_finite() or not 0 <= value <= 100 or value != value.quantize(Decimal("0.01")):
        raise ValueError("pass_mark: harus 0 sampai 100 dengan paling banyak 2 angka desimal")


# --- banks ------------------------------------------------------------------------------------


class BankCreate(Input):
    """A new bank; ``unit_id`` defaults to the organizer's own unit."""

    name: BankName
    description: Description = ""
    unit_id: UUID | None = None


class BankRead(Output):
    """A bank with how many questions it holds and its category paths."""

    id: UUID
    name: str
    description: str
    unit_id: UUID
    question_count: int
    categories: list[str]
    created_at: dt.datetime


class ImportText(Input):
    """A question file sent as JSON text instead of a multipart upload."""

    format: ImportFormat
    text: Annotated[str, msgspec.Meta(max_length=MAX_IMPORT_CHARS)]


class ImportIssueRead(Output):
    """A question that was not imported: the line it starts on, why, and how it begins."""

    line: int
    message: str
    snippet: str


class ImportReport(Output):
    """The outcome of an import: every readable question is stored, the rest are listed."""

    imported: int
    by_type: dict[str, int]
    errors: list[ImportIssueRead]


class QuestionRead(Output):
    """A stored question with its answer key (``question``): for organizers and trainers only."""

    id: UUID
    bank_id: UUID
    category: str
    type: str
    title: str
    text: str
    points: Decimal
    competency_code: str
    version: int
    active: bool
    created_at: dt.datetime
    question: Question


# --- quizzes ----------------------------------------------------------------------------------


class ReviewPolicy(Input):
    """What a participant sees after submitting, and after the quiz has closed."""

    after_submit: ReviewLevel = "score"
    after_close: ReviewLevel = "correct"


class RandomRule(Input):
    """Draw ``count`` questions of a category (and its subcategories unless told otherwise).

    Without ``bank_id`` the questions come from the banks of the session's unit and of the
    units above it.
    """

    category: CategoryPath
    count: Annotated[int, msgspec.Meta(ge=1, le=MAX_QUIZ_QUESTIONS)]
    bank_id: UUID | None = None
    include_subcategories: bool = True


class RandomSelection(Input):
    """Questions drawn for each attempt: ``{"random": [{"category": ..., "count": 3}]}``."""

    random: Annotated[list[RandomRule], msgspec.Meta(min_length=1, max_length=50)]


Selection = Annotated[list[UUID], msgspec.Meta(max_length=MAX_QUIZ_QUESTIONS)] | RandomSelection
"""A fixed list of question ids (in order) or random draws per attempt."""

TimeLimit = Annotated[int, msgspec.Meta(ge=1, le=24 * 60)]
AttemptsAllowed = Annotated[int, msgspec.Meta(ge=0, le=100)]
Title = Annotated[str, msgspec.Meta(max_length=255, pattern=NO_NUL)]


class QuizCreate(Input):
    """A quiz of a session. ``attempts_allowed`` 0 means unlimited; ``pass_mark`` is a percent.

    ``opens_at``/``closes_at`` without an offset are local times of the session's time zone.
    """

    kind: QuizKind
    title: Title = ""
    selection: Selection = []
    shuffle_questions: bool = True
    shuffle_options: bool = True
    opens_at: dt.datetime | None = None
    closes_at: dt.datetime | None = None
    time_limit_minutes: TimeLimit | None = None
    attempts_allowed: AttemptsAllowed = 1
    grading_method: GradingMethod = "highest"
    pass_mark: Decimal = Decimal(0)
    review: ReviewPolicy = msgspec.field(default_factory=ReviewPolicy)

    def __post_init__(self) -> None:
        check_percent(self.pass_mark)


class QuizUpdate(Input):
    """A partial edit; the questions cannot change once someone has started an attempt."""

    kind: QuizKind | msgspec.UnsetType = msgspec.UNSET
    title: Title | msgspec.UnsetType = msgspec.UNSET
    selection: Selection | msgspec.UnsetType = msgspec.UNSET
    shuffle_questions: bool | msgspec.UnsetType = msgspec.UNSET
    shuffle_options: bool | msgspec.UnsetType = msgspec.UNSET
    opens_at: dt.datetime | None | msgspec.UnsetType = msgspec.UNSET
    closes_at: dt.datetime | None | msgspec.UnsetType = msgspec.UNSET
    time_limit_minutes: TimeLimit | None | msgspec.UnsetType = msgspec.UNSET
    attempts_allowed: AttemptsAllowed | msgspec.UnsetType = msgspec.UNSET
    grading_method: GradingMethod | msgspec.UnsetType = msgspec.UNSET
    pass_mark: Decimal | msgspec.UnsetType = msgspec.UNSET
    review: ReviewPolicy | msgspec.UnsetType = msgspec.UNSET

    def __post_init__(self) -> None:
        if self.pass_mark is not msgspec.UNSET:
            check_percent(self.pass_mark)


class AttemptSummary(Output):
    """One of the caller's own attempts, as listed with the quiz; ``percent`` only for a
    finished attempt whose review level shows scores."""

    id: UUID
    number: int
    status: str
    started_at: dt.datetime
    deadline: dt.datetime | None
    submitted_at: dt.datetime | None
    percent: Decimal | msgspec.UnsetType = msgspec.UNSET
    deadline_local: str | None = None


class QuizRead(Output):
    """A quiz. ``selection`` is given to staff only (``None`` for participants);
    ``my_attempts`` lists a participant's own attempts (empty for staff). ``opens_at`` and
    ``closes_at`` are UTC; ``*_local`` give the session's wall clock (``2026-11-18T08:00:00``)."""

    id: UUID
    session_id: UUID
    kind: str
    title: str
    selection: Selection | None
    question_count: int
    shuffle_questions: bool
    shuffle_options: bool
    opens_at: dt.datetime | None
    closes_at: dt.datetime | None
    time_limit_minutes: int | None
    attempts_allowed: int
    grading_method: str
    pass_mark: Decimal
    review: ReviewPolicy
    is_open: bool
    created_at: dt.datetime
    my_attempts: list[AttemptSummary] = []
    opens_at_local: str | None = None
    closes_at_local: str | None = None

"""Response (and evaluation request) bodies of the assessment reports: item analysis, learning
gain and reaction evaluations.

Figures travel as decimal strings (msgspec's default for ``Decimal``): scores and means with 2
decimals, indices and correlations with 4. ``None`` means "not computable" (too few people, no
variance), never 0.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal
from uuid import UUID

import msgspec

from lms.shared.schemas import Input, Output

# --- item analysis ----------------------------------------------------------------------------


class OptionCount(Output):
    """How many participants chose an option (true/false: ids ``true`` and ``false``)."""

    id: str
    text: str
    count: int


class ItemStats(Output):
    """One question of the quiz.

    Attributes:
        n: Participants whose attempt contained the question.
        answered: Of those, how many saved an answer.
        difficulty: p, the mean share of the points earned (0 hard … 1 easy).
        discrimination: D = p(upper 27 %) − p(lower 27 %); ``None`` below 2 participants or
            when a group never saw the question.
        point_biserial: Correlation of the item score with the rest of the attempt's score
            (total minus this item); ``None`` when either varies not at all.
    """

    question_id: UUID
    number: int
    title: str
    type: str
    competency_code: str
    n: int
    answered: int
    difficulty: Decimal | None
    discrimination: Decimal | None
    point_biserial: Decimal | None
    options: list[OptionCount]


class QuizStats(Output):
    """The distribution of the attempts' percentages and the test's reliability.

    ``sd`` is the sample standard deviation (n − 1); ``cronbach_alpha`` (KR-20 for items scored
    right/wrong) is given only when every participant answered the same questions.
    ``group_size`` is how many participants each of the upper and lower groups holds.
    """

    n: int
    mean: Decimal | None
    median: Decimal | None
    sd: Decimal | None
    minimum: Decimal | None
    maximum: Decimal | None
    cronbach_alpha: Decimal | None
    group_size: int


class QuizAnalysis(Output):
    """``GET /api/v1/quizzes/{id}/analysis``."""

    quiz_id: UUID
    session_id: UUID
    kind: str
    title: str
    grading_method: str
    attempt_rule: str
    stats: QuizStats
    items: list[ItemStats]


# --- learning gain ----------------------------------------------------------------------------


class ParticipantGain(Output):
    """One participant's pre- and post-test percentages and gains."""

    person_id: UUID
    name: str
    nip: str | None
    pre: Decimal | None
    post: Decimal | None
    gain: Decimal | None
    normalized_gain: Decimal | None


class GainSummary(Output):
    """The session's figures over participants with both a pre- and a post-test.

    ``mean_normalized_gain`` is the mean of the individual g (participants with pre = 100 have
    none and are left out); ``class_normalized_gain`` is Hake's class-average
    g = (mean post − mean pre) / (100 − mean pre).
    """

    participants: int
    paired: int
    mean_pre: Decimal | None
    mean_post: Decimal | None
    mean_gain: Decimal | None
    median_gain: Decimal | None
    improved: int
    same: int
    declined: int
    mean_normalized_gain: Decimal | None
    class_normalized_gain: Decimal | None


class CompetencyGain(Output):
    """Per competency tag: the share of its points earned on the pre- and on the post-test."""

    competency_code: str
    pre_percent: Decimal | None
    post_percent: Decimal | None
    change: Decimal | None
    pre_items: int
    post_items: int


class LearningGainReport(Output):
    """``GET /api/v1/sessions/{id}/learning-gain``."""

    session_id: UUID
    pre_test_id: UUID | None
    post_test_id: UUID | None
    summary: GainSummary
    participants: list[ParticipantGain]
    competencies: list[CompetencyGain]


# --- evaluations ------------------------------------------------------------------------------

EvaluationTarget = Literal["organization", "trainer"]
Comment = Annotated[str, msgspec.Meta(max_length=2_000)]


class EvaluationCreate(Input):
    """A participant's evaluation of one trainer or of the organization.

    ``answers`` maps every item code of the target's questionnaire to a score on the scale
    (1–4 by default).
    """

    target: EvaluationTarget
    answers: Annotated[dict[str, int], msgspec.Meta(max_length=50)]
    trainer_id: UUID | None = None
    comment: Comment = ""

    def __post_init__(self) -> None:
        if self.target == "trainer" and self.trainer_id is None:
            raise ValueError("trainer_id wajib diisi untuk evaluasi narasumber")
        if self.target == "organization" and self.trainer_id is not None:
            raise ValueError("trainer_id hanya untuk evaluasi narasumber")


class EvaluationItem(Output):
    """One statement of the questionnaire."""

    code: str
    text: str


class ScaleLabel(Output):
    """What a score on the scale means."""

    value: int
    label: str


class TrainerRef(Output):
    """A trainer of the session to evaluate."""

    id: UUID
    name: str
    institution: str


class EvaluationForm(Output):
    """``GET /api/v1/sessions/{id}/evaluation-form``: the questionnaire and what is done.

    ``submitted`` holds the targets the caller already evaluated: ``organization`` or
    ``trainer:<id>``.
    """

    session_id: UUID
    scale: list[ScaleLabel]
    trainer_items: list[EvaluationItem]
    organization_items: list[EvaluationItem]
    trainers: list[TrainerRef]
    submitted: list[str]


class EvaluationSaved(Output):
    """A stored evaluation (no answers echoed: there is nothing to edit afterwards)."""

    id: UUID
    session_id: UUID
    target: str
    trainer_id: UUID | None


class ItemMean(Output):
    """One item's mean and how many gave each score (``distribution[i]`` counts score i + 1)."""

    code: str
    text: str
    n: int
    mean: Decimal | None
    distribution: list[int]


class TargetReport(Output):
    """The answers about one target, aggregated: never who said what."""

    target: str
    trainer_id: UUID | None
    name: str
    respondents: int
    mean: Decimal | None
    items: list[ItemMean]
    comments: list[str]


class EvaluationReport(Output):
    """``GET /api/v1/sessions/{id}/evaluation-report``: anonymous aggregates.

    A trainer sees the organization section and their own section only.
    """

    session_id: UUID
    scale_max: int
    participants: int
    respondents: int
    organization: TargetReport
    trainers: list[TargetReport]

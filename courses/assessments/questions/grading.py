"""Exact grading of one response to one question.

Arithmetic: weights are Decimal percentages and are summed as ``fractions.Fraction``, so nothing
is rounded until the very end. The credit of every question type is kept within 0–100 % (a
negative weight can cancel credit, never take points from other questions). Then, once:
``points_awarded = max_points × credit``, rounded half-up to 2 decimals. Three options of
33.33333 % chosen on a 1-point question give 0.9999999 points, written ``Decimal("1.00")``.

``correct`` is full credit judged on the percentage rounded half-up to 2 decimals (99.99999 %
is correct), so it does not depend on how many points the quiz gives the question; it is None
for an essay that waits for a trainer and for a description.

A response names options and matching choices by id; an id the question does not have is a
``ValueError`` with a message the client can show (Indonesian), so an autosave can reject it.
"""

import math
import unicodedata
from decimal import Decimal
from fractions import Fraction
from typing import Annotated

import msgspec

from courses.assessments.questions.model import (
    Description,
    Essay,
    Matching,
    MultipleChoice,
    Numerical,
    Question,
    ShortAnswer,
    SingleChoice,
    TrueFalse,
    check_points,
    question_type,
)
from courses.assessments.questions.numeric import parse_number

_ZERO = Fraction(0)
_ONE = Fraction(1)


class ResponseBase(
    msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True, tag_field="type"
):
    """A participant's answer; ``type`` names the question type it answers."""


class SingleChoiceResponse(ResponseBase, frozen=True, tag="single_choice", kw_only=True):
    """The id of the chosen option."""

    option_id: Annotated[str, msgspec.Meta(max_length=8)]


class MultipleChoiceResponse(ResponseBase, frozen=True, tag="multiple_choice", kw_only=True):
    """The ids of every chosen option (none chosen is an empty list)."""

    option_ids: Annotated[
        tuple[Annotated[str, msgspec.Meta(max_length=8)], ...], msgspec.Meta(max_length=52)
    ] = ()


class TrueFalseResponse(ResponseBase, frozen=True, tag="true_false", kw_only=True):
    """True or false."""

    value: bool


class ShortAnswerResponse(ResponseBase, frozen=True, tag="short_answer", kw_only=True):
    """The text typed."""

    text: Annotated[str, msgspec.Meta(max_length=1_000)]


class NumericalResponse(ResponseBase, frozen=True, tag="numerical", kw_only=True):
    """The number as typed, e.g. ``"80,5"``; it must be a number (see ``parse_number``)."""

    value: Annotated[str, msgspec.Meta(max_length=64)]

    def __post_init__(self) -> None:
        parse_number(self.value)

    @property
    def number(self) -> Decimal:
        """The exact value typed."""
        return parse_number(self.value)


class MatchingResponse(ResponseBase, frozen=True, tag="matching", kw_only=True):
    """For each item id, the id of the choice matched to it (items left out are wrong)."""

    matches: Annotated[dict[str, str], msgspec.Meta(max_length=50)] = {}


class EssayResponse(ResponseBase, frozen=True, tag="essay", kw_only=True):
    """The essay text, graded later by a trainer."""

    text: Annotated[str, msgspec.Meta(max_length=50_000)]


Response = (
    SingleChoiceResponse
    | MultipleChoiceResponse
    | TrueFalseResponse
    | ShortAnswerResponse
    | NumericalResponse
    | MatchingResponse
    | EssayResponse
)


class GradeOutcome(msgspec.Struct, frozen=True, kw_only=True):
    """The grade of one response; points are Decimals with 2 decimals."""

    points_awarded: Decimal
    max_points: Decimal
    needs_manual: bool
    correct: bool | None


def normalize_answer(text: str) -> str:
    """Short-answer comparison form: Unicode NFC, case-folded, spaces collapsed and trimmed."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def validate_response(question: Question, response: Response) -> None:
    """Check that ``response`` answers ``question`` and names only ids it has.

    Raises:
        ValueError: wrong response type, or an unknown option, item or choice id.
    """
    expected = question_type(question)
    got = str(type(response).__struct_config__.tag)
    if isinstance(question, Description):
        raise ValueError("Deskripsi tidak menerima jawaban.")
    if got != expected:
        raise ValueError(f"Jawaban bertipe '{got}' tidak cocok dengan soal bertipe '{expected}'.")
    if isinstance(question, SingleChoice | MultipleChoice):
        known = {option.id for option in question.options}
        chosen = (
            [response.option_id]
            if isinstance(response, SingleChoiceResponse)
            else list(response.option_ids)
            if isinstance(response, MultipleChoiceResponse)
            else []
        )
        for option_id in chosen:
            if option_id not in known:
                raise ValueError(f"Pilihan '{option_id}' tidak ada pada soal ini.")
    elif isinstance(question, Matching) and isinstance(response, MatchingResponse):
        items = {item.id for item in question.items}
        choices = {choice.id for choice in question.choices}
        for item_id, choice_id in response.matches.items():
            if item_id not in items:
                raise ValueError(f"Pasangan '{item_id}' tidak ada pada soal ini.")
            if choice_id not in choices:
                raise ValueError(f"Pilihan jawaban '{choice_id}' tidak ada pada soal ini.")


def grade(
    question: Question, response: Response | None, points: Decimal | None = None
) -> GradeOutcome:
    """Grade ``response`` to ``question``, worth ``points`` (the question's own by default).

    ``None`` is an unanswered question: no points, not correct, nothing to grade by hand.

    Raises:
        ValueError: see ``validate_response``; or ``points`` is not 0–99999.99 with at most 2
            decimals.
    """
    max_points = question.points if points is None else points
    check_points(max_points)
    if isinstance(question, Description):
        if response is not None:
            validate_response(question, response)
        return GradeOutcome(
            points_awarded=Decimal("0.00"), max_points=max_points, needs_manual=False, correct=None
        )
    if response is None:
        return _outcome(_ZERO, max_points)
    validate_response(question, response)
    if isinstance(question, Essay):
        assert isinstance(response, EssayResponse)
        if not response.text.strip():
            return _outcome(_ZERO, max_points)
        return GradeOutcome(
            points_awarded=Decimal("0.00"), max_points=max_points, needs_manual=True, correct=None
        )
    return _outcome(credit(question, response), max_points)


def credit(question: Question, response: Response) -> Fraction:
    """The share of the points ``response`` earns, exactly, within 0..1 (validated first)."""
    validate_response(question, response)
    share = _raw_credit(question, response)
    return min(max(share, _ZERO), _ONE)


def _raw_credit(question: Question, response: Response) -> Fraction:
    if isinstance(question, SingleChoice) and isinstance(response, SingleChoiceResponse):
        weights = {option.id: option.weight for option in question.options}
        return Fraction(weights[response.option_id]) / 100
    if isinstance(question, MultipleChoice) and isinstance(response, MultipleChoiceResponse):
        chosen = set(response.option_ids)
        return (
            sum(
                (Fraction(option.weight) for option in question.options if option.id in chosen),
                _ZERO,
            )
            / 100
        )
    if isinstance(question, TrueFalse) and isinstance(response, TrueFalseResponse):
        return _ONE if response.value == question.correct else _ZERO
    if isinstance(question, ShortAnswer) and isinstance(response, ShortAnswerResponse):
        typed = normalize_answer(response.text)
        matching = [
            Fraction(answer.weight)
            for answer in question.answers
            if typed and normalize_answer(answer.text) == typed
        ]
        return max(matching, default=_ZERO) / 100
    if isinstance(question, Numerical) and isinstance(response, NumericalResponse):
        number = response.number
        matching = [Fraction(a.weight) for a in question.answers if a.accepts(number)]
        return max(matching, default=_ZERO) / 100
    if isinstance(question, Matching) and isinstance(response, MatchingResponse):
        right = sum(1 for item in question.items if response.matches.get(item.id) == item.choice_id)
        return Fraction(right, len(question.items))
    raise ValueError("Soal ini dinilai oleh pelatih.")  # essays never reach here


def grade_manually(max_points: Decimal, awarded: Decimal) -> GradeOutcome:
    """The outcome of a trainer's mark for an essay.

    Raises:
        ValueError: ``awarded`` is not within 0..``max_points`` with at most 2 decimals.
    """
    check_points(max_points)
    check_points(awarded)
    if awarded > max_points:
        raise ValueError("Nilai yang diberikan melebihi poin maksimum soal.")
    return GradeOutcome(
        points_awarded=awarded.quantize(Decimal("0.01")),
        max_points=max_points,
        needs_manual=False,
        correct=awarded == max_points,
    )


def round_points(value: Fraction) -> Decimal:
    """Round a non-negative exact number of points half-up to 2 decimals."""
    hundredths = math.floor(value * 100 + Fraction(1, 2))
    return Decimal(hundredths).scaleb(-2)


def _outcome(share: Fraction, max_points: Decimal) -> GradeOutcome:
    percent_hundredths = math.floor(share * 10_000 + Fraction(1, 2))
    return GradeOutcome(
        points_awarded=round_points(Fraction(max_points) * share),
        max_points=max_points,
        needs_manual=False,
        correct=percent_hundredths == 10_000,
    )

"""``QuestionInput``: the API body for writing a question by hand, and its conversion.

The input differs from the stored ``Question`` where a person typing JSON should not have to
care: no option ids (they are assigned, see ``authoring.assign_choice_ids``), matching written
as pairs plus distractors, the category as ``"A/B"`` or ``["A", "B"]``, and an optional title
(taken from the text when empty). ``build_question`` turns it into the stored, validated model;
its ``ValueError`` messages are Indonesian and meant for the client.
"""

from decimal import Decimal
from typing import Annotated, Any

import msgspec

from courses.assessments.questions.authoring import (
    default_title,
    make_matching,
    make_options,
    parse_category,
)
from courses.assessments.questions.model import (
    DEFAULT_POINTS,
    AcceptedAnswer,
    Description,
    Essay,
    Matching,
    MultipleChoice,
    Numerical,
    NumericAnswer,
    Question,
    ShortAnswer,
    SingleChoice,
    TextFormat,
    TrueFalse,
)
from lms.shared.schemas import Input

LongText = Annotated[str, msgspec.Meta(max_length=20_000)]
ShortText = Annotated[str, msgspec.Meta(max_length=2_000)]

__all__ = [
    "ChoiceOptionInput",
    "DescriptionInput",
    "EssayInput",
    "MatchPairInput",
    "MatchingInput",
    "MultipleChoiceInput",
    "NumericalInput",
    "QuestionInput",
    "ShortAnswerInput",
    "SingleChoiceInput",
    "TrueFalseInput",
    "build_question",
]


class ChoiceOptionInput(Input):
    """An option in display order; ``weight`` in percent (negative allowed)."""

    text: ShortText
    weight: Decimal = Decimal(0)
    feedback: ShortText = ""


class MatchPairInput(Input):
    """An item and the answer it must be matched with."""

    prompt: ShortText
    answer: ShortText


class QuestionInputBase(Input, tag_field="type"):
    """Fields common to every question written by hand."""

    text: LongText
    title: Annotated[str, msgspec.Meta(max_length=255)] = ""
    text_format: TextFormat = "moodle"
    category: list[str] | str = []
    general_feedback: LongText = ""
    points: Decimal = DEFAULT_POINTS
    competency_code: Annotated[str, msgspec.Meta(max_length=32)] | None = None


class SingleChoiceInput(QuestionInputBase, tag="single_choice", kw_only=True):
    """Options in display order; one must be worth 100 %."""

    options: Annotated[list[ChoiceOptionInput], msgspec.Meta(min_length=2, max_length=52)]


class MultipleChoiceInput(QuestionInputBase, tag="multiple_choice", kw_only=True):
    """Options in display order; their positive weights should add up to 100 %."""

    options: Annotated[list[ChoiceOptionInput], msgspec.Meta(min_length=2, max_length=52)]


class TrueFalseInput(QuestionInputBase, tag="true_false", kw_only=True):
    """``feedback_true`` is shown to whoever answers "true", right or wrong."""

    correct: bool
    feedback_true: ShortText = ""
    feedback_false: ShortText = ""


class ShortAnswerInput(QuestionInputBase, tag="short_answer", kw_only=True):
    """Accepted answers, each with its weight (100 % when omitted)."""

    answers: Annotated[list[AcceptedAnswer], msgspec.Meta(min_length=1, max_length=50)]


class NumericalInput(QuestionInputBase, tag="numerical", kw_only=True):
    """Accepted numbers: ``{"value": "80", "tolerance": "0.5"}`` or a min/max range."""

    answers: Annotated[list[NumericAnswer], msgspec.Meta(min_length=1, max_length=50)]
    other_feedback: ShortText = ""


class MatchingInput(QuestionInputBase, tag="matching", kw_only=True):
    """Pairs to match plus extra wrong answers."""

    pairs: Annotated[list[MatchPairInput], msgspec.Meta(min_length=2, max_length=50)]
    distractors: Annotated[list[ShortText], msgspec.Meta(max_length=50)] = []


class EssayInput(QuestionInputBase, tag="essay", kw_only=True):
    """Free text graded by a trainer."""


class DescriptionInput(QuestionInputBase, tag="description", kw_only=True):
    """Text shown between questions; never graded."""

    points: Decimal = Decimal(0)


QuestionInput = (
    SingleChoiceInput
    | MultipleChoiceInput
    | TrueFalseInput
    | ShortAnswerInput
    | NumericalInput
    | MatchingInput
    | EssayInput
    | DescriptionInput
)


def build_question(data: QuestionInput) -> Question:
    """Validate ``data`` and turn it into the stored question.

    Raises:
        ValueError: a rule of the question type is broken (Indonesian message).
    """
    text = data.text.strip()
    common: dict[str, Any] = {
        "title": " ".join(data.title.split()) or default_title(text),
        "text": text,
        "text_format": data.text_format,
        "category": parse_category(data.category),
        "general_feedback": data.general_feedback.strip(),
        "points": data.points,
        "competency_code": data.competency_code or None,
    }
    if isinstance(data, SingleChoiceInput | MultipleChoiceInput):
        options = make_options(
            [(o.text.strip(), o.weight, o.feedback.strip()) for o in data.options]
        )
        if isinstance(data, SingleChoiceInput):
            return SingleChoice(**common, options=options)
        return MultipleChoice(**common, options=options)
    if isinstance(data, TrueFalseInput):
        return TrueFalse(
            **common,
            correct=data.correct,
            feedback_true=data.feedback_true.strip(),
            feedback_false=data.feedback_false.strip(),
        )
    if isinstance(data, ShortAnswerInput):
        answers = tuple(
            AcceptedAnswer(text=a.text.strip(), weight=a.weight, feedback=a.feedback.strip())
            for a in data.answers
        )
        return ShortAnswer(**common, answers=answers)
    if isinstance(data, NumericalInput):
        return Numerical(
            **common, answers=tuple(data.answers), other_feedback=data.other_feedback.strip()
        )
    if isinstance(data, MatchingInput):
        items, choices = make_matching(
            [(pair.prompt.strip(), pair.answer.strip()) for pair in data.pairs],
            [text.strip() for text in data.distractors if text.strip()],
        )
        return Matching(**common, items=items, choices=choices)
    if isinstance(data, EssayInput):
        return Essay(**common)
    return Description(**common)

"""GIFT writer: questions back to a file that ``courses.assessments.questions.gift`` (and Moodle)
read.

Reading what this writes gives the same questions again (title, text, format, category,
options with weights and feedback, general feedback). GIFT has no place for points or a
competency code, so those are not written.

Each question is written as Moodle's exporter writes it, with a few changes so that reading it
back cannot change its type: a weight is written whenever a text starts with ``%``; a
single-choice question whose options are all worth 100 % writes one ``=`` and the rest as
``~%100%``; a multiple-choice question never writes ``=``; a text starting with ``[`` gets its
format prefix so the bracket is not taken for one.
"""

from collections.abc import Iterable
from decimal import Decimal

from courses.assessments.questions.authoring import category_path
from courses.assessments.questions.model import (
    BLANK,
    HUNDRED,
    Description,
    Essay,
    Matching,
    MultipleChoice,
    Numerical,
    NumericAnswer,
    QuestionBase,
    ShortAnswer,
    SingleChoice,
    TrueFalse,
)
from courses.assessments.questions.numeric import format_decimal

ESCAPABLE = "\\:#={}~n"
"""Characters written after a backslash; ``\\n`` stands for a line break."""

_ESCAPE = str.maketrans(
    {
        "\\": "\\\\",
        ":": "\\:",
        "#": "\\#",
        "=": "\\=",
        "{": "\\{",
        "}": "\\}",
        "~": "\\~",
        "\n": "\\n",
        "\r": "",
    }
)


def escape(text: str) -> str:
    """Escape GIFT's control characters and line breaks in ``text``."""
    return text.translate(_ESCAPE)


def to_gift(questions: Iterable[QuestionBase]) -> str:
    """Write ``questions`` as one GIFT file, with a ``$CATEGORY:`` line where the path changes.

    Raises:
        ValueError: a question holds text GIFT cannot express (a matching item or a short
            answer containing ``->``); the message names the question.
    """
    blocks: list[str] = []
    current: tuple[str, ...] = ()
    for question in questions:
        if question.category != current:
            blocks.append(f"$CATEGORY: {escape(category_path(question.category))}")
            current = question.category
        blocks.append(write_question(question))
    return "\n\n".join(blocks) + "\n" if blocks else ""


def write_question(question: QuestionBase) -> str:
    """One question in GIFT, without its category."""
    fmt = question.text_format
    head = f"::{escape(question.title)}::"
    text = question.text
    prefix = f"[{fmt}]" if fmt != "moodle" or text.startswith("[") else ""
    general = "####" + _part(question.general_feedback, fmt) if question.general_feedback else ""
    if isinstance(question, Description):
        return head + prefix + escape(text)
    if isinstance(question, Essay):
        block = "{" + general + "}"
    elif isinstance(question, TrueFalse):
        block = "{" + _true_false(question) + general + "}"
    elif isinstance(question, Numerical) and _compact(question):
        block = "{#" + _number(question.answers[0]) + general + "}"
    else:
        lines = _answer_lines(question)
        if general:
            lines.append(general)
        block = "{" + ("#" if isinstance(question, Numerical) else "") + "\n"
        block += "".join(f"\t{line}\n" for line in lines) + "}"
    return head + prefix + _place(escape(text), block)


def _place(text: str, block: str) -> str:
    """Put the answer block where the blank is, or after the text (Moodle's rule reversed)."""
    if BLANK in text and not text.endswith(BLANK):
        return text.replace(BLANK, block, 1)
    return f"{text} {block}" if text else block


def _part(text: str, fmt: str) -> str:
    """An answer or feedback text; a leading ``[`` is protected by the question's format."""
    return (f"[{fmt}]" if text.startswith("[") else "") + escape(text)


def _feedback(text: str, fmt: str) -> str:
    return "#" + _part(text, fmt) if text else ""


def _weight(weight: Decimal) -> str:
    return f"%{format_decimal(weight)}%"


def _true_false(question: TrueFalse) -> str:
    fmt = question.text_format
    right = question.feedback_true if question.correct else question.feedback_false
    wrong = question.feedback_false if question.correct else question.feedback_true
    out = "TRUE" if question.correct else "FALSE"
    if wrong or right:
        out += "#" + _part(wrong, fmt)
    if right:
        out += "#" + _part(right, fmt)
    return out


def _compact(question: Numerical) -> bool:
    """A lone full-credit number without feedback is written ``{#80:0.5}``."""
    only = question.answers[0]
    return (
        len(question.answers) == 1
        and only.weight == HUNDRED
        and not only.feedback
        and not question.other_feedback
    )


def _number(answer: NumericAnswer) -> str:
    if answer.value is None:
        assert answer.minimum is not None and answer.maximum is not None
        return f"{format_decimal(answer.minimum)}..{format_decimal(answer.maximum)}"
    if answer.tolerance:
        return f"{format_decimal(answer.value)}:{format_decimal(answer.tolerance)}"
    return format_decimal(answer.value)


def _answer_lines(question: QuestionBase) -> list[str]:
    fmt = question.text_format
    if isinstance(question, SingleChoice | MultipleChoice):
        single = isinstance(question, SingleChoice)
        # A single-choice block needs a "=" and, to stay a choice question, a "~".
        all_full = all(option.weight == HUNDRED for option in question.options)
        lines = []
        for index, option in enumerate(question.options):
            if single and option.weight == HUNDRED and (not all_full or index == 0):
                mark = "="
            elif option.weight == 0 and not option.text.startswith("%"):
                mark = "~"
            else:
                mark = "~" + _weight(option.weight)
            lines.append(mark + _part(option.text, fmt) + _feedback(option.feedback, fmt))
        return lines
    if isinstance(question, ShortAnswer):
        lines = []
        for answer in question.answers:
            weight = answer.weight != HUNDRED or answer.text.startswith("%")
            line = "=" + (_weight(answer.weight) if weight else "") + _part(answer.text, fmt)
            lines.append(line + _feedback(answer.feedback, fmt))
        if any("->" in line for line in lines):
            raise ValueError(
                f"Soal '{question.title}' tidak dapat diekspor ke GIFT: jawaban isian singkat "
                "tidak boleh memuat '->'."
            )
        return lines
    if isinstance(question, Numerical):
        lines = [
            "="
            + (_weight(a.weight) if a.weight != HUNDRED else "")
            + _number(a)
            + _feedback(a.feedback, fmt)
            for a in question.answers
        ]
        if question.other_feedback:
            lines.append("~" + _feedback(question.other_feedback, fmt))
        return lines
    assert isinstance(question, Matching)
    answers = {choice.id: choice.text for choice in question.choices}
    lines = []
    for item in question.items:
        if "->" in item.text:
            raise ValueError(
                f"Soal '{question.title}' tidak dapat diekspor ke GIFT: pasangan menjodohkan "
                "tidak boleh memuat '->'."
            )
        lines.append(f"={_part(item.text, fmt)} -> {escape(answers[item.choice_id])}")
    lines.extend(f"= -> {escape(choice.text)}" for choice in question.distractors())
    return lines

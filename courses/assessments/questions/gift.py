"""GIFT reader: reads a question file the way Moodle's importer does.

Follows ``question/format/gift/format.php`` of moodle/moodle: questions are separated by blank
lines, lines starting with ``//`` are comments, ``::title::``, ``[html]``/``[moodle]``/
``[markdown]``/``[plain]`` text formats, ``$CATEGORY: a/b``, escapes ``\\~ \\= \\# \\{ \\} \\:
\\\\`` and ``\\n``, ``####`` general feedback, ``%weight%`` (negative and decimal), ``#feedback``
per answer, and the question type chosen by the same tests in the same order (``#`` numerical,
``~`` choice, ``=`` with ``->`` matching, ``T``/``F`` true-false, else short answer; empty
braces essay; no braces description). Text around the braces makes a "missing word" question:
the braces become ``_____`` in the text.

Where Moodle would import something odd without a word, this reader reports it instead: a
second ``{...}`` block, an empty option, a number that is not a number, a weight out of range,
a choice question without any right answer. A question it cannot read becomes a ``GiftError``
with the line it starts on, in Indonesian, and every other question is still imported.
Comment lines inside a question are dropped (Moodle leaves a blank line in their place), and a
``$CATEGORY:`` line directly followed by a question applies to it (Moodle needs a blank line).

Export lives in ``courses.assessments.questions.gift_export`` and is re-exported here as
``to_gift``.
"""

import re
from decimal import Decimal
from typing import Any

from courses.assessments.questions.authoring import (
    default_title,
    make_matching,
    make_options,
    parse_category,
)
from courses.assessments.questions.gift_export import ESCAPABLE, to_gift
from courses.assessments.questions.import_result import (
    ImportIssue,
    ImportResult,
    ParsedQuestion,
    decode_upload,
    snippet,
)
from courses.assessments.questions.model import (
    BLANK,
    HUNDRED,
    TEXT_FORMATS,
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
    TrueFalse,
)
from courses.assessments.questions.numeric import format_decimal, parse_number

__all__ = ["GiftError", "GiftResult", "ParsedQuestion", "parse_gift", "to_gift"]


GiftError = ImportIssue
"""A GIFT question that could not be read (``line``, ``message``, ``snippet``)."""
GiftResult = ImportResult
"""Questions and errors read from a GIFT file."""


class GiftSyntaxError(ValueError):
    """A question breaks the GIFT syntax; the message is shown to the organizer."""


# Escaped characters are swapped for private-use code points while the question is cut into
# parts, and swapped back in each part (Moodle's escapedchar_pre / escapedchar_post).
_PLACEHOLDER = {char: chr(0xF0000 + index) for index, char in enumerate(ESCAPABLE)}
_RESTORE = {ord(ph): ("\n" if char == "n" else char) for char, ph in _PLACEHOLDER.items()}
_WEIGHT = re.compile(r"%(-?\d+(?:\.\d*)?)%")
_CONTEXT = re.compile(r"^\$[a-z]+\$(?:/|$)")
_TRUE_FALSE = {"T": True, "TRUE": True, "F": False, "FALSE": False}


def parse_gift(source: str | bytes) -> GiftResult:
    """Read every question of a GIFT file.

    Args:
        source: the file's text, or its bytes (UTF-8 with or without BOM; Windows-1252 when
            not UTF-8, as Notepad on an Indonesian Windows saves "ANSI").

    Returns:
        The questions in file order and the errors, each with the line its question starts on.
    """
    text = decode_upload(source)
    questions: list[ParsedQuestion] = []
    errors: list[GiftError] = []
    category: tuple[str, ...] = ()
    for block in _blocks(text):
        if block[0][1].startswith("$CATEGORY:"):
            category = _category(block[0][1][len("$CATEGORY:") :])
            block = block[1:]
            if not block:
                continue
        start = block[0][0]
        try:
            question = _read_question("\n".join(line for _, line in block), category)
        except ValueError as exc:  # GiftSyntaxError or a rule of the question model
            errors.append(
                GiftError(line=start, message=str(exc), snippet=snippet([ln for _, ln in block]))
            )
        else:
            questions.append(ParsedQuestion(line=start, category=category, question=question))
    return GiftResult(questions=questions, errors=errors)


def _blocks(text: str) -> list[list[tuple[int, str]]]:
    """Groups of ``(line number, trimmed line)`` between blank lines, comments left out."""
    blocks: list[list[tuple[int, str]]] = []
    current: list[tuple[int, str]] = []
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.strip()
        if not line:
            if current:
                blocks.append(current)
            current = []
        elif not line.startswith("//"):
            current.append((number, line))
    if current:
        blocks.append(current)
    return blocks


def _protect(text: str) -> str:
    """Replace ``\\x`` escapes by placeholders, reading left to right."""
    out: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char == "\\" and text[index + 1 : index + 2] in _PLACEHOLDER:
            out.append(_PLACEHOLDER[text[index + 1]])
            index += 2
        else:
            out.append(char)
            index += 1
    return "".join(out)


def _restore(text: str) -> str:
    return text.translate(_RESTORE)


def _category(raw: str) -> tuple[str, ...]:
    """``$CATEGORY: $course$/top/A/B`` -> ``("A", "B")``; ``//`` is a slash inside a name."""
    path = _restore(_protect(raw.strip()))
    context = _CONTEXT.match(path)
    parts = parse_category(path[context.end() :] if context else path)
    if context and parts[:1] == ("top",):
        parts = parts[1:]
    return parts


def _split_format(text: str, default: str) -> tuple[str, str]:
    """``"[html]<b>x</b>"`` -> ``("html", "<b>x</b>")``; unknown brackets stay text."""
    if text.startswith("["):
        end = text.find("]")
        if end > 0 and text[1:end] in TEXT_FORMATS:
            return text[1:end], text[end + 1 :]
    return default, text


def _text(raw: str, text_format: str) -> str:
    """A part's final text: format prefix dropped (the question's format applies), unescaped."""
    return _restore(_split_format(raw.strip(), text_format)[1]).strip()


def _comment(part: str, text_format: str) -> tuple[str, str]:
    """``"answer # feedback"`` -> ``("answer", "feedback")``."""
    answer, _, feedback = part.partition("#")
    return _text(answer, text_format), _text(feedback, text_format)


def _weight(part: str, default: Decimal) -> tuple[Decimal, str]:
    """Strip a leading ``%n%`` from an answer; its weight, or ``default`` without one."""
    match = _WEIGHT.match(part)
    if match is None:
        return default, part
    return Decimal(format_decimal(Decimal(match[1]))), part[match.end() :]


def _answers(answer: str, separator: str) -> list[str]:
    """Split an answer block on ``separator``; an empty lead-in before the first is dropped."""
    parts = answer.split(separator)
    if not parts[0].strip():
        parts.pop(0)
    return [part.strip() for part in parts]


def _read_question(raw: str, category: tuple[str, ...]) -> Question:
    text = _protect(raw).strip()
    title = ""
    if text.startswith("::"):
        text = text[2:]
        end = text.find("::")
        if end >= 0:
            title = " ".join(_restore(text[:end]).split())[:255]
            text = text[end + 2 :].strip()

    start, finish = text.find("{"), text.find("}")
    answer: str | None = None
    if start < 0 and finish < 0:
        body = text
    elif start < 0 or finish < 0 or finish < start:
        raise GiftSyntaxError(
            "Kurung kurawal { } jawaban tidak berpasangan. Tulis kurung kurawal di dalam teks "
            "sebagai \\{ dan \\}."
        )
    else:
        answer = text[start + 1 : finish].strip()
        after = text[finish + 1 :]
        if "{" in answer or "{" in after or "}" in after:
            raise GiftSyntaxError(
                "Soal memuat lebih dari satu blok jawaban { }. Tulis kurung kurawal di dalam "
                "teks sebagai \\{ dan \\}."
            )
        body = text[:start] + ("" if text.endswith("}") else BLANK) + after

    text_format, body = _split_format(body.strip(), "moodle")
    question_text = _restore(body).strip()
    general_feedback = ""
    if answer is not None and (separator := answer.rfind("####")) >= 0:
        general_feedback = _text(answer[separator + 4 :], text_format)
        answer = answer[:separator].strip()
    common: dict[str, Any] = {
        "title": title or default_title(question_text),
        "text": question_text,
        "text_format": text_format,
        "category": category,
        "general_feedback": general_feedback,
    }

    if answer is None:
        return Description(**common)
    if answer == "":
        return Essay(**common)
    if answer.startswith("#"):
        return _numerical(answer[1:], text_format, common)
    if "~" in answer:
        return _choice(answer, text_format, common)
    if "=" in answer and "->" in answer:
        return _matching(answer, text_format, common)
    head = answer.partition("#")[0].strip() if answer.find("#") > 0 else answer
    if head in _TRUE_FALSE:
        return _true_false(answer, text_format, common)
    return _short_answer(answer, text_format, common)


def _choice(answer: str, text_format: str, common: dict[str, Any]) -> Question:
    single = "=" in answer  # Moodle: without a "=" answer several options may be chosen
    parts = _answers(answer.replace("=", "~="), "~")
    if len(parts) < 2:
        raise GiftSyntaxError("Soal pilihan membutuhkan paling sedikit 2 pilihan jawaban.")
    specs: list[tuple[str, Decimal, str]] = []
    for number, part in enumerate(parts, start=1):
        if part.startswith("="):
            weight, part = HUNDRED, part[1:]
        else:
            weight, part = _weight(part, Decimal(0))
        option, feedback = _comment(part, text_format)
        if not option:
            raise GiftSyntaxError(f"Pilihan jawaban ke-{number} kosong.")
        specs.append((option, weight, feedback))
    if single:
        return SingleChoice(**common, options=make_options(specs))
    if not any(weight > 0 for _, weight, _ in specs):
        raise GiftSyntaxError(
            "Soal pilihan tidak memiliki jawaban benar: tandai dengan = atau bobot ~%n% positif."
        )
    return MultipleChoice(**common, options=make_options(specs))


def _matching(answer: str, text_format: str, common: dict[str, Any]) -> Question:
    pairs: list[tuple[str, str]] = []
    distractors: list[str] = []
    for part in _answers(answer, "="):
        if "->" not in part:
            raise GiftSyntaxError(
                f"Pasangan menjodohkan '{_restore(part)[:40]}' harus ditulis '=soal -> jawaban'."
            )
        left, _, right = part.partition("->")
        prompt, target = _text(left, text_format), _restore(right).strip()
        if not target:
            raise GiftSyntaxError("Jawaban pada pasangan menjodohkan kosong.")
        if prompt:
            pairs.append((prompt, target))
        else:
            distractors.append(target)
    if len(pairs) < 2:
        raise GiftSyntaxError("Soal menjodohkan membutuhkan paling sedikit 2 pasangan.")
    items, choices = make_matching(pairs, distractors)
    return Matching(**common, items=items, choices=choices)


def _true_false(answer: str, text_format: str, common: dict[str, Any]) -> Question:
    bits = [*answer.split("#", 2), "", ""]
    correct = _TRUE_FALSE[_text(bits[0], text_format)]
    wrong, right = _text(bits[1], text_format), _text(bits[2], text_format)
    return TrueFalse(
        **common,
        correct=correct,
        feedback_true=right if correct else wrong,
        feedback_false=wrong if correct else right,
    )


def _short_answer(answer: str, text_format: str, common: dict[str, Any]) -> Question:
    answers: list[AcceptedAnswer] = []
    for number, part in enumerate(_answers(answer, "="), start=1):
        weight, part = _weight(part, HUNDRED)
        text, feedback = _comment(part, text_format)
        if not text:
            raise GiftSyntaxError(f"Jawaban ke-{number} soal isian singkat kosong.")
        answers.append(AcceptedAnswer(text=text, weight=weight, feedback=feedback))
    if not answers:
        raise GiftSyntaxError("Soal isian singkat membutuhkan paling sedikit satu jawaban.")
    return ShortAnswer(**common, answers=tuple(answers))


def _numerical(body: str, text_format: str, common: dict[str, Any]) -> Question:
    other_feedback = ""
    if (tilde := body.find("~")) >= 0:
        other_feedback = _comment(body[tilde + 1 :], text_format)[1]
        body = body[:tilde]
    answers: list[NumericAnswer] = []
    for part in _answers(body, "="):
        weight, part = _weight(part, HUNDRED)
        spec, feedback = _comment(part, text_format)
        answers.append(_numeric_answer(spec, weight, feedback))
    if not answers:
        raise GiftSyntaxError("Soal numerik membutuhkan paling sedikit satu jawaban.")
    return Numerical(**common, answers=tuple(answers), other_feedback=other_feedback)


def _numeric_answer(spec: str, weight: Decimal, feedback: str) -> NumericAnswer:
    """``"1822:2"`` (value:tolerance), ``"3.141..3.142"`` (range) or ``"9"``."""
    try:
        if spec.find("..") > 0:
            low, _, high = spec.partition("..")
            return NumericAnswer(
                minimum=parse_number(low),
                maximum=parse_number(high),
                weight=weight,
                feedback=feedback,
            )
        value, _, tolerance = spec.partition(":") if spec.find(":") > 0 else (spec, "", "0")
        return NumericAnswer(
            value=parse_number(value),
            tolerance=parse_number(tolerance),
            weight=weight,
            feedback=feedback,
        )
    except ValueError as exc:
        raise GiftSyntaxError(f"Jawaban numerik '{spec}' tidak valid: {exc}") from exc

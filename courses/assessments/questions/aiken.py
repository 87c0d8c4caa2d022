"""Aiken reader and writer: single-choice questions as plain lines.

The format Moodle's Aiken importer reads::

    Question text (one or more lines)
    A. first option          (or "A) first option")
    B. second option
    ANSWER: B

The answer letter names an option by its label. Texts are plain (``text_format="plain"``: no
HTML, as Moodle escapes it). Blank lines between questions are allowed but not required. A
question that breaks a rule is reported with the line it starts on, and reading goes on with
the next one.
"""

import re
from collections.abc import Iterable
from decimal import Decimal

from courses.assessments.questions.authoring import default_title, make_options
from courses.assessments.questions.import_result import (
    ImportIssue,
    ImportResult,
    ParsedQuestion,
    decode_upload,
    snippet,
)
from courses.assessments.questions.model import (
    HUNDRED,
    QuestionBase,
    SingleChoice,
)

__all__ = ["AikenError", "AikenResult", "parse_aiken", "to_aiken"]

AikenError = ImportIssue
AikenResult = ImportResult

_OPTION = re.compile(r"([A-Z])[.)][ \t]+(.*)")
_ANSWER = re.compile(r"ANSWER:(.*)")


class _Pending:
    """A question being read: its first line, text lines, labelled options, or its fault."""

    def __init__(self, line: int, text: str | None, fault: str | None = None) -> None:
        self.line = line
        self.text: list[str] = [text] if text is not None else []
        self.options: list[tuple[str, str]] = []
        self.raw: list[str] = []
        self.fault = fault


def parse_aiken(source: str | bytes) -> ImportResult:
    """Read every question of an Aiken file.

    Args:
        source: the file's text or bytes (see ``decode_upload``).

    Returns:
        Single-choice questions in file order and the errors of those skipped.
    """
    questions: list[ParsedQuestion] = []
    errors: list[ImportIssue] = []

    def fail(pending: _Pending, message: str) -> None:
        errors.append(ImportIssue(line=pending.line, message=message, snippet=snippet(pending.raw)))

    pending: _Pending | None = None
    for number, raw in enumerate(decode_upload(source).split("\n"), start=1):
        line = raw.strip()
        if not line:
            continue
        answer, option = _ANSWER.match(line), _OPTION.match(line)
        if answer is not None:
            if pending is None:
                pending = _Pending(number, None, "Baris ANSWER tanpa soal dan pilihan jawaban.")
            pending.raw.append(line)
            try:
                question = _finish(pending, answer[1].strip()[:1])
            except ValueError as exc:
                fail(pending, str(exc))
            else:
                questions.append(ParsedQuestion(line=pending.line, category=(), question=question))
            pending = None
            continue
        if option is not None:
            if pending is None:
                pending = _Pending(number, None, "Pilihan jawaban tanpa teks soal di atasnya.")
            if option[1] in dict(pending.options) and pending.fault is None:
                pending.fault = f"Huruf pilihan {option[1]} dipakai lebih dari sekali."
            pending.options.append((option[1], option[2].strip()))
        elif pending is not None and pending.options:
            fail(pending, "Soal tidak diakhiri baris 'ANSWER: <huruf>'.")
            pending = _Pending(number, line)
        elif pending is None:
            pending = _Pending(number, line)
        else:
            pending.text.append(line)
        pending.raw.append(line)
    if pending is not None:
        fail(pending, "Soal tidak diakhiri baris 'ANSWER: <huruf>'.")
    return ImportResult(questions=questions, errors=errors)


def _finish(pending: _Pending, letter: str) -> SingleChoice:
    if pending.fault is not None:
        raise ValueError(pending.fault)
    if len(pending.options) < 2:
        raise ValueError("Soal Aiken membutuhkan paling sedikit 2 pilihan jawaban.")
    labels = [label for label, _ in pending.options]
    if letter.upper() not in labels:
        raise ValueError(f"Jawaban '{letter}' tidak ada di antara pilihan {', '.join(labels)}.")
    for label, text in pending.options:
        if not text:
            raise ValueError(f"Pilihan {label} kosong.")
    text = "\n".join(pending.text)
    options = make_options(
        [
            (text_, HUNDRED if label == letter.upper() else Decimal(0), "")
            for label, text_ in pending.options
        ]
    )
    return SingleChoice(title=default_title(text), text=text, text_format="plain", options=options)


def to_aiken(questions: Iterable[QuestionBase]) -> str:
    """Write single-choice questions as Aiken.

    Aiken holds only a text, options and one right answer: titles, categories, feedback and
    formats are not written.

    Raises:
        ValueError: a question is not single choice with exactly one 100 % option and the rest
            0 %, has more than 26 options, or has a text Aiken would read differently (an
            option text on several lines, a text line that looks like an option or ANSWER).
    """
    blocks: list[str] = []
    for question in questions:
        name = f"Soal '{question.title}' tidak dapat diekspor ke Aiken"
        if not isinstance(question, SingleChoice):
            raise ValueError(f"{name}: Aiken hanya memuat soal pilihan tunggal.")
        weights = sorted(option.weight for option in question.options)
        if weights[-1] != HUNDRED or any(weight != 0 for weight in weights[:-1]):
            raise ValueError(f"{name}: harus tepat satu jawaban 100% dan lainnya 0%.")
        if len(question.options) > 26:
            raise ValueError(f"{name}: lebih dari 26 pilihan jawaban.")
        lines = [line.strip() for line in question.text.split("\n") if line.strip()]
        if not lines or any(_OPTION.match(line) or _ANSWER.match(line) for line in lines):
            raise ValueError(f"{name}: teks soal kosong atau menyerupai pilihan/ANSWER.")
        right = ""
        for index, option in enumerate(question.options):
            if "\n" in option.text.strip():
                raise ValueError(f"{name}: teks pilihan harus satu baris.")
            label = chr(ord("A") + index)
            lines.append(f"{label}. {option.text.strip()}")
            if option.weight == HUNDRED:
                right = label
        lines.append(f"ANSWER: {right}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n" if blocks else ""

"""The result of reading a question file (GIFT or Aiken): questions, and errors by line.

An organizer uploads a whole bank at once; one bad question must not cost the other hundred,
so a reader returns what it could read together with an ``ImportIssue`` per question it
could not, each naming the line the question starts on.
"""

import msgspec

from courses.assessments.questions.model import Question


class ImportIssue(msgspec.Struct, frozen=True, kw_only=True):
    """A question that was skipped: the line it starts on, why (Indonesian), how it begins."""

    line: int
    message: str
    snippet: str


class ParsedQuestion(msgspec.Struct, frozen=True, kw_only=True):
    """An imported question with the line it starts on and its category path."""

    line: int
    category: tuple[str, ...]
    question: Question


class ImportResult(msgspec.Struct, kw_only=True):
    """Everything read from one file, in file order."""

    questions: list[ParsedQuestion]
    errors: list[ImportIssue]


def decode_upload(source: str | bytes) -> str:
    """Text of an uploaded file: UTF-8 with or without BOM, else Windows-1252.

    Notepad on an Indonesian Windows saves "ANSI" (Windows-1252) unless told otherwise; such a
    file should import with its accented letters rather than fail. Line ends become ``\\n``.
    """
    if isinstance(source, bytes):
        try:
            text = source.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = source.decode("cp1252", errors="replace")
    else:
        text = source.removeprefix("\ufeff")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def snippet(lines: list[str]) -> str:
    """The first 120 characters of a question's lines, on one line."""
    return " ".join(lines)[:120]

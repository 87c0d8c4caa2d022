"""Reading an uploaded question file: size limit, text decoding, GIFT or Aiken.

Runs off the event loop (``BankService.import_file`` calls it in a thread): a bank of
thousands of questions takes a noticeable moment to parse.
"""

from __future__ import annotations

import re

from courses.assessments.questions.aiken import parse_aiken
from courses.assessments.questions.gift import parse_gift
from courses.assessments.questions.import_result import ImportResult, decode_upload
from lms.shared.errors import BadRequest, PayloadTooLarge

_AIKEN_ANSWER = re.compile(r"^ANSWER:\s*[A-Za-z]\s*$", re.MULTILINE)


def guess_format(text: str, filename: str = "") -> str:
    """``gift`` or ``aiken`` for an upload without a stated format: by extension, then by
    content (Aiken files have ``ANSWER: X`` lines and no braces)."""
    name = filename.lower()
    if name.endswith(".gift"):
        return "gift"
    if name.endswith(".aiken"):
        return "aiken"
    if _AIKEN_ANSWER.search(text) and "{" not in text:
        return "aiken"
    return "gift"


def read_question_file(
    text: str | bytes, fmt: str | None, filename: str = "", max_bytes: int = 10 * 1024 * 1024
) -> ImportResult:
    """Parse an upload (bytes are decoded as ``decode_upload`` does); ``fmt`` None guesses.

    Raises:
        PayloadTooLarge: more than ``max_bytes``.
        BadRequest: an unknown format.
    """
    size = len(text) if isinstance(text, bytes) else len(text.encode())
    if size > max_bytes:
        raise PayloadTooLarge(
            f"Berkas soal terlalu besar (maksimal {max_bytes // 1_048_576} MB)."
        )
    # NUL never belongs in a question and PostgreSQL cannot store it in text: drop it.
    decoded = decode_upload(text).replace("\x00", "")
    fmt = fmt or guess_format(decoded, filename)
    if fmt == "gift":
        return parse_gift(decoded)
    if fmt == "aiken":
        return parse_aiken(decoded)
    raise BadRequest(
        f"Format '{fmt}' tidak dikenal; gunakan gift atau aiken.",
        errors=[{"field": "format", "message": "gift atau aiken"}],
    )

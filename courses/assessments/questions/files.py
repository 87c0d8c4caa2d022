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
        BadRequest: an unknown format; an empty file, a binary one (a PDF, a Word or Excel
            file, an image) or text holding no question, as the other importers answer.
    """
    size = len(text) if isinstance(text, bytes) else len(text.encode())
    if size > max_bytes:
        raise PayloadTooLarge(f"Berkas soal terlalu besar (maksimal {max_bytes // 1_048_576} MB).")
    if fmt not in (None, "gift", "aiken"):
        raise BadRequest(
            f"Format '{fmt}' tidak dikenal; gunakan gift atau aiken.",
            errors=[{"field": "format", "message": "gift atau aiken"}],
        )
    if isinstance(text, bytes) and _looks_binary(text):
        raise BadRequest(NOT_TEXT)
    # NUL never belongs in a question and PostgreSQL cannot store it in text: drop it.
    decoded = decode_upload(text).replace("\x00", "")
    if not decoded.strip():
        raise BadRequest(EMPTY)
    fmt = fmt or guess_format(decoded, filename)
    result = parse_gift(decoded) if fmt == "gift" else parse_aiken(decoded)
    if not result.questions and not result.errors:
        raise BadRequest(NO_QUESTIONS)
    return result


EMPTY = "Berkas kosong."
NOT_TEXT = (
    "Berkas bukan berkas teks GIFT atau Aiken (mungkin PDF, Word, Excel atau gambar); "
    "unggah berkas teks .gift atau .txt."
)
NO_QUESTIONS = "Tidak ada soal GIFT atau Aiken yang terbaca dalam berkas ini."
_TEXT_CONTROLS = frozenset(b"\t\n\r\f")


def _looks_binary(data: bytes) -> bool:
    """True for bytes no text editor writes: a NUL, or more than 1 in 20 control characters
    among the first 8 KB (tab and line ends aside).

    A binary file decoded as Windows-1252 yields mojibake that the GIFT reader skips without
    a word, so the import answered 200 with nothing in it.
    """
    head = data[:8192]
    if b"\x00" in head:
        return True
    controls = sum(1 for byte in head if byte < 32 and byte not in _TEXT_CONTROLS)
    return controls * 20 > len(head)

"""Certificate number patterns such as ``{seq:03d}/PP/DPMPTSP/{month_roman}/{year}``.

There is no national numbering format, so each organizer writes its own pattern in the style of
Indonesian letter numbers. A pattern is organizer input and is formatted with Python's format
mini-language, so it is checked first: only the fields below, no attribute or index access
(``{seq.__class__}`` would leak internals), and ``{seq}`` must appear (without it two
certificates would get the same number). This module only formats; the gap-free counter lives in
``certificates.issuing.numbering``.

Fields: ``seq`` (int), ``year`` (int), ``month`` (int), ``month_roman`` (str, "XI"),
``course_code`` (str), ``unit_code`` (str).
"""

import datetime as dt
import string

from lms.shared.indonesian import month_roman

FIELDS = frozenset({"seq", "year", "month", "month_roman", "course_code", "unit_code"})
_INT_FIELDS = frozenset({"seq", "year", "month"})
DEFAULT_PATTERN = "{seq:03d}/{course_code}/{unit_code}/{month_roman}/{year}"


class PatternError(ValueError):
    """A numbering pattern is not acceptable; the message (Indonesian) says why."""


def check_pattern(pattern: str) -> str:
    """Return ``pattern`` if it is valid, else raise ``PatternError``."""
    if not pattern or len(pattern) > 200:
        raise PatternError("Pola nomor harus diisi dan paling panjang 200 karakter.")
    seen: set[str] = set()
    try:
        parsed = list(string.Formatter().parse(pattern))
    except ValueError as exc:
        raise PatternError(f"Pola nomor tidak valid: {exc}.") from None
    for _, field, spec, conversion in parsed:
        if field is None:
            continue
        if field not in FIELDS:
            allowed = ", ".join(sorted(FIELDS))
            raise PatternError(f"Kolom {{{field}}} tidak dikenal; yang boleh: {allowed}.")
        if conversion or "{" in (spec or ""):
            raise PatternError(f"Format kolom {{{field}}} tidak diizinkan.")
        if spec and field not in _INT_FIELDS:
            raise PatternError(f"Kolom {{{field}}} tidak boleh diberi format angka.")
        if spec and spec not in {f"0{n}d" for n in range(1, 10)} | {"d"}:
            raise PatternError(f"Format {{{field}:{spec}}} tidak didukung; gunakan misalnya :03d.")
        seen.add(field)
    if "seq" not in seen:
        raise PatternError("Pola nomor harus memuat {seq} agar setiap sertifikat bernomor unik.")
    return pattern


def format_number(
    pattern: str, *, seq: int, issued_on: dt.date, course_code: str = "", unit_code: str = ""
) -> str:
    """Fill a pattern: ``format_number("{seq:03d}/PP/{month_roman}/{year}", seq=7, ...)``.

    Raises:
        PatternError: the pattern is invalid.
    """
    check_pattern(pattern)
    if seq < 1:
        raise ValueError("seq starts at 1")
    return pattern.format(
        seq=seq,
        year=issued_on.year,
        month=issued_on.month,
        month_roman=month_roman(issued_on.month),
        course_code=course_code,
        unit_code=unit_code,
    )

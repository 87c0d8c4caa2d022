"""Exact numbers for answers, weights and points.

Every number that decides a grade is a ``decimal.Decimal`` (or a ``fractions.Fraction`` while
summing), never a float: ``3 × 33.33333 %`` must add up to exactly ``99.99999 %``, and a
numerical answer of ``0.1 + 0.2`` must compare equal to ``0.3``.
"""

import re
from decimal import Decimal, InvalidOperation

_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_GROUPED_INT = {
    ".": re.compile(r"[+-]?\d{1,3}(?:\.\d{3})+"),
    ",": re.compile(r"[+-]?\d{1,3}(?:,\d{3})+"),
}
_SPACES = re.compile(r"[\s\u00a0\u202f]+")


def parse_number(text: str) -> Decimal:
    """Read a number the way an Indonesian participant or question author types it.

    A single separator is always the decimal separator, so ``"80,5"`` (Indonesian decimal
    comma) and ``"80.5"`` are both 80.5 and ``"1.822"`` is 1.822, as in Moodle. When both
    separators occur, the rightmost one is the decimal separator and the other groups
    thousands: ``"1.234,5"`` and ``"1,234.5"`` are both 1234.5. A separator repeated on its own
    (``"1.234.567"``) groups thousands. Spaces are ignored; ``−`` (U+2212) is a minus.

    Args:
        text: the number as typed.

    Returns:
        The exact value.

    Raises:
        ValueError: when ``text`` is not a finite number (message in Indonesian).
    """
    raw = _SPACES.sub("", text).replace("\u2212", "-")
    if not raw:
        raise ValueError("Jawaban numerik kosong.")
    canonical = _canonical(raw)
    if canonical is None or not _PLAIN_NUMBER.fullmatch(canonical):
        raise ValueError(f"'{text.strip()}' bukan angka yang valid.")
    try:
        value = Decimal(canonical)
    except InvalidOperation as exc:  # pragma: no cover - the pattern above already rules it out
        raise ValueError(f"'{text.strip()}' bukan angka yang valid.") from exc
    if not value.is_finite():  # pragma: no cover - the pattern admits only finite numbers
        raise ValueError(f"'{text.strip()}' bukan angka yang valid.")
    return value


def _canonical(raw: str) -> str | None:
    """Rewrite ``raw`` with ``.`` as the only (decimal) separator, or None if ambiguous."""
    commas, dots = raw.count(","), raw.count(".")
    if commas and dots:
        decimal_sep = "," if raw.rfind(",") > raw.rfind(".") else "."
        group_sep = "." if decimal_sep == "," else ","
        if raw.count(decimal_sep) > 1:
            return None
        integer, _, fraction = raw.partition(decimal_sep)
        if group_sep in fraction or not _GROUPED_INT[group_sep].fullmatch(integer):
            return None
        return integer.replace(group_sep, "") + "." + fraction
    for sep, count in ((",", commas), (".", dots)):
        if count == 1:
            return raw.replace(sep, ".")
        if count > 1:
            return raw.replace(sep, "") if _GROUPED_INT[sep].fullmatch(raw) else None
    return raw


def format_decimal(value: Decimal) -> str:
    """Write ``value`` without exponent or trailing zeros (``Decimal("1E+2")`` -> ``"100"``).

    Used wherever a number is written back as text (GIFT export, weights), so the text reads
    as typed and parses to the same value.
    """
    if value == 0:
        return "0"
    text = format(value.normalize(), "f")
    return text


def require_finite(value: Decimal, what: str) -> None:
    """Raise ``ValueError`` unless ``value`` is a finite Decimal (``NaN`` decodes from JSON)."""
    if not isinstance(value, Decimal) or not value.is_finite():
        raise ValueError(f"{what} harus berupa angka.")

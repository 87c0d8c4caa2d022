"""Finding a certificate from what a person typed: a number or a code, as read off paper.

People copy a verification code or a certificate number by hand from a printed page, so the
"cek sertifikat" form forgives what reading and typing get wrong: letter case, spaces (also
around the slashes of a number), a pasted verify URL, and the look-alike characters O/0 and
I/l/1. An exact match wins; otherwise both sides are folded the same way (upper case, O → 0,
I and L → 1) and compared. A code is 20 random URL-safe characters (120 bits), so two codes
folding alike is practically impossible; should it ever happen, nothing is guessed.
"""

from __future__ import annotations

import re

from certificates.tables import Certificate
from certificates.verification.service import _is_plain_text
from lms.db import fetch_sql

_SPACES = re.compile(r"\s+")
_VERIFY_URL = re.compile(r"/verify/([^/?#\s]+)")
_FOLD = str.maketrans({"O": "0", "I": "1", "L": "1"})
#: The same fold in SQL (both engines have UPPER and REPLACE).
_FOLD_SQL = "REPLACE(REPLACE(REPLACE(UPPER({}), 'O', '0'), 'I', '1'), 'L', '1')"
_MAX_LENGTH = 255


def clean_typed(text: str) -> str:
    """What was typed without spaces (a pasted verify URL becomes its code)."""
    found = _VERIFY_URL.search(text)
    if found:
        text = found.group(1)
    return _SPACES.sub("", text)


def fold_typed(text: str) -> str:
    """The form two look-alike spellings share: ``clean_typed``, upper case, O → 0, I/L → 1."""
    return clean_typed(text).upper().translate(_FOLD)


async def find_code(typed: str) -> str | None:
    """The verification code of the one certificate whose code or number ``typed`` names.

    ``None`` when none matches, or when the folded text matches more than one certificate.
    """
    exact = clean_typed(typed)
    if not exact or len(exact) > _MAX_LENGTH or not _is_plain_text(exact):
        return None
    rows = await fetch_sql(
        Certificate,
        "SELECT code FROM certificate WHERE code = {} OR number = {} LIMIT 2",
        exact,
        exact.upper(),
    )
    if len(rows) == 1:
        return str(rows[0]["code"])
    # A fold of every code and number: a scan, paid only when the exact lookup missed (a
    # mistyped form, rate limited per address like the verify page).
    folded = fold_typed(typed)
    rows = await fetch_sql(
        Certificate,
        f"SELECT code FROM certificate WHERE {_FOLD_SQL.format('code')} = {{}} "
        f"OR {_FOLD_SQL.format('number')} = {{}} LIMIT 2",
        folded,
        folded,
    )
    return str(rows[0]["code"]) if len(rows) == 1 else None

"""Gap-free certificate numbers and random verification codes.

A certificate number such as ``007/PP/DPMPTSP/XI/2026`` is an official letter number: the
sequence must have no holes (an auditor asks where number 006 went) and no duplicates, per
pattern and year, however many jobs issue at once. The counter is one ``number_sequence`` row
per (pattern, year), moved only by an atomic ``UPDATE ... SET last = last + n ... RETURNING
last`` inside the transaction that inserts the certificate rows: if that transaction rolls back,
the numbers go back too, so a number exists exactly when its certificate does.

Both engines serialise the update: SQLite because every write transaction begins ``IMMEDIATE``
on one writer, PostgreSQL because the ``UPDATE`` takes the row lock until commit (a second
issuer waits, then reads the committed value). The row is created on first use with ``INSERT
... ON CONFLICT DO NOTHING``, which both engines accept and which never fails when two issuers
create it at the same moment.

Issuing renders a batch *before* its transaction (rendering takes long and must not hold the
SQLite writer), so it predicts the numbers from ``current_last`` and claims them with
``claim(..., expected_last=...)``: the claim fails instead of moving the counter when someone
else issued meanwhile, and the batch is rendered again with fresh numbers. ``next_number`` is
the plain form for code that claims inside its own transaction.

The verification code is random (120 bits, URL-safe) and unrelated to the number, so knowing
one certificate's number does not let anyone guess another's verification URL.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

from certificates.issuing.numbering_pattern import check_pattern, format_number
from certificates.tables import NumberSequence
from lms.people.tables import Unit

_KEY_LENGTH = 200  # NumberSequence.natural_key


def sequence_key(pattern: str, year: int, *, unit_code: str = "") -> str:
    """The ``natural_key`` of the counter for ``pattern`` in ``year``.

    A pattern that prints ``{unit_code}`` yields different numbers for different units, so each
    unit counts on its own; any other pattern is one counter for whoever uses it (two units
    with the literally same pattern would otherwise print the same numbers).
    """
    scope = f"{unit_code}|" if "{unit_code" in pattern else ""
    key = f"{year}:{scope}{pattern}"
    if len(key) > _KEY_LENGTH:
        key = f"{year}:sha256:{hashlib.sha256(key.encode()).hexdigest()}"
    return key


async def ensure_sequence(key: str, pattern: str, year: int) -> None:
    """Create the counter row at 0 unless it exists (safe under concurrency, both engines)."""
    await NumberSequence.insert(
        NumberSequence(id=uuid4(), pattern=pattern[:255], year=year, last=0, natural_key=key)
    ).on_conflict(target=NumberSequence.natural_key, action="DO NOTHING")


async def current_last(key: str) -> int:
    """The last number claimed under ``key`` (0 when none), as committed now."""
    row = await (
        NumberSequence.select(NumberSequence.last).where(NumberSequence.natural_key == key).first()
    )
    return int(row["last"]) if row else 0


async def claim(key: str, count: int = 1, *, expected_last: int | None = None) -> int | None:
    """Move the counter by ``count`` and return its new ``last``; call inside a transaction.

    The claimed numbers are ``last - count + 1 .. last``. With ``expected_last`` the counter
    only moves if it still stands there (a batch rendered with predicted numbers); otherwise
    ``None`` is returned and nothing changes.

    Raises:
        LookupError: the counter row does not exist (call ``ensure_sequence`` first).
    """
    if count < 1:
        raise ValueError("count must be at least 1")
    where: Any = NumberSequence.natural_key == key
    if expected_last is not None:
        where = where & (NumberSequence.last == expected_last)
    rows = (
        await NumberSequence.update({NumberSequence.last: NumberSequence.last + count})
        .where(where)
        .returning(NumberSequence.last)
    )
    if rows:
        return int(rows[0]["last"])
    if expected_last is None:
        raise LookupError(f"no number sequence {key!r}")
    return None


def local_date(at: dt.date | dt.datetime, timezone: str = "Asia/Jakarta") -> dt.date:
    """The calendar date of ``at`` where the certificate is issued (dates pass through)."""
    if isinstance(at, dt.datetime):
        if at.tzinfo is None:
            raise ValueError("a datetime must carry its time zone")
        return at.astimezone(ZoneInfo(timezone)).date()
    return at


async def next_number(
    unit_id: UUID,
    pattern: str,
    at: dt.date | dt.datetime,
    *,
    course_code: str = "",
    timezone: str = "Asia/Jakarta",
) -> tuple[int, str]:
    """Claim the next number of ``pattern`` for the year of ``at``; call inside a transaction.

    Args:
        unit_id: the issuing unit (its code fills ``{unit_code}``).
        pattern: e.g. ``{seq:03d}/PP/DPMPTSP/{month_roman}/{year}``.
        at: the issue date, or an aware datetime read in ``timezone``.
        course_code: fills ``{course_code}``.
        timezone: the IANA zone that decides the date of a datetime ``at``.

    Returns:
        ``(seq, number)``, e.g. ``(7, "007/PP/DPMPTSP/XI/2026")``.

    Raises:
        PatternError: the pattern is invalid.
    """
    check_pattern(pattern)
    day = local_date(at, timezone)
    unit_code = await unit_code_of(unit_id)
    key = sequence_key(pattern, day.year, unit_code=unit_code)
    await ensure_sequence(key, pattern, day.year)
    seq = await claim(key, 1)
    assert seq is not None
    number = format_number(
        pattern, seq=seq, issued_on=day, course_code=course_code, unit_code=unit_code
    )
    return seq, number


async def unit_code_of(unit_id: UUID | None) -> str:
    """The code of a unit (``""`` when unknown)."""
    if unit_id is None:
        return ""
    row = await Unit.select(Unit.code).where(Unit.id == unit_id).first()
    return str(row["code"]) if row else ""

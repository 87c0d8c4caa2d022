"""Small values every app uses: the clock, and money-like numbers with two decimals.

One home so a rule reads the same clock everywhere (stored timestamps are UTC, the API writes
them as RFC 3339 UTC with ``Z``) and a stored number comes back the same on both engines.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

CENT = Decimal("0.01")
TEN_THOUSANDTH = Decimal("0.0001")


def utcnow() -> dt.datetime:
    """The current instant in UTC (every stored timestamp is UTC)."""
    return dt.datetime.now(dt.UTC)


def cents(value: Any) -> Decimal:
    """A stored number as a Decimal with exactly 2 decimals.

    SQLite hands ``Numeric`` columns through a float (``80`` comes back ``80.0``), PostgreSQL as
    a Decimal (``6.00``); going through ``str`` keeps a float's shortest form (``80.1``, not its
    binary expansion), and quantizing makes every response the same on both engines.
    """
    return Decimal(str(value)).quantize(CENT)


def ten_thousandths(value: Any) -> Decimal:
    """A ratio or a 1–4 mean (NRR, SKM, normalized gain) as a Decimal with exactly 4 decimals
    (how the API writes them; JP, scores, percentages and IKM have 2, see :func:`cents`)."""
    return Decimal(str(value)).quantize(TEN_THOUSANDTH)


class ZonedTime(dt.datetime):
    """An instant as a zone's wall clock shows it: Python code (pages, PDFs) reads the local
    time from it, the API writes it in UTC with ``Z`` (``rfc3339``, registered as the app's
    type encoder for this class).

    Why a subclass: msgspec writes an aware ``datetime`` with its own offset and never asks
    an ``enc_hook`` about it (``+07:00`` next to ``Z`` in one answer), but it hands subclasses
    of ``datetime`` to the hook, so one encoder in ``lms.app`` gives every such field one form
    without each schema converting. Build them with :func:`in_zone`.
    """


def in_zone(value: dt.datetime | None, zone: str | dt.tzinfo) -> ZonedTime | None:
    """``value`` (aware) on the wall clock of ``zone`` (an IANA name or a tzinfo)."""
    if value is None:
        return None
    tz = ZoneInfo(zone) if isinstance(zone, str) else zone
    local = value.astimezone(tz)
    return ZonedTime(
        local.year,
        local.month,
        local.day,
        local.hour,
        local.minute,
        local.second,
        local.microsecond,
        tzinfo=local.tzinfo,
        fold=local.fold,
    )


def rfc3339(value: dt.datetime) -> str:
    """The one timestamp form of the API: RFC 3339 in UTC with ``Z``, as msgspec writes a UTC
    ``datetime`` (``2026-11-18T01:00:00Z``, microseconds only when there are some)."""
    utc = value.astimezone(dt.UTC)
    plain = dt.datetime(
        utc.year, utc.month, utc.day, utc.hour, utc.minute, utc.second, utc.microsecond
    )
    return plain.isoformat() + "Z"


def wall_clock(value: dt.datetime | None, zone: str) -> str | None:
    """The local date and time of ``value`` in ``zone`` without an offset
    (``2026-11-18T08:00:00``): the ``*_local`` fields people read beside a UTC instant."""
    if value is None:
        return None
    return value.astimezone(ZoneInfo(zone)).replace(tzinfo=None, microsecond=0).isoformat()

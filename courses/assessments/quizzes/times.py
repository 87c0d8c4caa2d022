"""Time rules of quizzes: one clock, the session's zone for naive times, deadlines, windows.

Instants are stored in UTC. A time sent without an offset is a wall-clock time of the
session's own zone (``Asia/Makassar`` for Makassar). Answers carry instants in that zone as
``ZonedTime`` (pages read the local clock; the API writes them in UTC with ``Z``), and the
wall clock people read in ``*_local`` fields.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from lms.shared.values import ZonedTime, in_zone


def to_utc(value: dt.datetime | None, timezone: str) -> dt.datetime | None:
    """An instant in UTC; a naive time is read as local time of ``timezone``."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo(timezone))
    return value.astimezone(dt.UTC)


def to_local(value: dt.datetime | None, timezone: str) -> ZonedTime | None:
    """An instant on the wall clock of ``timezone`` (the API writes it in UTC with ``Z``)."""
    return in_zone(value, timezone)


def deadline_for(
    started: dt.datetime, time_limit_minutes: int | None, closes_at: dt.datetime | None
) -> dt.datetime | None:
    """When an attempt started at ``started`` must end."""
    ends = started + dt.timedelta(minutes=time_limit_minutes) if time_limit_minutes else None
    if closes_at is not None and (ends is None or closes_at < ends):
        return closes_at
    return ends


def is_open(row: dict[str, Any], now: dt.datetime) -> bool:
    """Within the quiz's window (both ends optional; ``closes_at`` itself is closed)."""
    opens, closes = row["opens_at"], row["closes_at"]
    return (opens is None or now >= opens) and (closes is None or now < closes)

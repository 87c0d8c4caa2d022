"""Request and response bodies of sessions (angkatan): dates, time zone, venue, seats and the
enrollment window.

Field types and the year check shared with the other delivery bodies are in ``schema_fields``.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal
from uuid import UUID
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import msgspec

from courses.delivery.sessions.fields import AwareDateTime, LongText, ShortText, check_year
from lms.shared.schemas import Input, NonEmptyStr, Output

SessionStatus = Literal["draft", "open", "running", "completed", "cancelled"]

CityText = Annotated[str, msgspec.Meta(max_length=128)]
TimeZoneName = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
Capacity = Annotated[int, msgspec.Meta(ge=1, le=10_000)]

MAX_SESSION_DAYS = 366


def check_timezone(name: str) -> None:
    """Raise ``ValueError`` unless ``name`` is an IANA time zone (``Asia/Makassar``)."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"timezone: '{name}' bukan zona waktu IANA (mis. Asia/Jakarta)") from exc


def _check_dates(start: dt.date, end: dt.date) -> None:
    check_year(start, "start_date")
    check_year(end, "end_date")
    if end < start:
        raise ValueError("end_date: tidak boleh sebelum start_date")
    if (end - start).days >= MAX_SESSION_DAYS:
        raise ValueError(f"end_date: sesi paling lama {MAX_SESSION_DAYS} hari")


def _check_window(opens: dt.datetime | None, closes: dt.datetime | None) -> None:
    check_year(opens, "enroll_opens_at")
    check_year(closes, "enroll_closes_at")
    if opens is not None and closes is not None and closes <= opens:
        raise ValueError("enroll_closes_at: harus setelah enroll_opens_at")


class SessionCreate(Input):
    """A new session (angkatan) of a course. ``unit_id`` (the organizing office printed on the
    sign-in sheet) defaults to the course's unit. The enrollment window is open-ended where a
    bound is left out."""

    course_id: UUID
    name: NonEmptyStr
    start_date: dt.date
    end_date: dt.date
    timezone: TimeZoneName = "Asia/Jakarta"
    venue: ShortText = ""
    city: CityText = ""
    online_url: LongText = ""
    capacity: Capacity = 30
    enroll_opens_at: AwareDateTime | None = None
    enroll_closes_at: AwareDateTime | None = None
    approval_required: bool = False
    self_enroll: bool = True
    unit_id: UUID | None = None

    def __post_init__(self) -> None:
        check_timezone(self.timezone)
        _check_dates(self.start_date, self.end_date)
        _check_window(self.enroll_opens_at, self.enroll_closes_at)


class SessionUpdate(Input):
    """A partial edit. ``status`` moves draft → open → running → completed, or to cancelled
    from any state but completed."""

    name: NonEmptyStr | msgspec.UnsetType = msgspec.UNSET
    start_date: dt.date | msgspec.UnsetType = msgspec.UNSET
    end_date: dt.date | msgspec.UnsetType = msgspec.UNSET
    timezone: TimeZoneName | msgspec.UnsetType = msgspec.UNSET
    venue: ShortText | msgspec.UnsetType = msgspec.UNSET
    city: CityText | msgspec.UnsetType = msgspec.UNSET
    online_url: LongText | msgspec.UnsetType = msgspec.UNSET
    capacity: Capacity | msgspec.UnsetType = msgspec.UNSET
    enroll_opens_at: AwareDateTime | None | msgspec.UnsetType = msgspec.UNSET
    enroll_closes_at: AwareDateTime | None | msgspec.UnsetType = msgspec.UNSET
    approval_required: bool | msgspec.UnsetType = msgspec.UNSET
    self_enroll: bool | msgspec.UnsetType = msgspec.UNSET
    status: SessionStatus | msgspec.UnsetType = msgspec.UNSET

    def __post_init__(self) -> None:
        if isinstance(self.timezone, str):
            check_timezone(self.timezone)
        for field in ("start_date", "end_date", "enroll_opens_at", "enroll_closes_at"):
            value = getattr(self, field)
            if isinstance(value, dt.date):
                check_year(value, field)


class SessionRead(Output):
    """A session with its course, office, seats and status."""

    id: UUID
    course_id: UUID
    course_code: str
    course_title: str
    course_version: int
    unit_id: UUID
    unit_name: str
    name: str
    start_date: dt.date
    end_date: dt.date
    timezone: str
    timezone_label: str
    venue: str
    city: str
    online_url: str
    capacity: int
    confirmed_count: int
    waitlisted_count: int
    seats_left: int
    enroll_opens_at: dt.datetime | None
    enroll_closes_at: dt.datetime | None
    approval_required: bool
    self_enroll: bool
    status: str
    finalized_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime

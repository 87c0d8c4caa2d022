"""Request and response bodies of attendance: marks by organizers and trainers, the summary
per participant, and check-in with the six-digit code the trainer shows.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal
from uuid import UUID

import msgspec

from courses.delivery.sessions.fields import check_year
from lms.shared.schemas import Input, Output

AttendanceStatus = Literal["present", "late", "excused", "absent"]

CheckinCodeText = Annotated[str, msgspec.Meta(pattern=r"^[0-9]{6}$")]


class AttendanceMarkInput(Input):
    """One mark: a person's status on a session day."""

    person_id: UUID
    day: dt.date
    status: AttendanceStatus

    def __post_init__(self) -> None:
        check_year(self.day, "day")


class AttendanceSaved(Output):
    """How many marks a bulk request created and changed."""

    saved: int
    created: int
    updated: int


class DayMark(Output):
    """A person's status on one day (``None`` when not marked yet)."""

    day: dt.date
    status: str | None


class PersonAttendance(Output):
    """One participant's attendance and percentage (present and late count as attended)."""

    person_id: UUID
    full_name: str
    nip: str | None
    marks: list[DayMark]
    attended_days: int
    late_days: int
    excused_days: int
    absent_days: int
    unmarked_days: int
    percent: Decimal


class AttendanceSummary(Output):
    """Attendance of a session: its days and every confirmed participant's record."""

    session_id: UUID
    days: list[dt.date]
    people: list[PersonAttendance]


class CheckinInput(Input):
    """The six-digit code the trainer shows."""

    code: CheckinCodeText


class CheckinRead(Output):
    """A recorded check-in."""

    person_id: UUID
    day: dt.date
    status: str
    checked_in_at: dt.datetime


class CheckinCode(Output):
    """The code to show now and until when it is shown (it is accepted one period longer)."""

    code: str
    valid_from: dt.datetime
    valid_until: dt.datetime
    period_seconds: int
    valid_until_local: str | None = None

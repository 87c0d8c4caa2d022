"""Request and response bodies of delivery: trainers, sessions, agenda, enrollment, attendance.

Times travel as RFC 3339 with an offset; requests must carry one (``tz=True``) because a naive
"08:00" means different instants in WIB and WITA. Responses give agenda times in the session's
own time zone. Decimals (JP, percentages) travel as strings, as in the catalogue.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal
from uuid import UUID
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import msgspec

from lms.shared.schemas import Input, NonEmptyStr, Output

SessionStatus = Literal["draft", "open", "running", "completed", "cancelled"]
EnrollmentStatus = Literal["requested", "confirmed", "waitlisted", "withdrawn", "completed"]
AttendanceStatus = Literal["present", "late", "excused", "absent"]

AwareDateTime = Annotated[dt.datetime, msgspec.Meta(tz=True)]
ShortText = Annotated[str, msgspec.Meta(max_length=255)]
RoomText = Annotated[str, msgspec.Meta(max_length=128)]
CityText = Annotated[str, msgspec.Meta(max_length=128)]
TitleText = Annotated[str, msgspec.Meta(max_length=64)]
BackTitleText = Annotated[str, msgspec.Meta(max_length=128)]
LongText = Annotated[str, msgspec.Meta(max_length=500)]
TimeZoneName = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
Capacity = Annotated[int, msgspec.Meta(ge=1, le=10_000)]
CheckinCodeText = Annotated[str, msgspec.Meta(pattern=r"^[0-9]{6}$")]

MAX_SESSION_DAYS = 366
MAX_AGENDA_ITEM = dt.timedelta(hours=24)
YEARS = range(1970, 2200)
"""Years a session, agenda item or enrollment window may fall in (far-off years would overflow
when converted between time zones, and are typing mistakes anyway)."""


def check_year(value: dt.date | dt.datetime | None, field: str) -> None:
    """Raise ``ValueError`` when a date or instant lies outside :data:`YEARS`."""
    if value is not None and value.year not in YEARS:
        raise ValueError(f"{field}: tahun harus antara {YEARS.start} dan {YEARS.stop - 1}")


def check_timezone(name: str) -> None:
    """Raise ``ValueError`` unless ``name`` is an IANA time zone (``Asia/Makassar``)."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"timezone: '{name}' bukan zona waktu IANA (mis. Asia/Jakarta)") from exc


# --- trainers ---------------------------------------------------------------------------------


class TrainerCreate(Input):
    """A trainer: a person from the register (``person_id``; name and titles are copied) or an
    outsider (``name`` with titles, ``institution``, ``expertise``). ``user_id`` links a login
    so the trainer sees their agenda; for a registered person with a trainer login it is found
    automatically."""

    person_id: UUID | None = None
    name: NonEmptyStr | None = None
    front_title: TitleText = ""
    back_title: BackTitleText = ""
    institution: ShortText = ""
    expertise: LongText = ""
    user_id: UUID | None = None
    unit_id: UUID | None = None

    def __post_init__(self) -> None:
        if self.person_id is None and not (self.name and self.name.strip()):
            raise ValueError("name: wajib untuk narasumber dari luar (atau isi person_id)")


class TrainerUpdate(Input):
    """A partial edit of a trainer."""

    name: NonEmptyStr | msgspec.UnsetType = msgspec.UNSET
    front_title: TitleText | msgspec.UnsetType = msgspec.UNSET
    back_title: BackTitleText | msgspec.UnsetType = msgspec.UNSET
    institution: ShortText | msgspec.UnsetType = msgspec.UNSET
    expertise: LongText | msgspec.UnsetType = msgspec.UNSET
    user_id: UUID | None | msgspec.UnsetType = msgspec.UNSET


class TrainerRead(Output):
    """A trainer."""

    id: UUID
    person_id: UUID | None
    user_id: UUID | None
    unit_id: UUID | None
    name: str
    front_title: str
    back_title: str
    full_name: str
    institution: str
    expertise: str
    created_at: dt.datetime


# --- sessions ---------------------------------------------------------------------------------


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


# --- agenda -----------------------------------------------------------------------------------


class AgendaItemCreate(Input):
    """A block of the agenda. Items with a module count towards the JP delivered; items
    without one (opening, break, closing) need a ``title``."""

    starts_at: AwareDateTime
    ends_at: AwareDateTime
    module_id: UUID | None = None
    trainer_id: UUID | None = None
    room: RoomText = ""
    title: ShortText = ""

    def __post_init__(self) -> None:
        check_year(self.starts_at, "starts_at")
        check_year(self.ends_at, "ends_at")
        if self.ends_at <= self.starts_at:
            raise ValueError("ends_at: harus setelah starts_at")
        if self.ends_at - self.starts_at > MAX_AGENDA_ITEM:
            raise ValueError("ends_at: satu acara paling lama 24 jam")
        if self.module_id is None and not self.title.strip():
            raise ValueError("title: wajib untuk acara tanpa modul")


class AgendaItemUpdate(Input):
    """A partial edit of an agenda item (clashes are checked again)."""

    starts_at: AwareDateTime | msgspec.UnsetType = msgspec.UNSET
    ends_at: AwareDateTime | msgspec.UnsetType = msgspec.UNSET
    module_id: UUID | None | msgspec.UnsetType = msgspec.UNSET
    trainer_id: UUID | None | msgspec.UnsetType = msgspec.UNSET
    room: RoomText | msgspec.UnsetType = msgspec.UNSET
    title: ShortText | msgspec.UnsetType = msgspec.UNSET

    def __post_init__(self) -> None:
        for field in ("starts_at", "ends_at"):
            value = getattr(self, field)
            if isinstance(value, dt.datetime):
                check_year(value, field)


class AgendaItemRead(Output):
    """An agenda item, times in the session's time zone."""

    id: UUID
    session_id: UUID
    day: dt.date
    starts_at: dt.datetime
    ends_at: dt.datetime
    minutes: int
    module_id: UUID | None
    module_title: str
    trainer_id: UUID | None
    trainer_name: str
    room: str
    title: str


class ModuleJp(Output):
    """A module's JP in the course against the JP its agenda items deliver."""

    module_id: UUID
    title: str
    jp_course: Decimal
    jp_planned: Decimal


class AgendaRead(Output):
    """A session's agenda with the JP check: ``jp_planned`` (minutes of the items with a module,
    converted once) against ``jp_course`` (sum of the course's modules)."""

    items: list[AgendaItemRead]
    jp_planned: Decimal
    jp_course: Decimal
    jp_mismatch: bool
    modules: list[ModuleJp]


class MyAgendaItem(AgendaItemRead):
    """An agenda item of the calling trainer, with where and what."""

    session_name: str
    session_status: str
    course_title: str
    venue: str
    city: str
    timezone: str


# --- enrollment -------------------------------------------------------------------------------


class EnrollmentCreate(Input):
    """Organizers list the people to enroll; a participant sends ``{}`` to enroll themself."""

    person_ids: Annotated[list[UUID], msgspec.Meta(max_length=1000)] = []


class EnrollmentRead(Output):
    """A person's place in a session. ``waitlist_position`` is 1 for the next to move up."""

    id: UUID
    session_id: UUID
    person_id: UUID
    full_name: str
    nip: str | None
    jabatan: str
    unit_name: str
    status: str
    seq: int
    waitlist_position: int | None
    enrolled_at: dt.datetime
    updated_at: dt.datetime


class EnrollmentBatch(Output):
    """The enrollments a request created, with counts per status."""

    items: list[EnrollmentRead]
    total: int
    confirmed: int
    waitlisted: int
    requested: int


class Withdrawal(Output):
    """A withdrawn enrollment and who moved up from the waitlist into the freed seat."""

    enrollment: EnrollmentRead
    promoted: EnrollmentRead | None


class MyEnrollment(EnrollmentRead):
    """A participant's own enrollment with the session it is for."""

    session_name: str
    session_status: str
    course_title: str
    start_date: dt.date
    end_date: dt.date


class ImportRow(Output):
    """One row of an enrollment import: the person found or created and the outcome.

    ``outcome``: ``confirmed``, ``waitlisted``, ``requested``, ``already_enrolled`` or
    ``rejected`` (``errors`` says why, in Indonesian).
    """

    row_number: int
    nip: str | None
    name: str
    person_id: UUID | None
    person_created: bool
    outcome: str
    errors: list[str]


class EnrollmentImportReport(Output):
    """What an enrollment import did, row by row."""

    filename: str
    total_rows: int
    people_created: int
    confirmed: int
    waitlisted: int
    requested: int
    already_enrolled: int
    rejected: int
    rows: list[ImportRow]


# --- attendance -------------------------------------------------------------------------------


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

"""Who may see and run a session: the object checks every delivery route (and assessments,
results and certificates) applies.

* admin: every session;
* organizer: sessions whose unit is theirs or below (read and write);
* hr: sessions of their unit and below, read only;
* trainer: sessions where a trainer record linked to their login (by user, or by person) is on
  the agenda: read, attendance, check-in code;
* participant: sessions they are enrolled in (any status), and open sessions that take
  self-enrollment.

Anything else is a 404 (never a 403), so ids cannot be probed.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any
from uuid import UUID

import msgspec

from courses.tables import AgendaItem, CourseSession, Enrollment, Trainer
from lms.auth.caller import Caller
from lms.db import fetch_sql
from lms.shared.errors import NotFound

NOT_FOUND = "Sesi tidak ditemukan."


class SessionRecord(msgspec.Struct, frozen=True, kw_only=True):
    """A session row with its course and unit, as the checks and services use it."""

    id: UUID
    course_id: UUID
    course_code: str
    course_title: str
    course_version: int
    unit_id: UUID
    unit_name: str
    unit_path: str
    name: str
    start_date: dt.date
    end_date: dt.date
    timezone: str
    venue: str
    city: str
    online_url: str
    capacity: int
    confirmed_count: int
    enrollment_seq: int
    enroll_opens_at: dt.datetime | None
    enroll_closes_at: dt.datetime | None
    approval_required: bool
    self_enroll: bool
    status: str
    finalized_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime

    @property
    def days(self) -> list[dt.date]:
        """Every calendar day of the session, first to last."""
        count = (self.end_date - self.start_date).days + 1
        return [self.start_date + dt.timedelta(days=i) for i in range(count)]


SESSION_COLUMNS = (
    *CourseSession.all_columns(exclude=[CourseSession.course, CourseSession.unit]),
    CourseSession.course.as_alias("course_id"),
    CourseSession.course.code.as_alias("course_code"),
    CourseSession.course.title.as_alias("course_title"),
    CourseSession.unit.as_alias("unit_id"),
    CourseSession.unit.name.as_alias("unit_name"),
    CourseSession.unit.path.as_alias("unit_path"),
)


def to_record(row: dict[str, Any]) -> SessionRecord:
    """A selected row (``SESSION_COLUMNS``) as a ``SessionRecord``."""
    return msgspec.convert(row, SessionRecord, strict=False)


@functools.cache
def _session_sql() -> str:
    """``SESSION_COLUMNS`` of one session as plain SQL, built once from the table's columns.

    Why: every quiz start, autosave check, submit and result read loads its session, and
    building the Piccolo select (two joins, 27 columns) cost several times running it.
    """
    own = ", ".join(
        f's."{column._meta.db_column_name}"'
        for column in CourseSession.all_columns(exclude=[CourseSession.course, CourseSession.unit])
        if column._meta.name in SessionRecord.__struct_fields__
    )
    return (
        f"SELECT {own}, s.course AS course_id, c.code AS course_code, c.title AS course_title, "
        "s.unit AS unit_id, u.name AS unit_name, u.path AS unit_path "
        "FROM course_session s LEFT JOIN course c ON c.id = s.course "
        "LEFT JOIN unit u ON u.id = s.unit WHERE s.id = {}"
    )


async def load_session(session_id: UUID) -> SessionRecord | None:
    """The session, whoever asks (no scope check): for jobs and internal use only."""
    rows = await fetch_sql(CourseSession, _session_sql(), session_id)
    return to_record(rows[0]) if rows else None


async def trainer_ids_for(caller: Caller) -> list[UUID]:
    """Ids of the trainer records a trainer login stands for (by user link or by person)."""
    if caller.role != "trainer":
        return []
    where: Any = Trainer.user == caller.user_id
    if caller.person_id is not None:
        where = where | (Trainer.person == caller.person_id)
    return [row["id"] for row in await Trainer.select(Trainer.id).where(where)]


async def is_session_trainer(caller: Caller, session_id: UUID) -> bool:
    """True when the caller is a trainer on the session's agenda."""
    trainer_ids = await trainer_ids_for(caller)
    if not trainer_ids:
        return False
    return await AgendaItem.exists().where(
        (AgendaItem.session == session_id) & AgendaItem.trainer.is_in(trainer_ids)
    )


def manages(caller: Caller, session: SessionRecord) -> bool:
    """True when the caller may change the session (admin, or organizer of its unit scope)."""
    return caller.is_admin or (caller.role == "organizer" and caller.sees_unit(session.unit_path))


async def may_see(caller: Caller, session: SessionRecord) -> bool:
    """The read rule of the module docstring."""
    if caller.is_admin:
        return True
    if caller.role in ("organizer", "hr"):
        return caller.sees_unit(session.unit_path)
    if caller.role == "trainer":
        return await is_session_trainer(caller, session.id)
    if caller.role == "participant" and caller.person_id is not None:
        if session.status == "open" and session.self_enroll:
            return True
        return await Enrollment.exists().where(
            (Enrollment.session == session.id) & (Enrollment.person == caller.person_id)
        )
    return False


async def get_visible_session(caller: Caller, session_id: UUID) -> SessionRecord:
    """The session if the caller may see it.

    Raises:
        NotFound: unknown, or not visible to the caller.
    """
    session = await load_session(session_id)
    if session is None or not await may_see(caller, session):
        raise NotFound(NOT_FOUND)
    return session


async def get_managed_session(caller: Caller, session_id: UUID) -> SessionRecord:
    """The session if the caller may change it (admin, organizer in scope).

    Raises:
        NotFound: unknown, or not managed by the caller (also for trainers and participants
            who may read it: the route's guard answers them 403 before this is reached).
    """
    session = await load_session(session_id)
    if session is None or not manages(caller, session):
        raise NotFound(NOT_FOUND)
    return session


async def get_session_for_staff(caller: Caller, session_id: UUID) -> SessionRecord:
    """The session if the caller runs it: a managing organizer, or one of its trainers
    (attendance, check-in codes, essay grading).

    Raises:
        NotFound: unknown, or the caller is neither.
    """
    session = await load_session(session_id)
    if session is None:
        raise NotFound(NOT_FOUND)
    if manages(caller, session) or await is_session_trainer(caller, session_id):
        return session
    raise NotFound(NOT_FOUND)

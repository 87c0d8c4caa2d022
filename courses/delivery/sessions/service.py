"""Sessions (angkatan): scheduling, editing and the status life cycle.

Status moves draft → open → running → completed; any state but completed may move to
cancelled; nothing else (422). Completing a session turns its confirmed enrollments into
completed ones. A session with finalized results cannot be edited (409); a completed one only
in its name, venue, city and link; a cancelled one not at all.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import msgspec

from courses.delivery.sessions.access import (
    SESSION_COLUMNS,
    SessionRecord,
    get_managed_session,
    get_visible_session,
    to_record,
    trainer_ids_for,
)
from courses.delivery.sessions.schemas import (
    MAX_SESSION_DAYS,
    SessionCreate,
    SessionRead,
    SessionUpdate,
)
from courses.delivery.sessions.seats import promote_waitlisted
from courses.tables import AgendaItem, AttendanceMark, Course, CourseSession, Enrollment
from lms.audit import services as audit
from lms.auth.caller import Caller
from lms.db.locks import lock_row
from lms.people.database import contains_text
from lms.people.tables import Unit
from lms.shared.errors import Conflict, RuleViolation
from lms.shared.indonesian import format_date, format_date_range, timezone_label
from lms.shared.schemas import Page
from lms.shared.values import utcnow

TRANSITIONS: dict[str, frozenset[str]] = {
    "draft": frozenset({"open", "cancelled"}),
    "open": frozenset({"running", "cancelled"}),
    "running": frozenset({"completed", "cancelled"}),
    "completed": frozenset(),
    "cancelled": frozenset(),
}
"""Allowed status changes."""

_STATUS_LABELS = {
    "draft": "draf",
    "open": "dibuka",
    "running": "berjalan",
    "completed": "selesai",
    "cancelled": "dibatalkan",
}
_TEXT_FIELDS = ("name", "venue", "city", "online_url")


async def _waitlisted_counts(session_ids: list[UUID]) -> dict[UUID, int]:
    if not session_ids:
        return {}
    rows = await Enrollment.select(Enrollment.session).where(
        Enrollment.session.is_in(session_ids) & (Enrollment.status == "waitlisted")
    )
    counts: dict[UUID, int] = {}
    for row in rows:
        counts[row["session"]] = counts.get(row["session"], 0) + 1
    return counts


def session_read(session: SessionRecord, waitlisted: int) -> SessionRead:
    """The API view of a session."""
    data = msgspec.structs.asdict(session)
    data.pop("unit_path")
    data.pop("enrollment_seq")
    return SessionRead(
        **data,
        timezone_label=timezone_label(
            session.timezone, dt.datetime.combine(session.start_date, dt.time(12))
        ),
        waitlisted_count=waitlisted,
        seats_left=max(session.capacity - session.confirmed_count, 0),
    )


class SessionService:
    """Sessions for organizers (their units), trainers (their agenda) and participants."""

    async def get(self, caller: Caller, session_id: UUID) -> SessionRead:
        """One session the caller may see, else 404."""
        session = await get_visible_session(caller, session_id)
        counts = await _waitlisted_counts([session.id])
        return session_read(session, counts.get(session.id, 0))

    async def list(
        self,
        caller: Caller,
        *,
        limit: int,
        offset: int,
        status: str | None = None,
        course_id: UUID | None = None,
        mine: bool = False,
        q: str | None = None,
    ) -> Page[SessionRead]:
        """Sessions the caller may see, latest start first.

        ``mine``: for a trainer, sessions where they are on the agenda (always the case for
        trainers); for a participant, only sessions they are enrolled in (otherwise also the
        open ones they may join); for staff, sessions of their own unit only.
        """
        where = await self._scope(caller, mine)
        if where is False:
            return Page(items=[], total=0)
        clauses = [] if where is True else [where]
        if status:
            clauses.append(CourseSession.status == status)
        if course_id:
            clauses.append(CourseSession.course == course_id)
        if q:
            clauses.append(
                contains_text(CourseSession.name, q) | contains_text(CourseSession.course.title, q)
            )
        query = (
            CourseSession.select(*SESSION_COLUMNS)
            .order_by(CourseSession.start_date, ascending=False)
            .order_by(CourseSession.name)
        )
        count = CourseSession.count()
        for clause in clauses:
            query = query.where(clause)
            count = count.where(clause)
        rows = await query.limit(limit).offset(offset)
        sessions = [to_record(row) for row in rows]
        counts = await _waitlisted_counts([s.id for s in sessions])
        return Page(
            items=[session_read(s, counts.get(s.id, 0)) for s in sessions], total=await count
        )

    async def _scope(self, caller: Caller, mine: bool) -> Any:
        """A WHERE clause for the caller's sessions; True for all, False for none."""
        if caller.is_admin:
            return True
        if caller.role in ("organizer", "hr"):
            if not caller.unit_path:
                return False
            if mine:
                return CourseSession.unit == caller.unit_id
            return CourseSession.unit.path.like(f"{caller.unit_path}%")
        if caller.role == "trainer":
            trainer_ids = await trainer_ids_for(caller)
            if not trainer_ids:
                return False
            return CourseSession.id.is_in(
                AgendaItem.select(AgendaItem.session).where(AgendaItem.trainer.is_in(trainer_ids))
            )
        if caller.role == "participant" and caller.person_id is not None:
            enrolled = CourseSession.id.is_in(
                Enrollment.select(Enrollment.session).where(Enrollment.person == caller.person_id)
            )
            if mine:
                return enrolled
            joinable = (CourseSession.status == "open") & (CourseSession.self_enroll == True)  # noqa: E712
            return joinable | enrolled
        return False

    async def create(self, caller: Caller, data: SessionCreate) -> SessionRead:
        """Schedule a session of a course the caller's units own; it starts as a draft."""
        course = await (
            Course.select(
                Course.id,
                Course.version,
                Course.active,
                Course.unit,
                Course.unit.path.as_alias("unit_path"),
            )
            .where(Course.id == data.course_id)
            .first()
        )
        if course is None or not caller.sees_unit(course["unit_path"]):
            raise RuleViolation(
                "Pelatihan tidak ditemukan.",
                errors=[{"field": "course_id", "message": "tidak ditemukan"}],
            )
        if not course["active"]:
            raise RuleViolation(
                "Pelatihan ini tidak aktif.",
                errors=[{"field": "course_id", "message": "tidak aktif"}],
            )
        unit_id = data.unit_id or course["unit"]
        unit = await Unit.select(Unit.path).where(Unit.id == unit_id).first()
        if unit is None or not caller.sees_unit(unit["path"]):
            raise RuleViolation(
                "Unit penyelenggara tidak ada atau di luar cakupan Anda.",
                errors=[{"field": "unit_id", "message": "tidak ditemukan"}],
            )
        session_id = uuid4()
        now = utcnow()
        async with CourseSession._meta.db.transaction():
            await CourseSession.insert(
                CourseSession(
                    id=session_id,
                    course=data.course_id,
                    course_version=course["version"],
                    unit=unit_id,
                    name=data.name,
                    start_date=data.start_date,
                    end_date=data.end_date,
                    timezone=data.timezone,
                    venue=data.venue,
                    city=data.city,
                    online_url=data.online_url,
                    capacity=data.capacity,
                    enroll_opens_at=data.enroll_opens_at,
                    enroll_closes_at=data.enroll_closes_at,
                    approval_required=data.approval_required,
                    self_enroll=data.self_enroll,
                    status="draft",
                    confirmed_count=0,
                    enrollment_seq=0,
                    finalized_at=None,
                    rules={},
                    created_at=now,
                    updated_at=now,
                )
            )
            await audit.record(
                caller,
                "session.create",
                "session",
                session_id,
                f"{data.name}, {format_date_range(data.start_date, data.end_date)}",
                {"course_id": data.course_id, "capacity": data.capacity},
            )
        return await self.get(caller, session_id)

    async def update(self, caller: Caller, session_id: UUID, data: SessionUpdate) -> SessionRead:
        """Edit a session or move its status (see the module docstring for what is allowed).

        Raises:
            Conflict: results are finalized, or new dates leave agenda items or attendance
                outside the session.
            RuleViolation: a forbidden status change, a capacity below the confirmed seats, or
                an edit of a completed or cancelled session.
        """
        session = await get_managed_session(caller, session_id)
        if session.finalized_at is not None:
            raise Conflict("Hasil sesi ini sudah difinalisasi; sesi tidak dapat diubah.")
        changes: dict[str, Any] = {}
        for field in SessionUpdate.__struct_fields__:
            value = getattr(data, field)
            if value is not msgspec.UNSET and value != getattr(session, field):
                changes[field] = value
        if not changes:
            return await self.get(caller, session_id)
        new_status = changes.get("status")
        if new_status is not None and new_status not in TRANSITIONS[session.status]:
            raise RuleViolation(
                f"Status sesi tidak dapat diubah dari {_STATUS_LABELS[session.status]} "
                f"ke {_STATUS_LABELS[new_status]}.",
                errors=[
                    {"field": "status", "message": f"{session.status} → {new_status} tidak boleh"}
                ],
            )
        if session.status == "cancelled":
            raise RuleViolation("Sesi yang dibatalkan tidak dapat diubah.")
        if session.status == "completed":
            locked = [field for field in changes if field not in _TEXT_FIELDS]
            if locked:
                raise RuleViolation(
                    "Sesi yang sudah selesai hanya dapat diubah nama, tempat, kota dan tautannya.",
                    errors=[{"field": field, "message": "tidak dapat diubah"} for field in locked],
                )
        start = changes.get("start_date", session.start_date)
        end = changes.get("end_date", session.end_date)
        if end < start:
            raise RuleViolation(
                "Tanggal selesai tidak boleh sebelum tanggal mulai.",
                errors=[{"field": "end_date", "message": "sebelum start_date"}],
            )
        if (end - start).days >= MAX_SESSION_DAYS:
            raise RuleViolation(
                f"Sesi paling lama {MAX_SESSION_DAYS} hari.",
                errors=[{"field": "end_date", "message": "terlalu lama"}],
            )
        opens = changes.get("enroll_opens_at", session.enroll_opens_at)
        closes = changes.get("enroll_closes_at", session.enroll_closes_at)
        if opens is not None and closes is not None and closes <= opens:
            raise RuleViolation(
                "Penutupan pendaftaran harus setelah pembukaannya.",
                errors=[{"field": "enroll_closes_at", "message": "sebelum enroll_opens_at"}],
            )
        columns = {getattr(CourseSession, field): value for field, value in changes.items()}
        columns[CourseSession.updated_at] = utcnow()
        async with CourseSession._meta.db.transaction():
            await lock_row(CourseSession, session.id)
            if {"start_date", "end_date", "timezone"} & changes.keys():
                await self._check_dates_fit(
                    session.id, start, end, changes.get("timezone", session.timezone)
                )
            if "capacity" in changes:
                confirmed = await Enrollment.count().where(
                    (Enrollment.session == session.id) & (Enrollment.status == "confirmed")
                )
                if changes["capacity"] < confirmed:
                    raise RuleViolation(
                        f"Kapasitas tidak boleh di bawah {confirmed} peserta yang sudah "
                        "terkonfirmasi.",
                        errors=[{"field": "capacity", "message": f"minimal {confirmed}"}],
                    )
            await CourseSession.update(columns).where(CourseSession.id == session.id)
            if "capacity" in changes:
                await promote_waitlisted(session.id, caller)
            if new_status == "completed":
                await Enrollment.update(
                    {Enrollment.status: "completed", Enrollment.updated_at: utcnow()}
                ).where((Enrollment.session == session.id) & (Enrollment.status == "confirmed"))
            action = f"session.{new_status}" if new_status else "session.update"
            await audit.record(
                caller,
                action,
                "session",
                session.id,
                f"{session.name}: "
                + (f"status {_STATUS_LABELS[new_status]}" if new_status else "diubah"),
                {"changes": changes, "from_status": session.status},
            )
        return await self.get(caller, session_id)

    async def _check_dates_fit(
        self, session_id: UUID, start: dt.date, end: dt.date, tz_name: str
    ) -> None:
        zone = ZoneInfo(tz_name)
        items = await AgendaItem.select(
            AgendaItem.starts_at, AgendaItem.ends_at, AgendaItem.title
        ).where(AgendaItem.session == session_id)
        for item in items:
            first = item["starts_at"].astimezone(zone).date()
            last = (item["ends_at"] - dt.timedelta(microseconds=1)).astimezone(zone).date()
            if first < start or last > end:
                raise Conflict(
                    f"Acara agenda pada {format_date(first)} berada di luar tanggal baru "
                    f"{format_date_range(start, end)}; pindahkan atau hapus dulu acaranya."
                )
        marked = await (
            AttendanceMark.select(AttendanceMark.day)
            .where(
                (AttendanceMark.session == session_id)
                & ((AttendanceMark.day < start) | (AttendanceMark.day > end))
            )
            .first()
        )
        if marked is not None:
            raise Conflict(
                f"Sudah ada presensi pada {format_date(marked['day'])}, di luar tanggal baru "
                f"{format_date_range(start, end)}."
            )

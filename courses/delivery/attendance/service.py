"""Attendance per session day: bulk marking by staff, summaries and percentages.

The rule (``courses.results`` uses it for the attendance component and the minimum):

* one mark per participant per session day: ``present``, ``late``, ``excused`` or ``absent``;
* **present and late count as attended**; excused and absent do not (an excused absence is
  still an absence for the minimum-attendance rule), and a day without a mark counts as not
  attended;
* percentage = attended days / session days × 100, rounded half-up to 2 decimals, over every
  calendar day from ``start_date`` to ``end_date``.

Only participants (confirmed or completed enrollments) are marked. Marks can be made while the
session is open, running or completed, until its results are finalized.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from uuid import UUID, uuid4

from courses.delivery.attendance.schemas import (
    AttendanceMarkInput,
    AttendanceSaved,
    AttendanceSummary,
    DayMark,
    PersonAttendance,
)
from courses.delivery.enrollment.participants import PARTICIPATING
from courses.delivery.sessions.access import (
    SessionRecord,
    get_session_for_staff,
    get_visible_session,
)
from courses.delivery.sessions.frozen import refuse_if_finalized
from courses.tables import AttendanceMark, CourseSession, Enrollment
from lms.audit import services as audit
from lms.auth.caller import Caller
from lms.shared.errors import RuleViolation
from lms.shared.indonesian import format_date_range, full_name
from lms.shared.letterhead import LetterheadSource
from lms.shared.values import CENT, utcnow

ATTENDED = ("present", "late")
"""Statuses that count as attended."""


def mark_key(session_id: UUID, person_id: UUID, day: dt.date) -> str:
    """The unique ``AttendanceMark.natural_key`` of a (session, person, day)."""
    return f"{session_id}:{person_id}:{day.isoformat()}"


def percent(attended: int, days: int) -> Decimal:
    """Attended days as a percentage of the session's days, half-up to 2 decimals."""
    if days <= 0:
        return Decimal("0.00")
    return (Decimal(attended) * 100 / Decimal(days)).quantize(CENT, rounding=ROUND_HALF_UP)


def check_markable(session: SessionRecord) -> None:
    """Attendance may be recorded while the session is open, running or completed.

    Raises:
        Conflict: results are finalized (frozen).
        RuleViolation: the session is a draft or cancelled.
    """
    refuse_if_finalized(session, "presensi tidak dapat dicatat atau diubah")
    if session.status not in ("open", "running", "completed"):
        raise RuleViolation(f"Presensi tidak dapat dicatat pada sesi berstatus {session.status}.")


async def participant_ids(session_id: UUID) -> set[UUID]:
    """Person ids of the session's confirmed and completed enrollments."""
    rows = await Enrollment.select(Enrollment.person).where(
        (Enrollment.session == session_id) & Enrollment.status.is_in(list(PARTICIPATING))
    )
    return {row["person"] for row in rows}


async def session_marks(session_id: UUID) -> dict[tuple[UUID, dt.date], str]:
    """Every mark of a session: (person, day) → status."""
    rows = await AttendanceMark.select(
        AttendanceMark.person, AttendanceMark.day, AttendanceMark.status
    ).where(AttendanceMark.session == session_id)
    return {(row["person"], row["day"]): row["status"] for row in rows}


async def attendance_percentages(session_id: UUID) -> dict[UUID, Decimal]:
    """Attendance percentage of every participant of a session (see the module rule).

    People with no marks get ``Decimal("0.00")``. No scope check: call it after a visibility
    check such as :func:`courses.delivery.sessions.access.get_visible_session`.
    """
    session = (
        await CourseSession.select(CourseSession.start_date, CourseSession.end_date)
        .where(CourseSession.id == session_id)
        .first()
    )
    if session is None:
        return {}
    days = (session["end_date"] - session["start_date"]).days + 1
    attended: dict[UUID, int] = {person_id: 0 for person_id in await participant_ids(session_id)}
    for (person_id, _day), status in (await session_marks(session_id)).items():
        if person_id in attended and status in ATTENDED:
            attended[person_id] += 1
    return {person_id: percent(count, days) for person_id, count in attended.items()}


class AttendanceService:
    """Marks by organizers and the session's trainers; summaries for whoever sees the session
    (a participant sees only their own line). ``letterhead`` heads the recap's workbook with
    the office's kop (issuer profile)."""

    def __init__(self, letterhead: LetterheadSource | None = None) -> None:
        self.letterhead = letterhead

    async def mark(
        self, caller: Caller, session_id: UUID, marks: list[AttendanceMarkInput]
    ) -> AttendanceSaved:
        """Create or change marks in bulk (all or nothing).

        Raises:
            RuleViolation: a day outside the session, a person who is not a participant, or
                the same person and day twice (every bad mark is listed in ``errors``).
        """
        session = await get_session_for_staff(caller, session_id)
        check_markable(session)
        if not marks:
            return AttendanceSaved(saved=0, created=0, updated=0)
        days = set(session.days)
        people = await participant_ids(session.id)
        errors: list[dict[str, Any]] = []
        seen: set[tuple[UUID, dt.date]] = set()
        for index, mark in enumerate(marks):
            if mark.day not in days:
                errors.append(
                    {
                        "field": f"[{index}].day",
                        "message": f"{mark.day.isoformat()} di luar tanggal sesi "
                        f"({format_date_range(session.start_date, session.end_date)})",
                    }
                )
            if mark.person_id not in people:
                errors.append(
                    {"field": f"[{index}].person_id", "message": "bukan peserta sesi ini"}
                )
            if (mark.person_id, mark.day) in seen:
                errors.append(
                    {"field": f"[{index}]", "message": "orang dan hari yang sama dua kali"}
                )
            seen.add((mark.person_id, mark.day))
        if errors:
            raise RuleViolation("Sebagian presensi tidak dapat dicatat.", errors=errors)
        now = utcnow()
        created = updated = 0
        async with AttendanceMark._meta.db.transaction():
            existing = {
                row["natural_key"]: row
                for row in await AttendanceMark.select(
                    AttendanceMark.id, AttendanceMark.natural_key, AttendanceMark.status
                ).where(AttendanceMark.session == session.id)
            }
            changes: list[dict[str, str]] = []
            new_rows = []
            for mark in marks:
                key = mark_key(session.id, mark.person_id, mark.day)
                row = existing.get(key)
                if row is None:
                    new_rows.append(
                        AttendanceMark(
                            id=uuid4(),
                            session=session.id,
                            person=mark.person_id,
                            day=mark.day,
                            status=mark.status,
                            method="manual",
                            marked_by=caller.user_id,
                            marked_at=now,
                            natural_key=key,
                        )
                    )
                    created += 1
                elif row["status"] != mark.status:
                    await AttendanceMark.update(
                        {
                            AttendanceMark.status: mark.status,
                            AttendanceMark.method: "manual",
                            AttendanceMark.marked_by: caller.user_id,
                            AttendanceMark.marked_at: now,
                        }
                    ).where(AttendanceMark.id == row["id"])
                    updated += 1
                else:
                    continue
                changes.append(
                    {
                        "person_id": str(mark.person_id),
                        "day": mark.day.isoformat(),
                        "status": mark.status,
                    }
                )
            if new_rows:
                await AttendanceMark.insert(*new_rows)
            if changes:
                await audit.record(
                    caller,
                    "attendance.mark",
                    "session",
                    session.id,
                    f"{session.name}: {len(changes)} presensi dicatat",
                    {"marks": changes},
                )
        return AttendanceSaved(saved=created + updated, created=created, updated=updated)

    async def summary(self, caller: Caller, session_id: UUID) -> AttendanceSummary:
        """Every participant's marks per day, counts and percentage, by name."""
        session = await get_visible_session(caller, session_id)
        where = (Enrollment.session == session.id) & Enrollment.status.is_in(list(PARTICIPATING))
        if caller.role == "participant":
            where = where & (Enrollment.person == caller.person_id)
        people = (
            await Enrollment.select(
                Enrollment.person.as_alias("person_id"),
                Enrollment.person.name.as_alias("name"),
                Enrollment.person.front_title.as_alias("front_title"),
                Enrollment.person.back_title.as_alias("back_title"),
                Enrollment.person.nip.as_alias("nip"),
            )
            .where(where)
            .order_by(Enrollment.person.name)
        )
        marks = await session_marks(session.id)
        days = session.days
        lines = []
        for person in people:
            statuses = [marks.get((person["person_id"], day)) for day in days]
            attended = sum(1 for s in statuses if s in ATTENDED)
            lines.append(
                PersonAttendance(
                    person_id=person["person_id"],
                    full_name=full_name(
                        person["name"], person["front_title"], person["back_title"]
                    ),
                    nip=person["nip"],
                    marks=[
                        DayMark(day=day, status=s) for day, s in zip(days, statuses, strict=True)
                    ],
                    attended_days=attended,
                    late_days=statuses.count("late"),
                    excused_days=statuses.count("excused"),
                    absent_days=statuses.count("absent"),
                    unmarked_days=statuses.count(None),
                    percent=percent(attended, len(days)),
                )
            )
        return AttendanceSummary(session_id=session.id, days=days, people=lines)

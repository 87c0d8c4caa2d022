"""Enrollment: organizers add people, participants enroll themselves, withdraw and approve.

Statuses: ``requested`` (self-enrollment into a session that needs approval) → ``confirmed``
(has a seat) or ``waitlisted`` (in arrival order) → ``withdrawn``, or ``completed`` when the
session completes. Seats and the waitlist are kept by ``courses.delivery.sessions.seats``, which is
what makes capacity hold under concurrent requests. Who takes part in a session (for
attendance, quizzes and results) is read through ``courses.delivery.enrollment.participants``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

import msgspec

from courses.delivery.enrollment.schemas import (
    EnrollmentBatch,
    EnrollmentCreate,
    EnrollmentRead,
    MyEnrollment,
    Withdrawal,
)
from courses.delivery.sessions.access import (
    SessionRecord,
    get_managed_session,
    get_visible_session,
    load_session,
    manages,
)
from courses.delivery.sessions.seats import (
    CLOSED_SESSION,
    AlreadyEnrolled,
    check_open_for_organizer,
    enroll_locked,
    free_seat,
    promote_waitlisted,
    seat_or_waitlist,
)
from courses.tables import CourseSession, Enrollment
from lms.audit import services as audit
from lms.auth.caller import Caller
from lms.db.locks import lock_row
from lms.people.tables import Person
from lms.shared.errors import Conflict, Forbidden, NotFound, RuleViolation
from lms.shared.indonesian import full_name
from lms.shared.schemas import Page
from lms.shared.values import utcnow

ACTIVE = ("requested", "confirmed", "waitlisted")
"""Statuses that hold a place (or a request) in a session."""

_NOT_FOUND = "Pendaftaran tidak ditemukan."


_READ_COLUMNS = (
    Enrollment.id,
    Enrollment.session.as_alias("session_id"),
    Enrollment.person.as_alias("person_id"),
    Enrollment.status,
    Enrollment.seq,
    Enrollment.enrolled_at,
    Enrollment.updated_at,
    Enrollment.person.name.as_alias("name"),
    Enrollment.person.front_title.as_alias("front_title"),
    Enrollment.person.back_title.as_alias("back_title"),
    Enrollment.person.nip.as_alias("nip"),
    Enrollment.person.jabatan.as_alias("jabatan"),
    Enrollment.person.unit.name.as_alias("unit_name"),  # type: ignore[union-attr]
)


async def _waitlist_positions(session_id: UUID) -> dict[UUID, int]:
    rows = await (
        Enrollment.select(Enrollment.id)
        .where((Enrollment.session == session_id) & (Enrollment.status == "waitlisted"))
        .order_by(Enrollment.seq)
    )
    return {row["id"]: position for position, row in enumerate(rows, start=1)}


def _to_read(row: dict[str, Any], positions: dict[UUID, int], cls: type = EnrollmentRead) -> Any:
    return msgspec.convert(
        {
            **row,
            "full_name": full_name(row["name"], row["front_title"], row["back_title"]),
            "unit_name": row["unit_name"] or "",
            "waitlist_position": positions.get(row["id"]),
        },
        cls,
        strict=False,
    )


async def read_enrollments(session_id: UUID, ids: list[UUID]) -> list[EnrollmentRead]:
    """Enrollments by id, in arrival order, with waitlist positions."""
    if not ids:
        return []
    rows = (
        await Enrollment.select(*_READ_COLUMNS)
        .where(Enrollment.id.is_in(ids))
        .order_by(Enrollment.seq)
    )
    positions = await _waitlist_positions(session_id)
    return [_to_read(row, positions) for row in rows]


def _check_self_enrollment(session: SessionRecord, now: dt.datetime) -> None:
    if session.status != "open" or not session.self_enroll:
        raise RuleViolation("Sesi ini tidak menerima pendaftaran mandiri saat ini.")
    if session.enroll_opens_at is not None and now < session.enroll_opens_at:
        raise RuleViolation("Pendaftaran sesi ini belum dibuka.")
    if session.enroll_closes_at is not None and now >= session.enroll_closes_at:
        raise RuleViolation("Pendaftaran sesi ini sudah ditutup.")


def _batch(items: list[EnrollmentRead]) -> EnrollmentBatch:
    return EnrollmentBatch(
        items=items,
        total=len(items),
        confirmed=sum(1 for e in items if e.status == "confirmed"),
        waitlisted=sum(1 for e in items if e.status == "waitlisted"),
        requested=sum(1 for e in items if e.status == "requested"),
    )


class EnrollmentService:
    """Enrollments for organizers (any person, bulk) and participants (themselves)."""

    async def create(
        self, caller: Caller, session_id: UUID, data: EnrollmentCreate | None
    ) -> EnrollmentBatch:
        """Enroll people: organizers name them, a participant enrolls themself.

        Raises:
            Conflict: someone is enrolled already (nothing is written then).
            RuleViolation: the session does not take these enrollments now.
        """
        person_ids = list(dict.fromkeys(data.person_ids if data else []))
        if caller.role == "participant":
            return await self._self_enroll(caller, session_id, person_ids)
        session = await get_managed_session(caller, session_id)
        check_open_for_organizer(session)
        if not person_ids:
            raise RuleViolation(
                "Pilih orang yang akan didaftarkan.",
                errors=[{"field": "person_ids", "message": "wajib diisi"}],
            )
        known = {
            row["id"]: row
            for row in await Person.select(
                Person.id, Person.name, Person.front_title, Person.back_title
            ).where(Person.id.is_in(person_ids))
        }
        unknown = [str(p) for p in person_ids if p not in known]
        if unknown:
            raise RuleViolation(
                "Sebagian orang tidak ditemukan.",
                errors=[{"field": "person_ids", "message": f"tidak ada: {', '.join(unknown)}"}],
            )
        created: list[UUID] = []
        async with Enrollment._meta.db.transaction():
            await lock_row(CourseSession, session.id)
            try:
                for person_id in person_ids:
                    enrollment_id, _ = await enroll_locked(
                        session, person_id, request_only=False, actor=caller
                    )
                    created.append(enrollment_id)
            except AlreadyEnrolled as exc:
                person = known[exc.person_id]
                name = full_name(person["name"], person["front_title"], person["back_title"])
                raise Conflict(
                    f"{name} sudah terdaftar di {session.name} (status {exc.status}).",
                    errors=[{"field": "person_ids", "message": f"{exc.person_id} sudah terdaftar"}],
                ) from None
        return _batch(await read_enrollments(session.id, created))

    async def _self_enroll(
        self, caller: Caller, session_id: UUID, person_ids: list[UUID]
    ) -> EnrollmentBatch:
        if caller.person_id is None:
            raise RuleViolation("Akun Anda belum ditautkan ke data pegawai.")
        if person_ids and person_ids != [caller.person_id]:
            raise Forbidden("Peserta hanya dapat mendaftarkan dirinya sendiri.")
        session = await get_visible_session(caller, session_id)
        _check_self_enrollment(session, utcnow())
        async with Enrollment._meta.db.transaction():
            await lock_row(CourseSession, session.id)
            try:
                enrollment_id, _ = await enroll_locked(
                    session,
                    caller.person_id,
                    request_only=session.approval_required,
                    actor=caller,
                )
            except AlreadyEnrolled as exc:
                raise Conflict(
                    f"Anda sudah terdaftar di {session.name} (status {exc.status})."
                ) from None
        return _batch(await read_enrollments(session.id, [enrollment_id]))

    async def for_session(
        self,
        caller: Caller,
        session_id: UUID,
        *,
        status: str | None,
        limit: int,
        offset: int,
    ) -> Page[EnrollmentRead]:
        """Enrollments of a session in arrival order; a participant sees only their own."""
        session = await get_visible_session(caller, session_id)
        where: Any = Enrollment.session == session.id
        if caller.role == "participant":
            where = where & (Enrollment.person == caller.person_id)
        if status:
            where = where & (Enrollment.status == status)
        rows = await (
            Enrollment.select(*_READ_COLUMNS)
            .where(where)
            .order_by(Enrollment.seq)
            .limit(limit)
            .offset(offset)
        )
        total = await Enrollment.count().where(where)
        positions = await _waitlist_positions(session.id)
        return Page(items=[_to_read(row, positions) for row in rows], total=total)

    async def mine(self, caller: Caller) -> list[MyEnrollment]:
        """The caller's own enrollments in every session, newest session first."""
        if caller.person_id is None:
            return []
        rows = await (
            Enrollment.select(
                *_READ_COLUMNS,
                Enrollment.session.name.as_alias("session_name"),
                Enrollment.session.status.as_alias("session_status"),
                Enrollment.session.course.title.as_alias("course_title"),  # type: ignore[union-attr]
                Enrollment.session.start_date.as_alias("start_date"),
                Enrollment.session.end_date.as_alias("end_date"),
            )
            .where(Enrollment.person == caller.person_id)
            .order_by(Enrollment.session.start_date, ascending=False)
        )
        items = []
        for row in rows:
            positions = (
                await _waitlist_positions(row["session_id"])
                if row["status"] == "waitlisted"
                else {}
            )
            items.append(_to_read(row, positions, MyEnrollment))
        return items

    async def my_enrollment(self, caller: Caller, session_id: UUID) -> MyEnrollment:
        """The caller's own place in one session (the participant's session pages).

        Raises:
            NotFound: the caller holds no place in it, or withdrew (as for a stranger).
        """
        for item in await self.mine(caller):
            if item.session_id == session_id and item.status != "withdrawn":
                return item
        raise NotFound("Sesi tidak ditemukan.")

    async def _load(self, caller: Caller, enrollment_id: UUID) -> tuple[dict, SessionRecord]:
        row = (
            await Enrollment.select(
                Enrollment.id, Enrollment.session, Enrollment.person, Enrollment.status
            )
            .where(Enrollment.id == enrollment_id)
            .first()
        )
        if row is None:
            raise NotFound(_NOT_FOUND)
        session = await load_session(row["session"])
        if session is None:
            raise NotFound(_NOT_FOUND)
        own = caller.role == "participant" and caller.is_person(row["person"])
        if not own and not manages(caller, session):
            raise NotFound(_NOT_FOUND)
        return row, session

    async def read(self, caller: Caller, enrollment_id: UUID) -> EnrollmentRead:
        """One enrollment the caller may see (their own, or one they manage).

        Raises:
            NotFound: neither the caller's own enrollment nor one they manage.
        """
        _, session = await self._load(caller, enrollment_id)
        return (await read_enrollments(session.id, [enrollment_id]))[0]

    async def withdraw(
        self, caller: Caller, enrollment_id: UUID, reason: str | None = None
    ) -> Withdrawal:
        """Withdraw an enrollment; a freed seat goes to the first waitlisted person.

        ``reason`` (the organizer's, or the participant's own words) is kept in the audit log.

        Raises:
            NotFound: not the caller's own enrollment, nor one they manage.
            Conflict: already withdrawn.
            RuleViolation: completed, or the session is over.
        """
        row, session = await self._load(caller, enrollment_id)
        if session.status in CLOSED_SESSION or session.finalized_at is not None:
            raise RuleViolation(f"Sesi berstatus {session.status}: pendaftaran tidak dapat diubah.")
        async with Enrollment._meta.db.transaction():
            await lock_row(CourseSession, session.id)
            current = (
                await Enrollment.select(Enrollment.status)
                .where(Enrollment.id == enrollment_id)
                .first()
            )
            status = current["status"] if current else "withdrawn"
            if status == "withdrawn":
                raise Conflict("Pendaftaran ini sudah dibatalkan.")
            if status == "completed":
                raise RuleViolation("Peserta yang sudah menyelesaikan sesi tidak dapat mundur.")
            # A post-test excusal (courses.results.excusals) ends with the place: someone
            # enrolled again is excused again only if the organizer says so.
            await Enrollment.update(
                {
                    Enrollment.status: "withdrawn",
                    Enrollment.post_test_excuse: "",
                    Enrollment.updated_at: utcnow(),
                }
            ).where(Enrollment.id == enrollment_id)
            await audit.record(
                caller,
                "enrollment.withdraw",
                "enrollment",
                enrollment_id,
                f"{session.name}: mundur" + (f" ({reason})" if reason else ""),
                {
                    "session_id": session.id,
                    "person_id": row["person"],
                    "from": status,
                    "reason": reason,
                },
            )
            promoted: list[UUID] = []
            if status == "confirmed":
                await free_seat(session.id)
                promoted = await promote_waitlisted(session.id, caller)
        withdrawn = (await read_enrollments(session.id, [enrollment_id]))[0]
        moved = await read_enrollments(session.id, promoted)
        return Withdrawal(enrollment=withdrawn, promoted=moved[0] if moved else None)

    async def approve(self, caller: Caller, enrollment_id: UUID) -> EnrollmentRead:
        """Approve a requested enrollment: a seat if one is free, else the waitlist.

        Raises:
            RuleViolation: the enrollment is not a request, or the session is over.
        """
        row, session = await self._load(caller, enrollment_id)
        if not manages(caller, session):
            raise NotFound(_NOT_FOUND)
        check_open_for_organizer(session)
        async with Enrollment._meta.db.transaction():
            await lock_row(CourseSession, session.id)
            current = (
                await Enrollment.select(Enrollment.status)
                .where(Enrollment.id == enrollment_id)
                .first()
            )
            if current is None or current["status"] != "requested":
                raise RuleViolation(
                    "Hanya permintaan pendaftaran yang dapat disetujui "
                    f"(status sekarang: {current['status'] if current else '-'})."
                )
            status = await seat_or_waitlist(session.id)
            await Enrollment.update(
                {Enrollment.status: status, Enrollment.updated_at: utcnow()}
            ).where(Enrollment.id == enrollment_id)
            await audit.record(
                caller,
                "enrollment.approve",
                "enrollment",
                enrollment_id,
                f"{session.name}: disetujui ({status})",
                {"session_id": session.id, "person_id": row["person"], "status": status},
            )
        return (await read_enrollments(session.id, [enrollment_id]))[0]

"""Seats and the waitlist of a session: the counters that hold capacity under concurrency.

Every function here runs inside a transaction that holds
:func:`lms.db.locks.lock_row` on the session (on SQLite write transactions are serialized
anyway). The arrival number comes from an atomic
``UPDATE course_session SET enrollment_seq = enrollment_seq + 1 ... RETURNING``, and a seat is
taken only through ``UPDATE ... SET confirmed_count = confirmed_count + 1 WHERE
confirmed_count < capacity RETURNING``: a request that finds no seat is waitlisted with its
arrival number, and a freed seat goes to the waitlisted enrollment with the lowest number in
the same transaction. So ``confirmed_count`` always equals the confirmed enrollments and never
exceeds the capacity, and the waitlist moves up in the order people came.
"""

from __future__ import annotations

from uuid import UUID, uuid4

from courses.delivery.sessions.access import SessionRecord
from courses.tables import CourseSession, Enrollment
from lms.audit import services as audit
from lms.auth.caller import Caller
from lms.shared.errors import RuleViolation
from lms.shared.values import utcnow

CLOSED_SESSION = ("completed", "cancelled")
"""Session statuses that take no more enrollments."""


def natural_key(session_id: UUID, person_id: UUID) -> str:
    """The unique ``Enrollment.natural_key`` of a (session, person) pair."""
    return f"{session_id}:{person_id}"


async def next_seq(session_id: UUID) -> int:
    """Take the session's next arrival number."""
    rows = await CourseSession.raw(
        "UPDATE course_session SET enrollment_seq = enrollment_seq + 1 WHERE id = {} "
        "RETURNING enrollment_seq",
        session_id,
    )
    return int(rows[0]["enrollment_seq"])


async def take_seat(session_id: UUID) -> bool:
    """Take a seat if one is free; False when the session is full."""
    rows = await CourseSession.raw(
        "UPDATE course_session SET confirmed_count = confirmed_count + 1 "
        "WHERE id = {} AND confirmed_count < capacity RETURNING confirmed_count",
        session_id,
    )
    return bool(rows)


async def free_seat(session_id: UUID) -> None:
    """Give a confirmed seat back (the caller then promotes from the waitlist)."""
    await CourseSession.raw(
        "UPDATE course_session SET confirmed_count = confirmed_count - 1 "
        "WHERE id = {} AND confirmed_count > 0",
        session_id,
    )


async def seat_or_waitlist(session_id: UUID) -> str:
    """``confirmed`` when a seat was taken, else ``waitlisted``."""
    return "confirmed" if await take_seat(session_id) else "waitlisted"


async def promote_waitlisted(session_id: UUID, actor: Caller | None) -> list[UUID]:
    """Move waitlisted enrollments (lowest arrival number first) into free seats.

    Call inside a transaction that holds :func:`lms.db.locks.lock_row` on the session. Returns the
    promoted ids.
    """
    promoted: list[UUID] = []
    while True:
        candidate = await (
            Enrollment.select(Enrollment.id, Enrollment.person)
            .where((Enrollment.session == session_id) & (Enrollment.status == "waitlisted"))
            .order_by(Enrollment.seq)
            .first()
        )
        if candidate is None or not await take_seat(session_id):
            return promoted
        await Enrollment.update(
            {Enrollment.status: "confirmed", Enrollment.updated_at: utcnow()}
        ).where(Enrollment.id == candidate["id"])
        await audit.record(
            actor,
            "enrollment.promote",
            "enrollment",
            candidate["id"],
            "naik dari daftar tunggu",
            {"session_id": session_id, "person_id": candidate["person"], "status": "confirmed"},
        )
        promoted.append(candidate["id"])


class AlreadyEnrolled(Exception):
    """The person holds a place (or a completed one) in the session already."""

    def __init__(self, person_id: UUID, status: str) -> None:
        super().__init__(f"{person_id} already {status}")
        self.person_id = person_id
        self.status = status


async def enroll_locked(
    session: SessionRecord, person_id: UUID, *, request_only: bool, actor: Caller | None
) -> tuple[UUID, str]:
    """Enroll one person; call inside a transaction holding :func:`lms.db.locks.lock_row` on the
    session.

    A withdrawn enrollment is reopened (with a new arrival number) rather than duplicated.

    Returns:
        The enrollment id and its status (``requested``, ``confirmed`` or ``waitlisted``).

    Raises:
        AlreadyEnrolled: the person holds a place (or completed the session) already.
    """
    key = natural_key(session.id, person_id)
    existing = (
        await Enrollment.select(Enrollment.id, Enrollment.status)
        .where(Enrollment.natural_key == key)
        .first()
    )
    if existing is not None and existing["status"] != "withdrawn":
        raise AlreadyEnrolled(person_id, existing["status"])
    seq = await next_seq(session.id)
    status = "requested" if request_only else await seat_or_waitlist(session.id)
    now = utcnow()
    if existing is None:
        enrollment_id = uuid4()
        await Enrollment.insert(
            Enrollment(
                id=enrollment_id,
                session=session.id,
                person=person_id,
                status=status,
                seq=seq,
                enrolled_at=now,
                updated_at=now,
                natural_key=key,
            )
        )
    else:
        enrollment_id = existing["id"]
        await Enrollment.update(
            {
                Enrollment.status: status,
                Enrollment.seq: seq,
                Enrollment.enrolled_at: now,
                Enrollment.updated_at: now,
            }
        ).where(Enrollment.id == enrollment_id)
    await audit.record(
        actor,
        "enrollment.create",
        "enrollment",
        enrollment_id,
        f"{session.name}: {status}",
        {"session_id": session.id, "person_id": person_id, "status": status, "seq": seq},
    )
    return enrollment_id, status


def check_open_for_organizer(session: SessionRecord) -> None:
    """Organizers enroll until the session completes or is cancelled.

    Raises:
        RuleViolation: the session is completed, cancelled or finalized.
    """
    if session.status in CLOSED_SESSION or session.finalized_at is not None:
        raise RuleViolation(
            f"Sesi berstatus {session.status}: peserta tidak dapat ditambahkan lagi."
        )

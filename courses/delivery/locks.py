"""Row and advisory locks that order concurrent writers of a session, on both engines.

SQLite needs none of this: our engine begins every transaction ``IMMEDIATE`` and runs one write
transaction at a time. PostgreSQL runs transactions side by side, so a transaction that reads
and then decides (who gets the last seat, who moves up from the waitlist, whether an agenda
slot is free) first takes a lock, which makes the decisions happen one after the other.
"""

from __future__ import annotations

import sqlite3
from uuid import UUID

from courses.delivery.tables import CourseSession

# Any fixed 64-bit key shared by every agenda writer ("AGND").
_AGENDA_LOCK_KEY = 0x41474E44


def is_postgres() -> bool:
    """True when the delivery tables are bound to a PostgreSQL engine."""
    return CourseSession._meta.db.engine_type == "postgres"


def is_unique_violation(exc: BaseException) -> bool:
    """True when ``exc`` is a unique-constraint violation on SQLite or PostgreSQL."""
    if isinstance(exc, sqlite3.IntegrityError):
        return "UNIQUE" in str(exc).upper()
    import asyncpg

    return isinstance(exc, asyncpg.exceptions.UniqueViolationError)


async def lock_session(session_id: UUID) -> None:
    """Lock the session row until the transaction ends (call first inside it).

    Every change of seats and waitlist takes this lock, so on PostgreSQL they queue per
    session exactly as every write queues on SQLite.
    """
    if is_postgres():
        await CourseSession.raw(
            "SELECT id FROM course_session WHERE id = {} FOR UPDATE", session_id
        )


async def lock_agenda() -> None:
    """Serialize agenda writes, which check clashes across every session (trainers and rooms
    are shared), so two concurrent bookings cannot both see a free slot."""
    if is_postgres():
        await CourseSession.raw("SELECT pg_advisory_xact_lock({})", _AGENDA_LOCK_KEY)

"""What a finalized session refuses, and where a correction goes instead.

Finalize freezes the results with the attendance, attempts and marks they were computed from.
A change to those inputs afterwards answered 200 and changed nothing (an essay graded after
finalize, a re-graded auto-graded answer, a mark for a later day), so every such write answers
409 naming the route that does change a frozen result: the amendment.
"""

from __future__ import annotations

import datetime as dt
from uuid import UUID
from zoneinfo import ZoneInfo

from courses.delivery.sessions.access import SessionRecord
from lms.shared.errors import Conflict

AMENDMENT_ROUTE = "POST /api/v1/sessions/{session_id}/results/{person_id}/amend"


def finalized_conflict(session_id: UUID, what: str) -> Conflict:
    """The 409 for ``what`` ("presensi tidak dapat diubah") on a finalized session.

    The problem carries ``amendment_route`` with the session filled in, so a client can lead
    the user to the correction that counts.
    """
    route = AMENDMENT_ROUTE.replace("{session_id}", str(session_id))
    return Conflict(
        f"Hasil sesi ini sudah difinalisasi; {what}. Koreksi hasil peserta dilakukan melalui "
        f"amandemen hasil: {route}.",
        extra={"amendment_route": route},
    )


def refuse_if_finalized(session: SessionRecord, what: str) -> None:
    """Raise :func:`finalized_conflict` when the session's results are finalized."""
    if session.finalized_at is not None:
        raise finalized_conflict(session.id, what)


def local_today(session: SessionRecord, now: dt.datetime | None = None) -> dt.date:
    """Today where the session is held (its own time zone, not the server's or UTC)."""
    moment = now or dt.datetime.now(dt.UTC)
    return moment.astimezone(ZoneInfo(session.timezone)).date()


def has_ended(session: SessionRecord, now: dt.datetime | None = None) -> bool:
    """Whether the session's last day is over in its time zone."""
    return local_today(session, now) > session.end_date

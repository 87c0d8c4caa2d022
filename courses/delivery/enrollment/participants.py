"""Who takes part in a session: the confirmed and completed enrollments, in arrival order.

Read by attendance, the sign-in sheet, quizzes, evaluations, learning gain and results; kept
apart from ``enrollment`` (which changes enrollments) so those readers depend on this query only.
"""

from __future__ import annotations

from uuid import UUID

import msgspec

from courses.tables import Enrollment
from lms.shared.indonesian import full_name

PARTICIPATING = ("confirmed", "completed")
"""Statuses of the people who take part (and get attendance, results, certificates)."""


class Participant(msgspec.Struct, frozen=True, kw_only=True):
    """A person taking part in a session, for results and certificates."""

    enrollment_id: UUID
    person_id: UUID
    status: str
    seq: int
    name: str
    front_title: str
    back_title: str
    nip: str | None

    @property
    def full_name(self) -> str:
        """The name with titles."""
        return full_name(self.name, self.front_title, self.back_title)


async def session_participants(session_id: UUID) -> list[Participant]:
    """Confirmed and completed enrollments of a session, in arrival order (no scope check:
    call it after :func:`courses.delivery.sessions.access.get_visible_session`)."""
    rows = await (
        Enrollment.select(
            Enrollment.id.as_alias("enrollment_id"),
            Enrollment.person.as_alias("person_id"),
            Enrollment.status,
            Enrollment.seq,
            Enrollment.person.name.as_alias("name"),
            Enrollment.person.front_title.as_alias("front_title"),
            Enrollment.person.back_title.as_alias("back_title"),
            Enrollment.person.nip.as_alias("nip"),
        )
        .where((Enrollment.session == session_id) & Enrollment.status.is_in(list(PARTICIPATING)))
        .order_by(Enrollment.seq)
    )
    return msgspec.convert(rows, list[Participant])

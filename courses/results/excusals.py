"""Excusing a participant from the post-test before finalize, one person at a time.

A participant who was sick on the last day, with a letter, will never hand in the post-test;
the finalize checklist waits for them until the organizer excuses them. Finalize could already
take ``excused`` in its request, but only all at once at the moment of finalizing: an excusal
written the day the letter arrives is kept on the person's enrollment
(``Enrollment.post_test_excuse``, the reason; empty when not excused), audited, shown by the
checklist (``courses.results.readiness``) and carried by finalize onto the person's result note.
Excusing does not change a score: a missing post-test counts 0 as before, and a post-test
handed in after all counts as handed in.
"""

from __future__ import annotations

from uuid import UUID

from courses.delivery.enrollment.participants import session_participants
from courses.delivery.sessions.access import SessionRecord, get_managed_session
from courses.delivery.sessions.frozen import refuse_if_finalized
from courses.results.schemas import ExcusalCreate, ExcusalRead
from courses.tables import CourseSession, Enrollment
from lms.audit import services as audit
from lms.auth.caller import Caller
from lms.db.locks import lock_row
from lms.shared.errors import NotFound
from lms.shared.values import utcnow

_NOT_A_PARTICIPANT = "Peserta tidak ditemukan di sesi ini."


async def stored_excusals(session_id: UUID) -> dict[UUID, str]:
    """Each excused participant of the session with the written reason."""
    rows = await Enrollment.select(Enrollment.person, Enrollment.post_test_excuse).where(
        (Enrollment.session == session_id) & (Enrollment.post_test_excuse != "")
    )
    return {row["person"]: row["post_test_excuse"] for row in rows}


async def _participant(session: SessionRecord, person_id: UUID) -> tuple[UUID, str]:
    for p in await session_participants(session.id):
        if p.person_id == person_id:
            return p.enrollment_id, p.full_name
    raise NotFound(_NOT_A_PARTICIPANT)


class ExcusalService:
    """``/api/v1/sessions/{id}/results/excusals/{person_id}`` for the session's organizers."""

    async def excuse(
        self, caller: Caller, session_id: UUID, person_id: UUID, data: ExcusalCreate
    ) -> ExcusalRead:
        """Excuse a participant from the post-test with a reason (a second call rewrites it).

        Raises:
            NotFound: the session is not the caller's, or the person does not take part in it.
            Conflict: the session is finalized already.
        """
        session = await get_managed_session(caller, session_id)
        refuse_if_finalized(session, "pembebasan post-test tidak dapat diubah")
        enrollment_id, name = await _participant(session, person_id)
        async with Enrollment._meta.db.transaction():
            await lock_row(CourseSession, session.id)
            await Enrollment.update(
                {Enrollment.post_test_excuse: data.reason, Enrollment.updated_at: utcnow()}
            ).where(Enrollment.id == enrollment_id)
            await audit.record(
                caller,
                "enrollment.post_test_excuse",
                "enrollment",
                enrollment_id,
                f"{name}: dibebaskan dari post-test: {data.reason}",
                {"session_id": session.id, "person_id": person_id, "reason": data.reason},
            )
        return ExcusalRead(person_id=person_id, name=name, reason=data.reason)

    async def withdraw(self, caller: Caller, session_id: UUID, person_id: UUID) -> None:
        """Take an excusal back (the checklist waits for the post-test again).

        Raises:
            NotFound: not the caller's session, not a participant, or not excused.
            Conflict: the session is finalized already.
        """
        session = await get_managed_session(caller, session_id)
        refuse_if_finalized(session, "pembebasan post-test tidak dapat diubah")
        enrollment_id, name = await _participant(session, person_id)
        async with Enrollment._meta.db.transaction():
            await lock_row(CourseSession, session.id)
            row = (
                await Enrollment.select(Enrollment.post_test_excuse)
                .where(Enrollment.id == enrollment_id)
                .first()
            )
            if row is None or not row["post_test_excuse"]:
                raise NotFound("Peserta ini tidak sedang dibebaskan dari post-test.")
            await Enrollment.update(
                {Enrollment.post_test_excuse: "", Enrollment.updated_at: utcnow()}
            ).where(Enrollment.id == enrollment_id)
            await audit.record(
                caller,
                "enrollment.post_test_excuse_withdraw",
                "enrollment",
                enrollment_id,
                f"{name}: pembebasan post-test dibatalkan",
                {
                    "session_id": session.id,
                    "person_id": person_id,
                    "reason": row["post_test_excuse"],
                },
            )

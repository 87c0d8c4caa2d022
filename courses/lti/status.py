"""What the organizer sees of a session's scores on their way to LMS gradebooks: one line per
person and line item (final or quiz), its status (``pending``: queued or being retried,
``sent``, ``failed``: the job gave up), the platform's last answer and the number of tries; and
"send again", which queues what is not sent."""

from __future__ import annotations

import datetime as dt
from uuid import UUID

from courses.delivery.sessions.access import get_managed_session
from courses.lti import delivery
from courses.tables import Quiz
from lms.auth.caller import Caller
from lms.config import Settings
from lms.lti.tables import LtiResourceLink, LtiScore
from lms.people.tables import Person
from lms.shared.schemas import Output

STATUSES = ("pending", "sent", "failed")


class ScoreStatus(Output):
    """One score delivery."""

    id: UUID
    person_id: UUID
    name: str
    course: str  # the LMS course (context) title
    item: str  # "Nilai akhir" or the quiz's title
    score_given: str
    status: str
    error: str
    tries: int
    updated_at: dt.datetime


class ScoreStatusList(Output):
    """A session's score deliveries with counts per status."""

    pending: int
    sent: int
    failed: int
    items: list[ScoreStatus]

    @property
    def line(self) -> str:
        """One Indonesian line for the session's page (empty when nothing was sent)."""
        if not self.items:
            return ""
        text = f"Nilai ke LMS: {self.sent} terkirim"
        if self.pending:
            text += f", {self.pending} menunggu"
        if self.failed:
            text += f", {self.failed} gagal"
        return text + "."


async def score_statuses(caller: Caller, session_id: UUID) -> ScoreStatusList:
    """Every score delivery of the session (404 for a session the caller does not manage)."""
    session = await get_managed_session(caller, session_id)
    rows = (
        await LtiScore.select(
            LtiScore.id,
            LtiScore.person_id,
            LtiScore.link,
            LtiScore.quiz_id,
            LtiScore.score_given,
            LtiScore.status,
            LtiScore.error,
            LtiScore.tries,
            LtiScore.sent_at,
        )
        .where(LtiScore.session_id == session.id)
        .order_by(LtiScore.sent_at, ascending=False)
    )
    people = {
        p["id"]: p["name"]
        for p in await Person.select(Person.id, Person.name).where(
            Person.id.is_in([r["person_id"] for r in rows] or [UUID(int=0)])
        )
    }
    links = {
        link["id"]: link["context_title"]
        for link in await LtiResourceLink.select(
            LtiResourceLink.id, LtiResourceLink.context_title
        ).where(LtiResourceLink.id.is_in([r["link"] for r in rows] or [UUID(int=0)]))
    }
    quizzes = {
        q["id"]: q["title"]
        for q in await Quiz.select(Quiz.id, Quiz.title).where(Quiz.session == session.id)
    }
    items = [
        ScoreStatus(
            id=r["id"],
            person_id=r["person_id"],
            name=people.get(r["person_id"], ""),
            course=links.get(r["link"], ""),
            item=quizzes.get(r["quiz_id"], "Kuis") if r["quiz_id"] else "Nilai akhir",
            score_given=r["score_given"],
            status=r["status"],
            error=r["error"],
            tries=r["tries"],
            updated_at=r["sent_at"],
        )
        for r in rows
    ]
    counts = {s: sum(1 for i in items if i.status == s) for s in STATUSES}
    return ScoreStatusList(items=items, **counts)


async def resend(caller: Caller, session_id: UUID, settings: Settings) -> UUID | None:
    """Queue every score of the session that the platform does not have yet; the job id, or
    None when everything was sent."""
    session = await get_managed_session(caller, session_id)
    rows = await LtiScore.select(LtiScore.id).where(
        (LtiScore.session_id == session.id) & (LtiScore.status != "sent")
    )
    ids = [r["id"] for r in rows]
    if ids:
        await LtiScore.update({LtiScore.status: "pending"}).where(LtiScore.id.is_in(ids))
    return await delivery.queue(ids, settings, actor=caller)

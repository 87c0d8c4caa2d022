"""Final scores to the LMS gradebook (AGS 2.0): after finalize, each participant's final score
goes to the placement's line item, as ``Completed`` / ``FullyGraded`` with the finalization time
as the score's timestamp. What was sent is remembered per person and line item, so sending again
sends only what changed; a refusal is kept with its reason and sent again next time."""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID, uuid4

from courses.delivery.sessions.access import get_managed_session
from courses.lti.roster import tied_link
from courses.tables import Result
from lms.audit import services as audit
from lms.auth.caller import Caller
from lms.auth.tables import User
from lms.lti.services import ServiceClient, ServiceError
from lms.lti.tables import LtiIdentity, LtiScore
from lms.shared.errors import BadRequest, RuleViolation
from lms.shared.schemas import Output
from lms.shared.values import cents


class ScoreRow(Output):
    """One participant's score delivery."""

    person_id: UUID
    score_given: str
    outcome: str  # sent, unchanged, failed, skipped
    reason: str = ""


class ScoreReport(Output):
    """What a score passback did."""

    sent: int
    unchanged: int
    failed: int
    skipped: int
    rows: list[ScoreRow]


async def _subs(link_platform: UUID, person_ids: list[UUID]) -> dict[UUID, str]:
    """The platform user id of each person who launched Prima from that platform."""
    if not person_ids:
        return {}
    users = await User.select(User.id, User.person).where(User.person.is_in(person_ids))
    by_user = {u["id"]: u["person"] for u in users}
    if not by_user:
        return {}
    links = await LtiIdentity.select(LtiIdentity.user, LtiIdentity.sub).where(
        (LtiIdentity.platform == link_platform) & LtiIdentity.user.is_in(list(by_user))
    )
    return {by_user[row["user"]]: row["sub"] for row in links}


async def send_final_scores(
    caller: Caller, session_id: UUID, link_id: UUID, client: ServiceClient
) -> ScoreReport:
    """Send every finalized result of the session to the placement's line item."""
    session = await get_managed_session(caller, session_id)
    link, platform = await tied_link(session.id, link_id, tie=True)
    if not link["lineitem_url"]:
        raise BadRequest("Penempatan LMS ini tidak punya kolom nilai (AGS line item).")
    results = await Result.select(
        Result.person, Result.final_score, Result.finalized_at, Result.predikat
    ).where((Result.session == session.id) & Result.finalized_at.is_not_null())
    if not results:
        raise RuleViolation("Hasil sesi belum difinalisasi; nilai belum dapat dikirim.")
    subs = await _subs(platform["id"], [r["person"] for r in results])
    previous = {
        row["person_id"]: row for row in await LtiScore.select().where(LtiScore.link == link["id"])
    }
    rows: list[ScoreRow] = []
    for result in results:
        person_id = result["person"]
        given = str(cents(result["final_score"]))
        sub = subs.get(person_id)
        if sub is None:
            rows.append(
                ScoreRow(
                    person_id=person_id,
                    score_given=given,
                    outcome="skipped",
                    reason="peserta belum pernah masuk Prima dari LMS ini",
                )
            )
            continue
        before = previous.get(person_id)
        if before and before["status"] == "sent" and before["score_given"] == given:
            rows.append(ScoreRow(person_id=person_id, score_given=given, outcome="unchanged"))
            continue
        score = {
            "userId": sub,
            "scoreGiven": float(given),
            "scoreMaximum": 100,
            "activityProgress": "Completed",
            "gradingProgress": "FullyGraded",
            "timestamp": result["finalized_at"].astimezone(dt.UTC).isoformat(),
            "comment": result["predikat"],
        }
        status, reason = "sent", ""
        try:
            await client.post_score(platform, link["lineitem_url"], score)
        except ServiceError as exc:
            status, reason = "failed", str(exc)[:500]
        values: dict[Any, Any] = {
            LtiScore.score_given: given,
            LtiScore.status: status,
            LtiScore.error: reason,
            LtiScore.sent_at: dt.datetime.now(dt.UTC),
        }
        if before:
            await LtiScore.update(values).where(LtiScore.id == before["id"])
        else:
            await LtiScore.insert(
                LtiScore(
                    id=uuid4(),
                    natural_key=f"{link['id']} {person_id}",
                    link=link["id"],
                    person_id=person_id,
                    score_given=given,
                    status=status,
                    error=reason,
                    sent_at=values[LtiScore.sent_at],
                )
            )
        rows.append(ScoreRow(person_id=person_id, score_given=given, outcome=status, reason=reason))
    counts = {
        o: sum(1 for r in rows if r.outcome == o)
        for o in ("sent", "unchanged", "failed", "skipped")
    }
    await audit.record(
        caller,
        "result.lti_scores",
        "session",
        session.id,
        f"{session.name}: nilai ke LMS ({counts['sent']} terkirim, {counts['failed']} gagal)",
        counts,
    )
    return ScoreReport(rows=rows, **counts)

"""Final scores to the LMS gradebook (AGS 2.0): after finalize, each participant's final score
goes to the placement's line item, as ``Completed`` / ``FullyGraded`` with the finalization time
as the score's timestamp. What was sent is remembered per person and line item, so sending again
sends only what changed; a refusal is reported with its reason and retried by the ``lti.scores``
job with backoff (``courses.lti.delivery``)."""

from __future__ import annotations

from uuid import UUID

from courses.delivery.sessions.access import get_managed_session
from courses.lti import delivery
from courses.lti.roster import tied_link
from courses.tables import Result
from lms.audit import services as audit
from lms.auth.caller import Caller
from lms.lti.services import ServiceClient
from lms.lti.tables import LtiScore
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
    retry_job_id: UUID | None = None


async def send_final_scores(
    caller: Caller, session_id: UUID, link_id: UUID, client: ServiceClient
) -> ScoreReport:
    """Send every finalized result of the session to the placement's line item."""
    session = await get_managed_session(caller, session_id)
    link, platform = await tied_link(session.id, link_id, tie=True)
    if not link["lineitem_url"]:
        raise BadRequest("Penempatan LMS ini tidak punya kolom nilai (AGS line item).")
    results = await Result.select(
        Result.person, Result.final_score, Result.finalized_at, Result.predikat, Result.updated_at
    ).where((Result.session == session.id) & Result.finalized_at.is_not_null())
    if not results:
        raise RuleViolation("Hasil sesi belum difinalisasi; nilai belum dapat dikirim.")
    subs = await delivery.platform_subs(platform["id"], [r["person"] for r in results])
    rows: list[ScoreRow] = []
    retry: list[UUID] = []
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
        payload = {
            "userId": sub,
            "scoreGiven": float(given),
            "scoreMaximum": 100,
            "activityProgress": "Completed",
            "gradingProgress": "FullyGraded",
            # An amendment after finalize changes updated_at: the platform then takes the newer
            # score (it refuses one older than what it has).
            "timestamp": delivery.when(max(result["finalized_at"], result["updated_at"])),
            "comment": result["predikat"],
        }
        score_id = await delivery.store(link["id"], person_id, payload, session_id=session.id)
        if score_id is None:
            rows.append(ScoreRow(person_id=person_id, score_given=given, outcome="unchanged"))
            continue
        if await delivery.deliver(score_id, client):
            rows.append(ScoreRow(person_id=person_id, score_given=given, outcome="sent"))
            continue
        retry.append(score_id)
        stored = await LtiScore.select(LtiScore.error).where(LtiScore.id == score_id).first()
        reason = (stored or {}).get("error") or "Platform LMS menolak nilai."
        rows.append(
            ScoreRow(person_id=person_id, score_given=given, outcome="failed", reason=reason)
        )
    # What the platform refused now is tried again by a job, with backoff.
    job_id = await delivery.queue(retry, client.settings, actor=caller, retry_only=True)
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
    return ScoreReport(rows=rows, retry_job_id=job_id, **counts)

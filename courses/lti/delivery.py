"""Scores on their way to an LMS gradebook (AGS 2.0), final or per quiz: one ``LtiScore`` row
per person and line item holds the score as sent (or to send), its status and the last error.

* **Idempotent**: a score equal to the one already sent (same given, maximum and progress) is
  not stored again; a retry sends the stored body unchanged, its timestamp included, so the
  platform sees the same score however often it arrives.
* **Retried with backoff**: the ``lti.scores`` job tries the pending rows at the delays of
  :data:`BACKOFF` (now, 30 s, 2 min, 10 min, 30 min: a gradebook down for most of an hour
  still gets every score). A row still refused after the last try is ``failed`` with the
  platform's reason, for the organizer's status list, which can queue it again. The job is
  resumable: after a restart it tries whatever is still pending.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID, uuid4

from lms.auth.caller import Caller
from lms.auth.tables import User
from lms.config import Settings
from lms.db.dialect import is_unique_violation
from lms.jobs import retry, runner
from lms.jobs.scheduled import scheduled
from lms.lti.services import ServiceClient, ServiceError
from lms.lti.tables import LtiIdentity, LtiPlatform, LtiResourceLink, LtiScore
from lms.shared.values import cents, utcnow

JOB_KIND = "lti.scores"
BACKOFF: tuple[float, ...] = retry.BACKOFF
"""Seconds to wait before each try of a pending score (the first try is at once)."""
_SAME = ("scoreGiven", "scoreMaximum", "activityProgress", "gradingProgress", "comment")


async def platform_subs(platform_id: UUID, person_ids: list[UUID]) -> dict[UUID, str]:
    """The platform user id (``sub``) of each person who launched Prima from that platform."""
    if not person_ids:
        return {}
    users = await User.select(User.id, User.person).where(User.person.is_in(person_ids))
    by_user = {u["id"]: u["person"] for u in users}
    if not by_user:
        return {}
    links = await LtiIdentity.select(LtiIdentity.user, LtiIdentity.sub).where(
        (LtiIdentity.platform == platform_id) & LtiIdentity.user.is_in(list(by_user))
    )
    return {by_user[row["user"]]: row["sub"] for row in links}


def _unchanged(before: dict[str, Any], payload: dict[str, Any]) -> bool:
    if before["status"] != "sent":
        return False
    if before["score_given"] != str(cents(payload["scoreGiven"])):
        return False
    sent = before["payload"] or {}
    # Rows sent before payloads were kept compare by the score alone.
    return not sent or all(sent.get(k) == payload.get(k) for k in _SAME)


async def store(
    link_id: UUID,
    person_id: UUID,
    payload: dict[str, Any],
    *,
    session_id: UUID | None,
    quiz_id: UUID | None = None,
) -> UUID | None:
    """Keep ``payload`` as the score to send for this person and line item: the row's id, or
    None when the platform already has this very score."""
    key = f"{link_id} {person_id}"
    before = await LtiScore.select().where(LtiScore.natural_key == key).output(load_json=True)
    if before and _unchanged(before[0], payload):
        return None
    values: dict[Any, Any] = {
        LtiScore.score_given: str(cents(payload["scoreGiven"])),
        LtiScore.status: "pending",
        LtiScore.error: "",
        LtiScore.payload: payload,
        LtiScore.session_id: session_id,
        LtiScore.quiz_id: quiz_id,
        LtiScore.tries: 0,
        LtiScore.sent_at: utcnow(),
    }
    if before:
        await LtiScore.update(values).where(LtiScore.id == before[0]["id"])
        return UUID(str(before[0]["id"]))
    score_id = uuid4()
    row = LtiScore(
        id=score_id,
        natural_key=key,
        link=link_id,
        person_id=person_id,
        **{column._meta.name: value for column, value in values.items()},
    )
    try:
        await LtiScore.insert(row)
    except Exception as exc:
        if not is_unique_violation(exc):
            raise
        # Two gradings of one person at once: the other made the row; ours is newer.
        await LtiScore.update(values).where(LtiScore.natural_key == key)
        found = await LtiScore.select(LtiScore.id).where(LtiScore.natural_key == key).first()
        return UUID(str(found["id"])) if found else None
    return score_id


async def deliver(score_id: UUID, client: ServiceClient) -> bool:
    """Send one stored score; True when the platform has it (now or before)."""
    row = await LtiScore.select().where(LtiScore.id == score_id).output(load_json=True).first()
    if row is None or row["status"] == "sent":
        return True
    link = await LtiResourceLink.select().where(LtiResourceLink.id == row["link"]).first()
    platform = (
        await LtiPlatform.select().where(LtiPlatform.id == link["platform"]).first()
        if link
        else None
    )
    if link is None or platform is None or not link["lineitem_url"]:
        reason = "Penempatan atau platform LMS sudah dihapus."
        await LtiScore.update({LtiScore.status: "failed", LtiScore.error: reason}).where(
            LtiScore.id == score_id
        )
        return True  # nothing to retry
    try:
        await client.post_score(platform, link["lineitem_url"], row["payload"])
    except ServiceError as exc:
        await LtiScore.update(
            {LtiScore.error: str(exc)[:500], LtiScore.tries: LtiScore.tries + 1}
        ).where(LtiScore.id == score_id)
        return False
    # Sent: unless a newer score replaced the body meanwhile (``store`` sets ``sent_at`` anew;
    # that one stays pending for its own try).
    await LtiScore.update(
        {
            LtiScore.status: "sent",
            LtiScore.error: "",
            LtiScore.tries: LtiScore.tries + 1,
            LtiScore.sent_at: utcnow(),
        }
    ).where((LtiScore.id == score_id) & (LtiScore.sent_at == row["sent_at"]))
    return True


async def queue(
    score_ids: list[UUID],
    settings: Settings,
    *,
    actor: Caller | None = None,
    retry_only: bool = False,
) -> UUID | None:
    """Start the job that sends (and retries) these scores; ``retry_only`` skips the
    immediate try (the caller has just tried). Returns the job id."""
    if not score_ids:
        return None
    return await runner.submit(
        JOB_KIND,
        {"score_ids": [str(i) for i in score_ids], "retry_only": retry_only},
        actor=actor,
        total=len(score_ids),
        settings=settings,
    )


@runner.register(JOB_KIND, resumable=True)
async def deliver_job(ctx: runner.JobContext) -> dict[str, Any]:
    """Send the pending scores, trying again at the :data:`BACKOFF` delays; what the platform
    still refuses after the last try is marked ``failed``."""
    ids = [UUID(i) for i in ctx.params.get("score_ids", [])]
    delays = BACKOFF[1:] if ctx.params.get("retry_only") else BACKOFF
    client = ServiceClient(ctx.settings)
    await ctx.set_total(len(ids))

    async def attempt(score_id: UUID) -> bool:
        return await deliver(score_id, client)

    pending = await retry.until_settled(ctx, ids, attempt, delays)
    if pending:
        rows = await LtiScore.select(LtiScore.id, LtiScore.error).where(
            LtiScore.id.is_in(pending) & (LtiScore.status == "pending")
        )
        for row in rows:
            ctx.error(str(row["id"]), row["error"] or "Platform LMS menolak nilai.")
        await LtiScore.update({LtiScore.status: "failed"}).where(
            LtiScore.id.is_in(pending) & (LtiScore.status == "pending")
        )
    return {"sent": len(ids) - len(pending), "failed": len(pending)}


def when(moment: dt.datetime) -> str:
    """An AGS timestamp (ISO 8601 with offset)."""
    return moment.astimezone(dt.UTC).isoformat()


#: A pending score untouched this long is no longer in a job's backoff: the sweep retries it.
STALE_AFTER = dt.timedelta(hours=1)


@scheduled("lti_retries", "*/15 * * * *")
async def retry_stale_scores(ctx: runner.JobContext) -> dict[str, Any]:
    """The scheduled sweep: scores still ``pending`` an hour after they were stored, and in no
    queued or running ``lti.scores`` job (the job that had them was interrupted, or the server
    stopped between storing and queuing), go to a new ``lti.scores`` job with the usual
    :data:`BACKOFF`."""
    from lms.jobs.tables import Job

    stale = await LtiScore.select(LtiScore.id).where(
        (LtiScore.status == "pending") & (LtiScore.sent_at < utcnow() - STALE_AFTER)
    )
    ids = {UUID(str(row["id"])) for row in stale}
    if ids:
        live = (
            await Job.select(Job.params)
            .where((Job.kind == JOB_KIND) & Job.status.is_in(["queued", "running"]))
            .output(load_json=True)
        )
        for row in live:
            ids -= {UUID(i) for i in (row["params"] or {}).get("score_ids", [])}
    await ctx.set_total(len(ids))
    job_id = await queue(sorted(ids), ctx.settings) if ids else None
    await ctx.progress(len(ids))
    return {"queued": len(ids), "job_id": str(job_id) if job_id else None}

"""``POST /sessions/{id}/certificates``: check the request, then issue in a background job.

The request is checked up front so an organizer gets a 422 at once (results not finalized, no
issuer profile, a broken template, people who did not pass) instead of a failed job later. The
job (kind ``certificates.issue``) is resumable: run again after a crash it skips everyone who
already holds a certificate of the session, so it can never issue twice. On the distributed
queue (``LMS_JOB_QUEUE=saq``) it reserves the numbers and fans out chunks to every worker
(``certificates.issuing.distributed``).
"""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import UUID

import msgspec

from certificates.issuing import codes, distributed, events
from certificates.issuing.recipients import (
    build_snapshot,
    candidates,
    load_issue_context,
    number_for,
)
from certificates.issuing.schemas import IssueRequest, JobAccepted
from certificates.issuing.service import check_template, issue_session
from certificates.rendering.pool import pdfs_are_signed
from certificates.rendering.storage import store_for
from courses.delivery.sessions.access import get_managed_session
from lms.auth.caller import Caller
from lms.config import Settings
from lms.jobs import queue, runner
from lms.jobs.runner import JobContext
from lms.shared.errors import RuleViolation
from lms.shared.validation import error_text

JOB_KIND = "certificates.issue"
NOBODY_PASSED = "Tidak ada peserta yang lulus pada sesi ini, jadi tidak ada sertifikat."
NOT_PASSED_SUBSET = "Orang berikut tidak lulus pada sesi ini (atau bukan pesertanya)."


class IssueJobParams(msgspec.Struct, kw_only=True):
    """What the job row keeps, so a resumed job does exactly what was asked."""

    session_id: UUID
    actor: Caller | None = None
    person_ids: list[UUID] | None = None


class JobProgress:
    """Issuing progress written to the job row: done / total and an error per participant."""

    def __init__(self, ctx: JobContext) -> None:
        self.ctx = ctx
        self.done = 0

    async def advance(self, count: int) -> None:
        """Count ``count`` more participants done and save the progress."""
        self.done += count
        await self.ctx.progress(self.done)

    def failed(self, person_id: UUID, name: str | None, message: str) -> None:
        """Record a participant's error (shown by ``GET /api/v1/jobs/{id}``)."""
        self.ctx.error(str(person_id), message, person_id=str(person_id), name=name)


@runner.register(JOB_KIND, resumable=True)
async def run_issue_job(ctx: JobContext) -> dict[str, Any]:
    """The job handler: issue the session's certificates and report the counts."""
    params = msgspec.convert(ctx.params, IssueJobParams)
    if queue.uses_queue(ctx.settings):  # chunks rendered by every worker of the queue
        counts = await distributed.run_issue_job(
            ctx, params.session_id, params.actor, params.person_ids
        )
        await events.issued(params.session_id, ctx.settings, params.actor)
        return counts
    progress = JobProgress(ctx)

    async def on_total(total: int, already_done: int) -> None:
        await ctx.set_total(total)
        await progress.advance(already_done)

    report = await issue_session(
        params.session_id,
        settings=ctx.settings,
        actor=params.actor,
        person_ids=params.person_ids,
        progress=progress,
        on_total=on_total,
        job_id=ctx.job_id,
    )
    await events.issued(params.session_id, ctx.settings, params.actor)
    return {"issued": report.issued, "skipped": report.skipped, "failed": report.failed}


class IssuingService:
    """Starts issuing jobs (organizers of the session's unit, admins) with the app's settings."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    async def start(
        self, caller: Caller, session_id: UUID, data: IssueRequest | None
    ) -> JobAccepted:
        """Check that the session's certificates can be issued, then start the job.

        Raises:
            NotFound: unknown session, or not managed by the caller.
            RuleViolation: results not finalized, nobody passed, a person in ``person_ids``
                did not pass, no issuer profile, or the template / data cannot be printed.
        """
        session = await get_managed_session(caller, session_id)
        settings = self.settings
        ctx = await load_issue_context(
            session.id,
            store=store_for(settings),
            verify_base_url=settings.public_base_url,
            signed=pdfs_are_signed(),
        )
        person_ids = data.person_ids if data is not None else None
        chosen = await candidates(session.id, person_ids, new_code=codes.new_verification_code)
        if chosen.missing:
            raise RuleViolation(
                NOT_PASSED_SUBSET,
                errors=[
                    {"field": "person_ids", "message": f"{person_id}: tidak lulus"}
                    for person_id in chosen.missing
                ],
            )
        if not chosen.recipients and not chosen.skipped:
            raise RuleViolation(NOBODY_PASSED)
        if chosen.recipients:
            first = chosen.recipients[0]
            try:
                sample = build_snapshot(ctx, first, number_for(ctx, 1))
            except (msgspec.ValidationError, ValueError) as exc:
                raise RuleViolation(f"Data sertifikat tidak lengkap: {error_text(exc)}") from None
            await asyncio.to_thread(check_template, ctx, sample)
        params = IssueJobParams(session_id=session.id, actor=caller, person_ids=person_ids)
        job_id = await runner.submit(
            JOB_KIND,
            msgspec.to_builtins(params),
            actor=caller,
            unit_id=session.unit_id,
            total=len(chosen.recipients) + len(chosen.skipped),
            settings=self.settings,
        )
        return JobAccepted(job_id=job_id, url=f"/api/v1/jobs/{job_id}")

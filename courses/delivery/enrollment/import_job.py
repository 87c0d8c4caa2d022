"""Large enrollment imports run as a job, like large people imports
(:mod:`lms.people.import_job`): the upload is kept, the run is recorded, a restart re-runs it.

Re-running is safe: the people are upserted by NIP and the enrollments are written in one
transaction at the end, so a run killed before that commit enrolled nobody, and one killed
after it finds everyone ``already_enrolled``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from uuid import UUID

import anyio.to_thread
import msgspec

from courses.delivery.enrollment.importing import enroll_table
from courses.delivery.sessions.access import get_managed_session
from courses.delivery.sessions.seats import check_open_for_organizer
from lms.auth.caller import Caller
from lms.config import Settings
from lms.jobs import runner
from lms.jobs.runner import JobContext
from lms.jobs.schemas import JobAccepted
from lms.people.import_job import keep_upload
from lms.people.importing import read_people_table

JOB_KIND = "enrollments.import"


class EnrollmentImportJobParams(msgspec.Struct, kw_only=True):
    """What the job needs to run, or run again after a restart."""

    actor: Caller
    session_id: UUID
    path: str
    filename: str
    max_rows: int
    max_bytes: int


async def start_enrollment_import_job(
    caller: Caller,
    session_id: UUID,
    data: bytes,
    filename: str,
    *,
    rows: int,
    settings: Settings,
) -> JobAccepted:
    """Keep the upload and queue its import into the session."""
    params = EnrollmentImportJobParams(
        actor=caller,
        session_id=session_id,
        path=await keep_upload(settings, data),
        filename=filename,
        max_rows=settings.max_import_rows,
        max_bytes=settings.max_upload_bytes,
    )
    job_id = await runner.submit(
        JOB_KIND,
        msgspec.to_builtins(params),
        actor=caller,
        unit_id=caller.unit_id,
        total=rows,
        settings=settings,
    )
    return JobAccepted(job_id=job_id, url=f"/api/v1/jobs/{job_id}")


@runner.register(JOB_KIND, resumable=True)
async def run_enrollment_import_job(ctx: JobContext) -> dict[str, Any]:
    """The job handler: the session's checks again (it may have closed meanwhile), then the
    import; the result is the report."""
    params = msgspec.convert(ctx.params, EnrollmentImportJobParams)
    settings = msgspec.structs.replace(
        ctx.settings, max_import_rows=params.max_rows, max_upload_bytes=params.max_bytes
    )
    session = await get_managed_session(params.actor, params.session_id)
    check_open_for_organizer(session)
    data = await anyio.to_thread.run_sync(Path(params.path).read_bytes)
    table = await read_people_table(data, params.filename, settings=settings)
    report = await enroll_table(params.actor, session, table, params.filename)
    result: dict[str, Any] = msgspec.to_builtins(report)
    await ctx.progress(report.total_rows)
    return result

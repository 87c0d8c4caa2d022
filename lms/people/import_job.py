"""Large participant imports run as a job: the file is kept, the run is recorded, a restart
resumes it.

A request that imported 8,000 rows in place and was killed after 2,500 left those rows and no
record of the run. Above :data:`SYNC_ROWS` rows the upload is stored content-addressed under
the data dir (``files/imports/``), a ``people.import`` job is queued and the API answers 202
with the job's URL; the job's ``result`` is the :class:`~lms.people.schemas.ImportReport` and its
progress counts rows. The import is an upsert by NIP, one transaction per batch, so running it
again over rows already stored changes nothing: a restarted server re-runs the job
(``resumable``) and the rows that made it before the kill are reported ``unchanged``.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any
from uuid import UUID

import anyio.to_thread
import msgspec

from lms.auth.caller import Caller
from lms.config import Settings
from lms.jobs import runner
from lms.jobs.runner import JobContext
from lms.jobs.schemas import JobAccepted
from lms.people.importing import import_people
from lms.shared.files import write_once

JOB_KIND = "people.import"
SYNC_ROWS = 1_000
"""Files with more data rows than this are imported by a job (measured: ~1,000 rows import in
well under a second, so smaller files keep their immediate 200 report)."""


class ImportJobParams(msgspec.Struct, kw_only=True):
    """What the job needs to run, or run again after a restart."""

    actor: Caller | None
    path: str
    filename: str
    max_rows: int
    max_bytes: int
    parent_unit_id: UUID | None = None


def upload_path(settings: Settings, sha256: str) -> Path:
    """Where an upload waiting for (or imported by) a job is kept."""
    return settings.data_dir / "files" / "imports" / sha256[:2] / sha256


async def keep_upload(settings: Settings, data: bytes) -> str:
    """Store an upload for a job (content-addressed, once) and return its path."""
    path = upload_path(settings, hashlib.sha256(data).hexdigest())
    await anyio.to_thread.run_sync(write_once, path, data)
    return str(path)


async def start_import_job(
    caller: Caller,
    data: bytes,
    filename: str,
    parent_unit_id: UUID | None,
    *,
    rows: int,
    settings: Settings,
) -> JobAccepted:
    """Keep the upload and queue its import; the answer names the job to poll."""
    params = ImportJobParams(
        actor=caller,
        path=await keep_upload(settings, data),
        filename=filename,
        max_rows=settings.max_import_rows,
        max_bytes=settings.max_upload_bytes,
        parent_unit_id=parent_unit_id,
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
async def run_import_job(ctx: JobContext) -> dict[str, Any]:
    """The job handler: import the kept file and return the report."""
    params = msgspec.convert(ctx.params, ImportJobParams)
    # The limits the upload was accepted under, whatever the settings of the process that
    # picks the job up after a restart.
    settings = msgspec.structs.replace(
        ctx.settings, max_import_rows=params.max_rows, max_upload_bytes=params.max_bytes
    )
    data = await anyio.to_thread.run_sync(Path(params.path).read_bytes)

    async def progress(done: int, total: int) -> None:
        if total != ctx.total:
            await ctx.set_total(total)
        await ctx.progress(done)

    report = await import_people(
        data,
        params.filename,
        actor=params.actor,
        parent_unit_id=params.parent_unit_id,
        settings=settings,
        progress=progress,
    )
    result: dict[str, Any] = msgspec.to_builtins(report)
    return result

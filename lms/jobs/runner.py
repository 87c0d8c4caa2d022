"""Run long work as a ``Job`` row with progress, off the request.

A handler is an async function registered under a ``kind``; it receives a ``JobContext`` to
report progress and per-item errors. Heavy CPU work inside a handler must itself go to a
thread or process pool (certificates use a process pool), so the event loop keeps answering.

When a server stops mid-job the row stays ``running``; on the next start
``recover_unfinished_jobs`` re-runs jobs whose handler says it is resumable (idempotent, e.g.
certificate issuing skips who already has one) and marks the others ``interrupted``, so no
job silently hangs.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID, uuid4

from lms.auth.caller import Caller
from lms.config import Settings
from lms.db.dialect import is_unique_violation
from lms.jobs.tables import Job
from lms.observability.metrics import JOB_DURATION
from lms.observability.tracing import traced_job
from lms.shared.values import utcnow

logger = logging.getLogger("lms.jobs")


class JobContext:
    """What a handler sees: its params, the app's settings, and ways to report progress and
    errors."""

    def __init__(
        self, job_id: UUID, params: dict[str, Any], created_by: UUID | None, settings: Settings
    ) -> None:
        self.job_id = job_id
        self.settings = settings
        self.params = params
        self.created_by = created_by
        self.errors: list[dict[str, Any]] = []
        self.done = 0
        self.total = 0

    async def set_total(self, total: int) -> None:
        """Announce how many items the job will process."""
        self.total = total
        await Job.update({Job.total: total}).where(Job.id == self.job_id)

    async def progress(self, done: int) -> None:
        """Report ``done`` items processed so far (errors included)."""
        self.done = done
        await Job.update({Job.done: done, Job.errors: self.errors}).where(Job.id == self.job_id)

    def error(self, item: str, message: str, **extra: Any) -> None:
        """Record that one item failed (the job goes on with the others)."""
        self.errors.append({"item": item, "message": message, **extra})


Handler = Callable[[JobContext], Awaitable[dict[str, Any]]]


@dataclass
class _Registration:
    handler: Handler
    resumable: bool


_HANDLERS: dict[str, _Registration] = {}
_TASKS: set[asyncio.Task[None]] = set()


def register(kind: str, *, resumable: bool = False) -> Callable[[Handler], Handler]:
    """Register ``handler`` for jobs of ``kind``."""

    def deco(handler: Handler) -> Handler:
        _HANDLERS[kind] = _Registration(handler, resumable)
        return handler

    return deco


def knows(kind: str) -> bool:
    """True when a handler is registered for ``kind``."""
    return kind in _HANDLERS


async def submit(
    kind: str,
    params: dict[str, Any],
    *,
    actor: Caller | None,
    unit_id: UUID | None = None,
    total: int = 0,
    settings: Settings,
) -> UUID:
    """Create the job row and start it in the background; return its id.

    ``settings`` (the app's) reach the handler as ``ctx.settings``.
    """
    job_id = uuid4()
    await _submit(job_id, kind, params, actor, unit_id, total, settings)
    return job_id


async def submit_once(
    kind: str, params: dict[str, Any], *, job_id: UUID, settings: Settings
) -> UUID | None:
    """``submit`` under a given id (no actor): ``None``, and nothing started, when a job with
    that id exists already (scheduled ticks: ``lms.jobs.scheduled``)."""
    if await Job.exists().where(Job.id == job_id):
        return None
    try:
        await _submit(job_id, kind, params, None, None, 0, settings)
    except Exception as exc:
        if is_unique_violation(exc):  # another process wrote it just now
            return None
        raise
    return job_id


async def _submit(
    job_id: UUID,
    kind: str,
    params: dict[str, Any],
    actor: Caller | None,
    unit_id: UUID | None,
    total: int,
    settings: Settings,
) -> None:
    if kind not in _HANDLERS:
        raise KeyError(f"no handler for job kind {kind!r}")
    await Job.insert(
        Job(
            id=job_id,
            kind=kind,
            status="queued",
            done=0,
            total=total,
            params=params,
            result={},
            errors=[],
            unit_id=unit_id,
            created_by=actor.user_id if actor else None,
            created_at=utcnow(),
        )
    )
    from lms.jobs import queue

    if queue.uses_queue(settings):
        await queue.enqueue_job(settings, str(job_id), kind)
    else:
        _start(job_id, kind, params, actor.user_id if actor else None, settings)


async def run_queued(job_id: str, settings: Settings) -> None:
    """Run the job row ``job_id`` taken from the queue by a worker (``lms.jobs.queue``).

    A job delivered again (its first worker died) runs its handler again, which is why queued
    handlers are resumable; one already finished is left alone.
    """
    row = (
        await Job.select(Job.id, Job.kind, Job.params, Job.created_by, Job.status)
        .where(Job.id == UUID(job_id))
        .output(load_json=True)
        .first()
    )
    if row is None or row["status"] not in ("queued", "running"):
        return
    if row["kind"] not in _HANDLERS:
        raise KeyError(f"no handler for job kind {row['kind']!r}")
    await _run(row["id"], row["kind"], row["params"], row["created_by"], settings)


def _start(
    job_id: UUID,
    kind: str,
    params: dict[str, Any],
    created_by: UUID | None,
    settings: Settings,
) -> None:
    task = asyncio.get_running_loop().create_task(_run(job_id, kind, params, created_by, settings))
    _TASKS.add(task)
    task.add_done_callback(_TASKS.discard)


async def _run(
    job_id: UUID,
    kind: str,
    params: dict[str, Any],
    created_by: UUID | None,
    settings: Settings,
) -> None:
    ctx = JobContext(job_id, params, created_by, settings)
    started = time.perf_counter()
    await Job.update({Job.status: "running", Job.started_at: utcnow()}).where(Job.id == job_id)
    logger.info("job %s (%s) started", job_id, kind)
    try:
        result = await traced_job(kind, job_id, _HANDLERS[kind].handler, ctx)
    except Exception as exc:  # noqa: BLE001 - a failed job is reported, never lost
        logger.exception("job %s (%s) failed", job_id, kind)
        JOB_DURATION.labels(kind, "failed").observe(time.perf_counter() - started)
        ctx.errors.append({"item": "", "message": f"Pekerjaan gagal: {exc}"})
        await Job.update(
            {Job.status: "failed", Job.errors: ctx.errors, Job.finished_at: utcnow()}
        ).where(Job.id == job_id)
        return
    await Job.update(
        {
            Job.status: "succeeded",
            Job.result: result,
            Job.errors: ctx.errors,
            Job.done: ctx.done if ctx.done else ctx.total,
            Job.finished_at: utcnow(),
        }
    ).where(Job.id == job_id)
    JOB_DURATION.labels(kind, "succeeded").observe(time.perf_counter() - started)
    logger.info("job %s (%s) succeeded", job_id, kind)


async def wait_for_jobs(timeout: float = 60.0) -> None:
    """Wait until every job started by this process has finished (tests, CLI)."""
    if _TASKS:
        await asyncio.wait_for(asyncio.gather(*list(_TASKS), return_exceptions=True), timeout)


async def recover_unfinished_jobs(settings: Settings) -> None:
    """At startup: resume resumable jobs left queued/running (with the app's ``settings``), mark
    the others interrupted. With the distributed queue this is SAQ's work instead: nothing
    here."""
    from lms.jobs import queue

    if queue.uses_queue(settings):
        return
    rows = (
        await Job.select(Job.id, Job.kind, Job.params, Job.created_by)
        .where(Job.status.is_in(["queued", "running"]))
        .output(load_json=True)
    )
    for row in rows:
        reg = _HANDLERS.get(row["kind"])
        if reg is not None and reg.resumable:
            logger.info("resuming job %s (%s)", row["id"], row["kind"])
            _start(row["id"], row["kind"], row["params"], row["created_by"], settings)
        else:
            await Job.update(
                {
                    Job.status: "interrupted",
                    Job.finished_at: utcnow(),
                    Job.errors: [
                        {"item": "", "message": "Server berhenti sebelum pekerjaan selesai."}
                    ],
                }
            ).where(Job.id == row["id"])


async def shutdown_runner() -> None:
    """At shutdown: give running jobs a moment, then cancel; recovery picks them up."""
    if not _TASKS:
        return
    _, pending = await asyncio.wait(list(_TASKS), timeout=5)
    for task in pending:
        task.cancel()

"""The distributed job queue: SAQ in PostgreSQL or Redis.

With ``LMS_JOB_QUEUE=saq`` a web process only *enqueues*: ``runner.submit`` writes the ``Job``
row (the API's source of truth for status, progress and errors) and puts a SAQ job naming it
in the queue; ``lms worker`` processes, on any machine, take jobs from the queue and run the
same handlers through ``run_job``. The queue lives in PostgreSQL (SAQ's Postgres queue: tables
``saq_jobs`` / ``saq_stats`` beside Prima's, no extra service) or, when ``LMS_REDIS_URL`` is
set, in Redis. The default (``LMS_JOB_QUEUE=local``) runs jobs in the web process as before.

A worker that dies (``kill -9``, the machine gone) stops touching its jobs: SAQ's sweep on
another worker sees the missed heartbeat and retries them there. Handlers are therefore
idempotent (certificate chunks insert each row once; see
``certificates.issuing.distributed``).

Besides whole jobs, a handler can fan out *tasks* (``register_task`` / ``enqueue_task``): plain
async functions with JSON keyword arguments, run by whichever worker is free. Scheduled jobs
(``lms.jobs.scheduled``) are SAQ cron jobs of every worker.

SAQ directly, not through ``litestar-saq`` (0.8.0 was tried; its pins fit ours): its plugin
builds a worker for each queue even in a web process that only enqueues, and that worker runs a
heartbeat thread with its own event loop in every web process (it crashed at each app shutdown
in the trial); the plugin never disconnects its queue and keeps one queue object across apps
and event loops, where this module keeps one per loop and closes it on shutdown; and its worker
runner starts workers from import strings, where ``lms worker`` first binds the database engine
and warms the render pool with the installation's settings. docs/DEVELOPING.md has the detail.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from saq import Queue
from saq.job import Job as SaqJob
from saq.job import Status

from lms.config import Settings

logger = logging.getLogger("lms.jobs.queue")

#: A worker touches each running SAQ job this often (seconds) ...
TOUCH_EVERY = 1.0
#: ... and SAQ's sweep retries a job not touched for this long (its worker is gone).
HEARTBEAT = 5
#: How often a worker sweeps for stuck jobs (seconds).
SWEEP_EVERY = 2
#: Attempts per job or task (a kill -9 costs one).
RETRIES = 10
#: A ``Job`` row still ``queued`` this long (seconds) after it was written is put in the queue
#: again: its web process died between writing the row and enqueuing it.
ORPHAN_AFTER = 60.0

Task = Callable[..., Awaitable[Any]]
_TASKS: dict[str, Task] = {}
_QUEUES: dict[tuple[int, str], Queue] = {}


def uses_queue(settings: Settings) -> bool:
    """True when jobs go through SAQ rather than run in the web process."""
    return settings.job_queue == "saq"


def queue_url(settings: Settings) -> str:
    """Redis when ``LMS_REDIS_URL`` is set, else the PostgreSQL database itself.

    Raises:
        ValueError: SAQ asked for on SQLite without Redis (SAQ has no SQLite queue).
    """
    if settings.redis_url:
        return settings.redis_url
    if settings.is_sqlite:
        raise ValueError("LMS_JOB_QUEUE=saq needs PostgreSQL or LMS_REDIS_URL")
    return settings.database_url.replace("postgresql+asyncpg://", "postgresql://", 1)


def make_queue(settings: Settings) -> Queue:
    """A new (unconnected) SAQ queue for ``settings``."""
    url = queue_url(settings)
    if url.startswith("redis"):
        return Queue.from_url(url, name=settings.job_queue_name)
    from saq.queue.postgres import PostgresQueue

    return PostgresQueue.from_url(url, name=settings.job_queue_name, min_size=1, max_size=4)


async def get_queue(settings: Settings) -> Queue:
    """This event loop's connected queue (web processes: enqueue only)."""
    key = (id(asyncio.get_running_loop()), queue_url(settings) + settings.job_queue_name)
    queue = _QUEUES.get(key)
    if queue is None:
        queue = make_queue(settings)
        await queue.connect()
        _QUEUES[key] = queue
    return queue


async def prepare_queue(settings: Settings) -> None:
    """Create the queue's tables (PostgreSQL) now: ``lms migrate`` calls this.

    SAQ creates them on a queue's first connect, but only the process that wins its advisory
    lock does; another process connecting meanwhile went on and could enqueue before they
    existed.
    """
    queue = make_queue(settings)
    await queue.connect()
    await queue.disconnect()


async def close_queues() -> None:
    """Disconnect the queues this process opened on the running loop (app shutdown)."""
    loop = id(asyncio.get_running_loop())
    for key in [k for k in _QUEUES if k[0] == loop]:
        await _QUEUES.pop(key).disconnect()


def register_task(name: str) -> Callable[[Task], Task]:
    """Register ``fn(settings, **kwargs)`` as a task that ``enqueue_task`` can send."""

    def deco(fn: Task) -> Task:
        _TASKS[name] = fn
        return fn

    return deco


async def enqueue_task(
    settings: Settings, name: str, key: str, *, timeout: int = 0, **kwargs: Any
) -> SaqJob | None:
    """Put task ``name`` with ``kwargs`` in the queue under ``key`` (a key already queued or
    running is not queued twice: ``None`` is returned)."""
    if name not in _TASKS:
        raise KeyError(f"no task {name!r}")
    queue = await get_queue(settings)
    return await queue.enqueue(
        SaqJob(
            function="lms.task",
            kwargs={"name": name, "kwargs": kwargs},
            key=key,
            timeout=timeout,
            heartbeat=HEARTBEAT,
            retries=RETRIES,
            retry_delay=0.5,
        )
    )


async def enqueue_job(settings: Settings, job_id: str, kind: str) -> None:
    """Queue the run of ``Job`` row ``job_id`` (its key is the job id: queued once)."""
    queue = await get_queue(settings)
    await queue.enqueue(
        SaqJob(
            function="lms.job",
            kwargs={"job_id": job_id, "kind": kind},
            key=f"job:{job_id}",
            timeout=0,
            heartbeat=HEARTBEAT,
            retries=RETRIES,
            retry_delay=0.5,
        )
    )


async def task_status(settings: Settings, key: str) -> Status | None:
    """The SAQ status of the job or task queued under ``key`` (``None``: not in the queue)."""
    queue = await get_queue(settings)
    job = await queue.job(key)
    return job.status if job is not None else None


async def live_workers(settings: Settings) -> int:
    """How many workers serve the queue now (at least 1): those whose last report (every
    ``worker_info`` timer) has not expired."""
    queue = await get_queue(settings)
    try:
        info = await queue.info()
    except Exception:  # noqa: BLE001 - only sizes chunks: a guess of one worker will do
        logger.exception("could not count the workers")
        return 1
    return max(1, len(info.get("workers", {})))


TERMINAL = {Status.COMPLETE, Status.FAILED, Status.ABORTED}


async def requeue_orphans(settings: Settings, older_than: float = ORPHAN_AFTER) -> int:
    """Enqueue ``Job`` rows left ``queued`` for ``older_than`` seconds; return how many.

    Enqueuing is idempotent (the SAQ key is the job id: a job queued or running is not queued
    twice), so a row that was merely waiting costs one round trip.
    """
    import datetime as dt

    from lms.jobs import runner
    from lms.jobs.tables import Job
    from lms.shared.values import utcnow

    rows = await Job.select(Job.id, Job.kind).where(
        (Job.status == "queued") & (Job.created_at <= utcnow() - dt.timedelta(seconds=older_than))
    )
    count = 0
    for row in rows:
        if runner.knows(row["kind"]):
            await enqueue_job(settings, str(row["id"]), row["kind"])
            count += 1
    return count


async def _sweep_orphans(settings: Settings, older_than: float) -> None:
    while True:
        try:
            await requeue_orphans(settings, older_than)
        except Exception:  # noqa: BLE001 - the next round tries again
            logger.exception("could not look for orphaned jobs")
        await asyncio.sleep(max(1.0, min(30.0, older_than / 2)))


@contextlib.asynccontextmanager
async def _touching(ctx: dict[str, Any]) -> Any:
    """Keep the SAQ job's heartbeat while its function runs."""
    job: SaqJob = ctx["job"]

    async def touch() -> None:
        while True:
            await asyncio.sleep(TOUCH_EVERY)
            with contextlib.suppress(Exception):  # a missed touch only risks a retry
                await job.update()

    toucher = asyncio.create_task(touch())
    try:
        yield
    finally:
        toucher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await toucher


def worker_functions(settings: Settings) -> list[tuple[str, Callable[..., Awaitable[Any]]]]:
    """The SAQ functions of a Prima worker: whole jobs and fanned-out tasks."""
    from lms.jobs import runner

    async def job_fn(ctx: dict[str, Any], *, job_id: str, kind: str) -> None:
        async with _touching(ctx):
            await runner.run_queued(job_id, settings)

    async def task_fn(ctx: dict[str, Any], *, name: str, kwargs: dict[str, Any]) -> Any:
        async with _touching(ctx):
            return await _TASKS[name](settings, **kwargs)

    return [("lms.job", job_fn), ("lms.task", task_fn)]


async def run_worker(
    settings: Settings,
    *,
    concurrency: int,
    startup: Callable[[], Awaitable[None]] | None = None,
    shutdown: Callable[[], Awaitable[None]] | None = None,
    grace: int = 5,
    orphan_after: float = ORPHAN_AFTER,
) -> None:
    """Run one SAQ worker until SIGTERM/SIGINT (``lms worker``); at the end, running jobs get
    ``grace`` seconds before they are cancelled (and queued again)."""
    from saq import Worker

    queue = make_queue(settings)
    sweeper: list[asyncio.Task[None]] = []

    async def on_startup(ctx: dict[str, Any]) -> None:
        if startup is not None:
            await startup()
        sweeper.append(asyncio.create_task(_sweep_orphans(settings, orphan_after)))

    async def on_shutdown(ctx: dict[str, Any]) -> None:
        for task in sweeper:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if shutdown is not None:
            await shutdown()

    from zoneinfo import ZoneInfo

    from lms.jobs import scheduled

    worker: Worker[Any] = Worker(
        queue,
        functions=worker_functions(settings),
        cron_jobs=scheduled.cron_jobs(settings),
        cron_tz=ZoneInfo(settings.timezone),
        concurrency=concurrency,
        startup=on_startup,
        shutdown=on_shutdown,
        timers={"sweep": SWEEP_EVERY, "abort": 1, "schedule": 1, "worker_info": 10},
        shutdown_grace_period_s=grace,
    )
    await queue.connect()
    try:
        await worker.start()
    finally:
        await queue.disconnect()

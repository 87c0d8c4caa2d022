"""Scheduled jobs: one registry, run by SAQ's cron on the queue or by a small in-process
scheduler on the embedded default.

A scheduled job is a ``runner`` handler registered with :func:`scheduled` under a ``name`` and
a default cron expression (minute hour day month weekday, in ``LMS_TIMEZONE``; a sixth field
counts seconds). Each tick becomes one ``Job`` row of kind ``scheduled.<name>``, so its status,
progress and per-item errors show in ``GET /api/v1/jobs/{id}`` like any other job.

* **On the queue** (``LMS_JOB_QUEUE=saq``) every ``lms worker`` declares one SAQ ``CronJob`` per
  enabled entry. SAQ enqueues a tick under one key per entry (``cron:lms.cron.<name>``): the
  queue keeps one of them however many workers try, so one worker runs each tick.
* **In process** (``LMS_JOB_QUEUE=local``) the web process runs :func:`run_local_scheduler`,
  which sleeps until the next tick and submits the same job to the local runner.

Either way the ``Job`` row's id is derived from the entry and the tick (:func:`tick_job_id`),
so a tick submitted twice (a retried SAQ cron job, two web processes on one database) is one
row and one run.

Settings: ``LMS_SCHEDULER=false`` turns every schedule off (tests, or a node that should never
run them); ``LMS_CRON_<NAME>`` sets an entry's schedule, ``off`` turns it off. Adding a
scheduled job (the SIASN push, say) is one decorated handler plus, for its own setting, a
``cron_<name>`` field in ``lms.config.Settings``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5
from zoneinfo import ZoneInfo

from croniter import croniter

from lms.config import Settings
from lms.jobs import runner

logger = logging.getLogger("lms.jobs.scheduled")

OFF = {"", "off", "false", "no", "0"}


@dataclass(frozen=True)
class Scheduled:
    """One registered scheduled job."""

    name: str
    default: str

    @property
    def kind(self) -> str:
        return f"scheduled.{self.name}"


_SCHEDULED: dict[str, Scheduled] = {}


def scheduled(name: str, cron: str) -> Callable[[runner.Handler], runner.Handler]:
    """Register ``handler`` as scheduled job ``name`` (default schedule ``cron``)."""
    if not croniter.is_valid(cron):
        raise ValueError(f"invalid cron expression for {name}: {cron!r}")

    def deco(handler: runner.Handler) -> runner.Handler:
        entry = Scheduled(name, cron)
        runner.register(entry.kind)(handler)
        _SCHEDULED[name] = entry
        return handler

    return deco


def registered() -> list[Scheduled]:
    """Every registered scheduled job."""
    return list(_SCHEDULED.values())


def schedule_of(settings: Settings, name: str) -> str | None:
    """The cron expression in force for ``name`` (``None``: off)."""
    if not settings.scheduler:
        return None
    entry = _SCHEDULED[name]
    value = str(getattr(settings, f"cron_{name}", entry.default)).strip()
    if value.lower() in OFF:
        return None
    if not croniter.is_valid(value):
        raise ValueError(f"LMS_CRON_{name.upper()}: invalid cron expression {value!r}")
    return value


def enabled(settings: Settings) -> list[tuple[Scheduled, str]]:
    """The entries that run under ``settings``, each with its schedule."""
    out = []
    for entry in _SCHEDULED.values():
        expression = schedule_of(settings, entry.name)
        if expression is not None:
            out.append((entry, expression))
    return out


def tick_job_id(name: str, tick: float) -> UUID:
    """The ``Job`` id of ``name``'s tick at ``tick`` (epoch seconds): the same wherever made."""
    return uuid5(NAMESPACE_URL, f"prima:scheduled:{name}:{int(tick)}")


async def submit_tick(settings: Settings, name: str, tick: float) -> UUID | None:
    """Submit ``name``'s job for ``tick``; ``None`` when that tick was submitted already."""
    entry = _SCHEDULED[name]
    job_id = tick_job_id(name, tick)
    moment = dt.datetime.fromtimestamp(int(tick), dt.UTC).isoformat()
    submitted = await runner.submit_once(
        entry.kind, {"tick": moment}, job_id=job_id, settings=settings
    )
    if submitted is None:
        logger.info("scheduled %s at %s: submitted already", name, moment)
    return submitted


def cron_jobs(settings: Settings) -> list[Any]:
    """SAQ ``CronJob``s of the enabled entries (``lms worker``)."""
    from saq.job import CronJob

    jobs = []
    for entry, expression in enabled(settings):
        jobs.append(CronJob(_cron_function(settings, entry.name), cron=expression, timeout=60))
    return jobs


def _cron_function(settings: Settings, name: str) -> Callable[..., Any]:
    async def tick(ctx: dict[str, Any]) -> str:
        job = ctx["job"]
        submitted = await submit_tick(settings, name, job.scheduled or job.queued / 1000)
        return str(submitted or "")

    # SAQ names a cron job's function, and keys its ticks, by ``__qualname__``.
    tick.__qualname__ = f"lms.cron.{name}"
    tick.__name__ = tick.__qualname__
    return tick


def next_ticks(settings: Settings, after: dt.datetime) -> list[tuple[dt.datetime, str]]:
    """When each enabled entry runs next after ``after``, soonest first."""
    zone = ZoneInfo(settings.timezone)
    local = after.astimezone(zone)
    ticks = [
        (croniter(expression, local).get_next(dt.datetime), entry.name)
        for entry, expression in enabled(settings)
    ]
    return sorted(ticks)


async def run_local_scheduler(settings: Settings) -> None:
    """Submit each enabled entry's job at its ticks, until cancelled (``LMS_JOB_QUEUE=local``)."""
    after = dt.datetime.now(dt.UTC)
    while True:
        ticks = next_ticks(settings, after)
        if not ticks:
            return
        soonest = ticks[0][0]
        wait = (soonest - dt.datetime.now(dt.UTC)).total_seconds()
        if wait > 0:
            await asyncio.sleep(min(wait, 3600))  # a clock change is noticed within the hour
            if dt.datetime.now(dt.UTC) < soonest:
                continue
        for moment, name in ticks:
            if moment != soonest:
                break
            try:
                await submit_tick(settings, name, moment.timestamp())
            except Exception:  # noqa: BLE001 - the next tick tries again
                logger.exception("scheduled %s: could not submit", name)
        after = soonest


_LOCAL: set[asyncio.Task[None]] = set()


def start_local_scheduler(settings: Settings) -> None:
    """Start :func:`run_local_scheduler` in this process (web startup, local runner only)."""
    from lms.jobs import queue

    if queue.uses_queue(settings) or not enabled(settings):
        return
    task = asyncio.get_running_loop().create_task(run_local_scheduler(settings))
    _LOCAL.add(task)
    task.add_done_callback(_LOCAL.discard)


async def stop_local_scheduler() -> None:
    for task in list(_LOCAL):
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            pass

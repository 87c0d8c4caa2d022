"""Trying items of a job again with backoff: the one loop the jobs that call out share (LTI
scores to a gradebook, certificates to SIASN).

:data:`BACKOFF` tries at once, then after 30 s, 2 min, 10 min and 30 min: a service down for
most of an hour still gets every item, and a job never holds a worker for longer than about
45 minutes. Each job keeps its own ``BACKOFF`` name (tests shorten it) pointing here.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from uuid import UUID

from lms.jobs.runner import JobContext

BACKOFF: tuple[float, ...] = (0.0, 30.0, 120.0, 600.0, 1800.0)
"""Seconds to wait before each try (the first at once)."""


async def until_settled(
    ctx: JobContext,
    ids: Sequence[UUID],
    attempt: Callable[[UUID], Awaitable[bool]],
    delays: Sequence[float],
) -> list[UUID]:
    """Try every id at each of ``delays`` until ``attempt`` says it is settled (True); report
    progress after each round. Answers the ids still unsettled after the last try."""
    pending = list(ids)
    for delay in delays:
        if delay:
            await asyncio.sleep(delay)
        pending = [i for i in pending if not await attempt(i)]
        await ctx.progress(len(ids) - len(pending))
        if not pending:
            break
    return pending

"""Jobs on the distributed queue (SAQ): a worker in this process takes the job from PostgreSQL
or Redis and the API shows its status, progress and per-item errors exactly as with the local
runner. The multi-process run (two web processes, two ``lms worker``, kill -9) is in
``tests/certificates/issuing/test_cluster.py``."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import os
from collections.abc import AsyncIterator
from uuid import uuid4

import msgspec
import pytest

from lms.config import Settings, get_settings
from lms.jobs import queue, runner
from lms.jobs.tables import Job
from tests.conftest import IS_POSTGRES

REDIS_URL = os.environ.get("LMS_TEST_REDIS_URL", "redis://127.0.0.1:6379/5")


def redis_up() -> bool:
    import redis

    try:
        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except redis.RedisError:
        return False


BACKENDS = [
    pytest.param(
        "postgres",
        marks=pytest.mark.skipif(not IS_POSTGRES, reason="the Postgres queue needs PostgreSQL"),
    ),
    pytest.param("redis", marks=pytest.mark.skipif(not redis_up(), reason="no Redis")),
]


@runner.register("test.queued")
async def _queued(ctx: runner.JobContext) -> dict:
    items = ctx.params["items"]
    await ctx.set_total(len(items))
    for done, item in enumerate(items, 1):
        if item < 0:
            ctx.error(str(item), "angka negatif")
        await ctx.progress(done)
    return {"sum": sum(i for i in items if i >= 0), "pid": os.getpid()}


@contextlib.asynccontextmanager
async def worker_running(settings: Settings, orphan_after: float = 60) -> AsyncIterator[None]:
    task = asyncio.create_task(
        queue.run_worker(settings, concurrency=2, grace=0, orphan_after=orphan_after)
    )
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await queue.close_queues()


def queue_settings(backend: str) -> Settings:
    return msgspec.structs.replace(
        get_settings(),
        job_queue="saq",
        job_queue_name=f"test-{uuid4().hex[:8]}",
        redis_url=REDIS_URL if backend == "redis" else "",
    )


async def finished(job_id, timeout: float = 60) -> dict:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        row = await Job.select().where(Job.id == job_id).output(load_json=True).first()
        if row["status"] not in ("queued", "running"):
            return row
        assert asyncio.get_running_loop().time() < deadline, row
        await asyncio.sleep(0.1)


@pytest.mark.parametrize("backend", BACKENDS)
async def test_a_worker_runs_the_queued_job_and_the_api_reports_it(
    client, organizer, unit, backend
):
    settings = queue_settings(backend)
    job_id = await runner.submit(
        "test.queued", {"items": [1, 2, -3, 4]}, actor=None, unit_id=unit["id"], settings=settings
    )
    row = await Job.select(Job.status).where(Job.id == job_id).first()
    assert row["status"] == "queued"  # the web process only enqueued it
    async with worker_running(settings):
        await finished(job_id)
    resp = await client.get(f"/api/v1/jobs/{job_id}", headers=organizer.headers)
    job = resp.json()
    assert job["status"] == "succeeded", job
    assert (job["done"], job["total"]) == (4, 4)
    assert job["result"]["sum"] == 7
    assert job["errors"] == [{"item": "-3", "message": "angka negatif"}]


@pytest.mark.parametrize("backend", BACKENDS)
async def test_a_job_delivered_twice_runs_once_and_startup_recovery_leaves_it_to_the_queue(
    client, unit, backend
):
    settings = queue_settings(backend)
    job_id = await runner.submit(
        "test.queued", {"items": [5]}, actor=None, unit_id=unit["id"], settings=settings
    )
    await runner.recover_unfinished_jobs(settings)  # a web process starting: not its job
    assert (await Job.select(Job.status).where(Job.id == job_id).first())["status"] == "queued"
    async with worker_running(settings):
        first = await finished(job_id)
        await runner.run_queued(str(job_id), settings)  # delivered again: finished, left alone
    again = await Job.select().where(Job.id == job_id).output(load_json=True).first()
    assert first["status"] == again["status"] == "succeeded"
    assert again["finished_at"] == first["finished_at"]


@pytest.mark.parametrize("backend", BACKENDS)
async def test_a_job_whose_web_process_died_before_enqueuing_is_picked_up(client, unit, backend):
    settings = queue_settings(backend)
    job_id = uuid4()  # the row was written, the process died before it reached the queue
    await Job.insert(
        Job(
            id=job_id,
            kind="test.queued",
            status="queued",
            params={"items": [2, 3]},
            unit_id=unit["id"],
            created_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=5),
        )
    )
    async with worker_running(settings, orphan_after=2):
        row = await finished(job_id)
    assert row["status"] == "succeeded"
    assert row["result"]["sum"] == 5

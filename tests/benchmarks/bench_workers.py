"""Jobs on the distributed queue: issuing throughput with 1 and 2 ``lms worker`` processes, and
the queue's own cost per job against a direct call.

Run from the repository root, with PostgreSQL (and Redis for its row) on 127.0.0.1::

    python tests/benchmarks/bench_workers.py --n 300 --jobs 200

1. **Issuing, 1 vs 2 workers** (PostgreSQL queue): a fresh database ``prima_saq_bench``, a
   finalized session of ``--n`` participants, one web process, then 1 (and, on another fresh
   database, 2) ``lms worker`` processes, each with one render process
   (``LMS_RENDER_WORKERS=1``: a worker per core). Timed: ``POST .../certificates`` until the
   job reports ``succeeded`` (reserving the numbers, every chunk rendered, signed, stored and
   committed). Workers start and warm their render process before the clock starts.
2. **Queue overhead** (in this process): ``--jobs`` jobs whose handler does nothing, submitted
   through ``runner.submit`` and run by a SAQ worker in this process (PostgreSQL queue, then
   Redis), against calling the same job's body directly (``runner.run_queued`` on a job row
   written beforehand, i.e. the Job-row updates without the queue). The difference per job is
   the queue's cost: enqueue, dequeue, heartbeat and finish bookkeeping.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PG = os.environ.get("LMS_BENCH_PG", "postgresql://postgres@127.0.0.1:5432")
REDIS = os.environ.get("LMS_BENCH_REDIS", "redis://127.0.0.1:6379/5")


def issuing(n: int, workers: int) -> float:
    """Seconds to issue ``n`` certificates with ``workers`` worker processes."""
    from tests.cluster import call, cluster, login, reset_database

    url = f"{PG}/prima_saq_bench"
    reset_database(url)
    with (
        tempfile.TemporaryDirectory(prefix="prima-bench-workers-") as tmp,
        cluster(Path(tmp), url, LMS_JOB_QUEUE_NAME=f"bench-{os.getpid()}") as c,
    ):
        session_id = c.prepare(n)
        web = c.start_web()
        for _ in range(workers):
            c.start_worker(concurrency=2)
        c.wait_for_webs()
        time.sleep(20)  # the workers start their render process and warm it up
        token = login(web)
        began = time.perf_counter()
        job = call("POST", f"{web}/api/v1/sessions/{session_id}/certificates", token, {})
        while True:
            state = call("GET", f"{web}/api/v1/jobs/{job['job_id']}", token)
            if state["status"] not in ("queued", "running"):
                break
            time.sleep(0.1)
        seconds = time.perf_counter() - began
        assert state["status"] == "succeeded" and state["done"] == n, state
        return seconds


def overhead(jobs: int) -> dict[str, float]:
    """Milliseconds per no-op job: direct, PostgreSQL queue, Redis queue."""
    import subprocess

    from tests.cluster import reset_database

    url = f"{PG}/prima_saq_bench"
    reset_database(url)
    env = {k: v for k, v in os.environ.items() if not k.startswith("LMS_")}
    with tempfile.TemporaryDirectory(prefix="prima-bench-overhead-") as tmp:
        env.update(
            LMS_DATABASE_URL=url,
            LMS_DATA_DIR=tmp,
            LMS_SECRET_KEY="bench-secret-key-0123456789-0123456789",
            PYTHONWARNINGS="ignore",
        )
        lms = Path(sys.executable).with_name("lms")
        subprocess.run([str(lms), "migrate"], env=env, check=True, capture_output=True)
        os.environ.update(env)
        return asyncio.run(_overhead(jobs))


async def _overhead(jobs: int) -> dict[str, float]:
    import contextlib
    import datetime as dt
    from uuid import uuid4

    import msgspec

    from lms.app import bind_engine
    from lms.config import get_settings
    from lms.db import make_engine, start_engine, stop_engine
    from lms.jobs import queue, runner
    from lms.jobs.tables import Job

    @runner.register("bench.noop")
    async def noop(ctx: runner.JobContext) -> dict:
        return {}

    settings = get_settings()
    engine = make_engine(settings.database_url, pool=True, pool_size=10)
    bind_engine(engine)
    await start_engine(engine)
    figures: dict[str, float] = {}
    try:
        ids = []
        for _ in range(jobs):
            job_id = uuid4()
            await Job.insert(
                Job(
                    id=job_id,
                    kind="bench.noop",
                    status="queued",
                    created_at=dt.datetime.now(dt.UTC),
                )
            )
            ids.append(job_id)
        began = time.perf_counter()
        for job_id in ids:
            await runner.run_queued(str(job_id), settings)
        figures["direct"] = (time.perf_counter() - began) / jobs * 1000
        for name, redis_url in (("postgres", ""), ("redis", REDIS)):
            on_queue = msgspec.structs.replace(
                settings,
                job_queue="saq",
                job_queue_name=f"bench-{uuid4().hex[:6]}",
                redis_url=redis_url,
            )
            await queue.prepare_queue(on_queue)  # as `lms migrate` does
            worker = asyncio.create_task(queue.run_worker(on_queue, concurrency=10, grace=0))
            await asyncio.sleep(1)
            began = time.perf_counter()
            submitted = [
                await runner.submit("bench.noop", {}, actor=None, settings=on_queue)
                for _ in range(jobs)
            ]
            while await Job.count().where(
                Job.id.is_in(submitted) & Job.status.is_in(["queued", "running"])
            ):
                await asyncio.sleep(0.02)
            figures[name] = (time.perf_counter() - began) / jobs * 1000
            worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await worker
            await queue.close_queues()
    finally:
        await stop_engine(engine)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300, help="certificates per issuing run")
    parser.add_argument("--jobs", type=int, default=200, help="no-op jobs for the overhead")
    parser.add_argument("--skip-issuing", action="store_true")
    args = parser.parse_args()
    print(f"load average at start: {os.getloadavg()[0]:.1f}")
    if not args.skip_issuing:
        one = issuing(args.n, 1)
        two = issuing(args.n, 2)
        print("\n| issuing on the PostgreSQL queue | seconds | certificates/s |")
        print("|---|---|---|")
        print(f"| 1 worker process | {one:.1f} | {args.n / one:.1f} |")
        print(f"| 2 worker processes | {two:.1f} | {args.n / two:.1f} |")
        print(f"| **ratio 2 : 1** | | **{one / two:.2f}x** |")
    figures = overhead(args.jobs)
    print("\n| no-op job, ms per job | direct | PostgreSQL queue | Redis queue |")
    print("|---|---|---|---|")
    print(
        f"| {args.jobs} jobs | {figures['direct']:.2f} | {figures['postgres']:.2f}"
        f" (+{figures['postgres'] - figures['direct']:.2f}) | {figures['redis']:.2f}"
        f" (+{figures['redis'] - figures['direct']:.2f}) |"
    )
    print(f"load average at end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()

"""Jobs on the distributed queue: issuing throughput with 1 and 2 ``lms worker`` processes, and
the queue's own cost per job against a direct call.

Run from the repository root, with PostgreSQL (and Redis for its row) on 127.0.0.1::

    python tests/benchmarks/bench_workers.py --n 200 --pairs 3 --jobs 100

1. **Issuing, 1 vs 2 workers** (PostgreSQL queue), ``--pairs`` times interleaved: a fresh
   database (``LMS_BENCH_DB``, default ``prima_saq_bench``) with ``2 x --pairs`` finalized
   sessions of the same ``--n`` participants, one web process; each run starts 1 (or 2)
   ``lms worker`` processes (``--concurrency`` ``LMS_BENCH_CONCURRENCY``, default 3), each with
   one render process (``LMS_RENDER_WORKERS=1``: a worker per core), waits until every worker
   has registered with the queue (started, render process warm), issues a session of its own
   and stops the workers. Timed: the job's ``created_at`` to ``finished_at`` (numbers reserved,
   every chunk rendered, signed, stored and committed). Printed per pair: the load average, both
   times, the ratio, the cores each run used (CPU seconds of the web, worker and render
   processes and PostgreSQL's backends over the wall time) and the 1-worker run's CPU per 100
   certificates by kind; then the median ratio. ``LMS_BENCH_KEEP=<dir>`` keeps the logs.
2. **Queue overhead** (in this process): ``--jobs`` jobs whose handler does nothing, submitted
   through ``runner.submit`` and run by a SAQ worker in this process (PostgreSQL queue, then
   Redis), against calling the same job's body directly (``runner.run_queued`` on a job row
   written beforehand, i.e. the Job-row updates without the queue). The difference per job is
   the queue's cost: enqueue, dequeue, heartbeat and finish bookkeeping.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PG = os.environ.get("LMS_BENCH_PG", "postgresql://postgres@127.0.0.1:5432")
DB = os.environ.get("LMS_BENCH_DB", "prima_saq_bench")
REDIS = os.environ.get("LMS_BENCH_REDIS", "redis://127.0.0.1:6379/5")
#: Jobs each worker process runs at once (``lms worker --concurrency``).
#: A folder to keep the processes' logs in (default: a temporary one, removed).
KEEP = os.environ.get("LMS_BENCH_KEEP", "")
CONCURRENCY = int(os.environ.get("LMS_BENCH_CONCURRENCY", "3"))


def _cpu_seconds(process: Any) -> tuple[float, float]:
    """CPU seconds (user + system) of ``process`` itself and of its children (render pool)."""
    import psutil

    def used(p: Any) -> float:
        try:
            times = p.cpu_times()
        except psutil.Error:
            return 0.0
        return float(times.user + times.system)

    try:
        children = psutil.Process(process.pid).children(recursive=True)
        own = used(psutil.Process(process.pid))
    except psutil.Error:
        return 0.0, 0.0
    return own, sum(used(c) for c in children)


def _postgres_cpu() -> float:
    import psutil

    total = 0.0
    for p in psutil.process_iter(["name"]):
        if p.info["name"] == "postgres":
            try:
                times = p.cpu_times()
            except psutil.Error:
                continue
            total += times.user + times.system
    return total


def _wait_for_workers(url: str, queue_name: str, workers: int, timeout: float = 600) -> None:
    """Wait until ``workers`` workers serve the queue: SAQ writes a worker's row in
    ``saq_stats`` once its startup (engine, render process warmed) is done. A worker stopped
    before has left the table by then (its row lives 11 s)."""
    import psycopg

    deadline = time.monotonic() + timeout
    time.sleep(12)  # the rows of the workers of the previous run expire
    with psycopg.connect(url, autocommit=True) as conn:
        while True:
            (count,) = conn.execute(
                "SELECT count(*) FROM saq_stats WHERE queue_key = %s"
                " AND expire_at >= EXTRACT(EPOCH FROM NOW())",
                (queue_name,),
            ).fetchone() or (0,)
            if count >= workers:
                return
            if time.monotonic() > deadline:
                raise RuntimeError(f"{count} of {workers} workers started")
            time.sleep(0.5)


def _busy(cpu: dict[str, float]) -> float:
    """CPU seconds of Prima's processes and PostgreSQL in one run (a negative PostgreSQL figure,
    from backends that ended meanwhile, counts as nothing)."""
    return sum(max(0.0, seconds) for seconds in cpu.values())


def issuing(
    n: int, pairs: int
) -> list[tuple[float, float, float, dict[str, float], dict[str, float]]]:
    """``pairs`` times, interleaved: seconds to issue ``n`` certificates with 1, then with 2
    worker processes. Each pair also gives the load average before it and the CPU seconds each
    kind of process used during its 1-worker run (web, worker main processes, their render
    processes, PostgreSQL's backends: these share the 2 cores).

    One database and one web process for all runs, with ``2 * pairs`` finalized sessions of
    the same ``n`` people seeded up front; each run issues a session of its own with workers
    started (and warmed) for it and stopped after it."""
    from tests.cluster import call, cluster, login, reset_database

    url = f"{PG}/{DB}"
    reset_database(url)
    out = []
    with (
        tempfile.TemporaryDirectory(prefix="prima-bench-workers-") as tmp,
        cluster(Path(KEEP or tmp), url, LMS_JOB_QUEUE_NAME=f"bench-{os.getpid()}") as c,
    ):
        sessions = iter(c.prepare_sessions(n, 2 * pairs))
        web = c.start_web()
        c.wait_for_webs()
        token = login(web)

        def run(workers: int) -> tuple[float, dict[str, float]]:
            for _ in range(workers):
                c.start_worker(concurrency=CONCURRENCY)
            _wait_for_workers(url, c.env["LMS_JOB_QUEUE_NAME"], workers)

            def sample() -> dict[str, float]:
                worker_cpu = [_cpu_seconds(w) for w in c.workers]
                return {
                    "web": sum(_cpu_seconds(p)[0] for p, _ in c.webs),
                    "worker": sum(own for own, _ in worker_cpu),
                    "render": sum(kids for _, kids in worker_cpu),
                    "postgres": _postgres_cpu(),
                }

            before = sample()
            session_id = next(sessions)
            job = call("POST", f"{web}/api/v1/sessions/{session_id}/certificates", token, {})
            while True:
                state = call("GET", f"{web}/api/v1/jobs/{job['job_id']}", token)
                if state["status"] not in ("queued", "running"):
                    break
                time.sleep(0.5)  # the time comes from the job's own timestamps, not this loop
            after = sample()
            c.stop_workers()
            assert state["status"] == "succeeded" and state["done"] == n, state
            assert state["result"]["issued"] == n and not state["errors"], state
            seconds = (
                dt.datetime.fromisoformat(state["finished_at"])
                - dt.datetime.fromisoformat(state["created_at"])
            ).total_seconds()
            cpu = {k: after[k] - before[k] for k in before}
            print(f"  {workers} worker(s): {seconds:.1f} s, CPU s {cpu}", file=sys.stderr)
            return seconds, cpu

        for _ in range(pairs):
            load = os.getloadavg()[0]
            one, cpu = run(1)
            two, cpu2 = run(2)
            out.append((load, one, two, cpu, cpu2))
    return out


def overhead(jobs: int) -> dict[str, float]:
    """Milliseconds per no-op job: direct, PostgreSQL queue, Redis queue."""
    import subprocess

    from tests.cluster import reset_database

    url = f"{PG}/{DB}"
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
    parser.add_argument("--pairs", type=int, default=3, help="1-vs-2 runs, interleaved")
    parser.add_argument("--skip-issuing", action="store_true")
    parser.add_argument("--skip-overhead", action="store_true")
    args = parser.parse_args()
    print(f"load average at start: {os.getloadavg()[0]:.1f}")
    if not args.skip_issuing:
        print(
            "\n| pair | load | 1 worker s (cert/s) | 2 workers s (cert/s) | ratio 2 : 1 |"
            " cores used, 1 / 2 workers |"
            " CPU s per 100 certificates, 1 worker: web / worker / render / PostgreSQL |"
        )
        print("|---|---|---|---|---|---|---|")
        ratios = []
        for pair, (load, one, two, cpu, cpu2) in enumerate(issuing(args.n, args.pairs), 1):
            ratios.append(one / two)
            per100 = " / ".join(f"{cpu[k] * 100 / args.n:.1f}" for k in cpu)
            cores = f"{_busy(cpu) / one:.2f} / {_busy(cpu2) / two:.2f}"
            print(
                f"| {pair} | {load:.1f} | {one:.1f} ({args.n / one:.1f}) |"
                f" {two:.1f} ({args.n / two:.1f}) | {one / two:.2f}x | {cores} | {per100} |",
                flush=True,
            )
        print(f"\n**median ratio 2 : 1 over {args.pairs} pairs: {statistics.median(ratios):.2f}x**")
    if args.skip_overhead:
        return
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

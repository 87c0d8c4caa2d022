"""Benchmark (issue 17): the web tier on PostgreSQL, 1 vs 2 web processes, uvicorn vs Granian.

Run: ``python tests/benchmarks/bench_webtier.py`` (from the repository root; PostgreSQL on
127.0.0.1:5432, ``LMS_BENCH_DATABASE_URL`` to use another database; it is dropped and made
afresh). Seeds 10,000 certificates (as ``bench_verify.py``), then starts four servers of
``lms.asgi:app`` on the one database, side by side:

* uvicorn ``--workers 1`` and ``--workers 2`` (uvloop, httptools: what ``lms serve`` runs),
* Granian ``--workers 1`` and ``--workers 2`` (ASGI interface, uvloop, HTTP/1, no websockets).

Each round loads every server in turn (the order rotates per round) with the same client,
``wrk`` with 64 connections when installed (``make bench`` installs it), else the Python asyncio
client of ``bench_verify.py``, on two endpoints: ``GET /api/v1/verify/{code}`` (a random code of
the 10,000: one indexed query) and ``GET /masuk`` (the login page: a Jinja page, no query). The
table gives medians of the rounds: requests/s, p99, and for each server the 2:1 ratio of its
two-process to its one-process figure. Every process keeps a pool of 4 PostgreSQL connections.

The client runs on the same machine and takes a core of its own under load: on a 2-core
machine two web processes share what the client leaves, so the 2:1 ratio here is a floor of
what two cores of a web machine give (see docs/BENCHMARKS.md).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from tests.benchmarks.bench_verify import (  # noqa: E402
    CONNECTIONS,
    LUA,
    SEED,
    free_port,
    run_python,
    run_wrk,
)

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/prima_webtier_bench"
SERVERS = (("uvicorn", 1), ("uvicorn", 2), ("granian", 1), ("granian", 2))
ENDPOINTS = ("verify", "page")
BIN = Path(sys.executable).parent


def reset_database(url: str) -> None:
    from tests.cluster import reset_database as reset

    reset(url)


def base_env(url: str, workdir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LMS_")}
    env.update(
        LMS_DATABASE_URL=url,
        LMS_DATA_DIR=str(workdir / "data"),
        LMS_SECRET_KEY="bench-secret-0123456789-abcdefghijklmnop",
        LMS_PUBLIC_BASE_URL="https://prima.test",
        LMS_VERIFY_RATE_PER_MINUTE="1000000000",
        LMS_RENDER_WORKERS="1",
        LMS_DB_POOL="true",
        LMS_DB_POOL_SIZE="4",
        LMS_LOG_LEVEL="WARNING",
        PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
    )
    return env


def command(server: str, workers: int, port: int) -> list[str]:
    if server == "uvicorn":
        return [
            sys.executable,
            "-m",
            "uvicorn",
            "lms.asgi:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--loop",
            "uvloop",
            "--http",
            "httptools",
            "--no-access-log",
            "--log-level",
            "warning",
            "--timeout-worker-healthcheck",
            "60",
        ]
    return [
        str(BIN / "granian"),
        "--interface",
        "asgi",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--loop",
        "uvloop",
        "--http",
        "1",
        "--no-ws",
        "--log-level",
        "warning",
        "--no-access-log",
        "lms.asgi:app",
    ]


def start(server: str, workers: int, env: dict[str, str], workdir: Path) -> tuple[Any, str]:
    port = free_port()
    metrics = workdir / f"metrics-{server}-{workers}"
    metrics.mkdir(parents=True, exist_ok=True)
    log = (workdir / f"{server}-{workers}.log").open("ab")
    process = subprocess.Popen(
        command(server, workers, port),
        env={**env, "PROMETHEUS_MULTIPROC_DIR": str(metrics)},
        cwd=REPO,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    return process, f"http://127.0.0.1:{port}"


def tree_cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of a server and its worker processes so far."""
    import psutil

    root = psutil.Process(pid)
    total = 0.0
    for process in [root, *root.children(recursive=True)]:
        try:
            times = process.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


def wait_ready(process: Any, base: str, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"{base}/health", timeout=5) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{base} did not start")
        time.sleep(0.3)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--certificates", type=int, default=10_000)
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--python-client", action="store_true", help="do not use wrk")
    args = parser.parse_args()
    url = os.environ.get("LMS_BENCH_DATABASE_URL", DEFAULT_URL)
    use_wrk = shutil.which("wrk") is not None and not args.python_client
    workdir = Path(tempfile.mkdtemp(prefix="prima-bench-webtier-"))
    env = base_env(url, workdir)
    reset_database(url)
    codes_file = workdir / "codes.txt"
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", SEED, str(args.certificates), str(codes_file), "https://prima.test"],
        env=env,
        cwd=REPO,
        check=True,
    )
    print(f"seeded {args.certificates:,} certificates in {time.perf_counter() - started:.0f} s")
    script = workdir / "random_codes.lua"
    script.write_text(LUA % {"codes": codes_file})
    codes = codes_file.read_text().split()
    verify_paths = [f"/api/v1/verify/{code}" for code in codes]
    load_before = os.getloadavg()[0]

    servers: dict[tuple[str, int], tuple[Any, str]] = {}
    results: dict[tuple[str, int, str], list[dict[str, float]]] = {}
    loads: list[float] = []
    try:
        for server, workers in SERVERS:  # started one by one: each imports the whole app
            process, base = start(server, workers, env, workdir)
            wait_ready(process, base)
            servers[(server, workers)] = (process, base)

        def load(base: str, endpoint: str, seconds: int) -> dict[str, float]:
            if use_wrk:
                if endpoint == "verify":
                    return run_wrk(f"{base}/api/v1/verify/", seconds, args.threads, script)
                return run_wrk(f"{base}/masuk", seconds, args.threads, None)
            paths = verify_paths if endpoint == "verify" else ["/masuk"]
            return run_python(base, paths, seconds)

        for _, base in servers.values():  # warm-up: caches, every worker's pool
            load(base, "verify", 2)
            load(base, "page", 2)
        for round_number in range(args.rounds):
            order = list(SERVERS[round_number % len(SERVERS) :] + SERVERS[: round_number % 4])
            for key in order:
                for endpoint in ENDPOINTS:
                    process, base = servers[key]
                    before = tree_cpu_seconds(process.pid)
                    result = load(base, endpoint, args.seconds)
                    used = tree_cpu_seconds(process.pid) - before
                    result["cpu_us"] = used / max(result["requests"], 1.0) * 1e6
                    results.setdefault((*key, endpoint), []).append(result)
                    loads.append(os.getloadavg()[0])
            print(f"round {round_number + 1} done, load {os.getloadavg()[0]:.1f}", flush=True)
    finally:
        for process, _ in servers.values():
            process.terminate()
        for process, _ in servers.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        shutil.rmtree(workdir, ignore_errors=True)

    def median(key: tuple[str, int, str], field: str) -> float:
        return statistics.median(r[field] for r in results[key])

    client = f"wrk -t{args.threads} -c{CONNECTIONS}" if use_wrk else "Python asyncio, 2 processes"
    print(
        f"\nPostgreSQL, {args.certificates:,} certificates, pool of 4 per process, {client}, "
        f"{args.rounds} rounds x {args.seconds} s per server and endpoint, medians; "
        f"load average {load_before:.1f} before, {statistics.median(loads):.1f} median during "
        f"the runs, on {os.cpu_count()} CPUs:\n"
    )
    print(
        "| server | processes | verify req/s | verify p99 ms | verify CPU µs/req "
        "| page req/s | page p99 ms | page CPU µs/req |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for server, workers in SERVERS:
        v, p = (server, workers, "verify"), (server, workers, "page")
        print(
            f"| {server} | {workers} | {median(v, 'rps'):,.0f} | {median(v, 'p99'):.1f} "
            f"| {median(v, 'cpu_us'):.0f} | {median(p, 'rps'):,.0f} | {median(p, 'p99'):.1f} "
            f"| {median(p, 'cpu_us'):.0f} |"
        )
    print("\n| server | verify 2:1 | page 2:1 |")
    print("|---|---:|---:|")
    for server in ("uvicorn", "granian"):
        ratios = [median((server, 2, e), "rps") / median((server, 1, e), "rps") for e in ENDPOINTS]
        print(f"| {server} | {ratios[0]:.2f}x | {ratios[1]:.2f}x |")
    print("\nGranian / uvicorn, same process count:")
    for workers in (1, 2):
        ratios = [
            median(("granian", workers, e), "rps") / median(("uvicorn", workers, e), "rps")
            for e in ENDPOINTS
        ]
        print(f"  {workers} process(es): verify {ratios[0]:.2f}x, page {ratios[1]:.2f}x")
    errors = sum(r["errors"] + r["socket_errors"] for rs in results.values() for r in rs)
    print(f"non-2xx or socket errors: {errors:.0f}")
    per_round = {
        f"{k[0]}-{k[1]}-{k[2]}": [round(r["rps"]) for r in rs] for k, rs in results.items()
    }
    print(f"per round req/s: {per_round}")
    return 0 if errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())

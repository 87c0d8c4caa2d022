"""Benchmark: ``GET /api/v1/verify/{code}`` against ``GET /health/live`` on the same server.

Run: ``python tests/benchmarks/bench_verify.py`` (from the repository root; ``make bench``).
Budget (DESIGN.md §6): on SQLite with one uvicorn worker and 64 concurrent connections, the
verification lookup answers >= 60% of the requests/s of ``/health/live`` (no I/O) measured in the
same run, with p99 latency <= 50 ms.

The server is ``lms.asgi:app`` under uvicorn (uvloop + httptools, one worker, as ``lms serve``)
on a temporary SQLite file seeded with 10,000 certificates; every verify request asks for a
random one of their codes. The per-address rate limit stays on (it is part of the route's cost)
with ``LMS_VERIFY_RATE_PER_MINUTE`` set far above what the run sends. The load comes from ``wrk``
(Debian package ``wrk``; a Lua script picks the codes) in another process; without wrk, from a
Python asyncio client in two processes. Rounds alternate between the two endpoints and the table
gives medians.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CONNECTIONS = 64
BUDGET_RATIO = 0.60
BUDGET_P99_MS = 50.0

SEED = """
import asyncio, datetime as dt, random, sys, uuid
import msgspec
from piccolo.apps.migrations.commands.forwards import run_forwards
from lms.app import bind_engine
from lms.config import get_settings
from lms.db import make_engine, start_engine, stop_engine
from certificates.rendering.snapshot import HolderSnapshot, sample_snapshot

NAMES = ["Afrizal", "Muh. Ma'ruf", "Ni Made Ayu Suartini", "Yusnita Dewi", "Rahmat Hidayat",
         "Siti Nurhaliza", "Andi Pratama", "Dewi Lestari", "Budi Santoso", "Fitri Handayani"]

async def main(count, codes_path, base):
    settings = get_settings()
    engine = make_engine(settings.database_url)
    bind_engine(engine)
    await start_engine(engine)
    result = await run_forwards("all")
    assert result.success, result.message
    from certificates.tables import Certificate
    rng = random.Random(2026)
    unit = uuid.uuid4()
    codes = []
    issued = dt.datetime(2026, 11, 22, 3, 0, tzinfo=dt.UTC)
    rows = []
    for n in range(1, count + 1):
        code = "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(16))
        codes.append(code)
        number = f"{n:05d}/PP/DPMPTSP/XI/2026"
        name = f"{rng.choice(NAMES)}, S.Sos."
        nip = f"1986{rng.randint(1, 12):02d}{rng.randint(1, 28):02d} 201505 1 {n % 1000:03d}"
        snapshot = sample_snapshot(base, number=number, verification_code=code,
                                   verify_url=f"{base}/verify/{code}",
                                   holder=HolderSnapshot(name_with_titles=name, nip_display=nip,
                                                         pangkat_golongan="Penata, III/c",
                                                         jabatan="Analis Perizinan",
                                                         unit_name="DPMPTSP"))
        status = "revoked" if n % 50 == 0 else "valid"
        rows.append(Certificate(
            id=uuid.uuid4(), number=number, code=code, session_id=uuid.uuid4(),
            person_id=uuid.uuid4(), course_id=uuid.uuid4(), unit_id=unit,
            unit_path=f"/{unit}/", holder_name=name,
            snapshot=msgspec.json.encode(snapshot).decode(),
            pdf_sha256=f"{n:064x}", issued_at=issued, year=2026,
            valid_until=dt.date(2029, 11, 22), status=status,
            revoked_at=issued if status == "revoked" else None,
            revocation={"category": "salah_data", "reason": "x"} if status == "revoked" else {},
        ))
    for start in range(0, len(rows), 500):
        async with Certificate._meta.db.transaction():
            await Certificate.insert(*rows[start:start + 500])
    await stop_engine(engine)
    with open(codes_path, "w") as fh:
        fh.write("\\n".join(codes) + "\\n")

asyncio.run(main(int(sys.argv[1]), sys.argv[2], sys.argv[3]))
"""

LUA = """
local codes = {}
for line in io.lines("%(codes)s") do codes[#codes + 1] = line end
math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
request = function()
  return wrk.format("GET", "/api/v1/verify/" .. codes[math.random(#codes)])
end
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(
    workdir: Path, count: int, app: str = "lms.asgi:app"
) -> tuple[subprocess.Popen[bytes], str, Path]:
    """Seed the database and start uvicorn; return the process, base URL and codes file."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("LMS_")}
    env.update(
        LMS_DATABASE_URL=f"sqlite:///{workdir / 'lms.sqlite3'}",
        LMS_DATA_DIR=str(workdir / "data"),
        LMS_SECRET_KEY="bench-secret-0123456789-abcdefghijklmnop",
        LMS_PUBLIC_BASE_URL=base,
        LMS_VERIFY_RATE_PER_MINUTE="1000000000",
        LMS_RENDER_WORKERS="1",
    )
    codes = workdir / "codes.txt"
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", SEED, str(count), str(codes), base],
        env=env,
        cwd=REPO,
        check=True,
    )
    print(f"seeded {count} certificates in {time.perf_counter() - started:.1f} s", flush=True)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            app,
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "1",
            "--loop",
            "uvloop",
            "--http",
            "httptools",
            "--no-access-log",
            "--log-level",
            "warning",
        ],
        env={
            **env,
            "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")])),
        },
        cwd=REPO,
    )
    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(f"{base}/health/live", timeout=2) as answer:
                if answer.status == 200:
                    break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("the server did not start")
        time.sleep(0.2)
    return process, base, codes


def server_cpu_seconds(pid: int) -> float:
    """CPU time (user + system) the server process has used so far, from /proc.

    Requests per CPU-second is what one worker can serve when it has a core to itself; unlike
    requests per second it hardly moves when other processes compete for the machine's cores.
    """
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# -- load with wrk -----------------------------------------------------------------------------


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def run_wrk(url: str, seconds: int, threads: int, script: Path | None) -> dict[str, float]:
    """One wrk run; returns req/s, p50 and p99 in ms and the count of non-2xx answers."""
    command = ["wrk", f"-t{threads}", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency"]
    if script is not None:
        command += ["-s", str(script)]
    out = subprocess.run(command + [url], capture_output=True, check=True, text=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    count = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    p50 = re.search(r"\s50%\s+([\d.]+)(us|ms|s|m)\b", out)
    p99 = re.search(r"\s99%\s+([\d.]+)(us|ms|s|m)\b", out)
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    socket_errors = re.search(r"Socket errors:.*", out)
    return {
        "rps": rate,
        "p50": _ms(*p50.groups()),  # type: ignore[union-attr]
        "p99": _ms(*p99.groups()),  # type: ignore[union-attr]
        "errors": float(errors.group(1)) if errors else 0.0,
        "socket_errors": 1.0 if socket_errors else 0.0,
        "requests": float(count),
    }


# -- load with Python (when wrk is missing) ----------------------------------------------------


async def _client_loop(host: str, port: int, paths: list[str], seconds: float, conns: int):
    latencies: list[float] = []
    errors = 0
    stop = time.perf_counter() + seconds

    async def one_connection(seed: int) -> None:
        nonlocal errors
        rng = random.Random(seed)
        reader, writer = await asyncio.open_connection(host, port)
        while time.perf_counter() < stop:
            path = paths[rng.randrange(len(paths))]
            request = f"GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode()
            sent = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            length = int(re.search(rb"(?i)content-length:\s*(\d+)", head).group(1))  # type: ignore[union-attr]
            await reader.readexactly(length)
            latencies.append(time.perf_counter() - sent)
            if not head.startswith(b"HTTP/1.1 200"):
                errors += 1
        writer.close()

    await asyncio.gather(*(one_connection(i) for i in range(conns)))
    return latencies, errors


def _client_process(args: tuple[str, int, list[str], float, int], queue) -> None:
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    queue.put(asyncio.run(_client_loop(*args)))


def run_python(base: str, paths: list[str], seconds: int, processes: int = 2) -> dict[str, float]:
    """The same measurement with asyncio clients in ``processes`` processes (64 connections)."""
    host, port = base.removeprefix("http://").split(":")
    queue: multiprocessing.Queue = multiprocessing.Queue()
    per = CONNECTIONS // processes
    workers = [
        multiprocessing.Process(
            target=_client_process, args=((host, int(port), paths, seconds, per), queue)
        )
        for _ in range(processes)
    ]
    for worker in workers:
        worker.start()
    latencies: list[float] = []
    errors = 0
    for _ in workers:
        part, bad = queue.get()
        latencies += part
        errors += bad
    for worker in workers:
        worker.join()
    latencies.sort()
    return {
        "rps": len(latencies) / seconds,
        "p50": latencies[len(latencies) // 2] * 1000,
        "p99": latencies[int(len(latencies) * 0.99)] * 1000,
        "errors": float(errors),
        "socket_errors": 0.0,
        "requests": float(len(latencies)),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--certificates", type=int, default=10_000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1, help="wrk threads")
    parser.add_argument("--python-client", action="store_true", help="do not use wrk")
    parser.add_argument("--app", default="lms.asgi:app", help="ASGI app to serve (experiments)")
    args = parser.parse_args()

    use_wrk = shutil.which("wrk") is not None and not args.python_client
    workdir = Path(tempfile.mkdtemp(prefix="prima-bench-verify-"))
    process, base, codes_file = start_server(workdir, args.certificates, args.app)
    try:
        codes = codes_file.read_text().split()
        script = workdir / "random_codes.lua"
        script.write_text(LUA % {"codes": codes_file})
        verify_paths = [f"/api/v1/verify/{code}" for code in codes]
        sample = json.loads(urllib.request.urlopen(base + verify_paths[0]).read())
        assert sample["number"] == "00001/PP/DPMPTSP/XI/2026", sample

        def load(name: str, seconds: int) -> dict[str, float]:
            if use_wrk:
                if name == "verify":
                    return run_wrk(f"{base}/api/v1/verify/", seconds, args.threads, script)
                return run_wrk(f"{base}/health/live", seconds, args.threads, None)
            paths = verify_paths if name == "verify" else ["/health/live"]
            return run_python(base, paths, seconds)

        def measure(name: str, seconds: int) -> dict[str, float]:
            before = server_cpu_seconds(process.pid)
            result = load(name, seconds)
            used = server_cpu_seconds(process.pid) - before
            result["cpu_us"] = used / max(result["requests"], 1.0) * 1e6
            return result

        measure("live", 2)  # warm-up: imports, caches, the SQLite page cache
        measure("verify", 3)
        results: dict[str, list[dict[str, float]]] = {"live": [], "verify": []}
        for _ in range(args.rounds):
            for name in ("live", "verify"):
                results[name].append(measure(name, args.seconds))
    finally:
        process.terminate()
        process.wait(timeout=30)
        shutil.rmtree(workdir, ignore_errors=True)

    def median(name: str, key: str) -> float:
        return statistics.median(r[key] for r in results[name])

    live, verify = median("live", "rps"), median("verify", "rps")
    ratio = verify / live
    p99 = median("verify", "p99")
    errors = sum(r["errors"] + r["socket_errors"] for rs in results.values() for r in rs)
    client = f"wrk -t{args.threads} -c{CONNECTIONS}" if use_wrk else "Python asyncio, 2 processes"
    print(
        f"\nSQLite, {args.certificates:,} certificates, uvicorn 1 worker (uvloop, httptools), "
        f"{CONNECTIONS} connections, {client}, {args.rounds} rounds x {args.seconds} s, "
        f"medians:\n"
    )
    print("| endpoint | req/s | p50 ms | p99 ms | server CPU µs/request | req per CPU-second |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, label in (("live", "GET /health/live"), ("verify", "GET /api/v1/verify/{code}")):
        cpu = median(name, "cpu_us")
        print(
            f"| {label} | {median(name, 'rps'):,.0f} | {median(name, 'p50'):.1f} "
            f"| {median(name, 'p99'):.1f} | {cpu:.0f} | {1e6 / cpu:,.0f} |"
        )
    cpu_ratio = median("live", "cpu_us") / median("verify", "cpu_us")
    print(
        f"\nverify / live: **{ratio:.0%}** (budget >= {BUDGET_RATIO:.0%}); "
        f"verify p99 **{p99:.1f} ms** (budget <= {BUDGET_P99_MS:.0f} ms); "
        f"non-2xx or socket errors: {errors:.0f}"
    )
    print(
        f"verify / live in requests per server CPU-second: {cpu_ratio:.0%}; "
        f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )
    per_round = ", ".join(
        f"{v['rps']:,.0f}/{w['rps']:,.0f}"
        for v, w in zip(results["verify"], results["live"], strict=True)
    )
    print(f"per round (verify/live req/s): {per_round}")
    ok = ratio >= BUDGET_RATIO and p99 <= BUDGET_P99_MS and errors == 0
    print("\nbudget met" if ok else "\nBUDGET MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

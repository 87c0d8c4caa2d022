"""Several Prima processes on one PostgreSQL database, as deployed: ``lms serve`` web processes
that only enqueue and ``lms worker`` processes that run the jobs (``LMS_JOB_QUEUE=saq``), each
on a free port, with a shared data directory (the PDF store).

Used by the multi-process test (tests/certificates/issuing/test_cluster.py) and the workers
benchmark (tests/benchmarks/bench_workers.py). ``python -m tests.cluster seed N`` (run by
``Cluster.seed`` in a subprocess with the cluster's environment) builds a finalized session
with ``N`` passed participants and prints its id.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.live_server import LMS, REPO, free_port

ADMIN_PASSWORD = "admin-cluster-2026"


def reset_database(url: str) -> None:
    """Create the PostgreSQL database of ``url`` afresh (dropped first when it exists)."""
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


class Cluster:
    """Web and worker processes of one installation; ``kill -9`` any of them."""

    def __init__(self, data_dir: Path, database_url: str, **extra_env: str) -> None:
        self.data_dir = data_dir
        self.database_url = database_url
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("LMS_")}
        self.env.update(
            LMS_DATA_DIR=str(data_dir),
            LMS_DATABASE_URL=database_url,
            LMS_SECRET_KEY="cluster-secret-key-0123456789-0123456789",
            LMS_PUBLIC_BASE_URL="https://prima.test",
            LMS_JOB_QUEUE="saq",
            # A few pooled connections per process: PostgreSQL's max_connections is shared.
            LMS_DB_POOL="true",
            LMS_DB_POOL_SIZE="4",
            LMS_RENDER_WORKERS="1",
            LMS_VERIFY_RATE_PER_MINUTE="1000000",
            LMS_LOG_LEVEL="WARNING",
            LMS_SCHEDULER="false",
            PYTHONWARNINGS="ignore",
        )
        self.env.update(extra_env)
        self.webs: list[tuple[subprocess.Popen[bytes], str]] = []
        self.workers: list[subprocess.Popen[bytes]] = []
        self._logs: list[Any] = []

    def lms(self, *args: str) -> str:
        done = subprocess.run(
            [str(LMS), *args], env=self.env, cwd=REPO, capture_output=True, timeout=600
        )
        if done.returncode:
            raise RuntimeError(f"lms {' '.join(args)}: {done.stderr.decode()[-2000:]}")
        return done.stdout.decode()

    def prepare(self, people: int) -> str:
        """Migrate, then make the admin and a finalized session of ``people`` side by side;
        the session's id."""
        return self.prepare_sessions(people, 1)[0]

    def prepare_sessions(self, people: int, sessions: int) -> list[str]:
        """``prepare`` with ``sessions`` finalized sessions of the same ``people``; their ids."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.lms("migrate")
        user = subprocess.Popen(
            [str(LMS), "users", "create", "admin", "--role", "admin", "--password", ADMIN_PASSWORD],
            env=self.env,
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        seed = subprocess.Popen(
            [sys.executable, "-m", "tests.cluster", "seed", str(people), str(sessions)],
            env=self.env,
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        out, err = seed.communicate(timeout=600)
        user_err = user.communicate(timeout=600)[1]
        if seed.returncode or user.returncode:
            raise RuntimeError((err + user_err).decode()[-3000:])
        return out.decode().strip().splitlines()[-sessions:]

    def _log(self, name: str) -> Any:
        log = (self.data_dir / f"{name}.log").open("ab")
        self._logs.append(log)
        return log

    def start_web(self) -> str:
        """Start a web process; its base URL (``wait_for_webs`` waits until it answers)."""
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        process = subprocess.Popen(
            [str(LMS), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=self.env,
            cwd=REPO,
            stdout=self._log(f"web-{port}"),
            stderr=subprocess.STDOUT,
        )
        self.webs.append((process, base))
        return base

    def wait_for_webs(self, timeout: float = 300) -> None:
        deadline = time.monotonic() + timeout
        for process, base in self.webs:
            while True:
                try:
                    with urllib.request.urlopen(f"{base}/health/live", timeout=2) as answer:
                        if answer.status == 200:
                            break
                except (urllib.error.URLError, ConnectionError, OSError):
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"web process {base} did not start: see {self.data_dir}")
                time.sleep(0.2)

    def start_worker(self, concurrency: int = 4) -> subprocess.Popen[bytes]:
        log = self._log(f"worker-{len(self.workers)}")
        process = subprocess.Popen(
            [str(LMS), "worker", "--concurrency", str(concurrency)],
            env=self.env,
            cwd=REPO,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.workers.append(process)
        return process

    def stop_workers(self) -> None:
        """Stop (SIGTERM) every worker process and wait for it."""
        for process in self.workers:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.workers:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.workers = []

    def stop(self) -> None:
        for process in [p for p, _ in self.webs] + self.workers:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in [p for p, _ in self.webs] + self.workers:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for log in self._logs:
            log.close()


@contextmanager
def cluster(data_dir: Path, database_url: str, **extra_env: str) -> Any:
    """A ``Cluster`` stopped (every process) when the block ends."""
    running = Cluster(data_dir, database_url, **extra_env)
    try:
        yield running
    finally:
        running.stop()


def call(
    method: str, url: str, token: str | None = None, body: Any = None, timeout: float = 60
) -> Any:
    """A JSON request; the decoded answer."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=timeout) as answer:
        return json.loads(answer.read() or b"null")


def login(base: str) -> str:
    answer = call(
        "POST", f"{base}/api/v1/auth/login", body={"username": "admin", "password": ADMIN_PASSWORD}
    )
    return str(answer["access_token"])


def verify_pdf(base: str, token: str, pdf: bytes) -> Any:
    """``POST /api/v1/verify/pdf`` with ``pdf`` as the upload."""
    boundary = "prima-cluster-boundary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            'filename="c.pdf"\r\nContent-Type: application/pdf\r\n\r\n'
        ).encode()
        + pdf
        + f"\r\n--{boundary}--\r\n".encode()
    )
    request = urllib.request.Request(f"{base}/api/v1/verify/pdf", data=body, method="POST")
    request.add_header("Content-Type", f"multipart/form-data; boundary={boundary}")
    request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=60) as answer:
        return json.loads(answer.read())


async def _seed(people: int, sessions: int = 1) -> str:
    saved = dict(os.environ)  # the benchmark module sets its own LMS_* on import
    from tests.benchmarks.bench_issuing import _finalized_session, _world

    os.environ.clear()
    os.environ.update(saved)
    from lms.app import bind_engine
    from lms.config import get_settings
    from lms.db import make_engine, start_engine, stop_engine

    engine = make_engine(get_settings().database_url, pool=False)
    bind_engine(engine)
    await start_engine(engine)
    try:
        caller, course_id, ids, _ = await _world(people)
        made = [
            str(await _finalized_session(caller, course_id, ids, f"Angkatan {index + 1}"))
            for index in range(sessions)
        ]
        return "\n".join(made)
    finally:
        await stop_engine(engine)


if __name__ == "__main__":
    if sys.argv[1:2] == ["seed"]:
        print(asyncio.run(_seed(int(sys.argv[2]), int(sys.argv[3]) if sys.argv[3:] else 1)))

"""A real Prima server for tests that need one from outside the process (a browser, a shell
script): the ``lms`` command of this venv, a fresh data directory, a free port.

The server is what a user runs (``lms migrate``, optionally ``lms demo``, ``lms serve``), so the
tests see the same startup, static files and settings as ``make run``.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LMS = Path(sys.executable).with_name("lms")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(data_dir: Path, base_url: str, **extra: str) -> dict[str, str]:
    """This process's environment without any LMS_ setting (the test run's database must not
    leak into the server), plus a fresh data directory: SQLite in it, its own secret key."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LMS_")}
    env.update(LMS_DATA_DIR=str(data_dir), LMS_PUBLIC_BASE_URL=base_url, **extra)
    return env


@contextmanager
def live_server(
    data_dir: Path, *, setup: Sequence[Sequence[str]] = (("migrate",),), **extra_env: str
) -> Iterator[str]:
    """Run each ``lms`` command of ``setup``, then ``lms serve`` on a free port until the block
    ends; yields the base URL. The server's output goes to ``data_dir/server.log``."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    data_dir.mkdir(parents=True, exist_ok=True)
    env = server_env(data_dir, base, **extra_env)
    for args in setup:
        subprocess.run(
            [str(LMS), *args], env=env, cwd=REPO, check=True, capture_output=True, timeout=300
        )
    log = (data_dir / "server.log").open("wb")
    process = subprocess.Popen(
        [str(LMS), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        cwd=REPO,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{base}/health/live", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, OSError):
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    f"the test server did not start:\n{(data_dir / 'server.log').read_text()}"
                )
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()

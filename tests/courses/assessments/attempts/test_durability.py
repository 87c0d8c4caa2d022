"""The kill test: every autosave answered 200 survives a SIGKILL of the server process.

A real ``uvicorn lms.asgi:app`` runs in a subprocess on its own temp-file SQLite database
(migrated with ``lms migrate``, seeded by ``quiz_world``). The test logs in, starts the
post-test, autosaves every answer, kills the server with SIGKILL right after the last 200,
starts it again and finds each saved answer, exactly as sent. SQLite only: the PostgreSQL run
shares one test database with the in-process app.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[4]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LMS_")}
    env.update(
        LMS_DATABASE_URL=f"sqlite:///{tmp_path / 'kill.sqlite3'}",
        LMS_DATA_DIR=str(tmp_path / "data"),
        LMS_SECRET_KEY="kill-test-secret-key-0123456789-abcdefghijklmnop",
        PYTHONPATH=str(ROOT),
    )
    return env


def _lms(env: dict[str, str], *args: str) -> str:
    script = Path(sys.executable).with_name("lms")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "lms.cli"]
    done = subprocess.run(
        [*command, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


class Server:
    """``uvicorn lms.asgi:app`` on a free port; the log goes to a file for failures."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log.open("ab")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "lms.asgi:app",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--no-access-log",
            ],
            env=env,
            cwd=ROOT,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.process.poll() is None, log.read_text()
            try:
                if httpx.get(self.url + "/health/live", timeout=0.5).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise AssertionError("server did not start: " + log.read_text())

    def kill(self) -> None:
        """SIGKILL: no shutdown hooks, no WAL checkpoint, nothing flushed on the way out."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)
        self.log.close()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self.log.close()


@pytest.mark.sqlite_only
def test_saved_answers_survive_a_killed_server(tmp_path):
    env = _env(tmp_path)
    _lms(env, "migrate")
    # Seeding and the server's start-up overlap: both mostly import Python modules.
    seeding = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.courses.builders.quiz_world",
            "--participants",
            "1",
            "--questions",
            "20",
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    log = tmp_path / "server.log"
    server: Server | None = None
    try:
        server = Server(env, log)
        out, err = seeding.communicate(timeout=60)
        assert seeding.returncode == 0, err
        world = json.loads(out)
        with httpx.Client(base_url=server.url, timeout=10) as http:
            login = http.post(
                "/api/v1/auth/login",
                json={
                    "username": world["participants"][0]["username"],
                    "password": world["password"],
                },
            )
            assert login.status_code == 200, login.text
            headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
            attempt = http.post(f"/api/v1/quizzes/{world['quiz_id']}/attempts", headers=headers)
            assert attempt.status_code == 201, attempt.text
            attempt_id = attempt.json()["id"]
            questions = [q["id"] for q in attempt.json()["questions"]]
            assert len(questions) == 20
            saved = {}
            for question_id in questions:
                body = world["answers"][question_id]
                resp = http.put(
                    f"/api/v1/attempts/{attempt_id}/answers/{question_id}",
                    json=body,
                    headers=headers,
                )
                assert resp.status_code == 200, resp.text
                saved[question_id] = body
        server.kill()
        server = Server(env, log)
        with httpx.Client(base_url=server.url, timeout=10) as http:
            resp = http.get(f"/api/v1/attempts/{attempt_id}", headers=headers)
            assert resp.status_code == 200, resp.text
            found = {q["id"]: q["response"] for q in resp.json()["questions"]}
            assert found == saved
            resp = http.post(f"/api/v1/attempts/{attempt_id}/submit", headers=headers)
            assert resp.status_code == 200
            assert resp.json()["percent"] == "100.00"
    finally:
        if seeding.poll() is None:
            seeding.kill()
            seeding.wait(10)
        if server is not None:
            server.stop()

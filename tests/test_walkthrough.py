"""The README walkthrough, run as a user runs it: ``lms migrate``, ``lms demo`` and ``lms serve``
on a fresh data directory, then ``scripts/walkthrough.sh`` against that server twice in a row.

The script checks every answer itself (``expect``/``must``, ``set -euo pipefail``); here each
run must exit 0, go through every step, end with its success line, print no ``null`` (a second
run used to, when its names clashed with the first), and write nothing to stderr. The
participant of the walkthrough passes (the script answers from the bank's keys). The README's
walkthrough section must be exactly what ``scripts/walkthrough_readme.py`` makes of the script.

Also checks what the ``lms`` commands print: no library warning and no migration banner
unless ``-v``, and a progress bar per stage of the demo.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import SHARED_DATA
from tests.live_server import LMS, REPO, live_server, server_env

pytestmark = [
    pytest.mark.own_server,
    pytest.mark.skipif(
        shutil.which("jq") is None or shutil.which("curl") is None,
        reason="the walkthrough needs curl and jq (scripts/system-deps.sh installs them)",
    ),
]

STEPS = [
    "1. People",
    "2. Course and session",
    "3. Attendance",
    "4. Question bank and post-test",
    "5. Reports and results",
    "6. Certificates",
    "7. Verification",
    "8. HR: JP and service quality",
]
DEMO_STAGES = [
    "Unit, peserta, akun",
    "Pelatihan dan angkatan",
    "Bank soal, pre/post-test",
    "Nilai akhir, finalisasi",
    "Sertifikat (PDF bertanda)",
    "Kompetensi, SKM, riwayat JP",
]


def lms(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LMS), *args],
        env=server_env(data_dir, "http://127.0.0.1:8000"),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, str]]]:
    """A data directory after ``lms migrate`` and ``lms demo``, with what each printed."""
    data_dir = tmp_path_factory.mktemp("walkthrough-data")
    printed = {
        "migrate": lms(data_dir, "migrate"),
        "migrate -v": lms(data_dir, "-v", "migrate"),
        "demo": lms(data_dir, "demo"),
    }
    yield (
        data_dir,
        {name: done.stdout + "\n--- stderr ---\n" + done.stderr for name, done in printed.items()},
    )


def test_lms_commands_print_no_library_warning_and_no_banner(demo_dir):
    data_dir, printed = demo_dir

    assert printed["migrate"] == (
        f"Database ready: sqlite:///{data_dir / 'lms.sqlite3'}\n\n--- stderr ---\n"
    )
    assert "No migrations need to be run" in printed["migrate -v"]  # -v shows Piccolo's output
    demo = printed["demo"]
    assert "Warning" not in demo and "DSA" not in demo
    assert "migration" not in demo
    assert "Demo loaded. Log in with:" in demo
    for stage in DEMO_STAGES:  # one bar per stage, each run to the end
        assert re.search(rf"{re.escape(stage)}\s+━+ 100%", demo), (stage, demo)


def test_walkthrough_runs_twice_against_a_fresh_server(demo_dir, tmp_path):
    data_dir, _ = demo_dir
    with live_server(data_dir, setup=()) as base:
        runs = [
            subprocess.run(
                ["bash", str(REPO / "scripts" / "walkthrough.sh"), base, str(SHARED_DATA)],
                cwd=tmp_path,
                capture_output=True,
                text=True,
                timeout=150,
            )
            for _ in range(2)
        ]

    for number, run in enumerate(runs, 1):
        assert run.returncode == 0, f"run {number}:\n{run.stdout}\n{run.stderr}"
        assert run.stderr == "", f"run {number}: {run.stderr}"
        assert re.findall(r"^== (.*)$", run.stdout, re.M) == STEPS, run.stdout
        assert run.stdout.endswith("walkthrough: every step gave the expected answer\n")
        assert "null" not in run.stdout, f"run {number}:\n{run.stdout}"
        # The walkthrough's participant answered from the key: full marks, passed, certified.
        assert '{"status":"submitted","percent":"100.00"}' in run.stdout
        assert '{"results":27,"passed":1,"failed":26,"credited":1}' in run.stdout
        assert '"holder":"Afrizal, S.Sos."' in run.stdout
    assert (tmp_path / "sertifikat.pdf").read_bytes().startswith(b"%PDF-")


def test_readme_walkthrough_is_the_script() -> None:
    done = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "walkthrough_readme.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, (
        "README.md's walkthrough differs from scripts/walkthrough.sh; run "
        "`python3 scripts/walkthrough_readme.py --write`:\n" + done.stdout
    )

"""The public verification page in a real browser at a phone's size (Debian's chromium).

The app runs under uvicorn in a subprocess on a free port with its own SQLite file, seeded with
certificate rows; headless chromium (390×844, an ordinary phone) loads the page, and the test
reads the DOM it built, a screenshot, and chromium's network log: every request made on behalf
of the page must go to our server (the browser's own background traffic, e.g. update checks, is
told apart by its network isolation key and ignored).

Skipped when chromium is not installed (``apt-get install -y chromium``).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import msgspec
import pytest

from certificates.rendering.snapshot import HolderSnapshot, sample_snapshot

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [
    pytest.mark.own_server,
    pytest.mark.skipif(
        CHROMIUM is None, reason="Debian's chromium is not installed (apt-get install -y chromium)"
    ),
]

REPO = Path(__file__).resolve().parents[3]
PHONE = "390,844"

SEED = """
import asyncio, json, sys, datetime as dt
from uuid import UUID
from piccolo.apps.migrations.commands.forwards import run_forwards
from lms.app import bind_engine
from lms.config import get_settings
from lms.db import make_engine, start_engine, stop_engine

async def main():
    settings = get_settings()
    engine = make_engine(settings.database_url)
    bind_engine(engine)
    await start_engine(engine)
    result = await run_forwards("all")
    assert result.success, result.message
    from certificates.tables import Certificate
    for spec in json.loads(sys.stdin.read()):
        for key in ("id", "session_id", "person_id", "course_id", "unit_id",
                    "supersedes", "superseded_by"):
            spec[key] = UUID(spec[key]) if spec.get(key) else None
        for key in ("issued_at", "revoked_at"):
            spec[key] = dt.datetime.fromisoformat(spec[key]) if spec.get(key) else None
        spec["valid_until"] = (
            dt.date.fromisoformat(spec["valid_until"]) if spec.get("valid_until") else None
        )
        await Certificate.insert(Certificate(**spec))
    await stop_engine(engine)

asyncio.run(main())
"""

IDS = {name: f"00000000-0000-4000-8000-00000000000{n}" for n, name in enumerate("abcd", 1)}


def _row(key: str, number: str, code: str, base: str, **fields) -> dict:
    changes = fields.pop("snapshot_changes", {})
    snapshot = sample_snapshot(
        base, number=number, verification_code=code, verify_url=f"{base}/verify/{code}", **changes
    )
    return {
        "id": IDS[key],
        "number": number,
        "code": code,
        "session_id": "11111111-1111-4111-8111-111111111111",
        "person_id": "22222222-2222-4222-8222-222222222222",
        "course_id": "33333333-3333-4333-8333-333333333333",
        "unit_id": "44444444-4444-4444-8444-444444444444",
        "unit_path": "/44444444-4444-4444-8444-444444444444/",
        "holder_name": snapshot.holder.name_with_titles,
        "snapshot": msgspec.json.encode(snapshot).decode(),
        "pdf_sha256": key * 64,
        "issued_at": "2026-11-22T03:00:00+00:00",
        "year": 2026,
        "status": "valid",
        **fields,
    }


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """The app under uvicorn on a free port, with four certificates; yields its base URL."""
    workdir = Path(tempfile.mkdtemp(prefix="prima-browser-"))
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("LMS_")}
    env.update(
        LMS_DATABASE_URL=f"sqlite:///{workdir / 'lms.sqlite3'}",
        LMS_DATA_DIR=str(workdir / "data"),
        LMS_SECRET_KEY="browser-test-secret-0123456789-abcdefghij",
        LMS_PUBLIC_BASE_URL=base,
        LMS_VERIFY_RATE_PER_MINUTE="1000",
        LMS_RENDER_WORKERS="1",
    )
    rows = [
        _row("a", "001/PP/DPMPTSP/XI/2026", "KODESAH000001", base, valid_until="2099-11-22"),
        _row(
            "b",
            "002/PP/DPMPTSP/XI/2026",
            "KODELAMA00001",
            base,
            status="superseded",
            superseded_by=IDS["c"],
        ),
        _row(
            "c",
            "014/PP/DPMPTSP/XII/2026",
            "KODEBARU00001",
            base,
            supersedes=IDS["b"],
            snapshot_changes={
                "holder": HolderSnapshot(
                    name_with_titles="Muhammad Ma'ruf, S.Sos., M.Si.",
                    nip_display="19860926 201505 1 001",
                )
            },
        ),
        _row(
            "d",
            "003/PP/DPMPTSP/XI/2026",
            "KODECABUT0001",
            base,
            status="revoked",
            revoked_at="2026-12-01T02:30:00+00:00",
            revocation={"category": "pelanggaran", "reason": "Rahasia: menyontek"},
        ),
    ]
    subprocess.run(
        [sys.executable, "-c", SEED],
        input=json.dumps(rows).encode(),
        env=env,
        cwd=REPO,
        check=True,
        timeout=180,
        capture_output=True,
    )
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "lms.asgi:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-access-log",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=REPO,
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
                raise RuntimeError("the test server did not start")
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(workdir, ignore_errors=True)


def chromium(*args: str, url: str, workdir: Path) -> subprocess.CompletedProcess[bytes]:
    """Run headless chromium at a phone's size with a fresh profile."""
    profile = tempfile.mkdtemp(prefix="profile-", dir=workdir)
    assert CHROMIUM is not None
    return subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            f"--window-size={PHONE}",
            *args,
            url,
        ],
        capture_output=True,
        timeout=120,
        check=True,
    )


def dump_dom(url: str, workdir: Path) -> tuple[str, list[str]]:
    """The DOM chromium built for ``url`` and every URL requested on behalf of the page."""
    netlog = workdir / f"net-{time.monotonic_ns()}.json"
    done = chromium("--dump-dom", f"--log-net-log={netlog}", url=url, workdir=workdir)
    return done.stdout.decode(), page_requests(netlog, url)


def page_requests(netlog: Path, page_url: str) -> list[str]:
    """URLs of the requests chromium made for the page (its network isolation key is the page's
    site); the browser's own background requests carry another key."""
    text = netlog.read_text()
    try:
        log = json.loads(text)
    except json.JSONDecodeError:  # chromium may end the file without closing the list
        log = json.loads(text.rstrip().rstrip(",") + "]}")
    start_job = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    site = re.match(r"^(https?://[^:/]+)", page_url).group(1)  # type: ignore[union-attr]
    return [
        event["params"]["url"]
        for event in log["events"]
        if event["type"] == start_job
        and site in event.get("params", {}).get("network_isolation_key", "")
    ]


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def assert_self_contained(html: str) -> None:
    """No script, stylesheet, font, image or link that would leave the server."""
    assert "http://" not in html and "https://" not in html
    assert "<script" not in html and "<link" not in html and "<img" not in html
    assert "@import" not in html and "url(" not in html


def test_a_phone_sees_a_valid_certificate(server, tmp_path):
    url = f"{server}/verify/KODESAH000001"

    dom, requests = dump_dom(url, tmp_path)

    for text in (
        '<html lang="id">',
        '<span class="status-word">SAH</span>',
        "Muh. Ma'ruf, S.Sos., M.Si.",
        "1986**** ****** * 001",
        "Pelatihan Pelayanan Prima · Angkatan I",
        "20–22 November 2026, Padang Panjang",
        "<dd>24 JP</dd>",
        "<dd>Memuaskan</dd>",
        "001/PP/DPMPTSP/XI/2026",
        "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu Kota Padang Panjang",
        "<dt>Tanggal terbit</dt><dd>22 November 2026</dd>",
        "<dt>Berlaku sampai</dt><dd>22 November 2099</dd>",
    ):
        assert text in dom, text
    assert "201505" not in dom
    assert requests and requests[0] == url
    assert all(r.startswith(f"{server}/") for r in requests), requests
    status, html = fetch(url)
    assert status == 200
    assert_self_contained(html)


def test_english_superseded_page_links_to_its_successor(server, tmp_path):
    dom, requests = dump_dom(f"{server}/verify/KODELAMA00001?lang=en", tmp_path)
    new_dom, _ = dump_dom(f"{server}/verify/KODEBARU00001?lang=en", tmp_path)

    assert '<html lang="en">' in dom
    assert '<span class="status-word">SUPERSEDED</span>' in dom
    assert "Replacement certificate" in dom
    assert '<a href="/verify/KODEBARU00001?lang=en">014/PP/DPMPTSP/XII/2026</a>' in dom
    assert '<span class="status-word">VALID</span>' in new_dom
    assert "Muhammad Ma'ruf, S.Sos., M.Si." in new_dom
    assert '<a href="/verify/KODELAMA00001?lang=en">002/PP/DPMPTSP/XI/2026</a>' in new_dom
    assert all(r.startswith(f"{server}/") for r in requests), requests


def test_revoked_page_shows_date_and_category_only(server, tmp_path):
    dom, _ = dump_dom(f"{server}/verify/KODECABUT0001", tmp_path)

    assert '<span class="status-word">DICABUT</span>' in dom
    assert "Dicabut pada 1 Desember 2026" in dom
    assert "Alasan: Pelanggaran" in dom
    assert "menyontek" not in dom


def test_unknown_code_shows_the_friendly_page(server, tmp_path):
    status, html = fetch(f"{server}/verify/BUKANKODE")
    dom, requests = dump_dom(f"{server}/verify/BUKANKODE", tmp_path)

    assert status == 404
    assert "Sertifikat tidak ditemukan" in dom
    assert "<code>BUKANKODE</code>" in dom
    assert_self_contained(html)
    assert all(r.startswith(f"{server}/") for r in requests), requests


def test_screenshot_at_phone_size_shows_the_coloured_status(server, tmp_path):
    from PIL import Image

    shots = {}
    for code, colour in (("KODESAH000001", (21, 128, 61)), ("KODECABUT0001", (185, 28, 28))):
        target = tmp_path / f"{code}.png"
        chromium(f"--screenshot={target}", url=f"{server}/verify/{code}", workdir=tmp_path)
        image = Image.open(target).convert("RGB")
        shots[code] = image
        assert image.size == (390, 844)
        # The status panel fills the top of the screen, edge to edge within the margins.
        top = [image.getpixel((x, 120)) for x in range(30, 360, 10)]
        assert sum(1 for pixel in top if _close(pixel, colour)) >= len(top) * 0.8, top
        # Something is written below it (the card with the holder's name), not a blank page.
        lower = image.crop((0, 300, 390, 844)).getcolors(maxcolors=1 << 20) or []
        assert len(lower) > 20
    assert shots["KODESAH000001"].getpixel((40, 120)) != shots["KODECABUT0001"].getpixel((195, 120))


def _close(pixel: tuple[int, int, int], colour: tuple[int, int, int]) -> bool:
    return all(abs(a - b) <= 12 for a, b in zip(pixel, colour, strict=True))

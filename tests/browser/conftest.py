"""A real browser on the pages: Playwright driving Debian's chromium at a phone's size.

The app runs as ``lms serve``'s app under uvicorn in a subprocess on a free port, with a fresh
data folder, migrated and loaded with the demo (``lms migrate``, ``lms demo``). No browser is
downloaded: Playwright launches ``/usr/bin/chromium``; without it the tests are skipped and
say so. axe-core (bundled by axe-playwright-python) checks every page a test opens, and each
test saves phone-sized screenshots into ``docs/screenshots/`` for a person to look at.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.live_server import live_server

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "docs" / "screenshots"
PHONE = {"width": 390, "height": 844}
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]

requires_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="Debian's chromium is not installed (apt-get install -y chromium)"
)


@pytest.fixture(scope="session")
def demo_server() -> Iterator[str]:
    """The app with the demo loaded (``lms migrate``, ``lms demo``, ``lms serve`` on a free
    port, as a user runs it); yields its base URL."""
    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed (apt-get install -y chromium)")
    workdir = Path(tempfile.mkdtemp(prefix="prima-pages-"))
    try:
        with live_server(
            workdir / "data",
            setup=(("migrate",), ("demo",)),
            LMS_SECRET_KEY="browser-test-secret-0123456789-abcdefghij",
            LMS_RENDER_WORKERS="1",
            LMS_VERIFY_RATE_PER_MINUTE="1000",
        ) as base:
            yield base
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Any]:
    """Debian's chromium, headless, through Playwright (its async API: the suite's fixtures
    run on pytest-asyncio's loop, which Playwright's sync API would block)."""
    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed (apt-get install -y chromium)")
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS
        )
        yield chromium
        await chromium.close()


@pytest.fixture
async def page(browser: Any, demo_server: str) -> AsyncIterator[Any]:
    """A fresh phone-sized tab (no cookies) on the demo server. The test fails if the page's
    Content-Security-Policy refused anything (an inline sheet whose hash it lacks, say): such a
    page still loads, just unstyled or without its script."""
    context = await browser.new_context(
        viewport=PHONE, base_url=demo_server, locale="id-ID", accept_downloads=True
    )
    tab = await context.new_page()
    refused: list[str] = []
    tab.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    yield tab
    await context.close()
    assert not refused, refused

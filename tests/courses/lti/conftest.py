"""The fake LMS and quick retries for the session's LTI tests."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from courses.lti import delivery
from tests.lms.lti.fake_platform import FakePlatform


@pytest.fixture
async def platform() -> AsyncIterator[FakePlatform]:
    fake = FakePlatform()
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture(autouse=True)
def quick_backoff(monkeypatch):
    """The job's delays in milliseconds instead of minutes."""
    monkeypatch.setattr(delivery, "BACKOFF", (0.0, 0.05, 0.05))

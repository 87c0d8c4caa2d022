"""LTI tests talk to the app as the LMS's browser does: over https (the tests' public URL is
https, so the page session cookie a launch sets is Secure) with cookies kept."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest


@pytest.fixture
async def client(app) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50003))
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as c:
        yield c

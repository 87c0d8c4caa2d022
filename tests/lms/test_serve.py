"""``lms serve --server granian``: behind nginx the rate limits see the client's address
from ``X-Forwarded-For`` (sent by 127.0.0.1), as they did under uvicorn's ``proxy_headers``."""

from __future__ import annotations

import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.live_server import live_server

pytestmark = pytest.mark.own_server

CODE = "ABCDEFGHJKLMNPQR"


def status(url: str, forwarded_for: str) -> int:
    request = urllib.request.Request(url, headers={"X-Forwarded-For": forwarded_for})
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def test_granian_reads_the_forwarded_client_address(tmp_path: Path):
    with live_server(
        tmp_path, LMS_SERVER="granian", LMS_VERIFY_RATE_PER_MINUTE="2", LMS_LOG_LEVEL="WARNING"
    ) as base:
        url = f"{base}/api/v1/verify/{CODE}"
        first = [status(url, "203.0.113.7") for _ in range(3)]
        other = status(url, "198.51.100.4")
        with urllib.request.urlopen(f"{base}/health/live", timeout=30) as answer:
            server = answer.headers["server"]
    assert server == "granian"
    assert first == [404, 404, 429]  # the third from one address is refused
    assert other == 404  # another address behind the same proxy is not

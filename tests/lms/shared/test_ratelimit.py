"""The shared fixed-window counter: attempts counted before they are checked, exactly, in
memory and in Redis."""

from __future__ import annotations

import asyncio
import socket
from uuid import uuid4

import pytest

from lms.shared.errors import TooManyRequests
from lms.shared.ratelimit import Limit, MemoryCounters, RedisCounters

REDIS_URL = "redis://127.0.0.1:6379/0"


def _redis_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


async def _attempt(limit: Limit, key: str, checked: list[int]) -> str:
    try:
        await limit.acquire(key)
    except TooManyRequests as exc:
        assert int(exc.headers["Retry-After"]) >= 1
        return "limited"
    await asyncio.sleep(0.01)  # the check (a hash, a query) awaits: others run meanwhile
    checked.append(1)
    return "checked"


async def _concurrent_attempts_are_limited_exactly(counters) -> None:
    limit = Limit(counters, f"uji-{uuid4()}", 10, 300, "Terlalu banyak percobaan.")
    checked: list[int] = []
    results = await asyncio.gather(*(_attempt(limit, "andi", checked) for _ in range(150)))
    assert results.count("checked") == 10 == len(checked)
    assert results.count("limited") == 140
    # Another key has its own window.
    assert await _attempt(limit, "budi", checked) == "checked"
    # A released place (a right answer) can be used again, once.
    await limit.release("andi")
    assert await _attempt(limit, "andi", checked) == "checked"
    assert await _attempt(limit, "andi", checked) == "limited"


async def test_memory_counters_limit_concurrent_attempts_exactly():
    await _concurrent_attempts_are_limited_exactly(MemoryCounters())


def test_memory_window_restarts_when_it_ends():
    counters = MemoryCounters()
    assert counters.add_now("k", 60, now=1000) == (1, 1060)
    assert counters.add_now("k", 60, now=1059) == (2, 1060)
    assert counters.add_now("k", 60, now=1060) == (1, 1120)


@pytest.mark.skipif(not _redis_answers(), reason="no Redis answers on 127.0.0.1:6379")
async def test_redis_counters_limit_concurrent_attempts_exactly():
    counters = RedisCounters(REDIS_URL, namespace=f"prima-test:{uuid4()}")
    try:
        await _concurrent_attempts_are_limited_exactly(counters)
        count, reset = await counters.add("expiring", 5)
        assert count == 1
        ttl = await counters.redis.pttl(f"{counters.namespace}:expiring")
        assert 0 < ttl <= 5000  # the window expires by itself
    finally:
        keys = [k async for k in counters.redis.scan_iter(f"{counters.namespace}:*")]
        if keys:
            await counters.redis.delete(*keys)
        await counters.close()

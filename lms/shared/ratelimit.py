"""The one fixed-window counter behind every rate limit: login, check-in codes and verification.

Issue 12 found the limits losing updates: each read the count, awaited the check (an Argon2
hash, a database read) and then wrote count + 1, so 150 concurrent wrong check-in codes were all
checked where 10 were allowed. Here an attempt is *counted first*, in one atomic step, and only
an attempt whose count is within the limit is checked at all; an attempt that should not count
(a correct password, a correct code) gives its place back afterwards with :meth:`Limit.release`.

The counters live in memory, per process, by default (the event loop runs one task at a time
and nothing is awaited between reading and writing a count, so that is atomic); with
``LMS_REDIS_URL`` they live in Redis (``INCRBY`` and ``PEXPIRE`` in one Lua script, atomic on
the server), so every worker counts against the same limit.
"""

from __future__ import annotations

import time
from typing import Any, Protocol

from lms.shared.errors import TooManyRequests


class Counters(Protocol):
    """Fixed-window counts by key, shared by every limit of an app."""

    async def add(self, key: str, window: int, amount: int = 1) -> tuple[int, int]:
        """Add ``amount`` to the key's count in its current window (a new window of ``window``
        seconds starts when the last one ended); return the new count and the window's end
        (Unix seconds)."""
        ...

    async def release(self, key: str) -> None:
        """Take one back from the key's count if its window is still open."""
        ...


class MemoryCounters:
    """Counts in this process. ``add_now`` is synchronous, for the verification middleware,
    whose budget has no room for an await per request."""

    __slots__ = ("counts", "next_sweep")

    def __init__(self) -> None:
        self.counts: dict[str, tuple[int, int]] = {}
        self.next_sweep = 0

    def add_now(self, key: str, window: int, now: int, amount: int = 1) -> tuple[int, int]:
        """:meth:`add` without the coroutine (``now`` in Unix seconds)."""
        counts = self.counts
        if now >= self.next_sweep:  # forget finished windows, at most once a minute
            self.counts = counts = {k: v for k, v in counts.items() if v[1] > now}
            self.next_sweep = now + 60
        count, reset = counts.get(key, (0, 0))
        if reset <= now:
            count, reset = 0, now + window
        count += amount
        counts[key] = (count, reset)
        return count, reset

    async def add(self, key: str, window: int, amount: int = 1) -> tuple[int, int]:
        return self.add_now(key, window, int(time.time()), amount)

    async def release(self, key: str) -> None:
        count, reset = self.counts.get(key, (0, 0))
        if count > 0 and reset > int(time.time()):
            self.counts[key] = (count - 1, reset)


_ADD = """
local count = redis.call('INCRBY', KEYS[1], ARGV[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  ttl = tonumber(ARGV[2])
end
return {count, ttl}
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) and tonumber(redis.call('GET', KEYS[1])) > 0 then
  return redis.call('DECR', KEYS[1])
end
return 0
"""


class RedisCounters:
    """Counts in Redis, shared by every worker (``LMS_REDIS_URL``)."""

    def __init__(self, url: str, namespace: str = "prima:rate") -> None:
        from redis.asyncio import BlockingConnectionPool, Redis

        # Blocking: a burst of requests waits for one of 32 connections instead of failing.
        pool = BlockingConnectionPool.from_url(url, max_connections=32, timeout=5)
        self.redis: Any = Redis(connection_pool=pool)
        self.namespace = namespace
        self._add = self.redis.register_script(_ADD)
        self._release = self.redis.register_script(_RELEASE)

    async def add(self, key: str, window: int, amount: int = 1) -> tuple[int, int]:
        count, ttl_ms = await self._add(
            keys=[f"{self.namespace}:{key}"], args=[amount, window * 1000]
        )
        return int(count), int(time.time() + int(ttl_ms) / 1000 + 0.999)

    async def release(self, key: str) -> None:
        await self._release(keys=[f"{self.namespace}:{key}"])

    async def close(self) -> None:
        """Close the connection pool (at app shutdown)."""
        await self.redis.aclose(close_connection_pool=True)


def make_counters(redis_url: str) -> Counters:
    """Redis counters when a URL is configured, else counters in this process."""
    return RedisCounters(redis_url) if redis_url else MemoryCounters()


def counters_for(app: Any) -> Counters:
    """The app's counters (``app.state.rate_counters``, set by ``create_app``); an app built
    without them (a test mounting one router) gets counters in memory on first use."""
    counters = app.state.get("rate_counters")
    if counters is None:
        counters = MemoryCounters()
        app.state["rate_counters"] = counters
    return counters


class Limit:
    """``limit`` counted attempts per ``window`` seconds per key, counted before they are
    checked.

    Args:
        counters: Where the counts live (:func:`counters_for`).
        name: Prefix of this limit's keys (``login-user``, ``checkin``...).
        limit: Attempts allowed per window.
        window: Window length in seconds.
        message: The 429's Indonesian detail.
    """

    def __init__(
        self, counters: Counters, name: str, limit: int, window: int, message: str
    ) -> None:
        self.counters = counters
        self.name = name
        self.limit = limit
        self.window = window
        self.message = message

    async def acquire(self, key: str) -> None:
        """Count one attempt; raise 429 (with ``Retry-After``) when it is beyond the limit.

        Call before checking the attempt: concurrent attempts each get a distinct count, so
        exactly ``limit`` of them are checked.
        """
        count, reset = await self.counters.add(f"{self.name}:{key}", self.window)
        if count > self.limit:
            # A refused attempt is not checked, so it does not count either: the count stays
            # at the limit plus the attempts in flight.
            await self.counters.release(f"{self.name}:{key}")
            retry = max(1, reset - int(time.time()))
            raise TooManyRequests(self.message, headers={"Retry-After": str(retry)})

    async def release(self, key: str) -> None:
        """Give back the place of an attempt that should not count (it succeeded)."""
        await self.counters.release(f"{self.name}:{key}")

    async def refuse_when_spent(self, key: str) -> None:
        """Raise 429 when the window's count has reached the limit, without counting anything.

        For a limit that should count failures only *after* the check (:meth:`count`): a class
        of 60 logging in at once from one office address must not find 30 places taken by its
        own correct logins still in flight. Concurrent failures may then pass the limit by the
        number in flight; use :meth:`acquire` where the limit must be exact (one username).
        """
        count, reset = await self.counters.add(f"{self.name}:{key}", self.window, 0)
        if count >= self.limit:
            retry = max(1, reset - int(time.time()))
            raise TooManyRequests(self.message, headers={"Retry-After": str(retry)})

    async def count(self, key: str) -> None:
        """Count one failed attempt (after the check, see :meth:`refuse_when_spent`)."""
        await self.counters.add(f"{self.name}:{key}", self.window)

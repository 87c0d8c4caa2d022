"""Fixed-window counters on a Litestar ``Store`` for limits the middleware cannot key.

Litestar's ``RateLimitConfig`` keys on the request (client address); a login must also be
limited per *username*, which is in the body. Both use the same stores, so several workers
share counters when the stores are Redis (``LMS_REDIS_URL``).
"""

from __future__ import annotations

import time

import msgspec
from litestar.stores.base import Store

from lms.shared.errors import TooManyRequests


class _Window(msgspec.Struct):
    count: int
    reset: int


class AttemptLimiter:
    """Allow ``limit`` events per ``window`` seconds per key."""

    def __init__(self, store: Store, limit: int, window: int = 60) -> None:
        self.store = store
        self.limit = limit
        self.window = window

    async def _read(self, key: str) -> _Window:
        raw = await self.store.get(key)
        now = int(time.time())
        if raw:
            win = msgspec.json.decode(raw, type=_Window)
            if win.reset > now:
                return win
        return _Window(count=0, reset=now + self.window)

    async def check(self, key: str) -> None:
        """Raise 429 (with Retry-After) when the key used up its window."""
        win = await self._read(key)
        if win.count >= self.limit:
            retry = max(1, win.reset - int(time.time()))
            raise TooManyRequests(
                "Terlalu banyak percobaan masuk; coba lagi nanti.",
                headers={"Retry-After": str(retry)},
            )

    async def hit(self, key: str) -> None:
        """Count one event against the key."""
        win = await self._read(key)
        win.count += 1
        ttl = max(1, win.reset - int(time.time()))
        await self.store.set(key, msgspec.json.encode(win), expires_in=ttl)

    async def reset(self, key: str) -> None:
        """Forget the key's events (after a successful login)."""
        await self.store.delete(key)

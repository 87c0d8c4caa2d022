"""The per-address rate limit of the public verification routes (the page and its JSON twin).

Litestar's ``RateLimitMiddleware`` with the same fixed window, headers and 429, but at a constant
cost per request (see ``WindowRateLimitMiddleware``): the JSON route is the busiest public route,
and its budget is a fraction of ``/health/live``. Separate from the controllers because it is
middleware that the public router mounts (``certificates.routes``), not a route.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from time import time
from typing import Any

from litestar.exceptions import TooManyRequestsException
from litestar.middleware.rate_limit import (
    DURATION_VALUES,
    RateLimitConfig,
    RateLimitMiddleware,
    get_remote_address,
)
from litestar.stores.base import Store
from litestar.stores.memory import MemoryStore
from litestar.types import ASGIApp, Receive, Scope, Send

from lms.config import Settings


class LocalCounters:
    """Per-address request counts of one rate limit, kept in this process."""

    __slots__ = ("counters", "next_sweep")

    def __init__(self) -> None:
        self.counters: dict[str, tuple[int, int]] = {}
        self.next_sweep = 0


class WindowRateLimitMiddleware(RateLimitMiddleware):
    """Litestar's per-address limit (same fixed window, same ``RateLimit-*`` headers and 429),
    at a constant cost per request.

    Litestar's own middleware keeps every request's timestamp of the window in the store and
    re-encodes that list on each request (its cost grows with the limit), behind two locks
    whose checkpoints each cost a turn of the event loop. Here a counter and the window's end
    are kept instead. With the default in-memory store the counters live in this middleware: in
    one process the event loop runs one task at a time and nothing is awaited between reading
    and writing a counter, so no lock is needed. With a shared store (``LMS_REDIS_URL``) the
    named store keeps them, so every worker counts against the same limit.
    """

    def __init__(self, app: ASGIApp, config: RateLimitConfig) -> None:
        super().__init__(app, config)
        self.window = DURATION_VALUES[self.unit]
        # Shared by every route of the router: each route gets its own middleware instance,
        # but the limit is per address across the page and the JSON.
        shared = getattr(config, "local_counters", None)
        self._local = shared if isinstance(shared, LocalCounters) else LocalCounters()
        self._by_address = config.identifier_for_request is get_remote_address
        self._fixed_headers = [
            (
                config.rate_limit_policy_header_key.lower().encode(),
                f"{self.max_requests}; w={self.window}".encode(),
            ),
            (config.rate_limit_limit_header_key.lower().encode(), str(self.max_requests).encode()),
        ]
        self._remaining_key = config.rate_limit_remaining_header_key.lower().encode()
        self._reset_key = config.rate_limit_reset_header_key.lower().encode()
        self._key_prefix = f"{type(self).__name__}::"
        self._store_for: tuple[Any, Store | None] = (None, None)  # (app, shared store or None)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        app = scope["litestar_app"]
        if self.check_throttle_handler and not await self.check_throttle_handler(
            app.request_class(scope)
        ):
            await self.app(scope, receive, send)
            return
        if self._by_address:  # the default identifier, without building a Request
            client = scope.get("client")
            key = self._key_prefix + (client[0] if client else "127.0.0.1")
        else:
            key = self.cache_key_from_request(app.request_class(scope))
        now = int(time())
        owner, store = self._store_for
        if owner is not app:
            named = self.config.get_store_from_app(app)
            store = None if isinstance(named, MemoryStore) else named
            self._store_for = (app, store)
        if store is None:
            count, reset = self._count_locally(key, now)
        else:
            count, reset = await self._count_in_store(store, key, now)
        if count > self.max_requests:
            raise TooManyRequestsException(headers=self._headers(count, reset, now))
        if not self.config.set_rate_limit_headers:
            await self.app(scope, receive, send)
            return
        headers = [
            *self._fixed_headers,
            (self._remaining_key, str(max(self.max_requests - count, 0)).encode()),
            (self._reset_key, str(max(reset - now, 1)).encode()),
        ]

        async def send_wrapper(message: Any) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), *headers]
            await send(message)

        await self.app(scope, receive, send_wrapper)

    def _count_locally(self, key: str, now: int) -> tuple[int, int]:
        local = self._local
        if now >= local.next_sweep:  # forget finished windows once per window
            local.counters = {k: v for k, v in local.counters.items() if v[1] > now}
            local.next_sweep = now + self.window
        count, reset = local.counters.get(key, (0, 0))
        if reset <= now:
            count, reset = 0, now + self.window
        if count <= self.max_requests:
            count += 1
            local.counters[key] = (count, reset)
        return count, reset

    async def _count_in_store(self, store: Store, key: str, now: int) -> tuple[int, int]:
        async with self._lock:
            raw = await store.get(key)
            count, reset = 0, 0
            if raw:
                count_text, _, reset_text = raw.partition(b":")
                count, reset = int(count_text), int(reset_text)
            if reset <= now:
                count, reset = 0, now + self.window
            if count <= self.max_requests:
                count += 1
                await store.set(key, f"{count}:{reset}".encode(), expires_in=reset - now)
        return count, reset

    def _headers(self, count: int, reset: int, now: int) -> dict[str, str]:
        config = self.config
        return {
            config.rate_limit_policy_header_key: f"{self.max_requests}; w={self.window}",
            config.rate_limit_limit_header_key: str(self.max_requests),
            config.rate_limit_remaining_header_key: str(max(self.max_requests - count, 0)),
            config.rate_limit_reset_header_key: str(max(reset - now, 1)),
        }


@dataclass
class WindowRateLimitConfig(RateLimitConfig):
    """``RateLimitConfig`` for :class:`WindowRateLimitMiddleware`, carrying its local counters."""

    middleware_class: type[RateLimitMiddleware] = WindowRateLimitMiddleware
    local_counters: LocalCounters = field(default_factory=LocalCounters, repr=False)


def verify_rate_limit(settings: Settings) -> RateLimitConfig:
    """The per-address limit of the public verification routes (``LMS_VERIFY_RATE_PER_MINUTE``).

    The ``RateLimit-*`` headers go with the 429 (beside ``Retry-After``) but not with every
    successful answer: adding them to each response costs ~5% of the JSON route's CPU
    (callgrind, docs/BENCHMARKS.md), and a client that is not limited does not need them.
    """
    return WindowRateLimitConfig(
        rate_limit=("minute", settings.verify_rate_per_minute),
        store="verify_rate",
        set_rate_limit_headers=False,
    )

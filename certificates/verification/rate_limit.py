"""The per-address rate limit of the public verification routes (the page and its JSON twin).

Litestar's ``RateLimitMiddleware`` with the same fixed window, headers and 429, but at a constant
cost per request (see ``WindowRateLimitMiddleware``): the JSON route is the busiest public route,
and its budget is a fraction of ``/health/live``. Separate from the controllers because it is
middleware that the public router mounts (``certificates.routes``), not a route.
"""

from __future__ import annotations

from dataclasses import dataclass
from time import time
from typing import Any

from litestar.exceptions import TooManyRequestsException
from litestar.middleware.rate_limit import (
    DURATION_VALUES,
    RateLimitConfig,
    RateLimitMiddleware,
    get_remote_address,
)
from litestar.types import ASGIApp, Receive, Scope, Send

from lms.config import Settings
from lms.shared.ratelimit import MemoryCounters, counters_for


class WindowRateLimitMiddleware(RateLimitMiddleware):
    """Litestar's per-address limit (same fixed window, same ``RateLimit-*`` headers and 429),
    at a constant cost per request.

    Litestar's own middleware keeps every request's timestamp of the window in the store and
    re-encodes that list on each request (its cost grows with the limit), behind two locks
    whose checkpoints each cost a turn of the event loop. Here the app's fixed-window counters
    (``lms.shared.ratelimit``, shared with the login and check-in limits) count each request
    atomically: in memory synchronously, without an await; in Redis (``LMS_REDIS_URL``) with
    one atomic script call, so every worker counts against the same limit.
    """

    def __init__(self, app: ASGIApp, config: RateLimitConfig) -> None:
        super().__init__(app, config)
        self.window = DURATION_VALUES[self.unit]
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
        # One key per address for the page and the JSON: each route gets its own middleware
        # instance, but the limit is per address across both.
        self._key_prefix = f"verify:{config.store}:"

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
        counters = counters_for(app)
        if isinstance(counters, MemoryCounters):
            count, reset = counters.add_now(key, self.window, now)
        else:
            count, reset = await counters.add(key, self.window)
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
    """``RateLimitConfig`` for :class:`WindowRateLimitMiddleware`."""

    middleware_class: type[RateLimitMiddleware] = WindowRateLimitMiddleware


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

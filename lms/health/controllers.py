"""Liveness and readiness."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from litestar import Controller, get
from litestar.response import Response

import lms
from lms.auth.tables import User
from lms.db.unavailable import RETRY_AFTER_SECONDS, unavailable_detail, unavailable_reason

logger = logging.getLogger("lms.health")

# Readiness answers within this many seconds even when every pooled connection is busy: a
# load balancer's check must not hang behind the requests it is meant to shed.
READY_TIMEOUT_SECONDS = 5.0


def _pool_figures() -> dict[str, int] | None:
    """The asyncpg pool's size, idle connections and maximum (PostgreSQL with a pool)."""
    pool = getattr(User._meta.db, "pool", None)
    if pool is None:
        return None
    try:
        return {
            "size": pool.get_size(),
            "idle": pool.get_idle_size(),
            "max": pool.get_max_size(),
        }
    except AttributeError:  # not an asyncpg pool
        return None


class HealthController(Controller):
    """``/health/live`` answers without I/O; ``/health`` runs a real query."""

    path = "/health"
    tags = ["health"]

    @get("/live", operation_id="healthLive", security=[], cache=False)
    async def live(self) -> dict[str, str]:
        """The process answers."""
        return {"status": "ok"}

    @get("/", operation_id="health", security=[], cache=False)
    async def ready(self) -> Response[dict[str, Any]]:
        """The database answers a query (503 with the reason and ``Retry-After`` when it does
        not: too many connections, refused, locked, or no answer within 5 s)."""
        pool = _pool_figures()
        try:
            async with asyncio.timeout(READY_TIMEOUT_SECONDS):
                await User.count()
        except Exception as exc:  # noqa: BLE001 - any database failure means "not ready"
            reason = unavailable_reason(exc) or (
                "timeout" if isinstance(exc, TimeoutError) else "error"
            )
            logger.warning("Readiness: database %s: %s", reason, exc)
            body: dict[str, Any] = {
                "status": "error",
                "database": "unavailable",
                "reason": reason,
                "detail": unavailable_detail(reason),
                "version": lms.__version__,
            }
            if pool is not None:
                body["pool"] = pool
            return Response(
                body, status_code=503, headers={"Retry-After": str(RETRY_AFTER_SECONDS)}
            )
        body = {"status": "ok", "database": "ok", "version": lms.__version__}
        if pool is not None:
            body["pool"] = pool
        return Response(body)

"""Liveness and readiness."""

from __future__ import annotations

from litestar import Controller, get
from litestar.response import Response

import lms
from lms.auth.tables import User


class HealthController(Controller):
    """``/health/live`` answers without I/O; ``/health`` runs a real query."""

    path = "/health"
    tags = ["health"]

    @get("/live", operation_id="healthLive", security=[], cache=False)
    async def live(self) -> dict[str, str]:
        """The process answers."""
        return {"status": "ok"}

    @get("/", operation_id="health", security=[], cache=False)
    async def ready(self) -> Response[dict[str, str]]:
        """The database answers a query (503 when it does not)."""
        try:
            await User.count()
        except Exception:  # noqa: BLE001 - any database failure means "not ready"
            return Response(
                {"status": "error", "database": "unavailable", "version": lms.__version__},
                status_code=503,
            )
        return Response({"status": "ok", "database": "ok", "version": lms.__version__})

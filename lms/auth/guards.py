"""Role guards for routes. Object-level checks (404 for what a caller may not see) live in
the services, which know the object."""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.types import Guard

from lms.auth.caller import Caller


def allow(*roles: str) -> Guard:
    """A guard that lets only the given roles through (admins always pass)."""
    allowed = frozenset(roles) | {"admin"}

    # A coroutine on purpose: Litestar runs a plain-function guard in a worker thread
    # (``sync_to_thread``), a thread hop per guard on every request for a set lookup.
    async def _guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        user = connection.user
        if not isinstance(user, Caller) or user.role not in allowed:
            raise PermissionDeniedException("role not allowed")

    _guard.__name__ = f"allow_{'_'.join(sorted(allowed))}"
    return _guard


STAFF = ("organizer",)
ANY_ROLE = ("organizer", "trainer", "participant", "hr")

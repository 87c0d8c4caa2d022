"""A request id for every HTTP request, carried into the logs and the jobs it starts.

The id comes from the caller's ``X-Request-ID`` (a reverse proxy's, so one id spans nginx and
Prima) when it is a short token, else a new one; it is sent back in the response header. It
lives in a context variable: asyncio copies the context into every task created while handling
the request, so a job started by the request logs with the same id.
"""

from __future__ import annotations

import re
import uuid
from contextvars import ContextVar
from typing import TYPE_CHECKING

from lms.observability import tracing

if TYPE_CHECKING:  # uvicorn imports this module (through the log filter) before its worker
    # answers the supervisor's health check: importing Litestar here made a loaded machine miss
    # the 5 s deadline and the worker was killed.
    from litestar.types import ASGIApp, Message, Receive, Scope, Send

REQUEST_ID: ContextVar[str] = ContextVar("prima_request_id", default="")
_ACCEPTED = re.compile(rb"^[A-Za-z0-9._-]{1,64}$")
_HEADER = b"x-request-id"


def current_request_id() -> str:
    """The id of the request being handled (or that started this job); "" outside one."""
    return REQUEST_ID.get()


def request_id_middleware(app: ASGIApp) -> ASGIApp:
    """Pure ASGI middleware: a header lookup and one context variable, no Request object (the
    verification route's budget is counted in tens of microseconds)."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        given = next((v for k, v in scope["headers"] if k == _HEADER), None)
        rid = given.decode() if given and _ACCEPTED.match(given) else uuid.uuid4().hex
        token = REQUEST_ID.set(rid)
        encoded = rid.encode()

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (_HEADER, encoded)]
                if tracing.enabled():
                    tracing.annotate_response(scope, rid)
            await send(message)

        try:
            await app(scope, receive, send_with_id)
        finally:
            REQUEST_ID.reset(token)

    return middleware

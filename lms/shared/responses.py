"""Responses: a minimal ASGI one for JSON already encoded (the hottest public routes), and
downloads with a file name.

A minimal ASGI response for a body that is already JSON, for the hottest public routes.

Why: Litestar's ``Response`` → ``ASGIResponse`` conversion builds a ``MutableScopeHeaders`` and
looks headers up one by one (about a tenth of the public verification route's CPU, measured in
docs/BENCHMARKS.md). A handler annotated to return this class is treated by Litestar as an ASGI
app and sent as is; middleware still wraps ``send`` as usual. The OpenAPI schema of such a
route is declared with ``responses={200: ResponseSpec(...)}``.
"""

from __future__ import annotations

from litestar import Response
from litestar.types import Receive, Scope, Send

_JSON = (b"content-type", b"application/json")


class JsonBytesResponse:
    """Send ``body`` (already JSON) with status 200 and a few fixed headers.

    Args:
        body: The encoded JSON document.
        headers: Extra raw headers, lower-case names, e.g. ``((b"cache-control", b"no-store"),)``.
    """

    __slots__ = ("body", "headers")

    def __init__(self, body: bytes, headers: tuple[tuple[bytes, bytes], ...] = ()) -> None:
        self.body = body
        self.headers = headers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = self.body
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [_JSON, (b"content-length", str(len(body)).encode()), *self.headers],
            }
        )
        await send({"type": "http.response.body", "body": body, "more_body": False})


def attachment(content: bytes, media_type: str, filename: str) -> Response[bytes]:
    """A download response with its file name (every report file: XLSX, CSV, PDF)."""
    return Response(
        content=content,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )

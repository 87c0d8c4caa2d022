"""Gzip for the pages' HTML.

A page is 8-19 KB of HTML (its style sheet is inline, see :mod:`lms.web.assets`) and shrinks
to about a third with gzip, which on a phone's 400 kbit/s link is the difference between
~180 ms and ~60 ms of transfer, and keeps a page's repeat load well under issue 15's 20 KB.

Litestar's ``CompressionConfig`` compresses every response of the app by path, including the
PDFs, ZIPs and XLSX files the same page routers send (already compressed: CPU for nothing) and
the JSON API. This middleware, on the page routers only, compresses a whole ``text/html``
response of at least :data:`MINIMUM_SIZE` bytes when the browser accepts gzip, and passes
everything else (files, streamed bodies, small answers like autosave's JSON) through as is.
"""

from __future__ import annotations

import gzip

from litestar.datastructures import MutableScopeHeaders
from litestar.types import ASGIApp, HTTPResponseStartEvent, Message, Receive, Scope, Send

#: Below this a response is sent as is: gzip's header and the CPU cost more than they save.
MINIMUM_SIZE = 1024
#: zlib's default trade-off; 9 costs about twice the CPU for 1-2 % less.
LEVEL = 6


class HtmlGzipMiddleware:
    """Compresses complete HTML responses for browsers that send ``Accept-Encoding: gzip``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _accepts_gzip(scope):
            await self.app(scope, receive, send)
            return
        start: HTTPResponseStartEvent | None = None

        async def send_maybe_compressed(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                headers = MutableScopeHeaders(message)
                if headers.get("content-type", "").startswith("text/html") and not headers.get(
                    "content-encoding"
                ):
                    # Held until the body shows whether compressing is worth it.
                    start = message  # type: ignore[assignment]
                    return
                await send(message)
                return
            if start is not None and message["type"] == "http.response.body":
                held, start = start, None
                body = message.get("body", b"")
                if not message.get("more_body") and len(body) >= MINIMUM_SIZE:
                    body = gzip.compress(body, compresslevel=LEVEL, mtime=0)
                    headers = MutableScopeHeaders(held)
                    headers["content-encoding"] = "gzip"
                    headers["content-length"] = str(len(body))
                    headers.extend_header_value("vary", "Accept-Encoding")
                    message = {**message, "body": body}
                await send(held)
            await send(message)

        await self.app(scope, receive, send_maybe_compressed)


def _accepts_gzip(scope: Scope) -> bool:
    for name, value in scope.get("headers", ()):
        if name == b"accept-encoding":
            return b"gzip" in value.lower()
    return False

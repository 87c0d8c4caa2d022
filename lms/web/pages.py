"""The public landing page ``/``: what Prima is, and the "cek sertifikat" form."""

from __future__ import annotations

from litestar import get
from litestar.enums import MediaType
from litestar.response import Template


@get("/", operation_id="landingPage", media_type=MediaType.HTML)
async def landing_page() -> Template:
    """Anyone may open it; a logged-in user sees the way to their own home."""
    return Template("web/landing.html", context={}, media_type=MediaType.HTML)

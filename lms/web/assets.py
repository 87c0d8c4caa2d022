"""Static assets of the pages, served from this server with versioned URLs.

Offices run on closed networks and slow links, so nothing comes from a CDN and nothing is
built with Node: the files in ``lms/web/static`` are written by hand (or vendored as is). Each
URL carries a hash of the file's bytes (``/static/web/prima.css?v=1a2b3c4d``), so a browser may
keep it for a year (``immutable``) and a changed file gets a new URL: a page's second load
costs only its HTML.

Style sheets are the exception: they are written into the page (:func:`inline_style`). A
linked sheet blocks the first paint until a second round trip returns it, and on a phone's
slow link each round trip is most of the budget (issue 15: the login page painted after
1.1 s with 400 ms per request, two requests in a row; 0.5 s with the style inline). The sheets
are small (prima.css 5.7 KB, a role's sheet under 3.3 KB), so a page costs a few KB more on
every load instead of a round trip on the first. The Content-Security-Policy allows exactly
these sheets by their SHA-256 (:func:`style_hashes`), still no ``'unsafe-inline'``.
"""

from __future__ import annotations

import base64
import functools
import hashlib
from pathlib import Path

from litestar import Router
from litestar.datastructures import CacheControlHeader
from litestar.static_files import create_static_files_router
from markupsafe import Markup

STATIC_DIR = Path(__file__).parent / "static"
STATIC_PATH = "/static/web"
#: A year: the versioned URL changes whenever the file does.
LONG_CACHE = CacheControlHeader(max_age=365 * 24 * 3600, public=True)


@functools.cache
def _version(name: str) -> str:
    return hashlib.sha256((STATIC_DIR / name).read_bytes()).hexdigest()[:10]


def asset_url(name: str) -> str:
    """The cache-busting URL of one static file, for templates (``asset('prima.css')``)."""
    return f"{STATIC_PATH}/{name}?v={_version(name)}"


@functools.cache
def _style_text(name: str) -> str:
    if not name.endswith(".css") or "/" in name:
        raise ValueError(f"not a style sheet of {STATIC_DIR}: {name!r}")
    return (STATIC_DIR / name).read_text(encoding="utf-8")


def inline_style(name: str) -> Markup:
    """A ``<style>`` element with a sheet of ``lms/web/static`` (``style("x.css")``)."""
    return Markup(f"<style>{_style_text(name)}</style>")  # noqa: S704 - our own file, not input


@functools.cache
def style_hashes() -> str:
    """The CSP sources allowing every inline sheet: ``'sha256-…'`` of each file, space-separated."""
    sources = []
    for path in sorted(STATIC_DIR.glob("*.css")):
        digest = hashlib.sha256(_style_text(path.name).encode("utf-8")).digest()
        sources.append(f"'sha256-{base64.b64encode(digest).decode()}'")
    return " ".join(sources)


def static_router() -> Router:
    """Serves ``lms/web/static`` under ``/static/web`` with a year-long cache header."""
    return create_static_files_router(
        path=STATIC_PATH,
        directories=[STATIC_DIR],
        include_in_schema=False,
        cache_control=LONG_CACHE,
        opt={"exclude_from_auth": True},
        send_as_attachment=False,
    )

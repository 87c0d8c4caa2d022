"""Static assets of the pages, served from this server with versioned URLs.

Offices run on closed networks and slow links, so nothing comes from a CDN and nothing is
built with Node: the files in ``lms/web/static`` are written by hand (or vendored as is). Each
URL carries a hash of the file's bytes (``/static/web/prima.css?v=1a2b3c4d``), so a browser may
keep it for a year (``immutable``) and a changed file gets a new URL: a page's second load
costs only its HTML.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

from litestar import Router
from litestar.datastructures import CacheControlHeader
from litestar.static_files import create_static_files_router

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

"""What every page router shares: the session, CSRF and user middleware, the security headers,
the login guard and the error pages.

Each app builds its pages' router with :func:`page_router`; its handlers return ``Template``
responses that extend ``web/base.html``. Page routes are skipped by the API's bearer-token
check (``exclude_from_auth``) and authenticate by the session cookie instead.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from litestar import Request, Router
from litestar.connection import ASGIConnection
from litestar.datastructures import CacheControlHeader
from litestar.di import Provide
from litestar.enums import MediaType
from litestar.exceptions import HTTPException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware.base import DefineMiddleware
from litestar.response import Redirect, Response, Template
from litestar.types import ControllerRouterHandler, Guard

from lms.config import Settings
from lms.shared.errors import DomainError
from lms.web.assets import style_hashes
from lms.web.compression import HtmlGzipMiddleware
from lms.web.session import (
    PageCaller,
    PageUserMiddleware,
    csrf_middleware,
    session_middleware,
)

logger = logging.getLogger("lms.web")

#: Pages load their own script and images only, and style themselves with our own sheets
#: (inline, allowed by hash: see :mod:`lms.web.assets`); no inline script, no frames, and forms
#: post back to this server.
PAGE_HEADERS = {
    "Content-Security-Policy": (
        f"default-src 'self'; script-src 'self'; style-src 'self' {style_hashes()}; "
        "img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; "
        "frame-ancestors 'none'"
    ),
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
}
NO_STORE = CacheControlHeader(no_store=True)
#: The handler ``opt`` key of the pages a user with ``must_change_password`` may still open.
OPEN_BEFORE_PASSWORD_CHANGE = "open_before_password_change"
LOGIN_PATH = "/masuk"
PASSWORD_PATH = "/saya/kata-sandi"

_STATUS_TEXT = {
    400: ("Permintaan tidak valid", "Isian formulir tidak dapat dibaca. Silakan coba lagi."),
    401: ("Perlu masuk", "Silakan masuk terlebih dahulu."),
    403: (
        "Tidak diizinkan",
        "Halaman ini tidak tersedia untuk akun Anda, atau formulir sudah kedaluwarsa. "
        "Muat ulang halaman lalu coba lagi.",
    ),
    404: ("Tidak ditemukan", "Halaman atau data yang Anda cari tidak ada."),
    405: ("Tidak didukung", "Cara membuka halaman ini tidak didukung."),
    409: ("Konflik", "Data berubah sementara Anda mengisi. Silakan coba lagi."),
    413: ("Berkas terlalu besar", "Berkas yang dikirim terlalu besar."),
    422: ("Tidak dapat diproses", "Permintaan melanggar aturan."),
    429: ("Terlalu banyak permintaan", "Silakan tunggu sebentar lalu coba lagi."),
}


class LoginRequired(Exception):
    """Raised by :func:`page_guard` for an anonymous visitor: answered with a redirect to the
    login page that comes back here afterwards."""


class PasswordChangeRequired(Exception):
    """Raised by :func:`page_guard` while the account still has its initial password."""


def page_guard(*roles: str) -> Guard:
    """A guard for pages that need a login (and, when given, one of ``roles``; admins always
    pass). Until the user chose their own password, only the password page opens."""
    allowed = frozenset(roles) | {"admin"} if roles else None

    # A coroutine, as ``lms.auth.guards.allow``: a plain function would run in a worker thread.
    async def _guard(
        connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler
    ) -> None:
        user = connection.scope.get("user")
        if not isinstance(user, PageCaller):
            raise LoginRequired
        if user.must_change_password and not handler.opt.get(OPEN_BEFORE_PASSWORD_CHANGE):
            raise PasswordChangeRequired
        if allowed is not None and user.role not in allowed:
            raise HTTPException(status_code=403)

    return _guard


def error_page(request: Request[Any, Any, Any], status: int, detail: str | None = None) -> Template:
    """An error as a page in the shell (never a 500 for what a client sent)."""
    title, default = _STATUS_TEXT.get(status, ("Terjadi kesalahan", "Silakan coba lagi nanti."))
    return Template(
        "web/error.html",
        context={"title": title, "detail": detail or default, "status": status},
        status_code=status,
        media_type=MediaType.HTML,
    )


def _login_redirect(request: Request[Any, Any, Any], _: Exception) -> Response[Any]:
    target = request.url.path
    if request.url.query:
        target += "?" + request.url.query
    return Redirect(f"{LOGIN_PATH}?lanjut={quote(target, safe='/')}", status_code=303)


def _password_redirect(request: Request[Any, Any, Any], _: Exception) -> Response[Any]:
    return Redirect(PASSWORD_PATH, status_code=303)


def _domain_error(request: Request[Any, Any, Any], exc: DomainError) -> Template:
    response = error_page(request, exc.status, exc.detail)
    if exc.headers:
        response.headers.update(exc.headers)
    return response


def _http_error(request: Request[Any, Any, Any], exc: HTTPException) -> Template:
    if exc.status_code >= 500:
        logger.error("page %s: %s", request.url.path, exc.detail)
    # Litestar's own details are English and technical: the page shows ours.
    return error_page(request, exc.status_code)


def _unexpected(request: Request[Any, Any, Any], exc: Exception) -> Template:
    logger.exception("page %s failed", request.url.path, exc_info=exc)
    return error_page(request, 500)


PAGE_EXCEPTION_HANDLERS: dict[Any, Any] = {
    LoginRequired: _login_redirect,
    PasswordChangeRequired: _password_redirect,
    DomainError: _domain_error,
    HTTPException: _http_error,
    Exception: _unexpected,
}


def page_router(
    settings: Settings,
    route_handlers: Sequence[ControllerRouterHandler],
    *,
    path: str = "/",
    dependencies: dict[str, Provide] | None = None,
    middleware: Sequence[DefineMiddleware] = (),
) -> Router:
    """A router of pages with the shell's session, CSRF, headers and error pages
    (``middleware`` runs first, e.g. a rate limit)."""
    return Router(
        path=path,
        route_handlers=list(route_handlers),
        dependencies=dependencies,
        middleware=[
            DefineMiddleware(HtmlGzipMiddleware),
            *middleware,
            session_middleware(settings),
            csrf_middleware(settings),
            DefineMiddleware(PageUserMiddleware, settings=settings),
        ],
        opt={"exclude_from_auth": True},
        exception_handlers=PAGE_EXCEPTION_HANDLERS,
        response_headers=PAGE_HEADERS,
        cache_control=NO_STORE,
        include_in_schema=False,
    )

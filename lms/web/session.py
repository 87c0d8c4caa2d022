"""Cookie sessions of the pages: who is logged in, and the CSRF token of every form.

The session is Litestar's client-side cookie backend: the cookie holds only the user's id and
a fingerprint of their password hash, encrypted and authenticated (AES-GCM) with a key derived
from ``LMS_SECRET_KEY``. It is HttpOnly, SameSite=Lax, and Secure when ``LMS_PUBLIC_BASE_URL``
is https. Every page request reads the user again, so a deactivated account or a changed role
takes effect at once, and a changed password (the fingerprint no longer matches) ends every
other session of that account.

CSRF is Litestar's double-submit middleware (a signed token in a cookie and the same token in
each form's hidden ``_csrf_token`` field). Both run on the page routers only: the JSON API under
``/api/v1`` authenticates with bearer tokens, which a browser never sends by itself, so it
needs no CSRF token and pays for neither middleware.

A session an LTI launch opened inside an LMS iframe (``embedded_session_data``) remembers the
LMS's origin. On https its cookies (session and CSRF) are then sent ``SameSite=None; Secure;
Partitioned``: Lax cookies are neither stored nor sent in a cross-site frame, and Partitioned
(CHIPS) keeps the cookie to that LMS's partition, so browsers that block unpartitioned
third-party cookies still keep it. Its pages may be framed by that origin only
(``frame-ancestors 'self' <origin>`` instead of ``'none'``). A login at ``/masuk`` never
carries the mark, so ordinary sessions keep Lax and ``frame-ancestors 'none'``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import time
from base64 import b64decode
from typing import Any, cast
from uuid import UUID

from litestar.config.csrf import CSRFConfig
from litestar.connection import ASGIConnection
from litestar.datastructures import FormMultiDict
from litestar.exceptions import PermissionDeniedException
from litestar.middleware.base import DefineMiddleware
from litestar.middleware.csrf import CSRFMiddleware
from litestar.middleware.session.base import SessionMiddleware
from litestar.middleware.session.client_side import (
    AAD,
    ClientSideSessionBackend,
    CookieBackendConfig,
)
from litestar.types import ASGIApp, Empty, Message, Receive, Scope, ScopeSession, Send
from litestar.utils.scope.state import ScopeState

from lms.auth.caller import Caller
from lms.auth.tables import User
from lms.auth.tokens import caller_row
from lms.config import Settings

SESSION_COOKIE = "prima_sesi"
CSRF_COOKIE = "prima_csrf"
_USER_KEY = "uid"
_FINGERPRINT_KEY = "pw"
_EMBED_KEY = "emb"
_ORIGIN = re.compile(r"^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?$")
_SAMESITE = re.compile(rb";\s*SameSite=\w+", re.IGNORECASE)
_NO_FRAMES = b"frame-ancestors 'none'"


class PageCaller(Caller, frozen=True, kw_only=True):
    """The caller of a page: a :class:`Caller` (so every service accepts it) plus what the
    shell prints and enforces."""

    display_name: str = ""
    must_change_password: bool = False


def _derive(settings: Settings, purpose: str) -> bytes:
    return hashlib.sha256(f"prima:{purpose}:{settings.secret_key}".encode()).digest()


def is_https(settings: Settings) -> bool:
    """Cookies are marked Secure when the public address is https."""
    return settings.public_base_url.lower().startswith("https://")


def _cookie_config(settings: Settings) -> CookieBackendConfig:
    return CookieBackendConfig(
        secret=_derive(settings, "session"),
        key=SESSION_COOKIE,
        max_age=settings.token_ttl_minutes * 60,
        secure=is_https(settings),
        httponly=True,
        samesite="lax",
    )


def frame_origin(value: str | None) -> str:
    """``value`` when it is a plain origin (scheme, host, port) a CSP may name, else ""."""
    value = (value or "").strip()
    return value if _ORIGIN.match(value) else ""


def _embedded_headers(
    headers: list[tuple[bytes, bytes]], origin: str, https: bool
) -> list[tuple[bytes, bytes]]:
    """The response headers of an embedded session's response (see the module docstring)."""
    cookies = (SESSION_COOKIE.encode() + b"=", CSRF_COOKIE.encode() + b"=")
    out = []
    for name, value in headers:
        lower = name.lower()
        if https and lower == b"set-cookie" and value.startswith(cookies):
            value = _SAMESITE.sub(b"; SameSite=None", value)
            if b"partitioned" not in value.lower():
                value += b"; Partitioned"
        elif lower == b"content-security-policy" and origin:
            value = value.replace(_NO_FRAMES, b"frame-ancestors 'self' " + origin.encode())
        out.append((name, value))
    return out


_LOADED = "prima.session_loaded"


class RenewingCookieBackend(ClientSideSessionBackend):
    """Litestar's cookie backend that re-issues the cookie only when it must.

    Litestar encrypts and sets the session cookie on every response, which on the quiz page
    means once per autosaved answer. Here an unchanged session keeps its cookie until less than
    half of its lifetime is left; then (or when the session changed, or is cleared) the cookie
    is written as before. The lifetime therefore still slides for anyone active, by at least
    half of ``max_age`` at a time.
    """

    async def load_from_connection(self, connection: ASGIConnection) -> dict[str, Any]:
        data = await super().load_from_connection(connection)
        if data:
            connection.scope[_LOADED] = (dict(data), _expires_at(self, connection))  # type: ignore[literal-required]
        return data

    async def store_in_message(
        self, scope_session: ScopeSession, message: Message, connection: ASGIConnection
    ) -> None:
        loaded = cast("tuple[dict[str, Any], float] | None", connection.scope.get(_LOADED))
        if (
            loaded is not None
            and isinstance(scope_session, dict)
            and scope_session == loaded[0]
            and loaded[1] - time.time() > self.config.max_age / 2
        ):
            return
        await super().store_in_message(scope_session, message, connection)


def _expires_at(backend: ClientSideSessionBackend, connection: ASGIConnection) -> float:
    """The ``expires_at`` a valid session cookie carries in its authenticated data (0 when it
    cannot be read: then the cookie is simply re-issued)."""
    try:
        raw = b64decode(
            b"".join(connection.cookies[k].encode() for k in backend.get_cookie_keys(connection))
        )
        start = raw.find(AAD)
        return float(json.loads(raw[start + len(AAD) :])["expires_at"]) if start != -1 else 0.0
    except (ValueError, KeyError, TypeError):
        return 0.0


class PageSessionMiddleware:
    """Litestar's session middleware with the cookie backend, built inside the middleware:
    routers are deep-copied when registered, and the backend's cipher cannot be copied.
    Responses of an embedded session get their cookie and framing headers adjusted."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        config = _cookie_config(settings)
        self.inner = SessionMiddleware(app=app, backend=RenewingCookieBackend(config=config))
        self.https = is_https(settings)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.inner(scope, receive, send)
            return

        async def send_adjusted(message: Message) -> None:
            if message["type"] == "http.response.start":
                session = scope.get("session")
                if isinstance(session, dict) and _EMBED_KEY in session:
                    origin = frame_origin(str(session[_EMBED_KEY]))
                    headers = list(message.get("headers") or [])
                    message = {
                        **message,
                        "headers": _embedded_headers(headers, origin, self.https),
                    }
            await send(message)

        await self.inner(scope, receive, send_adjusted)


def session_middleware(settings: Settings) -> DefineMiddleware:
    """The encrypted session cookie (lives as long as a bearer token)."""
    return DefineMiddleware(PageSessionMiddleware, settings=settings)


class ClosingCSRFMiddleware(CSRFMiddleware):
    """Litestar's CSRF check, closing the uploaded files of a refused form: the route would
    close them after its handler, but a refusal never reaches the route."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        except PermissionDeniedException:
            if (form := ScopeState.from_scope(scope).form) is not Empty:
                await FormMultiDict.from_form_data(form).close()
            raise


def csrf_middleware(settings: Settings) -> DefineMiddleware:
    """Double-submit CSRF tokens on every unsafe request of the pages."""
    config = CSRFConfig(
        secret=_derive(settings, "csrf").hex(),
        cookie_name=CSRF_COOKIE,
        cookie_secure=is_https(settings),
        cookie_httponly=True,
        cookie_samesite="lax",
        header_name="x-csrf-token",
    )
    return DefineMiddleware(ClosingCSRFMiddleware, config=config)


def password_fingerprint(settings: Settings, password_hash: str) -> str:
    """A short keyed digest of the password hash: stored in the session, it ends the session
    when the password changes."""
    key = _derive(settings, "fingerprint")
    return hmac.new(key, password_hash.encode(), hashlib.sha256).hexdigest()[:24]


async def session_data(settings: Settings, user_id: UUID) -> dict[str, Any]:
    """What the session cookie holds for ``user_id`` once the login service accepted the
    password (``request.set_session(...)``)."""
    row = await User.select(User.password_hash).where(User.id == user_id).first()
    if row is None:
        return {}
    return {
        _USER_KEY: str(user_id),
        _FINGERPRINT_KEY: password_fingerprint(settings, row["password_hash"]),
    }


async def embedded_session_data(
    settings: Settings, user_id: UUID, origin: str | None
) -> dict[str, Any]:
    """:func:`session_data` for a session opened by an LTI launch inside the iframe of the LMS
    at ``origin`` (the launch POST's ``Origin`` header; "" when unknown: then the cookies are
    still third-party-capable but the pages refuse to be framed)."""
    data = await session_data(settings, user_id)
    if data:
        data[_EMBED_KEY] = frame_origin(origin)
    return data


async def page_caller(session: dict[str, Any], settings: Settings) -> PageCaller | None:
    """The logged-in user of a session, or None (no session, gone, inactive, password changed)."""
    raw = session.get(_USER_KEY)
    if not raw:
        return None
    try:
        user_id = UUID(str(raw))
    except ValueError:
        return None
    row = await caller_row(user_id)
    if row is None or not row["active"]:
        return None
    expected = password_fingerprint(settings, row["password_hash"])
    if not hmac.compare_digest(expected, str(session.get(_FINGERPRINT_KEY, ""))):
        return None
    return PageCaller(
        user_id=row["id"],
        username=row["username"],
        role=row["role"],
        unit_id=row["unit"],
        unit_path=row["unit_path"] or "",
        person_id=row["person"],
        display_name=row["person_name"] or row["username"],
        must_change_password=bool(row["must_change_password"]),
    )


class PageUserMiddleware:
    """Puts the session's :class:`PageCaller` (or None) into ``scope["user"]`` on page routes,
    so handlers and guards read ``request.user`` as on the API."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            session = scope.get("session")
            scope["user"] = (
                await page_caller(session, self.settings) if isinstance(session, dict) else None
            )
        await self.app(scope, receive, send)

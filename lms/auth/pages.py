"""Account pages: ``/masuk`` (login), ``/keluar`` (logout), ``/saya/kata-sandi`` (change own
password, forced at first login) and an organizer's password reset of one account.

They call the same services as the API: the login service (its per-username limit included)
and ``AccountService``. The login service answers with a bearer token; the page keeps only its
subject in the session cookie (``lms.web.session``).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.enums import MediaType
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from litestar.security.jwt import Token

from lms.auth.accounts import MIN_PASSWORD_LENGTH, AccountService, login_name
from lms.auth.services import AuthService
from lms.auth.tables import User
from lms.config import Settings
from lms.shared.errors import BadRequest, TooManyRequests, Unauthorized
from lms.web.session import PageCaller, session_data
from lms.web.shell import OPEN_BEFORE_PASSWORD_CHANGE, page_guard

PageRequest = Request[Any, Any, Any]
_LOGIN_FAILED = "Nama pengguna/NIP atau kata sandi salah."


def safe_next(target: str | None) -> str | None:
    """Only a path on this server (``/saya``), never ``//elsewhere`` or a full URL."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return None


#: Where each role starts its day; everyone else (participants, admins) lands on ``/saya``.
ROLE_HOMES = {"organizer": "/kelola/sesi", "trainer": "/latih", "hr": "/sdm"}


def home_of(user: PageCaller) -> str:
    """Where a user lands after logging in."""
    return ROLE_HOMES.get(user.role, "/saya")


def _login_page(
    username: str = "", error: str | None = None, next_path: str | None = None, status: int = 200
) -> Template:
    return Template(
        "auth/masuk.html",
        context={"username": username, "error": error, "next": next_path or ""},
        status_code=status,
        media_type=MediaType.HTML,
    )


@get("/masuk", operation_id="loginPage", media_type=MediaType.HTML)
async def login_page(request: PageRequest, lanjut: FromQuery[str | None] = None) -> Template:
    """The login form (username or NIP, and password)."""
    return _login_page(next_path=safe_next(lanjut))


@post("/masuk", operation_id="loginPageSubmit", media_type=MediaType.HTML)
async def login_submit(
    request: PageRequest,
    auth_service: NamedDependency[AuthService],
    settings: NamedDependency[Settings],
) -> Template | Redirect:
    """Check the password with the login service, then start the session cookie."""
    form = await request.form()
    typed = str(form.get("username") or "").strip()[:150]
    password = str(form.get("password") or "")[:256]
    next_path = safe_next(str(form.get("lanjut") or ""))
    if not typed or not password:
        return _login_page(typed, "Isi nama pengguna/NIP dan kata sandi.", next_path, 400)
    try:
        address = request.client.host if request.client else ""
        issued = await auth_service.login(await login_name(typed), password, address)
    except Unauthorized:
        return _login_page(typed, _LOGIN_FAILED, next_path, 401)
    except TooManyRequests as exc:
        response = _login_page(
            typed,
            "Terlalu banyak percobaan masuk yang gagal. Tunggu satu menit lalu coba lagi.",
            next_path,
            429,
        )
        response.headers.update(exc.headers or {})
        return response
    subject = Token.decode(
        issued.access_token, settings.secret_key, request.app.state.jwt_auth.algorithm
    ).sub
    data = await session_data(settings, UUID(subject))
    request.set_session(data)
    user = await _user_after_login(UUID(subject))
    if user["must_change_password"]:
        return Redirect("/saya/kata-sandi", status_code=303)
    target = next_path or ROLE_HOMES.get(user["role"], "/saya")
    return Redirect(target, status_code=303)


async def _user_after_login(user_id: UUID) -> dict[str, Any]:
    row = await User.select(User.role, User.must_change_password).where(User.id == user_id).first()
    return row or {"role": "", "must_change_password": False}


@post("/keluar", operation_id="logoutPage", media_type=MediaType.HTML)
async def logout(request: PageRequest) -> Redirect:
    """End the session on this browser."""
    request.clear_session()
    return Redirect("/", status_code=303)


def _password_page(
    user: PageCaller, errors: dict[str, str] | None = None, status: int = 200
) -> Template:
    return Template(
        "auth/kata_sandi.html",
        context={
            "forced": user.must_change_password,
            "errors": errors or {},
            "min_length": MIN_PASSWORD_LENGTH,
        },
        status_code=status,
        media_type=MediaType.HTML,
    )


@get(
    "/saya/kata-sandi",
    operation_id="passwordPage",
    media_type=MediaType.HTML,
    guards=[page_guard()],
    opt={OPEN_BEFORE_PASSWORD_CHANGE: True},
)
async def password_page(request: PageRequest) -> Template:
    """Change own password (the only page open until an initial password is replaced)."""
    return _password_page(request.user)


@post(
    "/saya/kata-sandi",
    operation_id="passwordPageSubmit",
    media_type=MediaType.HTML,
    guards=[page_guard()],
    opt={OPEN_BEFORE_PASSWORD_CHANGE: True},
)
async def password_submit(
    request: PageRequest,
    account_service: NamedDependency[AccountService],
    settings: NamedDependency[Settings],
) -> Template | Redirect:
    """Check and store the new password; the session continues with it."""
    form = await request.form()
    try:
        await account_service.change_own_password(
            request.user,
            str(form.get("current") or ""),
            str(form.get("new") or ""),
            str(form.get("repeat") or ""),
        )
    except BadRequest as exc:
        errors = {e["field"]: e["message"] for e in exc.errors or []}
        return _password_page(request.user, errors, 400)
    request.set_session(await session_data(settings, request.user.user_id))
    return Redirect(f"{home_of(request.user)}?pesan=sandi-diganti", status_code=303)


@post(
    "/kelola/akun/{user_id:uuid}/atur-ulang",
    operation_id="resetPasswordPage",
    media_type=MediaType.HTML,
    guards=[page_guard("organizer")],
)
async def reset_submit(
    request: PageRequest,
    user_id: FromPath[UUID],
    account_service: NamedDependency[AccountService],
) -> Template:
    """A new one-time password for one account in scope, shown once to print or read out."""
    form = await request.form()
    result = await account_service.reset_password(request.user, user_id)
    return Template(
        "auth/atur_ulang.html",
        context={"result": result, "back": safe_next(str(form.get("kembali") or "")) or ""},
        media_type=MediaType.HTML,
    )


PAGES = [login_page, login_submit, logout, password_page, password_submit, reset_submit]

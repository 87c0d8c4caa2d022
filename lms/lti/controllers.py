"""LTI endpoints: the tool's JWKS, login initiation, launch, dynamic registration (public, their
paths registered in the LMS and never changed), and the admin's platform API."""

from __future__ import annotations

import html
import logging
from pathlib import Path
from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post, route
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody
from litestar.response import Redirect
from litestar.router import Router
from litestar.static_files import create_static_files_router

from lms.auth.caller import CallerRequest
from lms.auth.guards import allow
from lms.auth.tables import User
from lms.config import Settings
from lms.lti import deep_linking, handoff, registration
from lms.lti.identity import caller_for_user, prima_role, remember_link, resolve_user
from lms.lti.keys import tool_keys
from lms.lti.landing import landing
from lms.lti.launch import Launch, LaunchError, validate_launch
from lms.lti.login import initiate_login
from lms.lti.platform_keys import PlatformKeyCache
from lms.lti.tables import LtiPlatform
from lms.shared.errors import BadRequest
from lms.web.routes import settings_provider
from lms.web.session import (
    embedded_session_data,
    page_caller,
    session_data,
    session_middleware,
)

logger = logging.getLogger("lms.lti")
_NO_STORE = {"Cache-Control": "no-store"}


def _page(title: str, body: str, status: int = 200, script: str = "") -> Response[str]:
    """A minimal Indonesian page (every value escaped by the caller)."""
    tag = f'<script src="{script}"></script>' if script else ""
    return Response(
        f'<!doctype html><html lang="id"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title}</title></head><body><main><h1>{title}</h1>{body}</main>{tag}"
        f"</body></html>",
        media_type="text/html",
        status_code=status,
        headers=_NO_STORE,
    )


def error_page(exc: LaunchError) -> Response[str]:
    """The page a refused launch answers: the reason and its code (docs/LTI.md)."""
    logger.warning("LTI launch refused: %s", exc)
    return _page(
        "Peluncuran LTI ditolak",
        f"<p>{html.escape(exc.message)}</p><p>Kode galat: <code>{html.escape(exc.code)}</code>."
        " Sampaikan kode ini kepada admin LMS atau Prima.</p>",
        exc.status,
    )


class LtiToolController(Controller):
    """What the LMS calls."""

    path = "/"
    include_in_schema = False

    @get("/.well-known/jwks.json", operation_id="toolJwks")
    async def jwks(self, settings: NamedDependency[Settings]) -> Response[dict]:
        """The tool's public keys."""
        return Response(tool_keys(settings).jwks(), headers={"Cache-Control": "max-age=300"})

    @route("/lti/login", http_method=["GET", "POST"], operation_id="ltiLogin")
    async def login(
        self, request: Request[Any, Any, Any], settings: NamedDependency[Settings]
    ) -> Response[Any]:
        """OIDC third-party initiated login (GET or POST)."""
        params = dict(request.query_params)
        if request.method == "POST":
            form = await request.form()
            params.update({k: str(v) for k, v in form.items()})
        try:
            target = await initiate_login(params, f"{settings.public_base_url}/lti/launch")
        except LaunchError as exc:
            return error_page(exc)
        return Redirect(target, status_code=302, headers=_NO_STORE)

    @post("/lti/launch", operation_id="ltiLaunch", status_code=200)
    async def launch(
        self,
        request: Request[Any, Any, Any],
        key_cache: NamedDependency[PlatformKeyCache],
        settings: NamedDependency[Settings],
    ) -> Response[Any]:
        """The platform's form POST of the id_token: validated, then the person is signed in."""
        form = await request.form()
        try:
            launch = await validate_launch(
                str(form.get("id_token") or ""), str(form.get("state") or ""), key_cache
            )
            user = await resolve_user(launch)
            role = prima_role(launch)
            await remember_link(launch)
        except LaunchError as exc:
            return error_page(exc)
        logger.info("LTI launch: user %s as %s (%s)", user["id"], role, launch.message_type)
        if launch.message_type == "LtiDeepLinkingRequest":
            return await _deep_link_choice(launch, user, role, settings)
        target = landing(launch, role if role == "participant" else user["role"])
        if request.headers.get("sec-fetch-dest") not in ("iframe", "frame"):
            # A new window (or a top-level launch): an ordinary first-party cookie.
            request.set_session(await session_data(settings, user["id"]))
            return Redirect(target, status_code=303, headers=_NO_STORE)
        # Inside the LMS's iframe: a cookie usable there (SameSite=None; Partitioned on https),
        # and a one-time token in case the browser drops it all the same (lms.lti.handoff).
        request.set_session(
            await embedded_session_data(settings, user["id"], request.headers.get("origin"))
        )
        token = await handoff.issue(user["id"], target)
        return Redirect(f"/lti/lanjut?t={token}", status_code=303, headers=_NO_STORE)

    @get("/lti/lanjut", operation_id="ltiContinue")
    async def carry_on(
        self, request: Request[Any, Any, Any], settings: NamedDependency[Settings]
    ) -> Response[Any]:
        """After an embedded launch: on to the page when the session cookie came back, else
        the offer to open Prima in a new window."""
        token = request.query_params.get("t", "")
        row = await handoff.peek(token)
        if row is None:
            return error_page(_HANDOFF_SPENT)
        caller = await page_caller(request.session, settings)
        if caller is not None and caller.user_id == row["user"]:
            await handoff.spend(token)
            return Redirect(row["target"], status_code=303, headers=_NO_STORE)
        return _page(
            "Buka Prima di jendela baru",
            "<p>Peramban Anda tidak menyimpan sesi Prima di dalam halaman LMS ini (cookie pihak"
            " ketiga diblokir). Lanjutkan di jendela baru; tautan ini hanya berlaku sekali"
            " selama 2 menit.</p>"
            '<form method="post" action="/lti/buka" target="_blank">'
            f'<input type="hidden" name="t" value="{html.escape(token)}">'
            '<button type="submit">Buka di jendela baru</button></form>',
        )

    @post("/lti/buka", operation_id="ltiOpenWindow", status_code=200)
    async def open_window(
        self, request: Request[Any, Any, Any], settings: NamedDependency[Settings]
    ) -> Response[Any]:
        """The new window: spend the one-time token for a first-party session, then the page."""
        form = await request.form()
        row = await handoff.spend(str(form.get("t") or ""))
        if row is None:
            return error_page(_HANDOFF_SPENT)
        user = await User.select(User.active).where(User.id == row["user"]).first()
        if user is None or not user["active"]:
            return error_page(LaunchError("LTI-IDENTITY", "Akun Prima ini dinonaktifkan.", 403))
        request.set_session(await session_data(settings, row["user"]))
        return Redirect(row["target"], status_code=303, headers=_NO_STORE)

    @post("/lti/deep-link", operation_id="ltiDeepLink", status_code=200)
    async def deep_link(
        self, request: Request[Any, Any, Any], settings: NamedDependency[Settings]
    ) -> Response[str]:
        """The instructor's choice: answer the platform a signed LtiDeepLinkingResponse."""
        form = await request.form()
        try:
            choice = deep_linking.read_choice_token(settings, str(form.get("choice") or ""))
            platform = (
                await LtiPlatform.select()
                .where(LtiPlatform.id == UUID(choice["platform_id"]))
                .first()
            )
            user = await User.select().where(User.id == UUID(choice["user_id"])).first()
            if platform is None or user is None or not user["active"]:
                raise LaunchError("LTI-DEEPLINK", "Platform atau akun sudah tidak ada.")
            chosen = set(form.getall("item", [])) if hasattr(form, "getall") else set()
            items = [
                item
                for item in await deep_linking.content_for(await caller_for_user(user))
                if item.key in chosen
            ]
            if not items:
                raise LaunchError("LTI-DEEPLINK", "Pilih minimal satu konten.")
            if not choice["accept_multiple"]:
                items = items[:1]
            token = deep_linking.response_jwt(settings, platform, choice, items)
        except LaunchError as exc:
            return error_page(exc)
        titles = "".join(f"<li>{html.escape(i.title)}</li>" for i in items)
        return _page(
            "Mengirim pilihan ke LMS",
            f"<ul>{titles}</ul>"
            f'<form method="post" action="{html.escape(choice["return_url"])}" data-autosubmit>'
            f'<input type="hidden" name="JWT" value="{html.escape(token)}">'
            '<button type="submit">Kirim ke LMS</button></form>',
            script="/lti/static/lti-autosubmit.js",
        )

    @get("/lti/register", operation_id="ltiRegister")
    async def register(
        self, request: Request[Any, Any, Any], settings: NamedDependency[Settings]
    ) -> Response[str]:
        """Dynamic Registration: the LMS opens this with its openid_configuration URL."""
        query = request.query_params
        try:
            platform = await registration.dynamic_register(
                query.get("t", ""),
                query.get("openid_configuration", ""),
                query.get("registration_token"),
                settings.public_base_url,
            )
        except BadRequest as exc:
            return _page("Pendaftaran Prima gagal", f"<p>{html.escape(exc.detail)}</p>", 400)
        return _page(
            "Prima terdaftar",
            f"<p>Prima terdaftar di {html.escape(platform.issuer)} "
            f"(client id <code>{html.escape(platform.client_id)}</code>). "
            "Jendela ini dapat ditutup.</p>",
            script="/lti/static/lti-close.js",
        )


_HANDOFF_SPENT = LaunchError(
    "LTI-HANDOFF",
    "Tautan peluncuran sudah dipakai atau kedaluwarsa (2 menit); luncurkan ulang dari LMS.",
)


async def _deep_link_choice(
    launch: Launch, user: dict[str, Any], role: str, settings: Settings
) -> Response[str]:
    """The page where an instructor picks what to place in the LMS course."""
    if role == "participant":
        return error_page(
            LaunchError("LTI-ROLE", "Hanya pengajar yang dapat memilih konten Prima.", 403)
        )
    items = await deep_linking.content_for(await caller_for_user(user))
    token = deep_linking.choice_token(settings, launch, user["id"])
    options = "".join(
        f'<li><label><input type="checkbox" name="item" value="{html.escape(i.key)}"> '
        f"{html.escape(i.title)}</label></li>"
        for i in items
    )
    return _page(
        "Pilih konten Prima",
        '<form method="post" action="/lti/deep-link">'
        f'<input type="hidden" name="choice" value="{html.escape(token)}">'
        f'<ul>{options}</ul><button type="submit">Tambahkan ke kursus</button></form>',
    )


class LtiPlatformController(Controller):
    """The admin's platform registry; organizers read the placements to tie them to sessions."""

    path = "/api/v1/lti"
    tags = ["lti"]

    @post("/platforms", operation_id="createLtiPlatform", guards=[allow()])
    async def create(
        self, data: JSONBody[registration.PlatformCreate]
    ) -> registration.PlatformRead:
        """Register a platform by hand (issuer, client id, deployments, URLs)."""
        return await registration.create_platform(data)

    @get("/platforms", operation_id="listLtiPlatforms", guards=[allow()])
    async def list_platforms(self) -> list[registration.PlatformRead]:
        """Every registered platform."""
        return await registration.list_platforms()

    @post(
        "/platforms/{platform_id:uuid}/deployments",
        operation_id="addLtiDeployment",
        guards=[allow()],
    )
    async def add_deployment(
        self, platform_id: FromPath[UUID], data: JSONBody[dict[str, str]]
    ) -> registration.PlatformRead:
        """Add a deployment id to a platform."""
        deployment = (data.get("deployment_id") or "").strip()
        if not deployment:
            raise BadRequest("deployment_id wajib diisi.")
        return await registration.add_deployment(platform_id, deployment)

    @get("/links", operation_id="listLtiLinks", guards=[allow("organizer")])
    async def links(self) -> list[registration.LinkRead]:
        """Placements of Prima in LMS courses (from launches), to tie to a session."""
        return await registration.list_links()

    @post("/registration-urls", operation_id="createLtiRegistrationUrl", guards=[allow()])
    async def registration_url(
        self, request: CallerRequest, settings: NamedDependency[Settings]
    ) -> registration.RegistrationUrl:
        """A one-time Dynamic Registration URL to paste into the LMS (24 hours)."""
        return await registration.new_registration_url(settings.public_base_url, request.user)


def build_router(settings: Settings) -> Router:
    """The LTI routes, with the settings and one platform key cache for the process."""
    cache = PlatformKeyCache()
    static = create_static_files_router(
        path="/lti/static",
        directories=[Path(__file__).parent / "static"],
        include_in_schema=False,
        opt={"exclude_from_auth": True},
    )
    # The launch starts a page session (the same encrypted cookie as /masuk); the LMS's form
    # POST carries no CSRF token, the state and the signed id_token stand in for it.
    tool = Router(
        path="/", route_handlers=[LtiToolController], middleware=[session_middleware(settings)]
    )
    return Router(
        path="/",
        route_handlers=[tool, LtiPlatformController, static],
        dependencies={
            "settings": settings_provider(settings),
            "key_cache": Provide(lambda: cache, use_cache=True, sync_to_thread=False),
        },
    )

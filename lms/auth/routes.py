"""The auth router and its service providers."""

from __future__ import annotations

from collections.abc import Sequence

from litestar import Request, Router
from litestar.di import Provide

from lms.auth.account_controllers import AccountController
from lms.auth.accounts import AccountService, PersonScope
from lms.auth.controllers import AuthController, UserController
from lms.auth.services import AuthService, UserService
from lms.config import Settings
from lms.shared.ratelimit import counters_for


def auth_service_provider(settings: Settings) -> Provide:
    """The login service with its failure counters (the API's login and the login page)."""

    async def provide_auth_service(request: Request) -> AuthService:
        return AuthService(
            request.app.state.jwt_auth,
            counters_for(request.app),
            settings.login_rate_per_minute,
            settings.token_ttl_minutes,
        )

    return Provide(provide_auth_service)


def account_service_provider(settings: Settings, person_scopes: Sequence[PersonScope]) -> Provide:
    """Bulk accounts, resets and own password changes (API and pages)."""
    service = AccountService(
        settings.public_base_url.rstrip("/") + "/masuk", person_scopes=person_scopes
    )
    return Provide(lambda: service, use_cache=True, sync_to_thread=False)


def build_router(settings: Settings, person_scopes: Sequence[PersonScope] = ()) -> Router:
    """Auth and users; failed logins are limited per username and per client address in
    ``AuthService`` (the app's shared counters, ``lms.shared.ratelimit``). ``person_scopes``
    widen an organizer's reset scope (the courses app: participants of sessions they run)."""

    def provide_user_service() -> UserService:
        return UserService()

    return Router(
        path="/",
        route_handlers=[AuthController, UserController, AccountController],
        dependencies={
            "auth_service": auth_service_provider(settings),
            "account_service": account_service_provider(settings, person_scopes),
            "user_service": Provide(provide_user_service, sync_to_thread=False),
        },
    )

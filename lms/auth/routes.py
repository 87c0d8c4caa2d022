"""The auth router: service providers and the per-address login rate limit."""

from __future__ import annotations

from collections.abc import Sequence

from litestar import Request, Router
from litestar.di import Provide
from litestar.middleware.rate_limit import RateLimitConfig

from lms.auth.account_controllers import AccountController
from lms.auth.accounts import AccountService, PersonScope
from lms.auth.controllers import AuthController, UserController
from lms.auth.ratelimit import AttemptLimiter
from lms.auth.services import AuthService, UserService
from lms.config import Settings


def auth_service_provider(settings: Settings) -> Provide:
    """The login service with its per-username limiter (the API's login and the login page)."""

    async def provide_auth_service(request: Request) -> AuthService:
        limiter = AttemptLimiter(
            request.app.stores.get("login_attempts"), settings.login_rate_per_minute, 60
        )
        return AuthService(request.app.state.jwt_auth, limiter, settings.token_ttl_minutes)

    return Provide(provide_auth_service)


def account_service_provider(settings: Settings, person_scopes: Sequence[PersonScope]) -> Provide:
    """Bulk accounts, resets and own password changes (API and pages)."""
    service = AccountService(
        settings.public_base_url.rstrip("/") + "/masuk", person_scopes=person_scopes
    )
    return Provide(lambda: service, use_cache=True, sync_to_thread=False)


def build_router(settings: Settings, person_scopes: Sequence[PersonScope] = ()) -> Router:
    """Auth and users, with login limited per client address (Litestar's middleware) and per
    username (``AttemptLimiter`` in the service). ``person_scopes`` widen an organizer's
    reset scope (the courses app: participants of sessions they run)."""

    def provide_user_service() -> UserService:
        return UserService()

    login_limit = RateLimitConfig(
        rate_limit=("minute", settings.login_rate_per_minute * 3),
        store="login_rate",
        check_throttle_handler=lambda request: request.url.path.endswith("/auth/login"),
    )
    return Router(
        path="/",
        route_handlers=[AuthController, UserController, AccountController],
        dependencies={
            "auth_service": auth_service_provider(settings),
            "account_service": account_service_provider(settings, person_scopes),
            "user_service": Provide(provide_user_service, sync_to_thread=False),
        },
        middleware=[login_limit.middleware],
    )

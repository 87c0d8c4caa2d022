"""The auth router: service providers and the per-address login rate limit."""

from __future__ import annotations

from litestar import Request, Router
from litestar.di import Provide
from litestar.middleware.rate_limit import RateLimitConfig

from lms.auth.controllers import AuthController, UserController
from lms.auth.ratelimit import AttemptLimiter
from lms.auth.services import AuthService, UserService
from lms.config import Settings


def build_router(settings: Settings) -> Router:
    """Auth and users, with login limited per client address (Litestar's middleware) and per
    username (``AttemptLimiter`` in the service)."""

    async def provide_auth_service(request: Request) -> AuthService:
        limiter = AttemptLimiter(
            request.app.stores.get("login_attempts"), settings.login_rate_per_minute, 60
        )
        return AuthService(request.app.state.jwt_auth, limiter, settings.token_ttl_minutes)

    def provide_user_service() -> UserService:
        return UserService()

    login_limit = RateLimitConfig(
        rate_limit=("minute", settings.login_rate_per_minute * 3),
        store="login_rate",
        check_throttle_handler=lambda request: request.url.path.endswith("/auth/login"),
    )
    return Router(
        path="/",
        route_handlers=[AuthController, UserController],
        dependencies={
            "auth_service": Provide(provide_auth_service),
            "user_service": Provide(provide_user_service, sync_to_thread=False),
        },
        middleware=[login_limit.middleware],
    )

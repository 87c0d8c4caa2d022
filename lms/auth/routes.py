"""The auth router and its service providers."""

from __future__ import annotations

from litestar import Request, Router
from litestar.di import Provide

from lms.auth.controllers import AuthController, UserController
from lms.auth.services import AuthService, UserService
from lms.config import Settings
from lms.shared.ratelimit import counters_for


def build_router(settings: Settings) -> Router:
    """Auth and users; failed logins are limited per username and per client address in
    ``AuthService`` (the app's shared counters, ``lms.shared.ratelimit``)."""

    async def provide_auth_service(request: Request) -> AuthService:
        return AuthService(
            request.app.state.jwt_auth,
            counters_for(request.app),
            settings.login_rate_per_minute,
            settings.token_ttl_minutes,
        )

    def provide_user_service() -> UserService:
        return UserService()

    return Router(
        path="/",
        route_handlers=[AuthController, UserController],
        dependencies={
            "auth_service": Provide(provide_auth_service),
            "user_service": Provide(provide_user_service, sync_to_thread=False),
        },
    )

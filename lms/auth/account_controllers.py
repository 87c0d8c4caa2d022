"""``/api/v1/users/{id}/password-reset``: a new one-time password for an account in scope."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, post
from litestar.datastructures import CacheControlHeader
from litestar.di import NamedDependency
from litestar.params import FromPath

from lms.auth.accounts import AccountService, PasswordReset
from lms.auth.caller import CallerRequest
from lms.auth.guards import allow


class AccountController(Controller):
    """Password resets by organizers (their participants and trainers) and the admin."""

    path = "/api/v1/users"
    tags = ["users"]
    guards = [allow("organizer")]

    @post(
        "/{user_id:uuid}/password-reset",
        operation_id="resetUserPassword",
        status_code=200,
        cache_control=CacheControlHeader(no_store=True),
    )
    async def reset(
        self,
        user_id: FromPath[UUID],
        account_service: NamedDependency[AccountService],
        request: CallerRequest,
    ) -> PasswordReset:
        """Give the account a new one-time password (shown only in this answer); the holder
        must change it at the next login. 404 for an account outside the caller's scope."""
        return await account_service.reset_password(request.user, user_id)

"""Login, the caller's identity, and account administration."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody

from lms.auth.caller import CallerRequest
from lms.auth.guards import allow
from lms.auth.schemas import (
    LoginRequest,
    MeRead,
    PasswordChange,
    TokenResponse,
    UserCreate,
    UserRead,
    UserUpdate,
)
from lms.auth.services import AuthService, UserService
from lms.shared.params import LimitQuery, OffsetQuery, SearchQuery
from lms.shared.schemas import Page


class AuthController(Controller):
    """``/api/v1/auth``: exchange credentials for a bearer token."""

    path = "/api/v1/auth"
    tags = ["auth"]

    @post("/login", operation_id="login", status_code=200, security=[])
    async def login(
        self,
        data: JSONBody[LoginRequest],
        auth_service: NamedDependency[AuthService],
        request: Request[Any, Any, Any],
    ) -> TokenResponse:
        """Log in with username and password; failures are limited per username and per
        address (429 with ``Retry-After``)."""
        address = request.client.host if request.client else ""
        return await auth_service.login(data.username, data.password, address)

    @post("/password", operation_id="changeOwnPassword", status_code=200)
    async def change_password(
        self,
        data: JSONBody[PasswordChange],
        auth_service: NamedDependency[AuthService],
        request: CallerRequest,
    ) -> TokenResponse:
        """Change your own password. Every token issued before (on any device) stops working;
        the answer carries a new one. A wrong current password answers 422 and counts as a
        failed login."""
        return await auth_service.change_password(request.user, data)

    @get("/me", operation_id="me")
    async def me(self, request: CallerRequest) -> MeRead:
        """Who the token belongs to."""
        user = request.user
        return MeRead(
            id=user.user_id,
            username=user.username,
            role=user.role,
            unit_id=user.unit_id,
            person_id=user.person_id,
        )


class UserController(Controller):
    """``/api/v1/users``: accounts, for admins only."""

    path = "/api/v1/users"
    tags = ["users"]
    guards = [allow("admin")]

    @get("/", operation_id="listUsers")
    async def list_users(
        self,
        user_service: NamedDependency[UserService],
        limit: LimitQuery = 50,
        offset: OffsetQuery = 0,
        role: FromQuery[str | None] = None,
        q: SearchQuery = None,
    ) -> Page[UserRead]:
        """Accounts, filtered by role or username fragment."""
        return await user_service.list(limit=limit, offset=offset, role=role, q=q)

    @post("/", operation_id="createUser")
    async def create_user(
        self,
        data: JSONBody[UserCreate],
        user_service: NamedDependency[UserService],
        request: CallerRequest,
    ) -> UserRead:
        """Create an account with a role (and a unit for organizers and HR)."""
        return await user_service.create(data, request.user)

    @get("/{user_id:uuid}", operation_id="getUser")
    async def get_user(
        self, user_id: FromPath[UUID], user_service: NamedDependency[UserService]
    ) -> UserRead:
        """One account."""
        return await user_service.get(user_id)

    @patch("/{user_id:uuid}", operation_id="updateUser")
    async def update_user(
        self,
        user_id: FromPath[UUID],
        data: JSONBody[UserUpdate],
        user_service: NamedDependency[UserService],
        request: CallerRequest,
    ) -> UserRead:
        """Change an account's role, password, links or active flag."""
        return await user_service.update(user_id, data, request.user)

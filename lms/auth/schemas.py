"""Request and response bodies of auth and users."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal
from uuid import UUID

import msgspec

from lms.shared.schemas import Input, Output

Role = Literal["admin", "organizer", "trainer", "participant", "hr"]
Username = Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9_.@\-]{2,150}$")]
Password = Annotated[str, msgspec.Meta(min_length=8, max_length=256)]


class LoginRequest(Input):
    """Credentials. The password is checked against an Argon2 hash."""

    username: Annotated[str, msgspec.Meta(min_length=1, max_length=150)]
    password: Annotated[str, msgspec.Meta(min_length=1, max_length=256)]


class PasswordChange(Input):
    """The caller's own password change: the current password, and the new one."""

    current_password: Annotated[str, msgspec.Meta(min_length=1, max_length=256)]
    new_password: Password


class TokenResponse(Output):
    """A bearer token and when it expires."""

    access_token: str
    expires_at: dt.datetime
    token_type: str = "bearer"


class UserRead(Output):
    """A login account (never its password hash)."""

    id: UUID
    username: str
    role: str
    person_id: UUID | None
    unit_id: UUID | None
    active: bool
    created_at: dt.datetime
    last_login_at: dt.datetime | None = None


class UserCreate(Input):
    """A new account."""

    username: Username
    password: Password
    role: Role
    person_id: UUID | None = None
    unit_id: UUID | None = None


class UserUpdate(Input):
    """A change to an account; omitted fields stay as they are."""

    password: Password | msgspec.UnsetType = msgspec.UNSET
    role: Role | msgspec.UnsetType = msgspec.UNSET
    person_id: UUID | None | msgspec.UnsetType = msgspec.UNSET
    unit_id: UUID | None | msgspec.UnsetType = msgspec.UNSET
    active: bool | msgspec.UnsetType = msgspec.UNSET


class MeRead(Output):
    """The caller, as the token sees them."""

    id: UUID
    username: str
    role: str
    unit_id: UUID | None
    person_id: UUID | None

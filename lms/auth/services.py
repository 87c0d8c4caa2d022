"""Logins and user accounts."""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID, uuid4

import anyio.to_thread
import msgspec
from litestar.security.jwt import JWTAuth
from piccolo.columns import Column

from lms.audit import services as audit
from lms.auth.caller import Caller
from lms.auth.passwords import hash_password, needs_rehash, verify_password
from lms.auth.ratelimit import AttemptLimiter
from lms.auth.schemas import TokenResponse, UserCreate, UserRead, UserUpdate
from lms.auth.tables import User
from lms.people.database import contains_text
from lms.people.tables import Person, Unit
from lms.shared.errors import Conflict, NotFound, RuleViolation, Unauthorized
from lms.shared.schemas import Page
from lms.shared.values import utcnow

_USER_COLUMNS = (
    User.id,
    User.username,
    User.role,
    User.person.as_alias("person_id"),
    User.unit.as_alias("unit_id"),
    User.active,
    User.created_at,
    User.last_login_at,
)


class AuthService:
    """Checks credentials and issues tokens, with per-username attempt limits."""

    def __init__(self, jwt_auth: JWTAuth, limiter: AttemptLimiter, ttl_minutes: int) -> None:
        self.jwt_auth = jwt_auth
        self.limiter = limiter
        self.ttl = dt.timedelta(minutes=ttl_minutes)

    async def login(self, username: str, password: str) -> TokenResponse:
        """Return a bearer token, or 401 (same answer for unknown user and wrong password)."""
        key = f"login-user:{username.lower()}"
        await self.limiter.check(key)
        row = await (
            User.select(User.id, User.password_hash, User.active)
            .where(User.username == username)
            .first()
        )
        # Argon2 is deliberately slow (~0.1 s): off the event loop so other requests go on.
        ok = await anyio.to_thread.run_sync(
            verify_password, row["password_hash"] if row else None, password
        )
        if not ok or row is None or not row["active"]:
            await self.limiter.hit(key)
            raise Unauthorized("Nama pengguna atau kata sandi salah.")
        await self.limiter.reset(key)
        values: dict[Column | str, Any] = {User.last_login_at: utcnow()}
        if needs_rehash(row["password_hash"]):
            values[User.password_hash] = await anyio.to_thread.run_sync(hash_password, password)
        await User.update(values).where(User.id == row["id"])
        expires = utcnow() + self.ttl
        token = self.jwt_auth.create_token(identifier=str(row["id"]), token_expiration=self.ttl)
        return TokenResponse(access_token=token, expires_at=expires.replace(microsecond=0))


class UserService:
    """Accounts: admins manage them; everyone reads themselves through /auth/me."""

    async def list(self, *, limit: int, offset: int, role: str | None, q: str | None) -> Page:
        """A page of accounts, optionally filtered by role or a username fragment."""
        where = []
        if role:
            where.append(User.role == role)
        if q:
            where.append(contains_text(User.username, q))
        query = User.select(*_USER_COLUMNS).order_by(User.username).limit(limit).offset(offset)
        count = User.count()
        for w in where:
            query = query.where(w)
            count = count.where(w)
        rows = await query
        return Page(items=msgspec.convert(rows, list[UserRead]), total=await count)

    async def get(self, user_id: UUID) -> UserRead:
        """One account or 404."""
        row = await User.select(*_USER_COLUMNS).where(User.id == user_id).first()
        if row is None:
            raise NotFound("Pengguna tidak ditemukan.")
        return msgspec.convert(row, UserRead)

    async def _check_links(self, person_id: UUID | None, unit_id: UUID | None) -> None:
        if person_id is not None and not await Person.exists().where(Person.id == person_id):
            raise RuleViolation(
                "Orang yang ditautkan tidak ada.",
                errors=[{"field": "person_id", "message": "tidak ditemukan"}],
            )
        if unit_id is not None and not await Unit.exists().where(Unit.id == unit_id):
            raise RuleViolation(
                "Unit yang ditautkan tidak ada.",
                errors=[{"field": "unit_id", "message": "tidak ditemukan"}],
            )

    async def create(self, data: UserCreate, actor: Caller | None) -> UserRead:
        """Create an account (409 when the username is taken)."""
        await self._check_links(data.person_id, data.unit_id)
        if data.role in ("organizer", "hr") and data.unit_id is None:
            raise RuleViolation(
                "Akun organizer dan HR wajib punya unit.",
                errors=[{"field": "unit_id", "message": "wajib untuk peran ini"}],
            )
        if await User.exists().where(User.username == data.username):
            raise Conflict(f"Nama pengguna '{data.username}' sudah dipakai.")
        user_id = uuid4()
        await User.insert(
            User(
                id=user_id,
                username=data.username,
                password_hash=await anyio.to_thread.run_sync(hash_password, data.password),
                role=data.role,
                person=data.person_id,
                unit=data.unit_id,
                active=True,
                created_at=utcnow(),
            )
        )
        await audit.record(actor, "user.create", "user", user_id, f"{data.username} ({data.role})")
        return await self.get(user_id)

    async def update(self, user_id: UUID, data: UserUpdate, actor: Caller | None) -> UserRead:
        """Change role, links, password or active flag."""
        await self.get(user_id)
        values: dict = {}
        changes: dict = {}
        if data.password is not msgspec.UNSET:
            values[User.password_hash] = await anyio.to_thread.run_sync(
                hash_password, data.password
            )
            changes["password"] = "changed"
        for field in ("role", "active"):
            value = getattr(data, field)
            if value is not msgspec.UNSET:
                values[getattr(User, field)] = value
                changes[field] = value
        if data.person_id is not msgspec.UNSET:
            await self._check_links(data.person_id, None)
            values[User.person] = data.person_id
            changes["person_id"] = data.person_id
        if data.unit_id is not msgspec.UNSET:
            await self._check_links(None, data.unit_id)
            values[User.unit] = data.unit_id
            changes["unit_id"] = data.unit_id
        if values:
            await User.update(values).where(User.id == user_id)
            await audit.record(actor, "user.update", "user", user_id, "akun diubah", changes)
        return await self.get(user_id)

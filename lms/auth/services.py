"""Logins and user accounts."""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID, uuid4

import msgspec
from litestar.security.jwt import JWTAuth
from piccolo.columns import Column

from lms.audit import services as audit
from lms.auth.caller import Caller
from lms.auth.passwords import check_password, make_password_hash, needs_rehash
from lms.auth.schemas import PasswordChange, TokenResponse, UserCreate, UserRead, UserUpdate
from lms.auth.tables import User
from lms.auth.tokens import VERSION_CLAIM
from lms.people.database import contains_text
from lms.people.tables import Person, Unit
from lms.shared.errors import Conflict, NotFound, RuleViolation, Unauthorized
from lms.shared.ratelimit import Counters, Limit
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


LOCKED = "Terlalu banyak percobaan masuk yang gagal; coba lagi nanti."


class AuthService:
    """Checks credentials and issues tokens.

    Failed logins are limited per username (``login_rate_per_minute`` a minute) and per client
    address (three times that), and only failures count. Per username, an attempt takes its
    place *before* the password is checked (so concurrent guesses at one account cannot all be
    checked) and a successful one gives it back. Per address, an attempt is refused when the
    failures have reached the limit and a failure is counted after the check: taking a place
    first made correct logins still in flight (Argon2, ~0.2 s each on a busy server) fill the
    address's places, and the 31st person of a class logging in together got 429.
    """

    def __init__(
        self, jwt_auth: JWTAuth, counters: Counters, per_minute: int, ttl_minutes: int
    ) -> None:
        self.jwt_auth = jwt_auth
        self.per_user = Limit(counters, "login-user", per_minute, 60, LOCKED)
        self.per_address = Limit(counters, "login-address", per_minute * 3, 60, LOCKED)
        self.ttl = dt.timedelta(minutes=ttl_minutes)

    async def login(self, username: str, password: str, address: str = "") -> TokenResponse:
        """Return a bearer token, or 401 (same answer for unknown user and wrong password)."""
        user_key = username.lower()
        await self.per_user.acquire(user_key)
        try:
            await self.per_address.refuse_when_spent(address)
        except Exception:
            await self.per_user.release(user_key)
            raise
        row = await (
            User.select(User.id, User.password_hash, User.active, User.token_version)
            .where(User.username == username)
            .first()
        )
        # Argon2 is deliberately slow (~0.1 s): off the event loop so other requests go on.
        ok = await check_password(row["password_hash"] if row else None, password)
        if not ok or row is None or not row["active"]:
            await self.per_address.count(address)
            raise Unauthorized("Nama pengguna atau kata sandi salah.")
        await self.per_user.release(user_key)
        values: dict[Column | str, Any] = {User.last_login_at: utcnow()}
        if needs_rehash(row["password_hash"]):
            values[User.password_hash] = await make_password_hash(password)
        await User.update(values).where(User.id == row["id"])
        return self._token(row["id"], row["token_version"])

    def _token(self, user_id: UUID, version: int) -> TokenResponse:
        expires = utcnow() + self.ttl
        token = self.jwt_auth.create_token(
            identifier=str(user_id),
            token_expiration=self.ttl,
            token_extras={VERSION_CLAIM: version},
        )
        return TokenResponse(access_token=token, expires_at=expires.replace(microsecond=0))

    async def change_password(self, caller: Caller, data: PasswordChange) -> TokenResponse:
        """Change the caller's own password; every earlier token ends, a new one is returned.

        A wrong current password counts against the same per-username limit as a failed login,
        so a token cannot be used to guess the password.

        Raises:
            RuleViolation: the current password is wrong, or the new one equals it.
            TooManyRequests: too many wrong current passwords lately.
        """
        user_key = caller.username.lower()
        await self.per_user.acquire(user_key)
        row = await User.select(User.password_hash).where(User.id == caller.user_id).first()
        ok = row is not None and await check_password(row["password_hash"], data.current_password)
        if not ok:
            raise RuleViolation(
                "Kata sandi saat ini salah.",
                errors=[{"field": "current_password", "message": "tidak cocok"}],
            )
        await self.per_user.release(user_key)
        if data.new_password == data.current_password:
            raise RuleViolation(
                "Kata sandi baru harus berbeda dari kata sandi saat ini.",
                errors=[{"field": "new_password", "message": "sama dengan yang lama"}],
            )
        version = await set_password(caller.user_id, data.new_password, chosen_by_owner=True)
        await audit.record(caller, "user.password", "user", caller.user_id, "kata sandi diganti")
        return self._token(caller.user_id, version)


async def set_password(user_id: UUID, password: str, *, chosen_by_owner: bool = False) -> int:
    """Store a new password hash and end every token issued before; returns the new
    ``token_version``. A password the account's owner chose ends ``must_change_password``."""
    password_hash = await make_password_hash(password)
    values: dict[Any, Any] = {
        User.password_hash: password_hash,
        User.token_version: User.token_version + 1,
    }
    if chosen_by_owner:
        values[User.must_change_password] = False
    async with User._meta.db.transaction():
        await User.update(values).where(User.id == user_id)
        row = await User.select(User.token_version).where(User.id == user_id).first()
    return int(row["token_version"]) if row else 0


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
                password_hash=await make_password_hash(data.password),
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
            await set_password(user_id, data.password)  # ends the account's tokens
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

"""Accounts for people who never asked for one: a whole class at once, a reset, and the first
password change.

An organizer makes the logins of a session's participants in one action: the username is the
NIP (what every ASN knows by heart), each gets a one-time random initial password, and the
account must choose its own password before any other page opens
(``User.must_change_password``). The initial passwords exist in plain text only in the answer
of that one request (and, for the pages, encrypted for a few minutes, see
``lms.auth.slips``); the database keeps their Argon2 hashes.

Which people belong to "a session" is the courses app's knowledge: it passes the people in,
and may widen an organizer's reset scope with ``person_scopes`` (participants of a session
the organizer runs, whatever their unit).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Awaitable, Callable, Sequence
from uuid import UUID, uuid4

import anyio
import anyio.to_thread

from lms.audit import services as audit
from lms.auth.caller import Caller
from lms.auth.passwords import check_password, make_password_hash
from lms.auth.tables import User
from lms.people.nip import format_nip
from lms.people.tables import Person
from lms.shared.errors import BadRequest, NotFound
from lms.shared.indonesian import full_name
from lms.shared.schemas import Output
from lms.shared.values import utcnow

#: Letters and digits nobody confuses on paper (no 0/O, 1/l/I, 5/S, 2/Z, 8/B).
_PASSWORD_ALPHABET = "34679abcdefghjkmnpqrtuvwxy"
_PASSWORD_GROUPS = 3
_PASSWORD_GROUP_LENGTH = 4  # 12 characters of 26: ~56 bits, for a password changed at once
#: Roles whose password an organizer may reset (never another organizer's, HR's or admin's).
_RESETTABLE_BY_ORGANIZER = ("participant", "trainer")
MIN_PASSWORD_LENGTH = 8
_NIP = re.compile(r"^[0-9]{18}$")

#: ``(caller, person_id) -> bool``: may this caller manage this person's account.
PersonScope = Callable[[Caller, UUID], Awaitable[bool]]


def new_initial_password() -> str:
    """A one-time password to print on a slip: ``k7m2-p9tq-4hxw``."""
    return "-".join(
        "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(_PASSWORD_GROUP_LENGTH))
        for _ in range(_PASSWORD_GROUPS)
    )


class IssuedAccount(Output):
    """An account made (or reset) with its initial password, shown once."""

    user_id: UUID
    person_id: UUID | None
    username: str
    name: str
    nip_display: str
    initial_password: str


class SkippedPerson(Output):
    """Someone who got no new account, and why (in Indonesian)."""

    person_id: UUID
    name: str
    nip_display: str
    reason: str
    username: str | None = None


class AccountsCreated(Output):
    """The outcome of making a class's accounts: who got one (with the initial password, shown
    only in this answer) and who was skipped."""

    title: str
    login_url: str
    created: list[IssuedAccount]
    skipped: list[SkippedPerson]


class PasswordReset(Output):
    """A reset account and its new one-time password (shown only in this answer)."""

    title: str
    login_url: str
    account: IssuedAccount


async def _hash_all(passwords: list[str]) -> list[str]:
    """Argon2 hashes of a class's passwords, within the server's Argon2 limit."""
    hashes = [""] * len(passwords)

    async def one(index: int) -> None:
        hashes[index] = await make_password_hash(passwords[index])

    async with anyio.create_task_group() as group:
        for index in range(len(passwords)):
            group.start_soon(one, index)
    return hashes


def _display_name(row: dict) -> str:
    return full_name(row["name"], row["front_title"], row["back_title"])


class AccountService:
    """Bulk creation, resets and own password changes.

    Args:
        login_url: Where the slips send people (``LMS_PUBLIC_BASE_URL/masuk``).
        person_scopes: Extra rules by which an organizer may manage a person's account
            (besides the person's unit being in the organizer's scope).
    """

    def __init__(self, login_url: str, person_scopes: Sequence[PersonScope] = ()) -> None:
        self.login_url = login_url
        self.person_scopes = tuple(person_scopes)

    async def create_for_people(
        self, actor: Caller, person_ids: Sequence[UUID], title: str
    ) -> AccountsCreated:
        """Participant accounts for these people (the caller checked they may): username =
        NIP, a one-time password each, ``must_change_password`` set. People with an account
        already, without a NIP, or whose NIP is someone else's username are skipped."""
        unique_ids = list(dict.fromkeys(person_ids))
        people = (
            await Person.select(
                Person.id,
                Person.nip,
                Person.name,
                Person.front_title,
                Person.back_title,
                Person.asn_type,
            ).where(Person.id.is_in(unique_ids))
            if unique_ids
            else []
        )
        by_id = {row["id"]: row for row in people}
        linked = (
            await User.select(User.person, User.username).where(User.person.is_in(unique_ids))
            if unique_ids
            else []
        )
        account_of = {row["person"]: row["username"] for row in linked}
        nips = [row["nip"] for row in people if row["nip"]]
        taken = (
            {
                row["username"]
                for row in await User.select(User.username).where(User.username.is_in(nips))
            }
            if nips
            else set()
        )
        to_make: list[dict] = []
        skipped: list[SkippedPerson] = []
        for person_id in unique_ids:
            row = by_id.get(person_id)
            if row is None:
                continue
            name = _display_name(row)
            nip_display = format_nip(row["nip"], row["asn_type"]) if row["nip"] else ""
            if person_id in account_of:
                skipped.append(
                    SkippedPerson(
                        person_id=person_id,
                        name=name,
                        nip_display=nip_display,
                        reason="sudah punya akun",
                        username=account_of[person_id],
                    )
                )
            elif not row["nip"] or not _NIP.match(row["nip"]):
                skipped.append(
                    SkippedPerson(
                        person_id=person_id,
                        name=name,
                        nip_display=nip_display,
                        reason="tidak punya NIP; buat akunnya satu per satu",
                    )
                )
            elif row["nip"] in taken:
                skipped.append(
                    SkippedPerson(
                        person_id=person_id,
                        name=name,
                        nip_display=nip_display,
                        reason="NIP sudah dipakai sebagai nama pengguna akun lain",
                        username=row["nip"],
                    )
                )
            else:
                to_make.append({**row, "display": name, "nip_display": nip_display})
        passwords = [new_initial_password() for _ in to_make]
        hashes = await _hash_all(passwords)
        created: list[IssuedAccount] = []
        now = utcnow()
        async with User._meta.db.transaction():
            for row, password, hashed in zip(to_make, passwords, hashes, strict=True):
                # Checked again inside the transaction: two organizers may click at once.
                if await User.exists().where(
                    (User.person == row["id"]) | (User.username == row["nip"])
                ):
                    skipped.append(
                        SkippedPerson(
                            person_id=row["id"],
                            name=row["display"],
                            nip_display=row["nip_display"],
                            reason="sudah punya akun",
                            username=row["nip"],
                        )
                    )
                    continue
                user_id = uuid4()
                await User.insert(
                    User(
                        id=user_id,
                        username=row["nip"],
                        password_hash=hashed,
                        role="participant",
                        person=row["id"],
                        unit=None,
                        active=True,
                        must_change_password=True,
                        created_at=now,
                    )
                )
                await audit.record(
                    actor,
                    "user.create",
                    "user",
                    user_id,
                    f"{row['nip']} (participant), akun kelas {title}",
                )
                created.append(
                    IssuedAccount(
                        user_id=user_id,
                        person_id=row["id"],
                        username=row["nip"],
                        name=row["display"],
                        nip_display=row["nip_display"],
                        initial_password=password,
                    )
                )
        return AccountsCreated(
            title=title, login_url=self.login_url, created=created, skipped=skipped
        )

    async def _may_manage(self, actor: Caller, role: str, person_id: UUID | None) -> bool:
        if actor.is_admin:
            return True
        if actor.role != "organizer" or role not in _RESETTABLE_BY_ORGANIZER or not person_id:
            return False
        unit_path = (
            await Person.select(Person.unit.path.as_alias("path"))
            .where(Person.id == person_id)
            .first()
        )
        if unit_path and actor.sees_unit(unit_path["path"]):
            return True
        for scope in self.person_scopes:
            if await scope(actor, person_id):
                return True
        return False

    async def reset_password(self, actor: Caller, user_id: UUID) -> PasswordReset:
        """A new one-time password for an account the caller may manage (404 otherwise): the
        admin any account, an organizer a participant's or trainer's in their scope."""
        row = await (
            User.select(
                User.id,
                User.username,
                User.role,
                User.person,
                User.person.name.as_alias("name"),
                User.person.front_title.as_alias("front_title"),
                User.person.back_title.as_alias("back_title"),
                User.person.nip.as_alias("nip"),
                User.person.asn_type.as_alias("asn_type"),
            )
            .where(User.id == user_id)
            .first()
        )
        if row is None or not await self._may_manage(actor, row["role"], row["person"]):
            raise NotFound("Pengguna tidak ditemukan.")
        password = new_initial_password()
        hashed = await make_password_hash(password)
        async with User._meta.db.transaction():
            await User.update({User.password_hash: hashed, User.must_change_password: True}).where(
                User.id == user_id
            )
            await audit.record(
                actor,
                "user.password_reset",
                "user",
                user_id,
                f"kata sandi {row['username']} diatur ulang",
            )
        name = _display_name(row) if row["name"] else row["username"]
        return PasswordReset(
            title="Atur ulang kata sandi",
            login_url=self.login_url,
            account=IssuedAccount(
                user_id=user_id,
                person_id=row["person"],
                username=row["username"],
                name=name,
                nip_display=format_nip(row["nip"], row["asn_type"]) if row["nip"] else "",
                initial_password=password,
            ),
        )

    async def change_own_password(self, actor: Caller, current: str, new: str, repeat: str) -> None:
        """Replace the caller's password after checking the current one.

        Raises:
            BadRequest: with ``errors`` per field (``current``, ``new``, ``repeat``), in
                Indonesian, for the form to show beside each field.
        """
        row = (
            await User.select(User.password_hash, User.username)
            .where(User.id == actor.user_id)
            .first()
        )
        if row is None:
            raise NotFound("Pengguna tidak ditemukan.")
        errors = []
        if not await check_password(row["password_hash"], current):
            errors.append({"field": "current", "message": "Kata sandi saat ini salah."})
        if len(new) < MIN_PASSWORD_LENGTH:
            errors.append(
                {"field": "new", "message": f"Paling sedikit {MIN_PASSWORD_LENGTH} karakter."}
            )
        elif len(new) > 256:
            errors.append({"field": "new", "message": "Paling banyak 256 karakter."})
        elif new == current:
            errors.append({"field": "new", "message": "Harus berbeda dari kata sandi saat ini."})
        elif new.strip().lower() == row["username"].lower():
            errors.append({"field": "new", "message": "Jangan memakai nama pengguna atau NIP."})
        if new != repeat:
            errors.append({"field": "repeat", "message": "Tidak sama dengan kata sandi baru."})
        if errors:
            raise BadRequest("Kata sandi belum diganti.", errors=errors)
        hashed = await make_password_hash(new)
        async with User._meta.db.transaction():
            await User.update({User.password_hash: hashed, User.must_change_password: False}).where(
                User.id == actor.user_id
            )
            await audit.record(
                actor, "user.password_change", "user", actor.user_id, "kata sandi diganti"
            )


async def login_name(typed: str) -> str:
    """The username to log in as: what was typed, or, when it is a NIP (spaces allowed) that
    is no username, the username of the account linked to the person with that NIP."""
    text = typed.strip()
    compact = re.sub(r"\s+", "", text)
    if not _NIP.match(compact):
        return text
    if await User.exists().where(User.username == compact):
        return compact
    row = await (
        User.select(User.username)
        .where(User.person.nip == compact)  # type: ignore[union-attr]
        .first()
    )
    return row["username"] if row else compact

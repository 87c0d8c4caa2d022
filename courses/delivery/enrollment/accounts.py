"""Accounts for a session's class: who is in it, and whether an organizer runs a session a
person is in (which lets them reset that person's password, whatever the person's unit).

The accounts themselves are made by ``lms.auth.accounts.AccountService``; this module knows
the session part (the managing organizer, the enrolled people).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec

from courses.delivery.sessions.access import SessionRecord, get_managed_session
from courses.tables import Enrollment
from lms.auth.accounts import AccountsCreated, AccountService
from lms.auth.caller import Caller
from lms.auth.tables import User
from lms.people.nip import format_nip
from lms.shared.indonesian import full_name

#: The people of a class: enrolled and not withdrawn, waiting or merely requesting.
CLASS_STATUSES = ("confirmed", "completed")


class ClassMember(msgspec.Struct, frozen=True, kw_only=True):
    """One participant of a session with their login, if any."""

    person_id: UUID
    name: str
    nip_display: str
    unit_name: str
    user_id: UUID | None
    username: str | None
    must_change_password: bool


def session_title(session: SessionRecord) -> str:
    """``Pelatihan Pelayanan Prima · Angkatan I`` (on the slips and the page)."""
    return f"{session.course_title} · {session.name}"


async def class_members(session_id: UUID) -> list[ClassMember]:
    """Enrolled people of the session in enrollment order, with their accounts."""
    rows = await (
        Enrollment.select(
            Enrollment.person.as_alias("person_id"),
            Enrollment.person.name.as_alias("name"),
            Enrollment.person.front_title.as_alias("front_title"),
            Enrollment.person.back_title.as_alias("back_title"),
            Enrollment.person.nip.as_alias("nip"),
            Enrollment.person.asn_type.as_alias("asn_type"),
            Enrollment.person.unit.name.as_alias("unit_name"),  # type: ignore[union-attr]
        )
        .where((Enrollment.session == session_id) & Enrollment.status.is_in(list(CLASS_STATUSES)))
        .order_by(Enrollment.seq)
    )
    ids = [row["person_id"] for row in rows]
    accounts: dict[Any, dict[str, Any]] = {}
    if ids:
        for found in await User.select(
            User.id, User.person, User.username, User.must_change_password
        ).where(User.person.is_in(ids)):
            accounts[found["person"]] = found
    members = []
    for row in rows:
        account = accounts.get(row["person_id"])
        members.append(
            ClassMember(
                person_id=row["person_id"],
                name=full_name(row["name"], row["front_title"], row["back_title"]),
                nip_display=format_nip(row["nip"], row["asn_type"]) if row["nip"] else "",
                unit_name=row["unit_name"] or "",
                user_id=account["id"] if account else None,
                username=account["username"] if account else None,
                must_change_password=bool(account and account["must_change_password"]),
            )
        )
    return members


async def create_class_accounts(
    accounts: AccountService, caller: Caller, session_id: UUID
) -> AccountsCreated:
    """Accounts for every enrolled person of a session the caller manages (404 otherwise)."""
    session = await get_managed_session(caller, session_id)
    members = await class_members(session.id)
    return await accounts.create_for_people(
        caller, [m.person_id for m in members], session_title(session)
    )


async def runs_session_of(caller: Caller, person_id: UUID) -> bool:
    """True when the caller manages a session the person is enrolled in (any status but
    withdrawn): an organizer may then reset that participant's password."""
    if caller.role != "organizer":
        return caller.is_admin
    rows = await Enrollment.select(
        Enrollment.session.as_alias("session_id"),
        Enrollment.session.unit.path.as_alias("unit_path"),  # type: ignore[union-attr]
    ).where((Enrollment.person == person_id) & (Enrollment.status != "withdrawn"))
    return any(caller.sees_unit(row["unit_path"]) for row in rows)

"""Who may see which person and which unit's reports, and the row locks the ledger relies on.

Visibility follows DESIGN.md: admins see everything; HR and organizers a unit and every unit
below it (a prefix match on the materialised ``path``); anyone sees their own person. What a
caller may not see is answered as 404, never 403, so ids cannot be probed.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec

from lms.auth.caller import Caller
from lms.db.locks import lock_row
from lms.people.tables import Person, Unit
from lms.shared.errors import NotFound
from lms.shared.letterhead import LetterheadSource, kop_text

ALL_UNITS_PREFIX = "/"
"""Every unit path starts with ``/``: the prefix of an admin's report over everything."""


class PersonRef(msgspec.Struct, frozen=True, kw_only=True):
    """The person fields the competency services print or check."""

    id: UUID
    nip: str | None
    name: str
    front_title: str
    back_title: str
    asn_type: str
    golongan: str
    jabatan: str
    unit_id: UUID | None
    unit_name: str
    unit_path: str


class UnitScope(msgspec.Struct, frozen=True, kw_only=True):
    """The units a report covers: ``unit`` and everything below, or all units (``unit=None``)."""

    unit_id: UUID | None
    code: str
    name: str
    parent_id: UUID | None
    prefix: str


async def lock_person(person_id: UUID) -> None:
    """Serialise ledger writes of one person; call first inside the write transaction.

    Why: the ledger keeps ``natural_key`` unique and each person's yearly total by reading
    then writing. SQLite runs one write transaction at a time (they begin IMMEDIATE); on
    PostgreSQL two transactions could both read "absent" and both insert, so the person's row
    is locked until commit.
    """
    await lock_row(Person, person_id)


async def lock_unit(unit_id: UUID) -> None:
    """Serialise survey writes of one unit (same reason as :func:`lock_person`)."""
    await lock_row(Unit, unit_id)


async def load_person(person_id: UUID) -> PersonRef | None:
    """The person with their unit's name and path, or ``None``."""
    row = await (
        Person.select(
            Person.id,
            Person.nip,
            Person.name,
            Person.front_title,
            Person.back_title,
            Person.asn_type,
            Person.golongan,
            Person.jabatan,
            Person.unit.as_alias("unit_id"),
            Person.unit.name.as_alias("unit_name"),
            Person.unit.path.as_alias("unit_path"),
        )
        .where(Person.id == person_id)
        .first()
    )
    if row is None:
        return None
    row["unit_name"] = row["unit_name"] or ""
    row["unit_path"] = row["unit_path"] or ""
    return msgspec.convert(row, PersonRef)


def sees_person(caller: Caller, person: PersonRef) -> bool:
    """True for the person themselves, admins, and HR/organizers whose scope covers the unit."""
    return caller.is_admin or caller.is_person(person.id) or caller.sees_unit(person.unit_path)


async def visible_person(caller: Caller, person_id: UUID) -> PersonRef:
    """The person if the caller may see them.

    Raises:
        NotFound: unknown, or outside the caller's scope.
    """
    person = await load_person(person_id)
    if person is None or not sees_person(caller, person):
        raise NotFound("Pegawai tidak ditemukan")
    return person


async def unit_row(unit_id: UUID) -> dict[str, Any] | None:
    """One unit's id, code, name, parent and path."""
    return await (
        Unit.select(Unit.id, Unit.code, Unit.name, Unit.parent.as_alias("parent_id"), Unit.path)
        .where(Unit.id == unit_id)
        .first()
    )


async def report_scope(caller: Caller, unit_id: UUID | None) -> UnitScope:
    """The units a report may cover for this caller.

    Args:
        caller: An admin, HR or organizer.
        unit_id: The unit asked for; default the caller's own unit, or every unit for an
            admin without one.

    Raises:
        NotFound: the unit is unknown or outside the caller's scope (or a non-admin has no
            unit: fail closed).
    """
    if unit_id is None and caller.unit_id is None and caller.is_admin:
        return UnitScope(
            unit_id=None, code="", name="Semua unit", parent_id=None, prefix=ALL_UNITS_PREFIX
        )
    wanted = unit_id or caller.unit_id
    row = await unit_row(wanted) if wanted else None
    if row is None or not caller.sees_unit(row["path"]):
        raise NotFound("Unit tidak ditemukan")
    return UnitScope(
        unit_id=row["id"],
        code=row["code"],
        name=row["name"],
        parent_id=row["parent_id"],
        prefix=row["path"],
    )


async def kop_for_path(unit_path: str, letterhead: LetterheadSource | None = None) -> list[str]:
    """The letterhead lines for a unit at ``unit_path``: the office's kop from its issuer
    profile (government, office, address: ``letterhead``) when one is on the path, else the
    government (the root unit) and the unit itself, in capitals as a kop prints them (one line
    when the unit is the root)."""
    if letterhead is not None and unit_path:
        head = await letterhead(unit_path)
        if head is not None:
            return kop_text(head)
    ids: list[UUID] = []
    for part in unit_path.strip("/").split("/"):
        try:
            ids.append(UUID(part))
        except ValueError:
            continue
    if not ids:
        return []
    wanted = list(dict.fromkeys([ids[0], ids[-1]]))
    rows = await Unit.select(Unit.id, Unit.name).where(Unit.id.is_in(wanted))
    names = {row["id"]: row["name"] for row in rows}
    return [names[i].upper() for i in wanted if i in names]


async def kop_lines(scope: UnitScope, letterhead: LetterheadSource | None = None) -> list[str]:
    """The letterhead lines of a report over ``scope`` (see :func:`kop_for_path`)."""
    if scope.unit_id is None:
        return [scope.name.upper()]
    return await kop_for_path(scope.prefix, letterhead)

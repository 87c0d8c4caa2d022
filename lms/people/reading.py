"""Person rows as the services read them, their response with display fields, and who may
see them.

Who sees whom: admins everyone; organizers and HR the people of their unit and the units below
it (and themselves); participants and trainers only their own person.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from lms.auth.caller import Caller
from lms.people.golongan import pangkat_golongan_display, pangkat_name
from lms.people.nip import format_nip
from lms.people.schemas import PersonRead
from lms.people.tables import Person
from lms.shared.indonesian import full_name

PERSON_COLUMNS = (
    Person.id,
    Person.nip,
    Person.name,
    Person.front_title,
    Person.back_title,
    Person.asn_type,
    Person.golongan,
    Person.jabatan,
    Person.jabatan_type,
    Person.unit.as_alias("unit_id"),
    Person.unit.name.as_alias("unit_name"),
    Person.unit.path.as_alias("unit_path"),
    Person.email,
    Person.phone,
    Person.created_at,
    Person.updated_at,
)
"""Columns of a person row as the services read it (``unit_path`` for the scope check)."""

EDITABLE_FIELDS = (
    "nip",
    "name",
    "front_title",
    "back_title",
    "asn_type",
    "golongan",
    "jabatan",
    "jabatan_type",
    "unit_id",
    "email",
    "phone",
)
"""Person fields a create, an update or an import writes (``unit_id`` is the ``unit`` FK)."""


def person_read(row: dict[str, Any]) -> PersonRead:
    """Build the response of a person row (:data:`PERSON_COLUMNS`), display fields included."""
    return PersonRead(
        id=row["id"],
        nip=row["nip"],
        nip_display=format_nip(row["nip"], row["asn_type"]),
        name=row["name"],
        front_title=row["front_title"],
        back_title=row["back_title"],
        full_name=full_name(row["name"], row["front_title"], row["back_title"]),
        asn_type=row["asn_type"],
        golongan=row["golongan"],
        pangkat=pangkat_name(row["golongan"]) if row["asn_type"] == "pns" else None,
        pangkat_golongan=pangkat_golongan_display(row["golongan"], row["asn_type"]),
        jabatan=row["jabatan"],
        jabatan_type=row["jabatan_type"],
        unit_id=row["unit_id"],
        unit_name=row["unit_name"],
        email=row["email"],
        phone=row["phone"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def sees_person(caller: Caller | None, person_id: UUID, unit_path: str | None) -> bool:
    """True when the caller may see this person (``caller=None`` is the system)."""
    if caller is None or caller.is_admin or caller.is_person(person_id):
        return True
    if caller.role in ("organizer", "hr"):
        return caller.sees_unit(unit_path)
    return False


def person_scope(caller: Caller) -> Any | None:
    """The WHERE condition limiting people to the caller's scope (None: no limit)."""
    if caller.is_admin:
        return None
    own = Person.id == caller.person_id if caller.person_id is not None else None
    if caller.role in ("organizer", "hr") and caller.unit_path:
        in_units = Person.unit.path.like(f"{caller.unit_path}%")
        return in_units | own if own is not None else in_units
    # Primary keys are never NULL: a condition that matches nothing.
    return own if own is not None else Person.id.is_null()

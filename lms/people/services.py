"""People (ASN profiles): list, read, create and edit, within the caller's scope.

Who sees whom is :mod:`lms.people.reading`; a person the caller may not see is a 404.
Organizers and admins create and edit, always inside their scope (HR only reads), and every
change is written to the audit log in the same transaction with the fields it changed.

The NIP, golongan and phone are checked by the person's ASN type (:mod:`lms.people.identity`):
failures answer 422 with ``errors: [{"field": "nip", "message": ...}]``; shape errors of the
body answer 400.
"""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID, uuid4

import msgspec

from lms.audit import services as audit
from lms.auth.caller import Caller
from lms.config import Settings, get_settings
from lms.db.dialect import is_unique_violation
from lms.jobs.schemas import JobAccepted
from lms.people.database import contains_text
from lms.people.golongan import InvalidGolongan, normalize_golongan
from lms.people.identity import check_identity, nip_conflict
from lms.people.reading import (
    EDITABLE_FIELDS,
    PERSON_COLUMNS,
    person_read,
    person_scope,
    sees_person,
)
from lms.people.schemas import ImportReport, PersonCreate, PersonRead, PersonUpdate
from lms.people.tables import Person
from lms.people.units import clean_text, required_text, visible_unit, writes_people
from lms.shared.errors import Conflict, Forbidden, NotFound, RuleViolation
from lms.shared.indonesian import full_name
from lms.shared.schemas import Page
from lms.shared.values import utcnow

_COLUMN_OF = {
    field: getattr(Person, "unit" if field == "unit_id" else field) for field in EDITABLE_FIELDS
}
_DIGITS_AND_SPACES = re.compile(r"[0-9\s]+")


def _check_writer(caller: Caller | None) -> None:
    """Refuse callers whose role only reads people (HR, trainers, participants): 403."""
    if not writes_people(caller):
        raise Forbidden("Peran Anda tidak dapat mengubah data pegawai.")


def _unit_error(message: str) -> RuleViolation:
    return RuleViolation(message, errors=[{"field": "unit_id", "message": message}])


async def _usable_unit(caller: Caller | None, unit_id: UUID | None) -> UUID | None:
    """Check that a person may be put in ``unit_id`` by this caller (422 when not)."""
    if unit_id is None:
        if caller is not None and not caller.is_admin:
            raise _unit_error("Unit kerja wajib diisi.")
        return None
    unit = await visible_unit(caller, unit_id)
    if unit is None or not writes_people(caller):
        raise _unit_error("Unit kerja tidak ditemukan.")
    return unit_id


class PersonService:
    """Queries and rules of people; ``settings`` carries the import limits (default: the
    process settings)."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or get_settings()

    async def list(
        self,
        caller: Caller,
        *,
        limit: int,
        offset: int,
        q: str | None = None,
        unit_id: UUID | None = None,
        include_subunits: bool = True,
        asn_type: str | None = None,
        golongan: str | None = None,
    ) -> Page[PersonRead]:
        """People the caller sees, ordered by name.

        Args:
            caller: Who asks; their scope filters the list.
            limit: Page size.
            offset: Rows to skip.
            q: Digits (spaces allowed) search the NIP; anything else searches the name
                (case ignored, titles not part of the name).
            unit_id: Only people of this unit (404 when not visible) ...
            include_subunits: ... and of the units below it (default).
            asn_type: ``pns``, ``pppk`` or ``non_asn``.
            golongan: As written (``III/d``, ``3d``, ``IX``); compared in canonical form.
        """
        where: list[Any] = []
        scope = person_scope(caller)
        if scope is not None:
            where.append(scope)
        if unit_id is not None:
            unit = await visible_unit(caller, unit_id)
            if unit is None:
                raise NotFound("Unit tidak ditemukan.")
            where.append(
                Person.unit.path.like(f"{unit['path']}%")
                if include_subunits
                else Person.unit == unit_id
            )
        if asn_type:
            where.append(Person.asn_type == asn_type)
        if golongan:
            where.append(Person.golongan == _canonical_golongan(golongan, asn_type))
        text = clean_text(q or "")
        if text:
            if _DIGITS_AND_SPACES.fullmatch(text):
                where.append(contains_text(Person.nip, text.replace(" ", "")))
            else:
                where.append(contains_text(Person.name, text))
        query = Person.select(*PERSON_COLUMNS).order_by(Person.name, Person.id)
        count = Person.count()
        for condition in where:
            query = query.where(condition)
            count = count.where(condition)
        rows = await query.limit(limit).offset(offset)
        return Page(items=[person_read(row) for row in rows], total=await count)

    async def _visible_row(self, caller: Caller | None, person_id: UUID) -> dict[str, Any]:
        row = await Person.select(*PERSON_COLUMNS).where(Person.id == person_id).first()
        if row is None or not sees_person(caller, row["id"], row["unit_path"]):
            raise NotFound("Pegawai tidak ditemukan.")
        return row

    async def get(self, caller: Caller, person_id: UUID) -> PersonRead:
        """One person, or 404 when unknown or outside the caller's scope."""
        return person_read(await self._visible_row(caller, person_id))

    async def create(self, caller: Caller | None, data: PersonCreate) -> PersonRead:
        """Create a person (422 on a NIP, golongan or unit rule; 409 on a taken NIP)."""
        _check_writer(caller)
        nip, golongan, phone = check_identity(data.asn_type, data.nip, data.golongan, data.phone)
        unit_id = data.unit_id
        if unit_id is None and caller is not None and caller.role == "organizer":
            unit_id = caller.unit_id
        unit_id = await _usable_unit(caller, unit_id)
        person_id = uuid4()
        now = utcnow()
        name = required_text(data.name, "name", "Nama")
        front_title, back_title = clean_text(data.front_title), clean_text(data.back_title)
        values: dict[str, Any] = {
            "nip": nip,
            "name": name,
            "front_title": front_title,
            "back_title": back_title,
            "asn_type": data.asn_type,
            "golongan": golongan,
            "jabatan": clean_text(data.jabatan),
            "jabatan_type": data.jabatan_type,
            "unit_id": unit_id,
            "email": data.email.strip().lower(),
            "phone": phone,
        }
        async with Person._meta.db.transaction():
            if nip is not None and await Person.exists().where(Person.nip == nip):
                raise await nip_conflict(caller, nip)
            try:
                columns = {_COLUMN_OF[k]: v for k, v in values.items()}
                columns[Person.id] = person_id
                columns[Person.created_at] = columns[Person.updated_at] = now
                await Person.insert(Person(_data=columns))
            except Exception as exc:
                if is_unique_violation(exc) and nip is not None:
                    raise Conflict("NIP sudah terdaftar.") from exc
                raise
            await audit.record(
                caller,
                "person.create",
                "person",
                person_id,
                full_name(name, front_title, back_title),
                values,
            )
        return await self.get_unchecked(person_id)

    async def get_unchecked(self, person_id: UUID) -> PersonRead:
        """One person without a scope check (for code that has already checked)."""
        row = await Person.select(*PERSON_COLUMNS).where(Person.id == person_id).first()
        if row is None:
            raise NotFound("Pegawai tidak ditemukan.")
        return person_read(row)

    async def update(self, caller: Caller, person_id: UUID, data: PersonUpdate) -> PersonRead:
        """Change a person; NIP and golongan are checked again against the ASN type."""
        _check_writer(caller)
        row = await self._visible_row(caller, person_id)
        given = {
            field: getattr(data, field)
            for field in EDITABLE_FIELDS
            if getattr(data, field) is not msgspec.UNSET
        }
        merged = {field: given.get(field, row[field]) for field in EDITABLE_FIELDS}
        check = {"phone"} & given.keys()
        if given.keys() & {"nip", "asn_type"}:
            check.add("nip")
        if given.keys() & {"golongan", "asn_type"}:
            check.add("golongan")
        nip, golongan, phone = check_identity(
            merged["asn_type"], merged["nip"], merged["golongan"], merged["phone"], check=check
        )
        new: dict[str, Any] = {"nip": nip, "golongan": golongan, "phone": phone}
        for field in ("asn_type", "jabatan_type"):
            if field in given:
                new[field] = given[field]
        if "name" in given:
            new["name"] = required_text(given["name"], "name", "Nama")
        for field in ("front_title", "back_title", "jabatan"):
            if field in given:
                new[field] = clean_text(given[field])
        if "email" in given:
            new["email"] = given["email"].strip().lower()
        if "unit_id" in given and given["unit_id"] != row["unit_id"]:
            new["unit_id"] = await _usable_unit(caller, given["unit_id"])
        changes = {
            field: {"old": row[field], "new": value}
            for field, value in new.items()
            if row[field] != value
        }
        if not changes:
            return person_read(row)
        async with Person._meta.db.transaction():
            if "nip" in changes and nip is not None:
                taken = await Person.exists().where((Person.nip == nip) & (Person.id != person_id))
                if taken:
                    raise await nip_conflict(caller, nip)
            values = {_COLUMN_OF[field]: change["new"] for field, change in changes.items()}
            values[Person.updated_at] = utcnow()
            try:
                await Person.update(values).where(Person.id == person_id)
            except Exception as exc:
                if is_unique_violation(exc):
                    raise Conflict("NIP sudah terdaftar.") from exc
                raise
            await audit.record(
                caller,
                "person.update",
                "person",
                person_id,
                f"{full_name(row['name'], row['front_title'], row['back_title'])}: "
                + ", ".join(changes),
                changes,
            )
        return await self.get_unchecked(person_id)

    async def import_file(
        self, caller: Caller, data: bytes, filename: str, parent_unit_id: UUID | None
    ) -> ImportReport | JobAccepted:
        """Import a participant file (see :func:`lms.people.importing.import_people`).

        A file of up to :data:`lms.people.import_job.SYNC_ROWS` rows is imported at once and
        its report returned; a larger one is queued as a job (:mod:`lms.people.import_job`)
        and the job returned. A file that cannot be read is refused here either way.
        """
        _check_writer(caller)
        from lms.people.import_job import SYNC_ROWS, start_import_job
        from lms.people.importing import import_people_table, read_people_table

        table = await read_people_table(data, filename, settings=self.settings)
        if len(table.rows) > SYNC_ROWS:
            if parent_unit_id is not None and await visible_unit(caller, parent_unit_id) is None:
                message = "Unit induk tidak ditemukan."
                raise RuleViolation(
                    message, errors=[{"field": "parent_unit_id", "message": message}]
                )
            return await start_import_job(
                caller, data, filename, parent_unit_id, rows=len(table.rows), settings=self.settings
            )
        imported = await import_people_table(
            table, actor=caller, parent_unit_id=parent_unit_id, source=filename
        )
        return imported.report


def _canonical_golongan(text: str, asn_type: str | None) -> str:
    # A filter is not an input to reject: an unreadable golongan just matches nobody.
    text = clean_text(text)
    for kind in (asn_type,) if asn_type else ("pns", "pppk"):
        try:
            return normalize_golongan(text, kind)
        except InvalidGolongan:
            continue
    return text

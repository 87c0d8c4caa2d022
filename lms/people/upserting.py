"""Writing one batch of import rows: match each to a stored person, then insert, update and
audit the whole batch in one transaction.

Rules (see :mod:`lms.people.importing` for the whole import): people are matched by NIP, and a
row without a NIP match by exact name and unit among people without NIP; only the columns the
file has, with a value, are compared and written; a person outside the importer's scope is
never changed. Writes go through :func:`lms.people.database.insert_rows` and
:func:`~lms.people.database.update_rows`: a statement per batch instead of one per row.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Literal
from uuid import UUID, uuid4

import msgspec

from lms.audit.tables import AuditEntry
from lms.auth.caller import Caller
from lms.people.database import insert_rows, lock_unit_tree, update_rows
from lms.people.golongan import InvalidGolongan, normalize_golongan
from lms.people.reading import PERSON_COLUMNS, sees_person
from lms.people.rows import PersonRow
from lms.people.schemas import ImportRejection, ImportReport
from lms.people.tables import Person
from lms.people.unit_matching import UnitMatcher
from lms.people.units import unit_key
from lms.shared.indonesian import full_name
from lms.shared.values import utcnow

RowStatus = Literal["created", "updated", "unchanged", "rejected"]

OPTIONAL_FIELDS = (
    "front_title",
    "back_title",
    "golongan",
    "jabatan",
    "jabatan_type",
    "email",
    "phone",
)
"""Person fields an import writes only when the file has the column and the cell a value."""


class ImportedRow(msgspec.Struct, frozen=True, kw_only=True):
    """What happened to one data row.

    Attributes:
        row_number: The spreadsheet's row number.
        status: ``created``, ``updated``, ``unchanged`` or ``rejected``.
        person_id: The person the row is now (None when rejected).
        nip: The row's NIP as cleaned, if any.
    """

    row_number: int
    status: RowStatus
    person_id: UUID | None
    nip: str | None


class PeopleUpsert:
    """One import's progress: the outcome of every row so far, and the writing of a batch.

    Args:
        actor: The importer (None: the system).
        present: Person fields whose column the file has (:func:`lms.people.rows.column_map`).
        units: The unit matcher of this import.
        source: The file name, for the audit log.
    """

    def __init__(
        self, *, actor: Caller | None, present: set[str], units: UnitMatcher, source: str
    ) -> None:
        self.actor = actor
        self.present = present
        self.units = units
        self.source = source
        self.rows: list[ImportedRow] = []
        self.rejected: list[ImportRejection] = []
        self.counts = {"created": 0, "updated": 0, "unchanged": 0}
        self.claimed: dict[UUID, int] = {}
        self.name_rows: dict[tuple[str, UUID | None], int] = {}

    def reject(self, row_number: int, nip: str | None, errors: list[str]) -> None:
        """Record a row that is not imported, with its reasons."""
        self.rejected.append(ImportRejection(row=row_number, nip=nip, errors=errors))
        self.rows.append(
            ImportedRow(row_number=row_number, status="rejected", person_id=None, nip=nip)
        )

    def accept(self, row: PersonRow, status: RowStatus, person_id: UUID) -> None:
        """Record a row that is now ``person_id``."""
        self.counts[status] += 1
        self.rows.append(
            ImportedRow(row_number=row.row_number, status=status, person_id=person_id, nip=row.nip)
        )

    def report(self, total: int) -> ImportReport:
        """The report of the rows recorded so far; ``total`` counts every data row."""
        c = self.counts
        message = (
            f"{total} data diproses: {c['created']} baru, {c['updated']} diperbarui, "
            f"{c['unchanged']} tidak berubah, {len(self.rejected)} ditolak"
        )
        if self.units.created:
            message += f"; {len(self.units.created)} unit kerja baru dibuat"
        return ImportReport(
            created=c["created"],
            updated=c["updated"],
            unchanged=c["unchanged"],
            rejected=sorted(self.rejected, key=lambda r: r.row),
            units_created=list(self.units.created),
            message=message,
        )

    async def write_batch(self, batch: list[PersonRow]) -> None:
        """Match, then insert/update one batch in one transaction with its audit entries."""
        resolved: list[tuple[PersonRow, dict[str, Any] | None]] = []
        to_create: list[str] = []
        for row in batch:
            if not row.unit_name:
                resolved.append((row, None))
                continue
            unit, problem = self.units.lookup(row.unit_name)
            if problem is not None:
                self.reject(row.row_number, row.nip, [problem])
                continue
            if unit is None and unit_key(row.unit_name) not in {unit_key(n) for n in to_create}:
                to_create.append(row.unit_name)
            resolved.append((row, unit))
        if not resolved:
            return
        # A failure rolls the whole batch back and ends the import (the caller raises), so the
        # counters of a failed batch are never reported.
        async with Person._meta.db.transaction():
            if to_create:
                await lock_unit_tree()
                await self.units.refresh_parent()
                for name in to_create:
                    await self.units.create(name)
            await self._write(resolved)

    async def _write(self, resolved: list[tuple[PersonRow, dict[str, Any] | None]]) -> None:
        nips = [row.nip for row, _ in resolved if row.nip]
        by_nip: dict[str, dict[str, Any]] = {}
        if nips:
            for found in await Person.select(*PERSON_COLUMNS).where(Person.nip.is_in(nips)):
                by_nip[found["nip"]] = found
        names = sorted({row.name for row, _ in resolved if not row.nip or row.nip not in by_nip})
        by_name: dict[tuple[str, UUID | None], list[dict[str, Any]]] = {}
        if names:
            query = Person.select(*PERSON_COLUMNS).where(
                Person.nip.is_null() & Person.name.is_in(names)
            )
            for found in await query:
                by_name.setdefault((found["name"], found["unit_id"]), []).append(found)

        now = utcnow()
        inserts: list[dict[str, Any]] = []
        updates: dict[tuple[str, ...], list[tuple[Any, ...]]] = {}
        audits: list[tuple[Any, ...]] = []
        for row, matched in resolved:
            unit = matched
            if unit is None and row.unit_name:
                unit = self.units.lookup(row.unit_name)[0]
            default = self.units.parent["id"] if self.units.parent else None
            unit_id = unit["id"] if unit else default
            existing = by_nip.get(row.nip) if row.nip else None
            if existing is None:
                candidates = by_name.get((row.name, unit_id), [])
                existing = candidates[0] if len(candidates) == 1 else None
                if len(candidates) > 1:
                    self.reject(
                        row.row_number,
                        row.nip,
                        [
                            f"Ada lebih dari satu '{row.name}' tanpa NIP di unit kerja ini; "
                            "perbaiki lewat menu pegawai"
                        ],
                    )
                    continue
            if existing is None and not row.nip:
                first = self.name_rows.setdefault((row.name, unit_id), row.row_number)
                if first != row.row_number:
                    self.reject(
                        row.row_number,
                        None,
                        [f"'{row.name}' di unit kerja yang sama sudah ada di baris {first}"],
                    )
                    continue
            if existing is not None:
                first = self.claimed.setdefault(existing["id"], row.row_number)
                if first != row.row_number:
                    self.reject(
                        row.row_number,
                        row.nip,
                        [f"Baris ini menunjuk pegawai yang sama dengan baris {first}"],
                    )
                    continue
                if not sees_person(self.actor, existing["id"], existing["unit_path"]):
                    self.reject(
                        row.row_number,
                        row.nip,
                        [
                            "NIP sudah terdaftar di unit kerja di luar cakupan Anda; "
                            "data tidak diubah"
                        ],
                    )
                    continue
                changes = self._changes(row, existing, unit["id"] if unit else None)
                if not changes:
                    self.accept(row, "unchanged", existing["id"])
                    continue
                fields = tuple(sorted(changes))
                updates.setdefault(fields, []).append(
                    (existing["id"], *(changes[f]["new"] for f in fields))
                )
                audits.append(self._audit("person.update", existing["id"], row, changes, now))
                self.accept(row, "updated", existing["id"])
                continue
            person_id = uuid4()
            fields_new = self._new_fields(row, unit_id)
            inserts.append({"id": person_id, **fields_new, "created_at": now, "updated_at": now})
            audits.append(self._audit("person.create", person_id, row, fields_new, now))
            self.accept(row, "created", person_id)
        if inserts:
            columns = [_db_name(name) for name in inserts[0]]
            await insert_rows(Person, columns, [tuple(r.values()) for r in inserts])
        for fields, rows in updates.items():
            columns = [_db_name(name) for name in fields]
            await update_rows(Person, columns, rows, also={"updated_at": now})
        if audits:
            await insert_rows(AuditEntry, _AUDIT_COLUMNS, audits)

    def _new_fields(self, row: PersonRow, unit_id: UUID | None) -> dict[str, Any]:
        return {
            "nip": row.nip,
            "name": row.name,
            "front_title": row.front_title,
            "back_title": row.back_title,
            "asn_type": row.asn_type,
            "golongan": row.golongan,
            "jabatan": row.jabatan,
            "jabatan_type": row.jabatan_type,
            "unit_id": unit_id,
            "email": row.email,
            "phone": row.phone,
        }

    def _changes(
        self, row: PersonRow, existing: dict[str, Any], unit_id: UUID | None
    ) -> dict[str, dict[str, Any]]:
        """The fields the row changes: only columns present in the file with a value."""
        wanted: dict[str, Any] = {"name": row.name, "asn_type": row.asn_type}
        if row.nip and not existing["nip"]:
            wanted["nip"] = row.nip
        for field in OPTIONAL_FIELDS:
            value = getattr(row, field)
            if field in self.present and value:
                wanted[field] = value
        if unit_id is not None:
            wanted["unit_id"] = unit_id
        if "golongan" not in wanted and row.asn_type != existing["asn_type"]:
            # The stored grade may belong to the old ASN type (III/d is no PPPK grade).
            try:
                normalize_golongan(existing["golongan"], row.asn_type)
            except InvalidGolongan:
                wanted["golongan"] = ""
        return {
            field: {"old": existing[field], "new": value}
            for field, value in wanted.items()
            if existing[field] != value
        }

    def _audit(
        self,
        action: str,
        person_id: UUID,
        row: PersonRow,
        changes: dict[str, Any],
        now: dt.datetime,
    ) -> tuple[Any, ...]:
        """One audit entry as a row of :data:`_AUDIT_COLUMNS`."""
        summary = (
            f"{full_name(row.name, row.front_title, row.back_title)} "
            f"(impor {self.source}, baris {row.row_number})"
        )
        return (
            uuid4(),
            now,
            self.actor.user_id if self.actor else None,
            self.actor.username if self.actor else "system",
            action,
            "person",
            str(person_id),
            summary[:1000],
            json.dumps(_jsonable(changes)),
        )


_AUDIT_COLUMNS = (
    "id",
    "at",
    "actor_id",
    "actor_name",
    "action",
    "object_type",
    "object_id",
    "summary",
    "changes",
)


def _db_name(field: str) -> str:
    return "unit" if field == "unit_id" else field


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)

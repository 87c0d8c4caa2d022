"""The unit tree: pemerintah daerah → OPD / kecamatan → kelurahan, and who sees which unit.

Each unit stores its materialised ``path`` (``/<root>/.../<id>/``) so "this unit and every unit
below it" is a prefix match. The path is written here only: on create (the parent's path plus
the new id) and on a move, where the whole subtree's paths are rewritten in one ``UPDATE``
inside the same transaction, under the tree lock of :mod:`lms.people.database`.

Scope: admins see every unit; organizers and HR their unit and the units below it;
participants and trainers only the unit they belong to. A unit outside the caller's scope is
answered as 404, never 403.

Writes: admins anywhere; organizers create and change units of their scope and move only
units strictly below their own unit, under another unit of their scope (never their own unit,
never out of or above their scope). HR only reads the tree.
"""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID, uuid4

import msgspec
from piccolo.table import Table

from lms.audit import services as audit
from lms.auth.caller import Caller
from lms.db.dialect import is_unique_violation
from lms.people.database import contains_text, lock_unit_tree
from lms.people.schemas import UnitCreate, UnitRead, UnitUpdate
from lms.people.tables import Person, Unit
from lms.shared.errors import Conflict, Forbidden, NotFound, RuleViolation
from lms.shared.schemas import Page
from lms.shared.values import utcnow

_UNIT_COLUMNS = (
    Unit.id,
    Unit.code,
    Unit.name,
    Unit.kind,
    Unit.parent.as_alias("parent_id"),
    Unit.path,
    Unit.city,
    Unit.timezone,
    Unit.created_at,
)

DEFAULT_TIMEZONE = "Asia/Jakarta"


def unit_key(text: str) -> str:
    """The form two unit names or codes are compared in: case and repeated spaces ignored."""
    return " ".join(text.split()).casefold()


def clean_text(text: str) -> str:
    """Collapse whitespace runs and drop control characters.

    Names are typed or pasted with doubled spaces, and pasted text may carry invisible control
    characters (PostgreSQL refuses NUL in text), none of which belong in a name.
    """
    return " ".join(CONTROL_CHARACTERS.sub("", text).split())


def required_text(text: str, field: str, label: str) -> str:
    """:func:`clean_text`, refusing a value that is left empty (422 naming ``field``)."""
    cleaned = clean_text(text)
    if not cleaned:
        message = f"{label} wajib diisi."
        raise RuleViolation(message, errors=[{"field": field, "message": message}])
    return cleaned


CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
"""Control characters other than tab and line breaks (which count as spaces)."""


def writes_people(caller: Caller | None) -> bool:
    """True when the caller may create or change people and units (``None``: the system).

    Organizers (in their scope) and admins; HR reads people and units but never writes them
    (DESIGN.md roles), and trainers and participants do not either.
    """
    return caller is None or caller.role in ("admin", "organizer")


async def own_unit_id(caller: Caller) -> UUID | None:
    """The unit a participant or trainer belongs to: their login's unit, else their person's."""
    if caller.unit_id is not None:
        return caller.unit_id
    if caller.person_id is None:
        return None
    row = await Person.select(Person.unit).where(Person.id == caller.person_id).first()
    return row["unit"] if row else None


def sees_unit_row(caller: Caller | None, unit_id: UUID, path: str, own_unit: UUID | None) -> bool:
    """True when the caller may see this unit (``caller=None`` is the system: sees all).

    Args:
        caller: Who asks.
        unit_id: The unit.
        path: Its materialised path.
        own_unit: The caller's own unit (:func:`own_unit_id`), for participants and trainers.
    """
    if caller is None or caller.is_admin:
        return True
    if caller.role in ("organizer", "hr"):
        return caller.sees_unit(path)
    return own_unit is not None and unit_id == own_unit


async def visible_unit(caller: Caller | None, unit_id: UUID) -> dict[str, Any] | None:
    """The unit's row (every column of :class:`UnitRead`) when it exists and the caller sees
    it, else None."""
    row = await Unit.select(*_UNIT_COLUMNS).where(Unit.id == unit_id).first()
    if row is None:
        return None
    own = (
        await own_unit_id(caller) if caller and caller.role in ("participant", "trainer") else None
    )
    return row if sees_unit_row(caller, row["id"], row["path"], own) else None


async def _code_taken(code: str, exclude: UUID | None = None) -> bool:
    # Codes are matched case-insensitively by the import, so "dpmptsp" and "DPMPTSP" clash.
    rows = await Unit.raw("SELECT id FROM unit WHERE lower(code) = lower({})", code)
    return any(row["id"] != exclude for row in rows)


def _parent_error(message: str) -> RuleViolation:
    return RuleViolation(message, errors=[{"field": "parent_id", "message": message}])


async def insert_unit(
    *,
    code: str,
    name: str,
    kind: str,
    parent: dict[str, Any] | None,
    city: str | None = None,
    timezone: str | None = None,
) -> dict[str, Any]:
    """Insert a unit under ``parent`` (a unit row with ``id``, ``path``, ``city``, ``timezone``)
    and return its row. Call inside a transaction, after :func:`lock_unit_tree`.

    ``city`` and ``timezone`` default to the parent's (a kelurahan is in its city's zone).
    """
    unit_id = uuid4()
    path = (parent["path"] if parent else "/") + f"{unit_id}/"
    row = {
        "id": unit_id,
        "code": code,
        "name": name,
        "kind": kind,
        "parent_id": parent["id"] if parent else None,
        "path": path,
        "city": city if city is not None else (parent["city"] if parent else ""),
        "timezone": timezone or (parent["timezone"] if parent else DEFAULT_TIMEZONE),
        "created_at": utcnow(),
    }
    await Unit.insert(
        Unit(
            id=unit_id,
            code=code,
            name=name,
            kind=kind,
            parent=row["parent_id"],
            path=path,
            city=row["city"],
            timezone=row["timezone"],
            created_at=row["created_at"],
        )
    )
    return row


_PATH_COPIES: list[tuple[type[Table], str]] = [(Unit, "path")]
"""Every column that holds a unit path: the tree's own and the copies registered by the apps
above ``lms`` (which ``lms`` may not import)."""


def register_path_copy(table: type[Table], column: str) -> None:
    """Declare that ``table.column`` holds a copy of a unit's ``path``.

    A copy that a move does not rewrite goes stale: certificates kept the old path of their
    unit after it moved, so its organizer saw 0 of 464 and could not download or revoke them,
    while an organizer of the old parent still saw them. Every registered copy is rewritten in
    the move's transaction, under the tree lock.
    """
    if (table, column) not in _PATH_COPIES:
        _PATH_COPIES.append((table, column))


async def rewrite_path_prefix(old_path: str, new_path: str) -> None:
    """Replace the prefix ``old_path`` by ``new_path`` in the tree and every registered copy.

    Call inside the move's transaction, after :func:`lock_unit_tree`. One statement per column
    rewrites the unit and everything below it.
    """
    for table, column in _PATH_COPIES:
        await table.raw(
            f'UPDATE "{table._meta.tablename}"'
            f' SET "{column}" = CAST({{}} AS VARCHAR) || substr("{column}", CAST({{}} AS INTEGER))'
            f' WHERE substr("{column}", 1, CAST({{}} AS INTEGER)) = CAST({{}} AS VARCHAR)',
            new_path,
            len(old_path) + 1,
            len(old_path),
            old_path,
        )


class UnitService:
    """Queries and rules of the unit tree."""

    async def list(
        self,
        caller: Caller,
        *,
        limit: int,
        offset: int,
        q: str | None = None,
        parent_id: UUID | None = None,
        kind: str | None = None,
    ) -> Page[UnitRead]:
        """The units the caller sees, ordered by name.

        Args:
            caller: Who asks; their scope filters the list.
            limit: Page size.
            offset: Rows to skip.
            q: A fragment of the name or code (case ignored).
            parent_id: Only the direct children of this unit (404 when not visible).
            kind: Only units of this kind.
        """
        where: list[Any] = []
        if not caller.is_admin:
            if caller.role in ("organizer", "hr"):
                if not caller.unit_path:
                    return Page(items=[], total=0)
                where.append(Unit.path.like(f"{caller.unit_path}%"))
            else:
                own = await own_unit_id(caller)
                if own is None:
                    return Page(items=[], total=0)
                where.append(Unit.id == own)
        if parent_id is not None:
            if await visible_unit(caller, parent_id) is None:
                raise NotFound("Unit tidak ditemukan.")
            where.append(Unit.parent == parent_id)
        if kind:
            where.append(Unit.kind == kind)
        text = clean_text(q or "")
        if text:
            where.append(contains_text(Unit.name, text) | contains_text(Unit.code, text))
        query = Unit.select(*_UNIT_COLUMNS).order_by(Unit.name, Unit.code)
        count = Unit.count()
        for condition in where:
            query = query.where(condition)
            count = count.where(condition)
        rows = await query.limit(limit).offset(offset)
        return Page(items=msgspec.convert(rows, list[UnitRead]), total=await count)

    async def get(self, caller: Caller, unit_id: UUID) -> UnitRead:
        """One unit, or 404 when unknown or outside the caller's scope."""
        row = await visible_unit(caller, unit_id)
        if row is None:
            raise NotFound("Unit tidak ditemukan.")
        return msgspec.convert(row, UnitRead)

    async def create(self, caller: Caller | None, data: UnitCreate) -> UnitRead:
        """Create a unit (409 when the code is taken, 422 when the parent is not usable).

        Admins create anywhere, roots included; organizers only below a unit of their scope.
        """
        if not writes_people(caller):
            raise Forbidden("Peran Anda tidak dapat mengubah unit.")
        name = required_text(data.name, "name", "Nama unit")
        async with Unit._meta.db.transaction():
            await lock_unit_tree()
            parent = None
            if data.parent_id is not None:
                parent = await visible_unit(caller, data.parent_id)
                if parent is None or not writes_people(caller):
                    raise _parent_error("Unit induk tidak ditemukan.")
            elif caller is not None and not caller.is_admin:
                raise _parent_error("Unit baru harus berada di bawah unit Anda; isi parent_id.")
            if await _code_taken(data.code):
                raise Conflict(f"Kode unit '{data.code}' sudah dipakai.")
            try:
                row = await insert_unit(
                    code=data.code,
                    name=name,
                    kind=data.kind,
                    parent=parent,
                    city=clean_text(data.city) if data.city is not None else None,
                    timezone=data.timezone,
                )
            except Exception as exc:
                if is_unique_violation(exc):
                    raise Conflict(f"Kode unit '{data.code}' sudah dipakai.") from exc
                raise
            await audit.record(
                caller,
                "unit.create",
                "unit",
                row["id"],
                f"{row['code']} {row['name']}",
                {k: row[k] for k in ("code", "name", "kind", "parent_id", "city", "timezone")},
            )
        return msgspec.convert(row, UnitRead)

    async def update(self, caller: Caller, unit_id: UUID, data: UnitUpdate) -> UnitRead:
        """Change a unit; a new parent moves its subtree (422 on a cycle, 409 on a taken code)."""
        if not writes_people(caller):
            raise Forbidden("Peran Anda tidak dapat mengubah unit.")
        async with Unit._meta.db.transaction():
            await lock_unit_tree()
            row = await visible_unit(caller, unit_id)
            if row is None:
                raise NotFound("Unit tidak ditemukan.")
            values: dict[Any, Any] = {}
            changes: dict[str, dict[str, Any]] = {}

            def change(field: str, column: Any, value: Any) -> None:
                if row[field] != value:
                    values[column] = value
                    changes[field] = {"old": row[field], "new": value}

            if data.code is not msgspec.UNSET and data.code != row["code"]:
                if await _code_taken(data.code, exclude=unit_id):
                    raise Conflict(f"Kode unit '{data.code}' sudah dipakai.")
                change("code", Unit.code, data.code)
            if data.name is not msgspec.UNSET:
                change("name", Unit.name, required_text(data.name, "name", "Nama unit"))
            if data.kind is not msgspec.UNSET:
                change("kind", Unit.kind, data.kind)
            if data.city is not msgspec.UNSET:
                change("city", Unit.city, clean_text(data.city))
            if data.timezone is not msgspec.UNSET:
                change("timezone", Unit.timezone, data.timezone)
            new_path = None
            if data.parent_id is not msgspec.UNSET and data.parent_id != row["parent_id"]:
                new_path = await self._new_path(caller, row, data.parent_id)
                change("parent_id", Unit.parent, data.parent_id)
            if not values:
                return msgspec.convert(row, UnitRead)
            try:
                await Unit.update(values).where(Unit.id == unit_id)
            except Exception as exc:
                if is_unique_violation(exc):
                    raise Conflict(f"Kode unit '{data.code}' sudah dipakai.") from exc
                raise
            if new_path is not None:
                old_path = row["path"]
                await rewrite_path_prefix(old_path, new_path)
                changes["path"] = {"old": old_path, "new": new_path}
            await audit.record(
                caller, "unit.update", "unit", unit_id, f"{row['code']} diubah", changes
            )
        updated = await Unit.select(*_UNIT_COLUMNS).where(Unit.id == unit_id).first()
        return msgspec.convert(updated, UnitRead)

    async def _new_path(self, caller: Caller, row: dict[str, Any], parent_id: UUID | None) -> str:
        """The unit's path under its new parent; refuses cycles and parents out of scope.

        A non-admin never moves their own unit (their scope's root): that would carry their
        scope, or leave it, and with it whatever the unit's sessions and certificates are.
        """
        if not caller.is_admin and row["path"] == caller.unit_path:
            raise _parent_error("Unit Anda sendiri hanya dapat dipindahkan oleh admin.")
        if parent_id is None:
            if not caller.is_admin:
                raise _parent_error("Hanya admin yang dapat menjadikan unit sebagai unit teratas.")
            return f"/{row['id']}/"
        parent = await visible_unit(caller, parent_id)
        if parent is None:
            raise _parent_error("Unit induk tidak ditemukan.")
        if parent["path"].startswith(row["path"]):
            raise _parent_error(
                "Unit tidak dapat dipindahkan ke bawah dirinya sendiri atau unit turunannya."
            )
        return f"{parent['path']}{row['id']}/"

"""Matching the "Unit Kerja" of an import row to a unit, and creating the unknown ones.

Organizers write the unit as they know it: a code (``DPMPTSP-PPJ``) or a name with their own
capitals and spacing (``dpmptsp  kota padang panjang``). A row's unit is looked up among the
units the importer sees, by code first, then by name, both compared with
:func:`lms.people.units.unit_key`. A name found only outside the importer's scope rejects the
row (a look-alike unit under the importer would split one office in two); a name found
nowhere becomes a new unit under the import's parent, with a code derived from the name and a
kind read from its first word ("Kelurahan ..." → kelurahan).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import Any
from uuid import UUID

from lms.auth.caller import Caller
from lms.people.schemas import UnitCreatedRef
from lms.people.tables import Unit
from lms.people.units import insert_unit, unit_key, visible_unit, writes_people
from lms.shared.errors import RuleViolation

KIND_PREFIXES = (
    ("kecamatan", "kecamatan"),
    ("kelurahan", "kelurahan"),
    ("desa ", "desa"),
    ("nagari ", "desa"),
    ("pemerintah ", "pemda"),
    ("upt", "uptd"),
    ("bidang ", "bidang"),
    ("bagian ", "bidang"),
    ("seksi ", "bidang"),
)
"""Name prefixes (case ignored) and the unit kind they announce; anything else is an OPD."""


def infer_kind(name: str) -> str:
    lowered = name.casefold()
    for prefix, kind in KIND_PREFIXES:
        if lowered.startswith(prefix):
            return kind
    return "opd"


def code_from_name(name: str, taken: set[str]) -> str:
    """A unique unit code from a name: "Kelurahan Ekor Lubuk" → "KELURAHAN-EKOR-LUBUK"."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    base = re.sub(r"[^A-Za-z0-9]+", "-", ascii_name).strip("-").upper()[:56] or "UNIT"
    code, n = base, 2
    while code.casefold() in taken:
        code, n = f"{base}-{n}", n + 1
    taken.add(code.casefold())
    return code


class UnitMatcher:
    """Unit lookup by code or name within the actor's scope, and creation of unknown units."""

    def __init__(
        self,
        visible: dict[str, list[dict[str, Any]]],
        by_code: dict[str, dict[str, Any]],
        outside: set[str],
        codes: set[str],
        parent: dict[str, Any] | None,
    ) -> None:
        self.visible = visible
        self.by_code = by_code
        self.outside = outside
        self.codes = codes
        self.parent = parent
        self.created: list[UnitCreatedRef] = []

    @classmethod
    async def load(cls, actor: Caller | None, parent_unit_id: UUID | None) -> UnitMatcher:
        """Read every unit once and sort them into those the actor sees and the others.

        Args:
            actor: The importer (None: the system, which sees every unit).
            parent_unit_id: Where unknown units go; default the actor's unit, or for an actor
                without unit (admin, system) the only root unit if there is exactly one.

        Raises:
            RuleViolation: 422 on ``parent_unit_id`` when the actor does not see that unit.
        """
        rows = await Unit.select(
            Unit.id, Unit.code, Unit.name, Unit.parent, Unit.path, Unit.city, Unit.timezone
        )
        visible: dict[str, list[dict[str, Any]]] = {}
        by_code: dict[str, dict[str, Any]] = {}
        outside: set[str] = set()
        for row in rows:
            if actor is None or actor.sees_unit(row["path"]):
                visible.setdefault(unit_key(row["name"]), []).append(row)
                by_code[unit_key(row["code"])] = row
            else:
                outside.update((unit_key(row["name"]), unit_key(row["code"])))
        parent = await cls._default_parent(actor, parent_unit_id, rows)
        return cls(visible, by_code, outside, {r["code"].casefold() for r in rows}, parent)

    @staticmethod
    async def _default_parent(
        actor: Caller | None, parent_unit_id: UUID | None, rows: Sequence[dict[str, Any]]
    ) -> dict[str, Any] | None:
        if parent_unit_id is not None:
            parent = await visible_unit(actor, parent_unit_id)
            if parent is None or not writes_people(actor):
                message = "Unit induk tidak ditemukan."
                raise RuleViolation(
                    message, errors=[{"field": "parent_unit_id", "message": message}]
                )
            return parent
        if actor is not None and actor.unit_id is not None:
            return await visible_unit(None, actor.unit_id)
        roots = [row for row in rows if row["parent"] is None]
        return await visible_unit(None, roots[0]["id"]) if len(roots) == 1 else None

    def lookup(self, text: str) -> tuple[dict[str, Any] | None, str | None]:
        """``(unit, None)`` when known, ``(None, None)`` when it must be created, else
        ``(None, message)`` for a row to reject."""
        key = unit_key(text)
        unit = self.by_code.get(key)
        if unit is not None:
            return unit, None
        matches = self.visible.get(key, [])
        if len(matches) == 1:
            return matches[0], None
        if len(matches) > 1:
            codes = ", ".join(sorted(m["code"] for m in matches))
            return None, f"Unit kerja '{text}' ada lebih dari satu ({codes}); tulis kodenya"
        if key in self.outside:
            return None, f"Unit kerja '{text}' berada di luar cakupan unit Anda"
        return None, None

    async def refresh_parent(self) -> None:
        """Re-read the parent's path under the tree lock (a move may have changed it since
        :meth:`load`)."""
        if self.parent is not None:
            self.parent = await visible_unit(None, self.parent["id"]) or self.parent

    async def create(self, name: str) -> dict[str, Any]:
        """Create a unit under the default parent (inside the batch's transaction)."""
        code = code_from_name(name, self.codes)
        row = await insert_unit(code=code, name=name, kind=infer_kind(name), parent=self.parent)
        self.visible[unit_key(name)] = [row]
        self.by_code[unit_key(code)] = row
        self.created.append(UnitCreatedRef(code=code, name=name))
        return row

"""The competency framework: competencies with proficiency levels and the SKM elements
(U1–U9) they should move.

Codes are kept upper-case so ``pp-01`` and ``PP-01`` cannot both exist. Courses, questions
and ledger entries refer to competencies by code (:func:`known_competency_codes`). The
training-impact report counts as service-excellence training the entries that develop a
competency tied to U6 or U7 (:func:`service_competency_codes`).
"""

from __future__ import annotations

import re
from typing import Any
from uuid import uuid4

import msgspec
from piccolo.columns import Column

from lms.audit import services as audit
from lms.auth.caller import Caller
from lms.competencies.schemas import (
    CompetencyCreate,
    CompetencyImportReport,
    CompetencyLevel,
    CompetencyRead,
    RowProblem,
)
from lms.competencies.skm import ELEMENT_CODES
from lms.competencies.tables import Competency
from lms.config import Settings
from lms.db.dialect import is_unique_violation
from lms.shared.errors import BadRequest, Conflict, PayloadTooLarge
from lms.shared.schemas import Page
from lms.shared.tabular import (
    FileTooLarge,
    MissingColumns,
    TableRow,
    TabularError,
    TooManyRows,
    read_table,
)
from lms.shared.values import utcnow

SERVICE_ELEMENTS = ("U6", "U7")
"""Kompetensi pelaksana and perilaku pelaksana: what service-excellence training aims at."""

_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-/]{0,31}$")
_COLUMNS: dict[str, tuple[str, ...]] = {
    "code": ("code", "kode", "kode_kompetensi"),
    "name": ("name", "nama", "nama_kompetensi"),
    "description": ("description", "deskripsi", "uraian"),
    "skm_elements": ("skm_elements", "unsur_skm", "unsur"),
    "levels": ("levels", "tingkat", "tingkat_kemahiran", "level"),
}
_SPLIT = re.compile(r"[;,\s]+")


def _read(row: dict[str, Any]) -> CompetencyRead:
    return msgspec.convert(row, CompetencyRead)


async def known_competency_codes() -> set[str]:
    """Every code of the framework (for courses and questions to check their references)."""
    rows = await Competency.select(Competency.code)
    return {row["code"] for row in rows}


async def service_competency_codes(elements: tuple[str, ...] = SERVICE_ELEMENTS) -> list[str]:
    """Codes of the competencies tied to any of ``elements`` (default U6 and U7), sorted."""
    rows = await Competency.select(Competency.code, Competency.skm_elements).output(load_json=True)
    wanted = set(elements)
    return sorted(row["code"] for row in rows if wanted & set(row["skm_elements"] or []))


async def competency_names(codes: set[str]) -> dict[str, str]:
    """Names of the given codes that exist in the framework."""
    if not codes:
        return {}
    rows = await Competency.select(Competency.code, Competency.name).where(
        Competency.code.is_in(sorted(codes))
    )
    return {row["code"]: row["name"] for row in rows}


class FrameworkService:
    """Reading, creating and importing competencies."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    async def list(
        self, *, limit: int, offset: int, q: str | None = None, skm_element: str | None = None
    ) -> Page[CompetencyRead]:
        """Competencies by code; ``q`` matches code or name, ``skm_element`` filters by U1–U9.

        The framework has tens of rows, so the filters run on the loaded list.
        """
        rows = await Competency.select().order_by(Competency.code).output(load_json=True)
        if q:
            needle = q.casefold()
            rows = [
                r for r in rows if needle in r["code"].casefold() or needle in r["name"].casefold()
            ]
        if skm_element:
            rows = [r for r in rows if skm_element.upper() in (r["skm_elements"] or [])]
        return Page(items=[_read(r) for r in rows[offset : offset + limit]], total=len(rows))

    async def create(self, caller: Caller, data: CompetencyCreate) -> CompetencyRead:
        """Add a competency.

        Raises:
            Conflict: the code exists (compared upper-case).
        """
        code = data.code.upper()
        row = {
            "id": uuid4(),
            "code": code,
            "name": " ".join(data.name.split()),
            "description": data.description.strip(),
            "levels": msgspec.to_builtins(sorted(data.levels, key=lambda lv: lv.level)),
            "skm_elements": sorted(data.skm_elements),
            "created_at": utcnow(),
        }
        try:
            async with Competency._meta.db.transaction():
                if await Competency.exists().where(Competency.code == code):
                    raise Conflict(f"Kode kompetensi {code} sudah ada")
                await Competency.insert(Competency(**row))
                await audit.record(
                    caller, "competency.create", "competency", row["id"], f"{code} {row['name']}"
                )
        except Exception as exc:
            if is_unique_violation(exc):
                raise Conflict(f"Kode kompetensi {code} sudah ada") from exc
            raise
        return _read(row)

    async def import_file(
        self, caller: Caller, content: bytes, filename: str
    ) -> CompetencyImportReport:
        """Create or update competencies from a .csv/.xlsx like the sample framework file.

        Columns ``code, name, description, skm_elements`` (elements separated by ``;``), and
        optionally ``levels`` (level names in order, separated by ``;``). A code that exists is
        updated (so re-importing a corrected file is safe); bad rows are reported and skipped.

        Raises:
            BadRequest: unreadable file or missing ``code``/``name`` columns.
            PayloadTooLarge: above the size or row limit.
        """
        try:
            table = read_table(
                content,
                filename or "kompetensi.csv",
                max_rows=self.settings.max_import_rows,
                max_bytes=self.settings.max_upload_bytes,
            )
        except (FileTooLarge, TooManyRows) as exc:
            raise PayloadTooLarge(str(exc)) from exc
        except TabularError as exc:
            raise BadRequest(str(exc)) from exc
        missing = [c for c in ("code", "name") if not set(_COLUMNS[c]) & set(table.headers)]
        if missing:
            raise BadRequest(
                str(MissingColumns(f"Kolom wajib tidak ditemukan: {', '.join(missing)}", missing))
            )
        has_levels = bool(set(_COLUMNS["levels"]) & set(table.headers))
        parsed: list[tuple[int, dict[str, Any]]] = []
        rejected: list[RowProblem] = []
        seen: set[str] = set()
        for row in table.rows:
            values, errors = _parse_row(row, seen)
            if errors:
                rejected.append(RowProblem(row_number=row.row_number, errors=errors))
            else:
                parsed.append((row.row_number, values))
        created: list[str] = []
        updated: list[str] = []
        async with Competency._meta.db.transaction():
            existing = {
                r["code"]: r["id"] for r in await Competency.select(Competency.id, Competency.code)
            }
            for _, values in parsed:
                code = values["code"]
                if not has_levels:
                    values.pop("levels")
                if code in existing:
                    changes: dict[Column | str, Any] = {key: v for key, v in values.items()}
                    await Competency.update(changes).where(Competency.id == existing[code])
                    await audit.record(
                        caller, "competency.update", "competency", existing[code], code, values
                    )
                    updated.append(code)
                else:
                    new_id = uuid4()
                    await Competency.insert(
                        Competency(id=new_id, created_at=utcnow(), **{"levels": [], **values})
                    )
                    await audit.record(
                        caller, "competency.create", "competency", new_id, f"{code} (impor)"
                    )
                    created.append(code)
        return CompetencyImportReport(created=created, updated=updated, rejected=rejected)


def _cell(row: TableRow, field: str) -> str:
    for key in _COLUMNS[field]:
        if key in row.values:
            return row.values[key].strip()
    return ""


def _parse_row(row: TableRow, seen: set[str]) -> tuple[dict[str, Any], list[str]]:
    errors: list[str] = []
    code = _cell(row, "code").upper()
    name = " ".join(_cell(row, "name").split())
    if not _CODE.match(code):
        errors.append(f"Kode '{code}' tidak valid: huruf/angka, '.', '-', '_' atau '/', ≤ 32")
    elif code in seen:
        errors.append(f"Kode {code} muncul lebih dari sekali dalam berkas")
    if not name:
        errors.append("Nama kompetensi wajib diisi")
    elif len(name) > 255:
        errors.append("Nama kompetensi paling panjang 255 karakter")
    elements = [e.upper() for e in _SPLIT.split(_cell(row, "skm_elements")) if e]
    unknown = [e for e in elements if e not in ELEMENT_CODES]
    if unknown:
        errors.append(f"Unsur SKM tidak dikenal: {', '.join(unknown)} (gunakan U1–U9)")
    level_names = [" ".join(n.split()) for n in _cell(row, "levels").split(";") if n.strip()]
    if errors:
        return {}, errors
    seen.add(code)
    levels = [
        msgspec.to_builtins(CompetencyLevel(level=i, name=n[:255]))
        for i, n in enumerate(level_names[:10], start=1)
    ]
    return {
        "code": code,
        "name": name,
        "description": _cell(row, "description")[:2000],
        "skm_elements": sorted(set(elements)),
        "levels": levels,
    }, []

"""Import a participant file (.csv / .xlsx): upsert people, match or create their units.

The organizer's own spreadsheet is the input (``No;NIP;Nama;...;Unit Kerja;Email;No. HP``).
:mod:`lms.shared.tabular` reads it, :mod:`lms.people.rows` validates each row; this module
matches rows to stored people and units and writes them:

* **People** are matched by NIP. A row without NIP (non-ASN) — or with a NIP nobody has yet —
  is matched to a stored person *without* NIP by exact name and unit, so an honorer who became
  PPPK gets the new NI PPPK instead of a second record. A match outside the caller's scope is
  rejected (never changed, never named).
* **Only what the file says changes**: a column the file lacks, or an empty cell, keeps the
  stored value. So re-importing the same file, or a shorter one, changes nothing.
* **Units** are matched by code or name (case and repeated spaces ignored) within the caller's
  scope. An unknown unit is created under ``parent_unit_id`` or the caller's unit and listed in
  the report; a name that belongs to a unit outside the caller's scope rejects the row rather
  than creating a look-alike.
* **Batches**: rows are written ``BATCH_SIZE`` at a time, one transaction per batch (people,
  units and audit entries together), so a crash leaves whole batches or nothing, never half a
  row, and importing the same file again finishes the job.

:func:`import_people` is the entry point of the HTTP route and the ``lms import people``
command; :func:`import_people_rows` also returns the person id of every row (the enrollment
import uses it); :func:`import_people_table` starts from an already read table.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable
from typing import Any
from uuid import UUID, uuid4

import msgspec

from lms.audit import services as audit
from lms.auth.caller import Caller
from lms.config import Settings
from lms.db.dialect import is_unique_violation
from lms.people.rows import PeopleFile, check_columns, column_map, parse_people
from lms.people.schemas import ImportReport
from lms.people.unit_matching import UnitMatcher
from lms.people.units import CONTROL_CHARACTERS, clean_text
from lms.people.upserting import ImportedRow, PeopleUpsert
from lms.shared.errors import BadRequest, Conflict, PayloadTooLarge
from lms.shared.tabular import (
    FileTooLarge,
    MissingColumns,
    Table,
    TableRow,
    TabularError,
    TooManyRows,
    read_table,
)

__all__ = [
    "BATCH_SIZE",
    "ImportedRow",
    "PeopleImport",
    "ProgressCallback",
    "import_people",
    "import_people_rows",
    "import_people_table",
    "read_people_table",
]

BATCH_SIZE = 500
"""Rows per transaction: big enough to be fast, small enough to keep a writer lock short."""

ProgressCallback = Callable[[int, int], Any]
"""``progress(done, total)`` after each batch; may be sync (a rich progress bar) or async."""


class PeopleImport(msgspec.Struct, kw_only=True):
    """The report and, for callers that go on with the people (enrollment), every row."""

    report: ImportReport
    rows: list[ImportedRow]

    def person_ids(self) -> dict[int, UUID]:
        """Row number → person id of every row that was not rejected."""
        return {r.row_number: r.person_id for r in self.rows if r.person_id is not None}


async def import_people(
    data: bytes,
    filename: str,
    *,
    actor: Caller | None,
    parent_unit_id: UUID | None = None,
    settings: Settings,
    progress: ProgressCallback | None = None,
) -> ImportReport:
    """Import a participant file and return the report.

    Args:
        data: The uploaded bytes (.csv with ``;`` or ``,``, BOM, CRLF; or .xlsx).
        filename: The uploaded name (its extension helps pick the reader).
        actor: Who imports (scope and audit); None for the system (the command line), which
            sees every unit.
        parent_unit_id: Where unknown units are created (default: the actor's unit).
        settings: ``max_upload_bytes`` and ``max_import_rows``.
        progress: Called as ``progress(done, total)`` after each batch.

    Raises:
        PayloadTooLarge: 413, the file or its row count is above the limits.
        BadRequest: 400, not a readable .csv/.xlsx, empty, or required columns missing.
        RuleViolation: 422, ``parent_unit_id`` is not a unit the actor sees.
        Conflict: 409, another writer stored the same NIP during the import (the batches
            before it are kept; importing the file again completes it).
    """
    result = await import_people_rows(
        data,
        filename,
        actor=actor,
        parent_unit_id=parent_unit_id,
        settings=settings,
        progress=progress,
    )
    return result.report


async def import_people_rows(
    data: bytes,
    filename: str,
    *,
    actor: Caller | None,
    parent_unit_id: UUID | None = None,
    settings: Settings,
    progress: ProgressCallback | None = None,
) -> PeopleImport:
    """Like :func:`import_people`, also returning the person id of every row."""
    table = await read_people_table(data, filename, settings=settings)
    return await import_people_table(
        table, actor=actor, parent_unit_id=parent_unit_id, progress=progress, source=filename
    )


async def read_people_table(data: bytes, filename: str, *, settings: Settings) -> Table:
    """Read an upload within the limits, off the event loop (a large .xlsx takes a while).

    Raises:
        PayloadTooLarge: above ``max_upload_bytes`` or ``max_import_rows``.
        BadRequest: unreadable, empty or unsupported file, or required columns missing.
    """
    try:
        table = await asyncio.to_thread(
            read_table,
            data,
            filename or "",
            max_rows=settings.max_import_rows,
            max_bytes=settings.max_upload_bytes,
        )
        # The columns too, so a file queued as a job is one that can be imported.
        check_columns(table)
    except (FileTooLarge, TooManyRows) as exc:
        raise PayloadTooLarge(str(exc)) from exc
    except TabularError as exc:
        raise BadRequest(str(exc), errors=[{"field": "file", "message": str(exc)}]) from exc
    return table


async def import_people_table(
    table: Table,
    *,
    actor: Caller | None,
    parent_unit_id: UUID | None = None,
    progress: ProgressCallback | None = None,
    source: str = "",
) -> PeopleImport:
    """Validate and upsert the people of a read table (see the module docstring).

    Args:
        table: From :func:`read_people_table` (or :func:`lms.shared.tabular.read_table`).
        actor: Who imports; None for the system.
        parent_unit_id: Where unknown units are created (default: the actor's unit).
        progress: ``progress(done, total)`` after each batch.
        source: The file name, for the audit log.
    """
    source = clean_text(source)
    try:
        parsed = await asyncio.to_thread(_parse, table)
    except MissingColumns as exc:
        raise BadRequest(str(exc), errors=[{"field": "file", "message": str(exc)}]) from exc
    present = set(column_map(table.headers))
    units = await UnitMatcher.load(actor, parent_unit_id)
    state = PeopleUpsert(actor=actor, present=present, units=units, source=source)
    for error in parsed.errors:
        state.reject(error.row_number, error.nip, error.errors)
    total = len(parsed.people) + len(parsed.errors)
    done = len(parsed.errors)
    await _report_progress(progress, done, total)
    for start in range(0, len(parsed.people), BATCH_SIZE):
        batch = parsed.people[start : start + BATCH_SIZE]
        try:
            await state.write_batch(batch)
        except Exception as exc:
            if is_unique_violation(exc):
                raise Conflict(
                    f"Impor berhenti di baris {batch[0].row_number}: data yang sama sedang "
                    f"diubah oleh pengguna lain. {start} baris sebelumnya sudah tersimpan; "
                    "unggah ulang berkas yang sama untuk melanjutkan."
                ) from exc
            raise
        done += len(batch)
        await _report_progress(progress, done, total)
    report = state.report(total)
    if report.created or report.updated or report.units_created:
        await audit.record(
            actor,
            "person.import",
            "import",
            uuid4(),
            f"{source}: {report.message}"[:1000],
            {
                "file": source,
                "created": report.created,
                "updated": report.updated,
                "unchanged": report.unchanged,
                "rejected": len(report.rejected),
                "units_created": [u.code for u in report.units_created],
            },
        )
    rows = sorted(state.rows, key=lambda r: r.row_number)
    return PeopleImport(report=report, rows=rows)


def _parse(table: Table) -> PeopleFile:
    """Validate the rows, after dropping control characters pasted into cells (invisible to
    the organizer, and PostgreSQL refuses NUL in text)."""
    rows = [
        TableRow(
            row_number=row.row_number,
            values={key: CONTROL_CHARACTERS.sub("", value) for key, value in row.values.items()},
        )
        for row in table.rows
    ]
    return parse_people(Table(headers=table.headers, labels=table.labels, rows=rows))


async def _report_progress(progress: ProgressCallback | None, done: int, total: int) -> None:
    if progress is None:
        return
    result = progress(done, total)
    if inspect.isawaitable(result):
        await result

"""Buku register sertifikat: every certificate the caller may see, as XLSX or CSV.

Offices keep a register of the certificates they issued (number, holder, training, dates,
status). The rows follow the same filters and visibility as ``GET /api/v1/certificates``
(a participant: their own), oldest number first as a register is kept; the XLSX carries the
caller's kop above a frozen, filterable header. Written by :mod:`lms.shared.tabular` (names
and titles stay text, never a formula).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import anyio

from certificates.records.schemas import STATUS_LABELS
from certificates.records.service import (
    CertificateQuery,
    CertificateRecords,
    load_json,
    to_item,
    today,
)
from certificates.tables import Certificate
from lms.auth.caller import Caller
from lms.competencies.scope import kop_for_path
from lms.shared.errors import PayloadTooLarge
from lms.shared.tabular import (
    CSV_MEDIA_TYPE,
    XLSX_MEDIA_TYPE,
    Column,
    FileFormat,
    Sheet,
    csv_bytes,
    xlsx_bytes,
)

MAX_ROWS = 100_000
"""A register larger than this is asked for by year or course (Excel holds 1,048,576 rows,
but a 100,000-row workbook already takes ~20 s to write)."""

COLUMNS = (
    Column("No", 7, "integer"),
    Column("Nomor sertifikat", 28),
    Column("Nama", 34),
    Column("NIP", 24),
    Column("Pelatihan", 40),
    Column("Angkatan", 16),
    Column("Mulai", 12, "date"),
    Column("Selesai", 12, "date"),
    Column("JP", 7, "decimal"),
    Column("Diterbitkan", 12, "date"),
    Column("Berlaku sampai", 14, "date"),
    Column("Status", 12),
    Column("Tautan verifikasi", 46),
)


def _row(number: int, item: Any, snapshot: dict[str, Any], zone: str) -> list[Any]:
    holder = snapshot.get("holder") or {}
    return [
        number,
        item.number,
        item.holder_name,
        holder.get("nip_display") or "",
        snapshot.get("course_title") or item.course_title,
        snapshot.get("session_name") or "",
        _date(snapshot.get("start_date")),
        _date(snapshot.get("end_date")),
        Decimal(str(snapshot["jp"])) if snapshot.get("jp") is not None else None,
        item.issued_at.astimezone(ZoneInfo(zone)).date(),
        item.valid_until,
        STATUS_LABELS["id"].get(item.status, item.status),
        item.links.verify,
    ]


def _date(value: Any) -> dt.date | None:
    return dt.date.fromisoformat(value) if isinstance(value, str) and value else None


async def register_file(
    records: CertificateRecords, caller: Caller, query: CertificateQuery, output: FileFormat
) -> tuple[bytes, str, str]:
    """The register: ``(content, media type, file name)``.

    Raises:
        PayloadTooLarge: more than :data:`MAX_ROWS` certificates match (narrow the filters).
    """
    settings = records.settings
    on = today(settings)
    select = Certificate.select()
    count = Certificate.count()
    for clause in query.where(caller, on):
        select = select.where(clause)
        count = count.where(clause)
    if await count > MAX_ROWS:
        raise PayloadTooLarge(
            f"Register berisi lebih dari {MAX_ROWS} sertifikat; saring per tahun atau pelatihan"
        )
    rows = await (
        select.order_by(Certificate.issued_at)
        .order_by(Certificate.seq)
        .order_by(Certificate.number)
    )
    lines = [
        _row(n, to_item(settings, row, on), load_json(row["snapshot"]), settings.timezone)
        for n, row in enumerate(rows, start=1)
    ]
    name = f"register-sertifikat-{on.isoformat()}"
    if output == "csv":
        return csv_bytes(COLUMNS, lines), CSV_MEDIA_TYPE, f"{name}.csv"
    title = [
        *await kop_for_path(caller.unit_path, records.letterhead),
        "BUKU REGISTER SERTIFIKAT PELATIHAN",
    ]
    content = await anyio.to_thread.run_sync(
        xlsx_bytes, [Sheet("Register sertifikat", COLUMNS, lines, title)]
    )
    return content, XLSX_MEDIA_TYPE, f"{name}.xlsx"

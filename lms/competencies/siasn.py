"""Export of the ledger to SIASN (BKN) as "riwayat kursus" rows, as CSV or JSON.

One row per approved ledger entry that carries a certificate number, for people of the unit
and below, in the year the learning ended. The shape is the one SIASN integrations send
(DOMAIN.md): ``jenisDiklatId``, ``namaKursus``, ``institusiPenyelenggara``, ``jumlahJam``
(an integer: the entry's JP rounded half-up), ``nomorSertipikat``, ``tahunKursus`` (the year
the learning ended), ``tanggalKursus`` and ``tanggalSelesaiKursus`` (``DD-MM-YYYY``), plus
``nip``. SIASN identifies people by NIP, so certificates of people without one are left out
and counted in ``skipped_without_nip``.

The CSV is ``;``-separated with a UTF-8 BOM, so Excel in an Indonesian locale opens it in
columns; the XLSX carries the unit's kop, NIPs as text and real dates. Both are written by
:mod:`lms.shared.tabular`, which keeps typed text from becoming a formula.
"""

from __future__ import annotations

import datetime as dt
from uuid import UUID

import anyio

from lms.auth.caller import Caller
from lms.competencies.report_schemas import SiasnExport, SiasnRecord
from lms.competencies.scope import kop_lines, report_scope
from lms.competencies.skm import round_half_up
from lms.competencies.tables import LearningRecord
from lms.competencies.totals import to_jp
from lms.shared.letterhead import LetterheadSource
from lms.shared.tabular import Column, Sheet, csv_bytes, xlsx_bytes

FIELDS = tuple(SiasnRecord.__struct_fields__)
_WIDTHS = {"nip": 22, "namaKursus": 44, "institusiPenyelenggara": 34, "nomorSertipikat": 28}
_NUMBERS = {"jenisDiklatId", "jumlahJam", "tahunKursus"}
COLUMNS = tuple(
    Column(field, _WIDTHS.get(field, 14), "integer" if field in _NUMBERS else "text")
    for field in FIELDS
)


def siasn_date(value: dt.date) -> str:
    """A date as SIASN expects it: ``DD-MM-YYYY``."""
    return f"{value.day:02d}-{value.month:02d}-{value.year:04d}"


class SiasnService:
    """Builds the riwayat-kursus export (the workbook under the office's kop: ``letterhead``)."""

    def __init__(self, letterhead: LetterheadSource | None = None) -> None:
        self.letterhead = letterhead

    async def export(self, caller: Caller, *, year: int, unit_id: UUID | None) -> SiasnExport:
        """The rows of ``year`` for the unit and below (default: the caller's unit).

        Raises:
            NotFound: the unit is unknown or outside the caller's scope.
        """
        scope = await report_scope(caller, unit_id)
        person = LearningRecord.person._
        rows = await (
            LearningRecord.select(
                person.nip.as_alias("nip"),
                LearningRecord.jenis_diklat,
                LearningRecord.title,
                LearningRecord.organizer,
                LearningRecord.jp,
                LearningRecord.certificate_number,
                LearningRecord.year,
                LearningRecord.start_date,
                LearningRecord.end_date,
            )
            .where(
                (person.unit._.path.like(scope.prefix + "%"))
                & (LearningRecord.year == year)
                & (LearningRecord.status == "approved")
                & (LearningRecord.certificate_number != "")
            )
            .order_by(person.nip)
            .order_by(LearningRecord.end_date)
            .order_by(LearningRecord.title)
        )
        items = [
            SiasnRecord(
                nip=row["nip"],
                jenisDiklatId=row["jenis_diklat"],
                namaKursus=row["title"],
                institusiPenyelenggara=row["organizer"],
                jumlahJam=int(round_half_up(to_jp(row["jp"]), 0)),
                nomorSertipikat=row["certificate_number"],
                tahunKursus=row["year"],
                tanggalKursus=siasn_date(row["start_date"]),
                tanggalSelesaiKursus=siasn_date(row["end_date"]),
            )
            for row in rows
            if row["nip"]
        ]
        return SiasnExport(
            items=items, total=len(items), skipped_without_nip=len(rows) - len(items)
        )

    async def csv(self, caller: Caller, *, year: int, unit_id: UUID | None) -> bytes:
        """The export as CSV (``;``, UTF-8 with BOM, header row with SIASN's field names)."""
        export = await self.export(caller, year=year, unit_id=unit_id)
        return csv_bytes(
            COLUMNS, [[getattr(item, field) for field in FIELDS] for item in export.items]
        )

    async def xlsx(self, caller: Caller, *, year: int, unit_id: UUID | None) -> bytes:
        """The export as an Excel workbook under the unit's kop (same columns as the CSV)."""
        export = await self.export(caller, year=year, unit_id=unit_id)
        kop = await kop_lines(await report_scope(caller, unit_id), self.letterhead)
        sheet = Sheet(
            "Riwayat kursus",
            COLUMNS,
            [[getattr(item, field) for field in FIELDS] for item in export.items],
            [*kop, f"Riwayat kursus untuk SIASN tahun {year}"],
        )
        return await anyio.to_thread.run_sync(xlsx_bytes, [sheet])

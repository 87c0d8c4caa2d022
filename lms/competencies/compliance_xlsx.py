"""The compliance report as an Excel workbook (``?format=xlsx``; ``csv`` is the summary): a
summary sheet with every
unit of the report (indented by depth) and a sheet with every person below target, each under
the office's kop, with a frozen, filterable header (written by :mod:`lms.shared.tabular`).

NIPs are written as text (Excel would turn 18 digits into a rounded float).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from lms.competencies.report_schemas import ComplianceReport, UnitCompliance
from lms.shared.tabular import Column, Sheet, csv_bytes, xlsx_bytes

_SUMMARY = (
    Column("Unit", 44),
    Column("Kode", 14),
    Column("PNS", 8, "integer"),
    Column("PNS capai target", 10, "integer"),
    Column("PNS %", 9, "percent"),
    Column("PPPK", 8, "integer"),
    Column("PPPK capai target", 10, "integer"),
    Column("PPPK %", 9, "percent"),
    Column("Jumlah", 9, "integer"),
    Column("Capai target", 10, "integer"),
    Column("%", 9, "percent"),
    Column("Di bawah target", 10, "integer"),
    Column("PPPK > batas maks", 10, "integer"),
)
_BELOW = (
    Column("No", 6, "integer"),
    Column("NIP", 24),
    Column("Nama", 34),
    Column("Jenis ASN", 10),
    Column("Jabatan", 34),
    Column("Unit", 34),
    Column("JP", 8, "decimal"),
    Column("Target", 8, "integer"),
    Column("Kekurangan", 11, "decimal"),
)


def workbook(report: ComplianceReport, kop: Sequence[str] = ()) -> bytes:
    """The workbook's bytes; ``kop`` are the letterhead lines above each sheet's title."""
    title = [*kop, f"Kepatuhan 20 JP tahun {report.year}: {report.summary.name}"]
    units = [report.summary] if report.summary.unit_id is None else []
    units += report.units
    below = [
        [
            number,
            p.nip_display,
            p.name,
            p.asn_type.upper(),
            p.jabatan,
            p.unit_name,
            p.jp,
            p.target_jp,
            p.shortfall_jp,
        ]
        for number, p in enumerate(report.below_target, start=1)
    ]
    return xlsx_bytes(
        [
            Sheet("Ringkasan", _SUMMARY, [_unit_cells(u) for u in units], title),
            Sheet("Di bawah target", _BELOW, below, [*kop, "Pegawai di bawah target JP"]),
        ]
    )


def summary_csv(report: ComplianceReport) -> bytes:
    """The summary sheet as CSV (``;``, BOM): one row per unit, without the kop."""
    units = [report.summary] if report.summary.unit_id is None else []
    units += report.units
    return csv_bytes(_SUMMARY, [_unit_cells(u) for u in units])


def _unit_cells(unit: UnitCompliance) -> list[Any]:
    return [
        "    " * unit.depth + unit.name,
        unit.code,
        unit.pns.headcount,
        unit.pns.reached,
        unit.pns.share_percent,
        unit.pppk.headcount,
        unit.pppk.reached,
        unit.pppk.share_percent,
        unit.all.headcount,
        unit.all.reached,
        unit.all.share_percent,
        unit.all.below,
        unit.pppk_above_max,
    ]

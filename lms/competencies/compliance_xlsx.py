"""The compliance report as an Excel workbook (``?format=xlsx``): a summary sheet with every
unit of the report (indented by depth) and a sheet with every person below target.

NIPs are written as text (Excel would turn 18 digits into a rounded float).
"""

from __future__ import annotations

import io
from typing import Any

from lms.competencies.report_schemas import ComplianceReport, UnitCompliance


def workbook(report: ComplianceReport) -> bytes:
    """The workbook's bytes."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    sheet = wb.create_sheet("Ringkasan")
    sheet.append([f"Kepatuhan 20 JP tahun {report.year}: {report.summary.name}"])
    sheet.append(
        [
            "Unit",
            "Kode",
            "PNS",
            "PNS capai target",
            "PNS %",
            "PPPK",
            "PPPK capai target",
            "PPPK %",
            "Jumlah",
            "Capai target",
            "%",
            "Di bawah target",
            "PPPK > batas maks",
        ]
    )
    for unit in [report.summary] if report.summary.unit_id is None else []:
        sheet.append(_unit_cells(unit))
    for unit in report.units:
        sheet.append(_unit_cells(unit))
    people = wb.create_sheet("Di bawah target")
    people.append(
        ["No", "NIP", "Nama", "Jenis ASN", "Jabatan", "Unit", "JP", "Target", "Kekurangan"]
    )
    for number, p in enumerate(report.below_target, start=1):
        people.append(
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
        )
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


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

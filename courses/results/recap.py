"""Rekap nilai: a session's results as the office files them, in XLSX or CSV.

The rows are exactly what ``GET /sessions/{id}/results`` answers the caller (live until
finalized, frozen after), so the file and the screen never disagree; the XLSX adds the office's
kop, the course and the dates above a frozen, filterable header, and both are written by
:mod:`lms.shared.tabular` (typed names stay text, never a formula).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import anyio

from courses.delivery.sessions.access import get_visible_session
from courses.results.results import ResultService
from courses.results.schemas import SessionResults
from lms.auth.caller import Caller
from lms.competencies.scope import kop_for_path
from lms.people.nip import format_nip
from lms.shared.indonesian import format_date_range
from lms.shared.tabular import (
    CSV_MEDIA_TYPE,
    XLSX_MEDIA_TYPE,
    Column,
    FileFormat,
    Sheet,
    csv_bytes,
    xlsx_bytes,
)

COMPONENT_TITLES = {
    "attendance": "Kehadiran",
    "post_test": "Post-test",
    "trainer_assessment": "Penilaian pengajar",
    "assignment": "Tugas",
    "project": "Proyek",
}


def recap_columns(components: list[str]) -> list[Column]:
    """No, NIP, name, each weighed component, attendance, final score, pass, predikat, note."""
    return [
        Column("No", 6, "integer"),
        Column("NIP", 24),
        Column("Nama", 34),
        *(Column(COMPONENT_TITLES.get(c, c), 12, "decimal") for c in components),
        Column("Kehadiran %", 12, "decimal"),
        Column("Nilai akhir", 11, "decimal"),
        Column("Lulus", 8),
        Column("Predikat", 22),
        Column("Keterangan", 30),
    ]


def recap_rows(results: SessionResults, components: list[str]) -> list[list[Any]]:
    """One row per result, in the order of the results."""
    return [
        [
            number,
            format_nip(item.nip) if item.nip else "",
            item.name,
            *(item.components.get(c) for c in components),
            item.attendance_percent,
            item.final_score,
            "Ya" if item.passed else "Tidak",
            item.predikat,
            "Belum ada: " + ", ".join(COMPONENT_TITLES.get(m, m) for m in item.missing)
            if item.missing
            else "",
        ]
        for number, item in enumerate(results.items, start=1)
    ]


async def results_recap(
    service: ResultService, caller: Caller, session_id: UUID, output: FileFormat
) -> tuple[bytes, str, str]:
    """The rekap nilai file: ``(content, media type, file name)``.

    Raises:
        NotFound: the session is unknown or not visible to the caller.
    """
    session = await get_visible_session(caller, session_id)
    results = await service.results(caller, session_id)
    components = [c for c in results.rules.weights if c != "attendance"]
    columns = recap_columns(components)
    rows = recap_rows(results, components)
    name = f"rekap-nilai-{session.course_code}-{session_id.hex[:8]}".lower()
    if output == "csv":
        return csv_bytes(columns, rows), CSV_MEDIA_TYPE, f"{name}.csv"
    status = "final" if results.finalized else "sementara (belum difinalisasi)"
    title = [
        *await kop_for_path(session.unit_path, service.letterhead),
        f"REKAP NILAI PESERTA: {session.course_title}",
        f"{session.name}, {format_date_range(session.start_date, session.end_date)}; "
        f"nilai {status}; batas lulus {results.rules.pass_mark}",
    ]
    sheet = Sheet("Rekap nilai", columns, rows, title)
    content = await anyio.to_thread.run_sync(xlsx_bytes, [sheet])
    return content, XLSX_MEDIA_TYPE, f"{name}.xlsx"

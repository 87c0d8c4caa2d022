"""Rekap kehadiran: a session's attendance per participant and day, in XLSX or CSV.

The rows are the attendance summary the caller may see (``GET /sessions/{id}/attendance``);
each day is one column with a letter an office recognises (H hadir, T terlambat, I izin,
A alpa, blank: not marked), then the counts and the percentage that the pass rule uses.
Written by :mod:`lms.shared.tabular` (names stay text, never a formula).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import anyio

from courses.delivery.attendance.schemas import AttendanceSummary
from courses.delivery.attendance.service import AttendanceService
from courses.delivery.sessions.access import get_visible_session
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

MARK_LETTERS = {"present": "H", "late": "T", "excused": "I", "absent": "A"}
LEGEND = "H hadir, T terlambat (dihitung hadir), I izin, A alpa, kosong: belum diisi"


def recap_columns(summary: AttendanceSummary) -> list[Column]:
    """No, NIP, name, one column per day (``dd/mm``), the counts and the percentage."""
    return [
        Column("No", 6, "integer"),
        Column("NIP", 24),
        Column("Nama", 34),
        *(Column(f"{day.day:02d}/{day.month:02d}", 7) for day in summary.days),
        Column("Hadir", 8, "integer"),
        Column("Terlambat", 10, "integer"),
        Column("Izin", 7, "integer"),
        Column("Alpa", 7, "integer"),
        Column("Belum diisi", 11, "integer"),
        Column("Kehadiran %", 12, "decimal"),
    ]


def recap_rows(summary: AttendanceSummary) -> list[list[Any]]:
    """One row per participant, by name."""
    return [
        [
            number,
            format_nip(person.nip) if person.nip else "",
            person.full_name,
            *(MARK_LETTERS.get(mark.status or "", "") for mark in person.marks),
            person.attended_days,
            person.late_days,
            person.excused_days,
            person.absent_days,
            person.unmarked_days,
            person.percent,
        ]
        for number, person in enumerate(summary.people, start=1)
    ]


async def attendance_recap(
    service: AttendanceService, caller: Caller, session_id: UUID, output: FileFormat
) -> tuple[bytes, str, str]:
    """The rekap kehadiran file: ``(content, media type, file name)``.

    Raises:
        NotFound: the session is unknown or not visible to the caller.
    """
    session = await get_visible_session(caller, session_id)
    summary = await service.summary(caller, session_id)
    columns = recap_columns(summary)
    rows = recap_rows(summary)
    name = f"rekap-kehadiran-{session.course_code}-{session_id.hex[:8]}".lower()
    if output == "csv":
        return csv_bytes(columns, rows), CSV_MEDIA_TYPE, f"{name}.csv"
    title = [
        *await kop_for_path(session.unit_path, service.letterhead),
        f"REKAP KEHADIRAN PESERTA: {session.course_title}",
        f"{session.name}, {format_date_range(session.start_date, session.end_date)}; {LEGEND}",
    ]
    sheet = Sheet("Rekap kehadiran", columns, rows, title)
    content = await anyio.to_thread.run_sync(xlsx_bytes, [sheet])
    return content, XLSX_MEDIA_TYPE, f"{name}.xlsx"

"""The reaction-evaluation report as the office files it, in XLSX or CSV.

The figures are those of ``GET /sessions/{id}/evaluation-report`` for the same caller (a
trainer sees the organization and their own section only): one row per target and item with
the respondents, the mean and how many gave each score; the XLSX adds a sheet with the
comments and the office's kop. Written by :mod:`lms.shared.tabular` (participants' comments
are typed text and stay text, never a formula).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import anyio

from courses.assessments.reports.evaluations import EvaluationService
from courses.assessments.reports.schemas import EvaluationReport, TargetReport
from courses.delivery.sessions.access import get_visible_session
from lms.auth.caller import Caller
from lms.competencies.scope import kop_for_path
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

ORGANIZATION = "Penyelenggara"


def _label(target: TargetReport) -> str:
    return ORGANIZATION if target.target == "organization" else f"Narasumber: {target.name}"


def item_columns(scale_max: int) -> list[Column]:
    """Target, item code and text, respondents, mean, then one count per score."""
    return [
        Column("Sasaran", 30),
        Column("Kode", 8),
        Column("Pernyataan", 50),
        Column("Responden", 11, "integer"),
        Column("Rata-rata", 10, "decimal"),
        *(Column(f"Skor {score}", 8, "integer") for score in range(1, scale_max + 1)),
    ]


def item_rows(report: EvaluationReport) -> list[list[Any]]:
    """Organization first, then each trainer; a target's overall mean closes its rows."""
    rows: list[list[Any]] = []
    for target in [report.organization, *report.trainers]:
        label = _label(target)
        for item in target.items:
            rows.append([label, item.code, item.text, item.n, item.mean, *item.distribution])
        rows.append([label, "", "Rata-rata keseluruhan", target.respondents, target.mean])
    return rows


async def evaluation_recap(
    service: EvaluationService, caller: Caller, session_id: UUID, output: FileFormat
) -> tuple[bytes, str, str]:
    """The evaluation report file: ``(content, media type, file name)``.

    Raises:
        NotFound: the session is unknown or not visible to the caller.
    """
    report = await service.report(caller, session_id)
    session = await get_visible_session(caller, session_id)
    columns = item_columns(report.scale_max)
    rows = item_rows(report)
    name = f"evaluasi-{session.course_code}-{session_id.hex[:8]}".lower()
    if output == "csv":
        return csv_bytes(columns, rows), CSV_MEDIA_TYPE, f"{name}.csv"
    kop = await kop_for_path(session.unit_path, service.letterhead)
    title = [
        *kop,
        f"LAPORAN EVALUASI PENYELENGGARAAN: {session.course_title}",
        f"{session.name}, {format_date_range(session.start_date, session.end_date)}; "
        f"{report.respondents} dari {report.participants} peserta mengisi; skala 1–"
        f"{report.scale_max}",
    ]
    comments = [
        [_label(target), comment]
        for target in [report.organization, *report.trainers]
        for comment in target.comments
    ]
    sheets = [
        Sheet("Evaluasi", columns, rows, title),
        Sheet("Saran", [Column("Sasaran", 30), Column("Saran dan komentar", 80)], comments, kop),
    ]
    content = await anyio.to_thread.run_sync(xlsx_bytes, sheets)
    return content, XLSX_MEDIA_TYPE, f"{name}.xlsx"

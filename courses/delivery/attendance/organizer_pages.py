"""An organizer's attendance recap of a session: every participant's mark per day and
percentage, with the rekap kehadiran as XLSX or CSV (``AttendanceService.summary`` and
``attendance_recap``, as the API)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Request, get
from litestar.di import NamedDependency
from litestar.enums import MediaType
from litestar.params import FromPath
from litestar.response import Response, Template

from courses.delivery.attendance.recap import attendance_recap
from courses.delivery.attendance.service import AttendanceService
from courses.delivery.sessions.access import get_managed_session
from courses.delivery.sessions.pages import session_heading
from lms.shared.responses import attachment
from lms.shared.tabular import FileFormat
from lms.web.shell import page_guard

PageRequest = Request[Any, Any, Any]
#: A mark as one letter in the table (the legend under it spells them out).
MARKS = {"present": "H", "late": "T", "excused": "I", "absent": "A", None: "·"}
DAY_NAMES = ("Sen", "Sel", "Rab", "Kam", "Jum", "Sab", "Min")


@get(
    "/kelola/sesi/{session_id:uuid}/kehadiran",
    operation_id="organizerAttendancePage",
    media_type=MediaType.HTML,
    guards=[page_guard("organizer")],
)
async def attendance_page(
    request: PageRequest,
    session_id: FromPath[UUID],
    attendance_service: NamedDependency[AttendanceService],
) -> Template:
    """The recap: a row per participant, a column per day, the percentage last."""
    session = await get_managed_session(request.user, session_id)
    summary = await attendance_service.summary(request.user, session_id)
    return Template(
        "delivery/attendance_recap.html",
        context={
            "s": session_heading(session),
            "days": [f"{DAY_NAMES[d.weekday()]} {d.day}/{d.month}" for d in summary.days],
            "people": [
                {
                    "name": p.full_name,
                    "marks": [MARKS.get(m.status, "?") for m in p.marks],
                    "percent": p.percent,
                    "unmarked": p.unmarked_days,
                }
                for p in summary.people
            ],
        },
        media_type=MediaType.HTML,
    )


@get(
    "/kelola/sesi/{session_id:uuid}/kehadiran/rekap",
    operation_id="organizerAttendanceRecapPage",
    guards=[page_guard("organizer")],
)
async def attendance_download(
    request: PageRequest,
    session_id: FromPath[UUID],
    attendance_service: NamedDependency[AttendanceService],
) -> Response[bytes]:
    """The rekap kehadiran as XLSX (default) or CSV (``?format=csv``)."""
    await get_managed_session(request.user, session_id)
    output: FileFormat = "csv" if request.query_params.get("format") == "csv" else "xlsx"
    content, media_type, filename = await attendance_recap(
        attendance_service, request.user, session_id, output
    )
    return attachment(content, media_type, filename)


PAGES = [attendance_page, attendance_download]

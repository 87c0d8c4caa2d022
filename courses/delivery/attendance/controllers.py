"""Attendance routes: bulk marks, summary, check-in and its code, and the sign-in sheet PDF."""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from uuid import UUID

import msgspec
from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from courses.delivery.attendance.checkin import CheckinService
from courses.delivery.attendance.recap import attendance_recap
from courses.delivery.attendance.schemas import (
    AttendanceMarkInput,
    AttendanceSaved,
    AttendanceSummary,
    CheckinCode,
    CheckinInput,
    CheckinRead,
)
from courses.delivery.attendance.service import AttendanceService
from courses.delivery.attendance.sheet import AttendanceSheetService
from lms.auth.caller import CallerRequest
from lms.auth.guards import ANY_ROLE, allow
from lms.shared.openapi import problem_responses, with_file_alternative
from lms.shared.openapi_statuses import CHECKIN, READ, SHEET, WRITE
from lms.shared.responses import attachment
from lms.shared.tabular import CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE, FileFormat

MarkList = Annotated[list[AttendanceMarkInput], msgspec.Meta(max_length=10_000)]


class AttendanceController(Controller):
    """``/api/v1/sessions/{id}/attendance``, ``/check-in``, ``/check-in-code`` and
    ``/attendance-sheet.pdf``."""

    path = "/api/v1/sessions/{session_id:uuid}"
    tags = ["attendance"]

    @post(
        "/attendance",
        operation_id="markAttendance",
        responses=problem_responses(*WRITE),
        guards=[allow("organizer", "trainer")],
        status_code=200,
    )
    async def mark(
        self,
        session_id: FromPath[UUID],
        data: JSONBody[MarkList],
        request: CallerRequest,
        attendance_service: NamedDependency[AttendanceService],
    ) -> AttendanceSaved:
        """Mark attendance in bulk: ``[{person_id, day, status}]`` (organizer, trainers)."""
        return await attendance_service.mark(request.user, session_id, data)

    @get(
        "/attendance",
        operation_id="getAttendance",
        responses=problem_responses(*READ),
        guards=[allow(*ANY_ROLE)],
    )
    async def summary(
        self,
        session_id: FromPath[UUID],
        request: CallerRequest,
        attendance_service: NamedDependency[AttendanceService],
    ) -> AttendanceSummary:
        """Marks per day and attendance % per participant (present and late count)."""
        return await attendance_service.summary(request.user, session_id)

    @get(
        "/attendance/recap",
        operation_id="getAttendanceRecap",
        operation_class=with_file_alternative(CSV_MEDIA_TYPE),
        responses=problem_responses(*READ),
        guards=[allow("organizer", "trainer", "hr")],
        media_type=XLSX_MEDIA_TYPE,
    )
    async def attendance_recap(
        self,
        session_id: FromPath[UUID],
        request: CallerRequest,
        attendance_service: NamedDependency[AttendanceService],
        output: Annotated[
            FileFormat, QueryParameter(name="format", description="xlsx atau csv")
        ] = "xlsx",
    ) -> Response[bytes]:
        """Rekap kehadiran as a file: XLSX under the office's kop, or CSV (``;``, BOM)."""
        content, media_type, filename = await attendance_recap(
            attendance_service, request.user, session_id, output
        )
        return attachment(content, media_type, filename)

    @post(
        "/check-in",
        operation_id="checkIn",
        responses=problem_responses(*CHECKIN),
        guards=[allow("participant")],
        status_code=201,
    )
    async def check_in(
        self,
        session_id: FromPath[UUID],
        data: JSONBody[CheckinInput],
        request: CallerRequest,
        checkin_service: NamedDependency[CheckinService],
    ) -> CheckinRead:
        """Check in for today with the code the trainer shows (once per day)."""
        return await checkin_service.check_in(request.user, session_id, data.code)

    @get(
        "/check-in-code",
        operation_id="getCheckinCode",
        responses=problem_responses(*READ),
        guards=[allow("organizer", "trainer")],
    )
    async def check_in_code(
        self,
        session_id: FromPath[UUID],
        request: CallerRequest,
        checkin_service: NamedDependency[CheckinService],
    ) -> CheckinCode:
        """The rotating check-in code to show participants now."""
        return await checkin_service.current_code(request.user, session_id)

    @get(
        "/attendance-sheet.pdf",
        operation_id="getAttendanceSheet",
        responses=problem_responses(*SHEET),
        guards=[allow("organizer", "trainer")],
        media_type="application/pdf",
    )
    async def attendance_sheet(
        self,
        session_id: FromPath[UUID],
        request: CallerRequest,
        attendance_sheet_service: NamedDependency[AttendanceSheetService],
        day: FromQuery[dt.date | None] = None,
    ) -> Response[bytes]:
        """The daftar hadir as PDF, for one day (``?day=YYYY-MM-DD``) or every day."""
        pdf, filename = await attendance_sheet_service.render(request.user, session_id, day)
        return Response(
            content=pdf,
            media_type="application/pdf",
            headers={"Content-Disposition": f'inline; filename="{filename}"'},
        )

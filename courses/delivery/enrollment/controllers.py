"""Enrollment routes: add, import, list, withdraw and approve."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from litestar import Controller, Response, delete, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, MultipartBody

from courses.delivery.enrollment.importing import EnrollmentImportService
from courses.delivery.enrollment.schemas import (
    EnrollmentBatch,
    EnrollmentCreate,
    EnrollmentImportReport,
    EnrollmentRead,
    EnrollmentStatus,
    MyEnrollment,
    Withdrawal,
    WithdrawalCreate,
)
from courses.delivery.enrollment.service import EnrollmentService
from lms.auth.caller import CallerRequest
from lms.auth.guards import ANY_ROLE, allow
from lms.jobs.schemas import JobAccepted
from lms.shared.errors import PayloadTooLarge
from lms.shared.openapi import problem_responses
from lms.shared.openapi_statuses import LIST, READ, UPLOAD, WRITE
from lms.shared.params import LimitQuery, OffsetQuery
from lms.shared.schemas import Page


@dataclass
class ImportUpload:
    """The multipart form of an import: one ``file`` (.csv or .xlsx)."""

    file: UploadFile


class EnrollmentController(Controller):
    """``/api/v1/sessions/{id}/enrollments`` and ``/api/v1/enrollments/{id}``."""

    path = "/api/v1"
    tags = ["enrollments"]

    @post(
        "/sessions/{session_id:uuid}/enrollments",
        operation_id="createEnrollments",
        responses=problem_responses(*WRITE),
        guards=[allow("organizer", "participant")],
    )
    async def create_enrollments(
        self,
        session_id: FromPath[UUID],
        request: CallerRequest,
        enrollment_service: NamedDependency[EnrollmentService],
        data: JSONBody[EnrollmentCreate | None] = None,
    ) -> EnrollmentBatch:
        """Enroll people (organizer: ``person_ids``) or oneself (participant: ``{}``)."""
        return await enrollment_service.create(request.user, session_id, data)

    @get(
        "/sessions/{session_id:uuid}/enrollments",
        operation_id="listEnrollments",
        responses=problem_responses(*READ),
        guards=[allow(*ANY_ROLE)],
    )
    async def list_enrollments(
        self,
        session_id: FromPath[UUID],
        request: CallerRequest,
        enrollment_service: NamedDependency[EnrollmentService],
        status: FromQuery[EnrollmentStatus | None] = None,
        limit: LimitQuery = 200,
        offset: OffsetQuery = 0,
    ) -> Page[EnrollmentRead]:
        """Enrollments in arrival order (a participant sees only their own)."""
        return await enrollment_service.for_session(
            request.user, session_id, status=status, limit=limit, offset=offset
        )

    @post(
        "/sessions/{session_id:uuid}/enrollments/import",
        operation_id="importEnrollments",
        responses=problem_responses(*UPLOAD),
        guards=[allow("organizer")],
        status_code=200,
    )
    async def import_enrollments(
        self,
        session_id: FromPath[UUID],
        data: MultipartBody[ImportUpload],
        request: CallerRequest,
        enrollment_import_service: NamedDependency[EnrollmentImportService],
    ) -> Response[EnrollmentImportReport | JobAccepted]:
        """Import a participant list (.csv/.xlsx), creating missing people, and enroll them.

        A list of more than 1,000 rows is imported by a job: 202 with ``{"job_id", "url"}``,
        the report is the job's ``result``.
        """
        limit = enrollment_import_service.settings.max_upload_bytes
        content = await data.file.read(limit + 1)
        if len(content) > limit:
            raise PayloadTooLarge(f"Berkas lebih dari {limit // (1024 * 1024)} MB.")
        outcome = await enrollment_import_service.run(
            request.user, session_id, content, data.file.filename or "peserta.csv"
        )
        return Response(outcome, status_code=202 if isinstance(outcome, JobAccepted) else 200)

    @get(
        "/enrollments/mine",
        operation_id="listMyEnrollments",
        responses=problem_responses(*LIST),
        guards=[allow("participant")],
    )
    async def my_enrollments(
        self,
        request: CallerRequest,
        enrollment_service: NamedDependency[EnrollmentService],
    ) -> list[MyEnrollment]:
        """The caller's own enrollments, newest session first."""
        return await enrollment_service.mine(request.user)

    @delete(
        "/enrollments/{enrollment_id:uuid}",
        operation_id="withdrawEnrollment",
        responses=problem_responses(*WRITE),
        guards=[allow("organizer", "participant")],
        status_code=200,
    )
    async def withdraw(
        self,
        enrollment_id: FromPath[UUID],
        request: CallerRequest,
        enrollment_service: NamedDependency[EnrollmentService],
        data: JSONBody[WithdrawalCreate | None] = None,
    ) -> Withdrawal:
        """Withdraw (own, or one the organizer manages); the first waitlisted moves up.

        An optional body ``{"reason": "..."}`` says why; it is kept in the audit log. A
        withdrawn person is enrolled again by ``POST /sessions/{id}/enrollments`` (organizers):
        the enrollment reopens at the end of the queue.
        """
        reason = data.reason if data is not None else None
        return await enrollment_service.withdraw(request.user, enrollment_id, reason)

    @post(
        "/enrollments/{enrollment_id:uuid}/approve",
        operation_id="approveEnrollment",
        responses=problem_responses(*WRITE),
        guards=[allow("organizer")],
        status_code=200,
    )
    async def approve(
        self,
        enrollment_id: FromPath[UUID],
        request: CallerRequest,
        enrollment_service: NamedDependency[EnrollmentService],
    ) -> EnrollmentRead:
        """Approve a requested enrollment: a seat if free, else the waitlist."""
        return await enrollment_service.approve(request.user, enrollment_id)

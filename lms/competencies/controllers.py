"""Competency framework, learning records and transcripts: thin controllers over the services.

Roles: every logged-in user reads the framework; HR and admins add to it. Learning records
and transcripts are visible to the person themselves, HR/organizers of their unit or above,
and admins (others: 404). Reports and SKM live in :mod:`lms.competencies.report_controllers`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated
from uuid import UUID

from litestar import Controller, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, MultipartBody, QueryParameter
from litestar.response import File

from lms.auth.caller import CallerRequest
from lms.auth.guards import allow
from lms.competencies.framework import FrameworkService
from lms.competencies.pdf import PDF_MEDIA_TYPE
from lms.competencies.records import LedgerService
from lms.competencies.schemas import (
    CompetencyCreate,
    CompetencyImportReport,
    CompetencyRead,
    LearningRecordCreate,
    LearningRecordDecision,
    LearningRecordRead,
    SkmElement,
    Transcript,
)
from lms.competencies.transcript import TranscriptService
from lms.shared.openapi import problem_responses
from lms.shared.params import LimitQuery, SearchQuery
from lms.shared.responses import attachment
from lms.shared.schemas import Page

EVERYONE = allow("organizer", "trainer", "participant", "hr")
YearFilter = Annotated[int | None, QueryParameter(ge=1990, le=2100, description="Tahun (JP)")]
OffsetQuery = Annotated[int, QueryParameter(ge=0, le=1_000_000_000, description="Rows to skip")]
StatusFilter = Annotated[
    str | None,
    QueryParameter(pattern="^(pending|approved|rejected|revoked)$", description="Status"),
]


@dataclass
class FileUpload:
    """A multipart form with one file."""

    file: UploadFile


class CompetencyController(Controller):
    """``/api/v1/competencies``: the competency framework."""

    path = "/api/v1/competencies"
    tags = ["competencies"]

    @get(
        "/",
        operation_id="listCompetencies",
        guards=[EVERYONE],
        responses=problem_responses(400, 401),
    )
    async def list_competencies(
        self,
        framework_service: NamedDependency[FrameworkService],
        limit: LimitQuery = 200,
        offset: OffsetQuery = 0,
        q: SearchQuery = None,
        skm_element: FromQuery[SkmElement | None] = None,
    ) -> Page[CompetencyRead]:
        """Competencies by code; filter by text or by the SKM element they should move."""
        return await framework_service.list(
            limit=limit, offset=offset, q=q, skm_element=skm_element
        )

    @post(
        "/",
        operation_id="createCompetency",
        guards=[allow("hr")],
        responses=problem_responses(400, 401, 403, 409),
    )
    async def create_competency(
        self,
        data: JSONBody[CompetencyCreate],
        request: CallerRequest,
        framework_service: NamedDependency[FrameworkService],
    ) -> CompetencyRead:
        """Add a competency (code unique, stored upper-case; 409 when taken)."""
        return await framework_service.create(request.user, data)

    @post(
        "/import",
        operation_id="importCompetencies",
        status_code=200,
        guards=[allow("hr")],
        responses=problem_responses(400, 401, 403, 413),
    )
    async def import_competencies(
        self,
        data: MultipartBody[FileUpload],
        request: CallerRequest,
        framework_service: NamedDependency[FrameworkService],
    ) -> CompetencyImportReport:
        """Import a framework file (.csv/.xlsx: code, name, description, skm_elements[, levels]).

        Existing codes are updated; bad rows are listed with their row number and skipped.
        """
        content = await data.file.read()
        return await framework_service.import_file(request.user, content, data.file.filename or "")


class LearningRecordController(Controller):
    """``/api/v1/people/{person_id}/learning-records``: one person's JP ledger."""

    path = "/api/v1/people/{person_id:uuid}/learning-records"
    tags = ["learning records"]
    guards = [EVERYONE]

    @get("/", operation_id="listLearningRecords", responses=problem_responses(400, 401, 404))
    async def list_records(
        self,
        person_id: FromPath[UUID],
        request: CallerRequest,
        ledger_service: NamedDependency[LedgerService],
        limit: LimitQuery = 50,
        offset: OffsetQuery = 0,
        year: YearFilter = None,
        status: StatusFilter = None,
    ) -> Page[LearningRecordRead]:
        """The person's ledger, latest first (every status; only approved entries count)."""
        return await ledger_service.list(
            request.user, person_id, year=year, status=status, limit=limit, offset=offset
        )

    @post(
        "/",
        operation_id="createLearningRecord",
        responses=problem_responses(400, 401, 403, 404, 422),
    )
    async def create_record(
        self,
        person_id: FromPath[UUID],
        data: JSONBody[LearningRecordCreate],
        request: CallerRequest,
        ledger_service: NamedDependency[LedgerService],
    ) -> LearningRecordRead:
        """Record training done elsewhere: approved when HR records it, pending when the
        person reports their own."""
        return await ledger_service.create(request.user, person_id, data)

    @post(
        "/{record_id:uuid}/decision",
        operation_id="decideLearningRecord",
        status_code=200,
        guards=[allow("hr")],
        responses=problem_responses(400, 401, 403, 404, 409),
    )
    async def decide_record(
        self,
        person_id: FromPath[UUID],
        record_id: FromPath[UUID],
        data: JSONBody[LearningRecordDecision],
        request: CallerRequest,
        ledger_service: NamedDependency[LedgerService],
    ) -> LearningRecordRead:
        """Approve or reject a record of training done elsewhere (a rejection says why)."""
        return await ledger_service.decide(request.user, person_id, record_id, data)

    @post(
        "/{record_id:uuid}/proof",
        operation_id="uploadLearningRecordProof",
        status_code=200,
        responses=problem_responses(400, 401, 403, 404, 409, 413),
    )
    async def upload_proof(
        self,
        person_id: FromPath[UUID],
        record_id: FromPath[UUID],
        data: MultipartBody[FileUpload],
        request: CallerRequest,
        ledger_service: NamedDependency[LedgerService],
    ) -> LearningRecordRead:
        """Attach the proof of a record (PDF, JPG or PNG)."""
        content = await data.file.read()
        return await ledger_service.upload_proof(
            request.user, person_id, record_id, data.file.filename or "", content
        )

    @get(
        "/{record_id:uuid}/proof",
        operation_id="getLearningRecordProof",
        responses=problem_responses(401, 404),
        media_type="application/octet-stream",
    )
    async def get_proof(
        self,
        person_id: FromPath[UUID],
        record_id: FromPath[UUID],
        request: CallerRequest,
        ledger_service: NamedDependency[LedgerService],
    ) -> File:
        """Download the proof of a record."""
        proof = await ledger_service.proof(request.user, person_id, record_id)
        return File(path=proof.path, filename=proof.filename, media_type=proof.media_type)


class TranscriptController(Controller):
    """``/api/v1/people/{person_id}/transcript``: the person's learning transcript."""

    path = "/api/v1/people/{person_id:uuid}"
    tags = ["learning records"]
    guards = [EVERYONE]

    @get("/transcript", operation_id="getTranscript", responses=problem_responses(401, 404))
    async def transcript(
        self,
        person_id: FromPath[UUID],
        request: CallerRequest,
        transcript_service: NamedDependency[TranscriptService],
    ) -> Transcript:
        """Every approved learning event by year, totals against the target, competencies."""
        return await transcript_service.transcript(request.user, person_id)

    @get(
        "/transcript.pdf",
        operation_id="getTranscriptPdf",
        responses=problem_responses(401, 404),
        media_type=PDF_MEDIA_TYPE,
    )
    async def transcript_pdf(
        self,
        person_id: FromPath[UUID],
        request: CallerRequest,
        transcript_service: NamedDependency[TranscriptService],
    ) -> Response[bytes]:
        """The transcript as a PDF, one page per year."""
        content = await transcript_service.pdf(request.user, person_id)
        return attachment(content, PDF_MEDIA_TYPE, f"transkrip-{person_id}.pdf")

"""Question banks: thin controllers over ``BankService``, which applies the scope checks."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody

from courses.assessments.questions.banks import BankService
from courses.assessments.questions.inputs import QuestionInput
from courses.assessments.questions.schemas import (
    BankCreate,
    BankRead,
    ImportFormat,
    ImportReport,
    ImportText,
    QuestionRead,
)
from lms.auth.caller import CallerRequest
from lms.auth.guards import allow
from lms.shared.errors import BadRequest
from lms.shared.input_guard import decode_body
from lms.shared.params import LimitQuery, OffsetQuery
from lms.shared.schemas import Page

_MULTIPART = "multipart/form-data"


class BankController(Controller):
    """``/api/v1/question-banks``: banks of a unit, their questions with answer keys, import and
    export. Organizers manage; trainers of the unit read."""

    path = "/api/v1/question-banks"
    tags = ["assessments"]

    @get("/", operation_id="listQuestionBanks", guards=[allow("organizer", "trainer")])
    async def list_banks(
        self,
        request: CallerRequest,
        bank_service: NamedDependency[BankService],
        limit: LimitQuery = 50,
        offset: OffsetQuery = 0,
    ) -> Page[BankRead]:
        """Banks of the caller's unit and below, by name."""
        return await bank_service.list(request.user, limit=limit, offset=offset)

    @post("/", operation_id="createQuestionBank", guards=[allow("organizer")])
    async def create_bank(
        self,
        data: JSONBody[BankCreate],
        request: CallerRequest,
        bank_service: NamedDependency[BankService],
    ) -> BankRead:
        """Create an empty bank owned by a unit (the organizer's own by default)."""
        return await bank_service.create(request.user, data)

    @get("/{bank_id:uuid}", operation_id="getQuestionBank", guards=[allow("organizer", "trainer")])
    async def get_bank(
        self,
        bank_id: FromPath[UUID],
        request: CallerRequest,
        bank_service: NamedDependency[BankService],
    ) -> BankRead:
        """One bank with its question count and categories."""
        return await bank_service.get(request.user, bank_id)

    @post(
        "/{bank_id:uuid}/import",
        operation_id="importQuestions",
        status_code=200,
        guards=[allow("organizer")],
    )
    async def import_questions(
        self,
        bank_id: FromPath[UUID],
        request: CallerRequest,
        bank_service: NamedDependency[BankService],
    ) -> ImportReport:
        """Import a GIFT or Aiken file: multipart ``file`` (optional ``format`` field, else by
        extension and content) or JSON ``{"format": "gift"|"aiken", "text": "..."}``. Every
        readable question is stored; the others are listed with their line numbers."""
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(_MULTIPART):
            form = await request.form()
            upload = form.get("file")
            if not isinstance(upload, UploadFile):
                raise BadRequest(
                    "Unggah berkas soal pada field 'file'.",
                    errors=[{"field": "file", "message": "wajib diisi"}],
                )
            fmt = form.get("format")
            return await bank_service.import_file(
                request.user,
                bank_id,
                await upload.read(),
                fmt if isinstance(fmt, str) and fmt else None,
                upload.filename or "",
            )
        body = await decode_body(request, ImportText)
        return await bank_service.import_file(request.user, bank_id, body.text, body.format)

    @get(
        "/{bank_id:uuid}/questions",
        operation_id="listBankQuestions",
        guards=[allow("organizer", "trainer")],
    )
    async def list_questions(
        self,
        bank_id: FromPath[UUID],
        request: CallerRequest,
        bank_service: NamedDependency[BankService],
        limit: LimitQuery = 50,
        offset: OffsetQuery = 0,
        category: FromQuery[str | None] = None,
        type: FromQuery[str | None] = None,
    ) -> Page[QuestionRead]:
        """Questions with answer keys; ``category`` (with subcategories) and ``type`` filter."""
        return await bank_service.list_questions(
            request.user, bank_id, limit=limit, offset=offset, category=category, type_=type
        )

    @post(
        "/{bank_id:uuid}/questions",
        operation_id="createBankQuestion",
        guards=[allow("organizer")],
    )
    async def create_question(
        self,
        bank_id: FromPath[UUID],
        data: JSONBody[QuestionInput],
        request: CallerRequest,
        bank_service: NamedDependency[BankService],
    ) -> QuestionRead:
        """Add one question written by hand (option ids are assigned by the server)."""
        return await bank_service.add_question(request.user, bank_id, data)

    @get(
        "/{bank_id:uuid}/export",
        operation_id="exportQuestionBank",
        guards=[allow("organizer", "trainer")],
    )
    async def export_bank(
        self,
        bank_id: FromPath[UUID],
        request: CallerRequest,
        bank_service: NamedDependency[BankService],
        format: FromQuery[ImportFormat] = "gift",
    ) -> Response[str]:
        """The bank as a GIFT file (every type) or Aiken (single-choice questions only)."""
        text = await bank_service.export(request.user, bank_id, format)
        return Response(
            text,
            media_type="text/plain",  # Litestar adds "; charset=utf-8" to text/*
            # The file is the bank as written, [html] markup included: a download, never a
            # page, so no browser may sniff it into HTML.
            headers={
                "Content-Disposition": f'attachment; filename="bank-soal-{bank_id}.{format}"',
                "X-Content-Type-Options": "nosniff",
            },
        )

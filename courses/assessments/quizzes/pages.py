"""An organizer's quiz page of a session: the session's quizzes, uploading a GIFT (or Aiken)
file into a question bank with its report, and a quiz whose questions are drawn from a bank's
category for each attempt.

It calls ``BankService`` (list, create, import_file) and ``QuizService`` (list, create) as
the API does; a session the organizer does not manage is a 404.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.enums import MediaType
from litestar.params import FromPath
from litestar.response import Redirect, Template

from courses.assessments.questions.banks import BankService
from courses.assessments.questions.schemas import BankCreate, ImportReport, QuizCreate
from courses.assessments.quizzes.service import QuizService
from courses.delivery.sessions.access import get_managed_session
from courses.delivery.sessions.pages import session_heading
from lms.shared.errors import DomainError, NotFound
from lms.web.form_input import GENERAL, REQUIRED, domain_errors, form_values, to_struct
from lms.web.shell import page_guard

PageRequest = Request[Any, Any, Any]
KIND_LABELS = {"pre_test": "Pre-test", "post_test": "Post-test", "quiz": "Kuis latihan"}
TYPE_LABELS = {
    "single_choice": "pilihan ganda",
    "multiple_choice": "pilihan jamak",
    "true_false": "benar/salah",
    "short_answer": "isian singkat",
    "numerical": "numerik",
    "matching": "menjodohkan",
    "essay": "esai",
    "description": "keterangan",
}
_QUIZ_FIELDS = ("kind", "title", "source", "count", "time_limit_minutes", "attempts_allowed")


async def _page(
    request: PageRequest,
    session_id: UUID,
    banks: BankService,
    quizzes: QuizService,
    *,
    report: ImportReport | None = None,
    bank_errors: dict[str, str] | None = None,
    quiz_errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
) -> Template:
    session = await get_managed_session(request.user, session_id)
    quiz_page = await quizzes.list(request.user, session_id)
    bank_page = await banks.list(request.user, limit=200, offset=0)
    sources = [
        {"value": f"{b.id}|{category}", "label": f"{b.name} · {category}"}
        for b in bank_page.items
        for category in b.categories
    ]
    errors = [*(bank_errors or {}).values(), *(quiz_errors or {}).values()]
    return Template(
        "assessments/session_quizzes.html",
        context={
            "s": session_heading(session),
            "quizzes": [
                {
                    "title": q.title or KIND_LABELS.get(q.kind, q.kind),
                    "kind": KIND_LABELS.get(q.kind, q.kind),
                    "count": q.question_count,
                    "open": q.is_open,
                    "limit": q.time_limit_minutes,
                    "attempts": q.attempts_allowed,
                }
                for q in quiz_page.items
            ],
            "banks": bank_page.items,
            "sources": sources,
            "kinds": list(KIND_LABELS.items()),
            "report": report,
            "types": TYPE_LABELS,
            "bank_errors": bank_errors or {},
            "quiz_errors": quiz_errors or {},
            "values": values or {},
            "general": GENERAL,
        },
        media_type=MediaType.HTML,
        status_code=422 if errors else 200,
    )


@get(
    "/kelola/sesi/{session_id:uuid}/kuis",
    operation_id="organizerQuizzesPage",
    media_type=MediaType.HTML,
    guards=[page_guard("organizer")],
)
async def quizzes_page(
    request: PageRequest,
    session_id: FromPath[UUID],
    bank_service: NamedDependency[BankService],
    quiz_service: NamedDependency[QuizService],
) -> Template:
    """The session's quizzes, the GIFT upload and the new-quiz form."""
    return await _page(request, session_id, bank_service, quiz_service)


@post(
    "/kelola/sesi/{session_id:uuid}/kuis/bank",
    operation_id="organizerQuestionImportPage",
    media_type=MediaType.HTML,
    guards=[page_guard("organizer")],
)
async def import_questions(
    request: PageRequest,
    session_id: FromPath[UUID],
    bank_service: NamedDependency[BankService],
    quiz_service: NamedDependency[QuizService],
) -> Template:
    """Import a GIFT/Aiken file into a bank (an existing one, or a new one by name) and show
    what was stored and which questions could not be read (with their line)."""
    await get_managed_session(request.user, session_id)
    form = await request.form()
    upload = form.get("berkas")
    bank_value = str(form.get("bank_id") or "").strip()
    new_name = str(form.get("bank_name") or "").strip()
    errors: dict[str, str] = {}
    if upload is None or isinstance(upload, str) or not upload.filename:
        errors["berkas"] = "Pilih berkas soal (.gift, .txt atau Aiken)."
    if not bank_value and not new_name:
        errors["bank_name"] = "Pilih bank soal atau tulis nama bank baru."
    if errors or upload is None or isinstance(upload, str):
        return await _page(request, session_id, bank_service, quiz_service, bank_errors=errors)
    try:
        if bank_value:
            try:
                bank_id = UUID(bank_value)
            except ValueError:
                raise NotFound("Bank soal tidak ditemukan.") from None
        else:
            data, problems = to_struct({"name": new_name}, BankCreate)
            if data is None:
                return await _page(
                    request,
                    session_id,
                    bank_service,
                    quiz_service,
                    bank_errors={"bank_name": problems.get("name", REQUIRED)},
                )
            bank_id = (await bank_service.create(request.user, data)).id
        content = await upload.read(bank_service.max_upload_bytes + 1)
        report = await bank_service.import_file(
            request.user, bank_id, content, None, upload.filename
        )
    except DomainError as exc:
        found = domain_errors(exc)
        return await _page(
            request,
            session_id,
            bank_service,
            quiz_service,
            bank_errors={"berkas": found.get("file", found[GENERAL])},
        )
    return await _page(request, session_id, bank_service, quiz_service, report=report)


def _quiz_errors(errors: dict[str, str]) -> dict[str, str]:
    """The selection's problems belong to the "how many questions" field of the form."""
    return {("count" if k == "selection" else k): v for k, v in errors.items()}


@post(
    "/kelola/sesi/{session_id:uuid}/kuis",
    operation_id="organizerQuizCreatePage",
    media_type=MediaType.HTML,
    guards=[page_guard("organizer")],
)
async def create_quiz(
    request: PageRequest,
    session_id: FromPath[UUID],
    bank_service: NamedDependency[BankService],
    quiz_service: NamedDependency[QuizService],
) -> Redirect | Template:
    """A quiz drawing ``count`` questions of the chosen bank category for each attempt."""
    values = await form_values(request)
    submitted = {k: values.get(k, "") for k in _QUIZ_FIELDS}
    errors: dict[str, str] = {}
    bank_id, _, category = submitted["source"].partition("|")
    if not category:
        errors["source"] = REQUIRED
    if not submitted["count"]:
        errors["count"] = REQUIRED
    body: dict[str, Any] = {
        "kind": submitted["kind"],
        "title": submitted["title"],
        "time_limit_minutes": submitted["time_limit_minutes"],
        "attempts_allowed": submitted["attempts_allowed"],
        "selection": {
            "random": [{"category": category, "count": submitted["count"], "bank_id": bank_id}]
        },
    }
    data: QuizCreate | None = None
    if not errors:
        data, problems = to_struct(body, QuizCreate)
        errors = _quiz_errors(problems)
    if data is not None:
        try:
            await quiz_service.create(request.user, session_id, data)
        except NotFound:
            raise
        except DomainError as exc:
            errors = {
                ("count" if k == "selection" else k): v for k, v in domain_errors(exc).items()
            }
        else:
            return Redirect(f"/kelola/sesi/{session_id}/kuis?pesan=dibuat", status_code=303)
    return await _page(
        request, session_id, bank_service, quiz_service, quiz_errors=errors, values=submitted
    )


PAGES = [quizzes_page, import_questions, create_quiz]

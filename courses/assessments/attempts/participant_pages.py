"""A participant's quiz pages: start or resume, answer (autosaved), submit, review.

They call ``QuizService`` and ``AttemptService`` as the API does. Without JavaScript the
attempt is one form: "Simpan jawaban" saves every answer given, "Kumpulkan" saves and asks
for confirmation, listing the questions left unanswered. With ``quiz.js`` each answer is
saved as it is given (``POST .../jawaban/{question_id}``, a JSON body as the API's autosave,
the CSRF token in a header), queued in the browser while offline, and a countdown runs to the
server's deadline.

Object rule: these pages show the caller's own attempts only; anyone else's attempt, staff
included, is a 404 here (staff read attempts through their own pages).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any
from uuid import UUID

import msgspec
from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.enums import MediaType
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Response, Template

from courses.assessments.attempts.access import ATTEMPT_NOT_FOUND
from courses.assessments.attempts.schemas import (
    AnswerBody,
    AttemptQuestion,
    AttemptRead,
    ChoiceView,
)
from courses.assessments.attempts.service import AttemptService
from courses.assessments.questions.grading import (
    EssayResponse,
    MatchingResponse,
    MultipleChoiceResponse,
    NumericalResponse,
    ShortAnswerResponse,
    SingleChoiceResponse,
    TrueFalseResponse,
)
from courses.assessments.quizzes.service import QuizService
from lms.shared.errors import BadRequest, DomainError, NotFound
from lms.shared.indonesian import format_date, format_decimal_id, format_time, timezone_label
from lms.shared.input_guard import decode_body
from lms.shared.rich_text import HTML_FORMAT, block_html, inline_html, plain_text
from lms.shared.values import utcnow
from lms.web.session import PageCaller
from lms.web.shell import page_guard

PageRequest = Request[Any, Any, Any]
IN_PROGRESS = "in_progress"
KIND_LABELS = {"pre_test": "Pre-test", "post_test": "Post-test", "quiz": "Kuis"}
_MESSAGES = {
    "tersimpan": "Jawaban Anda tersimpan.",
    "waktu-habis": "Batas waktu sudah lewat; percobaan ditutup dengan jawaban yang tersimpan.",
}


def when(moment: dt.datetime | None) -> str:
    """``7 Desember 2026 09.30 WIB`` (the moment carries the session's zone)."""
    if moment is None:
        return ""
    assert moment.tzinfo is not None
    return f"{format_date(moment.date())} {format_time(moment, moment.tzinfo)}"


def number(value: Decimal | None) -> str:
    """``80,5``: a score as people write it."""
    if value is None:
        return "-"
    return format_decimal_id(value, 2).removesuffix(",00")


def is_answered(response: Any) -> bool:
    """Whether a saved response counts as an answer (an empty text or no choice does not)."""
    if response is None or response is msgspec.UNSET:
        return False
    if isinstance(response, ShortAnswerResponse | EssayResponse):
        return bool(response.text.strip())
    if isinstance(response, NumericalResponse):
        return bool(response.value.strip())
    if isinstance(response, MultipleChoiceResponse):
        return bool(response.option_ids)
    if isinstance(response, MatchingResponse):
        return bool(response.matches)
    return True


def _own(caller: PageCaller, attempt: AttemptRead) -> AttemptRead:
    if attempt.review == "staff" or not caller.is_person(attempt.person_id):
        raise NotFound(ATTEMPT_NOT_FOUND)
    return attempt


async def own_attempt(svc: AttemptService, caller: PageCaller, attempt_id: UUID) -> AttemptRead:
    """The caller's own attempt (closed first when overdue); 404 for anyone else's."""
    return _own(caller, await svc.get(caller, attempt_id))


def _views(
    views: list[ChoiceView] | msgspec.UnsetType,
    text_format: str,
    shape: Callable[[str, str], Any],
) -> list[dict[str, Any]]:
    """Options, items or choices with their text shaped for where it is printed (a label
    takes inline markup, an ``<option>`` text only)."""
    if views is msgspec.UNSET:
        return []
    return [{"id": v.id, "text": shape(v.text, text_format)} for v in views]


def _question_context(q: AttemptQuestion) -> dict[str, Any]:
    """What the form prints for one question: its inputs' current values."""
    response = q.response if q.response is not msgspec.UNSET else None
    chosen: set[str] = set()
    text = ""
    matches: dict[str, str] = {}
    if isinstance(response, SingleChoiceResponse):
        chosen = {response.option_id}
    elif isinstance(response, MultipleChoiceResponse):
        chosen = set(response.option_ids)
    elif isinstance(response, TrueFalseResponse):
        chosen = {"true" if response.value else "false"}
    elif isinstance(response, ShortAnswerResponse | EssayResponse):
        text = response.text
    elif isinstance(response, NumericalResponse):
        text = response.value
    elif isinstance(response, MatchingResponse):
        matches = dict(response.matches)
    saved_at = q.saved_at if isinstance(q.saved_at, dt.datetime) else None
    return {
        "id": str(q.id),
        "number": q.number,
        "type": q.type,
        # An [html] question prints its cleaned markup (lms.shared.rich_text); any other
        # text stays text, escaped by the template.
        "text": block_html(q.text, q.text_format),
        "plain": plain_text(q.text, q.text_format),
        "rich": q.text_format == HTML_FORMAT,
        "points": number(q.points),
        "options": _views(q.options, q.text_format, inline_html),
        "items": _views(q.items, q.text_format, inline_html),
        "choices": _views(q.choices, q.text_format, plain_text),
        "chosen": chosen,
        "text_value": text,
        "matches": matches,
        "answered": is_answered(response),
        "saved": format_time(saved_at, saved_at.tzinfo) if saved_at and saved_at.tzinfo else "",
        "awarded": number(q.points_awarded) if isinstance(q.points_awarded, Decimal) else None,
        "correct": q.correct if q.correct is not msgspec.UNSET else None,
        "pending": q.needs_grading is True,
        "comment": q.comment if isinstance(q.comment, str) else "",
        "response_label": _response_label(q, response),
    }


def _response_label(q: AttemptQuestion, response: Any) -> str:
    """The participant's answer as text, for the review."""
    if not is_answered(response):
        return "Tidak dijawab"
    fmt = q.text_format
    names = {o.id: plain_text(o.text, fmt) for o in (q.options or [])} if q.options else {}
    if isinstance(response, SingleChoiceResponse):
        return names.get(response.option_id, response.option_id)
    if isinstance(response, MultipleChoiceResponse):
        return "; ".join(names.get(i, i) for i in response.option_ids)
    if isinstance(response, TrueFalseResponse):
        return "Benar" if response.value else "Salah"
    if isinstance(response, ShortAnswerResponse | EssayResponse):
        return response.text
    if isinstance(response, NumericalResponse):
        return response.value
    if isinstance(response, MatchingResponse):
        items = {i.id: plain_text(i.text, fmt) for i in (q.items or [])} if q.items else {}
        choices = {c.id: plain_text(c.text, fmt) for c in (q.choices or [])} if q.choices else {}
        return "; ".join(
            f"{items.get(k, k)} → {choices.get(v, v)}" for k, v in response.matches.items()
        )
    return ""


def response_from_form(q: AttemptQuestion, form: Any) -> AnswerBody | None:
    """The answer the form holds for one question, or None when it holds none.

    Raises:
        ValueError: what was typed is not an answer of this type (a number that is not one).
    """
    key = f"q-{q.id}"
    if q.type == "single_choice":
        value = form.get(key)
        return SingleChoiceResponse(option_id=value[:8]) if value else None
    if q.type == "multiple_choice":
        values = [v[:8] for v in form.getall(key, [])]
        return MultipleChoiceResponse(option_ids=tuple(values)) if values else None
    if q.type == "true_false":
        value = form.get(key)
        return TrueFalseResponse(value=value == "true") if value in ("true", "false") else None
    if q.type in ("short_answer", "essay", "numerical"):
        if key not in form:
            return None
        text = str(form.get(key) or "")
        if not text.strip():
            return None
        if q.type == "numerical":
            return msgspec.convert({"type": "numerical", "value": text.strip()[:64]}, AnswerBody)
        if q.type == "short_answer":
            return msgspec.convert({"type": q.type, "text": text}, ShortAnswerResponse)
        return msgspec.convert({"type": q.type, "text": text}, EssayResponse)
    if q.type == "matching":
        matches = {
            item.id: str(form.get(f"{key}-{item.id}"))
            for item in (q.items or [])
            if form.get(f"{key}-{item.id}")
        }
        return MatchingResponse(matches=matches) if matches else None
    return None


def _attempt_context(attempt: AttemptRead, quiz_title: str) -> dict[str, Any]:
    questions = [_question_context(q) for q in attempt.questions]
    return {
        "attempt": attempt,
        "quiz_title": quiz_title,
        "questions": questions,
        "answerable": [q for q in questions if q["type"] != "description"],
        "deadline": attempt.deadline.isoformat() if attempt.deadline else "",
        "deadline_label": when(attempt.deadline),
        "now": utcnow().isoformat(),
        "tz": getattr(attempt.started_at.tzinfo, "key", ""),
        "tz_label": timezone_label(attempt.started_at.tzinfo) if attempt.started_at.tzinfo else "",
    }


# -- the quiz: start or resume --------------------------------------------------------------


@get(
    "/saya/kuis/{quiz_id:uuid}",
    operation_id="myQuizPage",
    media_type=MediaType.HTML,
    guards=[page_guard()],
)
async def quiz_page(
    request: PageRequest, quiz_id: FromPath[UUID], quiz_service: NamedDependency[QuizService]
) -> Template | Redirect:
    """The quiz with my attempts; an attempt in progress opens at once (resume)."""
    quiz = await quiz_service.get(request.user, quiz_id)
    running = next((a for a in quiz.my_attempts if a.status == IN_PROGRESS), None)
    if running is not None:
        return Redirect(f"/saya/percobaan/{running.id}", status_code=303)
    used = len(quiz.my_attempts)
    left = quiz.attempts_allowed - used if quiz.attempts_allowed else None
    return Template(
        "assessments/quiz.html",
        context={
            "quiz": quiz,
            "kind": KIND_LABELS.get(quiz.kind, "Kuis"),
            "opens": when(quiz.opens_at),
            "closes": when(quiz.closes_at),
            "left": left,
            "may_start": quiz.is_open and (left is None or left > 0),
            "attempts": [
                {
                    "id": a.id,
                    "number": a.number,
                    "started": when(a.started_at),
                    "percent": number(a.percent) if isinstance(a.percent, Decimal) else None,
                }
                for a in quiz.my_attempts
            ],
        },
        media_type=MediaType.HTML,
    )


@post(
    "/saya/kuis/{quiz_id:uuid}",
    operation_id="myQuizStartPage",
    media_type=MediaType.HTML,
    guards=[page_guard()],
)
async def start_quiz(
    request: PageRequest,
    quiz_id: FromPath[UUID],
    attempt_service: NamedDependency[AttemptService],
) -> Redirect:
    """Start an attempt (or resume the one in progress) and open it."""
    attempt, _ = await attempt_service.start(request.user, quiz_id)
    return Redirect(f"/saya/percobaan/{attempt.id}", status_code=303)


# -- the attempt: answering -----------------------------------------------------------------


async def _quiz_title(quiz_service: QuizService, caller: PageCaller, quiz_id: UUID) -> str:
    quiz = await quiz_service.get(caller, quiz_id)
    return quiz.title


@get(
    "/saya/percobaan/{attempt_id:uuid}",
    operation_id="myAttemptPage",
    media_type=MediaType.HTML,
    guards=[page_guard()],
)
async def attempt_page(
    request: PageRequest,
    attempt_id: FromPath[UUID],
    attempt_service: NamedDependency[AttemptService],
    quiz_service: NamedDependency[QuizService],
    pesan: FromQuery[str | None] = None,
) -> Template | Redirect:
    """The questions with my saved answers, the deadline and the countdown; a finished
    attempt goes to its review."""
    attempt = await own_attempt(attempt_service, request.user, attempt_id)
    if attempt.status != IN_PROGRESS:
        suffix = "?pesan=waktu-habis" if attempt.closed_by_deadline else ""
        return Redirect(f"/saya/percobaan/{attempt_id}/ulasan{suffix}", status_code=303)
    context = _attempt_context(
        attempt, await _quiz_title(quiz_service, request.user, attempt.quiz_id)
    )
    context["message"] = _MESSAGES.get(pesan or "")
    return Template("assessments/attempt.html", context=context, media_type=MediaType.HTML)


async def _save_form(
    svc: AttemptService, caller: PageCaller, attempt: AttemptRead, form: Any
) -> dict[str, str]:
    """Save every answer the form holds; the errors by question id."""
    errors: dict[str, str] = {}
    for q in attempt.questions:
        try:
            response = response_from_form(q, form)
        except (ValueError, msgspec.ValidationError) as exc:
            errors[str(q.id)] = str(exc).split(" - at ")[0] or "Jawaban tidak valid."
            continue
        if response is None:
            continue
        saved = q.response if q.response is not msgspec.UNSET else None
        if saved == response:
            continue
        try:
            await svc.save_answer(caller, attempt.id, q.id, response)
        except BadRequest as exc:
            errors[str(q.id)] = exc.detail
    return errors


@post(
    "/saya/percobaan/{attempt_id:uuid}",
    operation_id="myAttemptSavePage",
    media_type=MediaType.HTML,
    guards=[page_guard()],
)
async def save_attempt(
    request: PageRequest,
    attempt_id: FromPath[UUID],
    attempt_service: NamedDependency[AttemptService],
    quiz_service: NamedDependency[QuizService],
) -> Template | Redirect:
    """Without JavaScript: save the answers of the form; "Kumpulkan" then asks to confirm."""
    attempt = await own_attempt(attempt_service, request.user, attempt_id)
    if attempt.status != IN_PROGRESS:
        return Redirect(f"/saya/percobaan/{attempt_id}/ulasan", status_code=303)
    form = await request.form()
    errors = await _save_form(attempt_service, request.user, attempt, form)
    if errors:
        attempt = await own_attempt(attempt_service, request.user, attempt_id)
        context = _attempt_context(
            attempt, await _quiz_title(quiz_service, request.user, attempt.quiz_id)
        )
        context["errors"] = errors
        return Template(
            "assessments/attempt.html",
            context=context,
            status_code=400,
            media_type=MediaType.HTML,
        )
    if form.get("aksi") == "kumpulkan":
        return Redirect(f"/saya/percobaan/{attempt_id}/kumpulkan", status_code=303)
    return Redirect(f"/saya/percobaan/{attempt_id}?pesan=tersimpan", status_code=303)


@post(
    "/saya/percobaan/{attempt_id:uuid}/jawaban/{question_id:uuid}",
    operation_id="myAnswerAutosavePage",
    guards=[page_guard()],
)
async def autosave_answer(
    request: PageRequest,
    attempt_id: FromPath[UUID],
    question_id: FromPath[UUID],
    attempt_service: NamedDependency[AttemptService],
) -> Response[dict[str, Any]]:
    """``quiz.js``'s autosave: one answer as the API's JSON body; answers JSON with when it was
    saved (or the Indonesian reason it was not, with the status the API would give)."""
    try:
        body: AnswerBody = await decode_body(request, AnswerBody)  # type: ignore[arg-type]
        saved = await attempt_service.save_answer(request.user, attempt_id, question_id, body)
    except DomainError as exc:
        return Response({"detail": exc.detail}, status_code=exc.status)
    local = saved.saved_at.astimezone(dt.UTC)
    return Response(
        {
            "question_id": str(saved.question_id),
            "saved_at": local.isoformat(),
            "status": "tersimpan",
        },
        status_code=200,
    )


# -- submitting ------------------------------------------------------------------------------


@get(
    "/saya/percobaan/{attempt_id:uuid}/kumpulkan",
    operation_id="myAttemptConfirmPage",
    media_type=MediaType.HTML,
    guards=[page_guard()],
)
async def confirm_submit(
    request: PageRequest,
    attempt_id: FromPath[UUID],
    attempt_service: NamedDependency[AttemptService],
    quiz_service: NamedDependency[QuizService],
) -> Template | Redirect:
    """Before submitting: how many are answered, and which are not (with links back)."""
    attempt = await own_attempt(attempt_service, request.user, attempt_id)
    if attempt.status != IN_PROGRESS:
        return Redirect(f"/saya/percobaan/{attempt_id}/ulasan", status_code=303)
    context = _attempt_context(
        attempt, await _quiz_title(quiz_service, request.user, attempt.quiz_id)
    )
    context["unanswered"] = [q for q in context["answerable"] if not q["answered"]]
    return Template("assessments/confirm.html", context=context, media_type=MediaType.HTML)


@post(
    "/saya/percobaan/{attempt_id:uuid}/kumpulkan",
    operation_id="myAttemptSubmitPage",
    media_type=MediaType.HTML,
    guards=[page_guard()],
)
async def submit_attempt(
    request: PageRequest,
    attempt_id: FromPath[UUID],
    attempt_service: NamedDependency[AttemptService],
) -> Redirect:
    """Submit (and grade); then the review, as much as the quiz's policy shows."""
    await own_attempt(attempt_service, request.user, attempt_id)
    await attempt_service.submit(request.user, attempt_id)
    return Redirect(f"/saya/percobaan/{attempt_id}/ulasan?pesan=terkirim", status_code=303)


# -- review ----------------------------------------------------------------------------------

_REVIEW_NOTES = {
    "none": "Nilai dan jawaban belum ditampilkan untuk kuis ini.",
    "score": "Kuis ini menampilkan nilai saja.",
    "responses": "Kuis ini menampilkan nilai dan jawaban Anda.",
    "correct": "Kuis ini menampilkan nilai, jawaban Anda, dan mana yang benar.",
}


@get(
    "/saya/percobaan/{attempt_id:uuid}/ulasan",
    operation_id="myAttemptReviewPage",
    media_type=MediaType.HTML,
    guards=[page_guard()],
)
async def review_page(
    request: PageRequest,
    attempt_id: FromPath[UUID],
    attempt_service: NamedDependency[AttemptService],
    quiz_service: NamedDependency[QuizService],
    pesan: FromQuery[str | None] = None,
) -> Template | Redirect:
    """A finished attempt as the quiz's review policy allows now."""
    attempt = await own_attempt(attempt_service, request.user, attempt_id)
    if attempt.status == IN_PROGRESS:
        return Redirect(f"/saya/percobaan/{attempt_id}", status_code=303)
    quiz = await quiz_service.get(request.user, attempt.quiz_id)
    context = _attempt_context(attempt, quiz.title)
    context.update(
        {
            "session_id": quiz.session_id,
            "quiz_id": quiz.id,
            "submitted": when(attempt.submitted_at),
            "note": _REVIEW_NOTES.get(attempt.review, ""),
            "shows_score": isinstance(attempt.percent, Decimal),
            "percent": number(attempt.percent) if isinstance(attempt.percent, Decimal) else "",
            "score": number(attempt.score) if isinstance(attempt.score, Decimal) else "",
            "max_score": number(attempt.max_score)
            if isinstance(attempt.max_score, Decimal)
            else "",
            "passed": attempt.passed if attempt.passed is not msgspec.UNSET else None,
            "pending": attempt.needs_grading is True,
            "shows_marks": attempt.review == "correct",
            "sent": pesan == "terkirim",
            "timed_out": attempt.closed_by_deadline,
        }
    )
    return Template("assessments/review.html", context=context, media_type=MediaType.HTML)


PAGES = [
    quiz_page,
    start_quiz,
    attempt_page,
    save_attempt,
    autosave_answer,
    confirm_submit,
    submit_attempt,
    review_page,
]

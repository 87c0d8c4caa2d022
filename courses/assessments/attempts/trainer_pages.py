"""The trainer's essay grading page of a session: the submitted essays still without a mark,
each with a form for points and feedback (``grading_queue``, over the API's grading rule).

Managing organizers and admins open it too; anyone else gets 404.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from litestar import Request, get, post
from litestar.enums import MediaType
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from courses.assessments.attempts.grading_queue import grade_in_session, pending_essays
from courses.assessments.attempts.schemas import ManualGrade
from courses.delivery.enrollment.accounts import session_title
from courses.delivery.sessions.access import get_session_for_staff
from lms.shared.errors import Conflict, NotFound, RuleViolation
from lms.shared.indonesian import format_day_date, format_time
from lms.shared.rich_text import block_html
from lms.web.shell import page_guard

PageRequest = Request[Any, Any, Any]
MAX_FEEDBACK = 5_000


async def _essay_page(
    request: PageRequest,
    session_id: UUID,
    *,
    graded: bool = False,
    failed: tuple[str, str] | None = None,
    error: str | None = None,
    values: dict[str, str] | None = None,
    status: int = 200,
) -> Template:
    session = await get_session_for_staff(request.user, session_id)
    queue = await pending_essays(request.user, session_id)
    items = []
    for n, essay in enumerate(queue, start=1):
        this = failed == (str(essay.attempt_id), str(essay.question_id))
        submitted = ""
        if essay.submitted_at is not None:
            local = essay.submitted_at.astimezone(ZoneInfo(session.timezone))
            submitted = f"{format_day_date(local.date())} {format_time(local, session.timezone)}"
        items.append(
            {
                "n": n,
                "essay": essay,
                "question": block_html(essay.question, essay.question_format),
                "submitted": submitted,
                "error": error if this else None,
                "values": (values or {}) if this else {},
            }
        )
    return Template(
        "assessments/latih_esai.html",
        context={
            "session_id": session.id,
            "title": session_title(session),
            "active": "esai",
            "day": None,
            "items": items,
            "graded": graded,
            "finalized": session.finalized_at is not None,
            "page_error": error if failed is None else None,
        },
        status_code=status,
        media_type=MediaType.HTML,
    )


@get(
    "/latih/sesi/{session_id:uuid}/esai",
    operation_id="trainerEssayPage",
    media_type=MediaType.HTML,
    guards=[page_guard("trainer", "organizer")],
)
async def essay_queue(
    request: PageRequest, session_id: FromPath[UUID], dinilai: FromQuery[int | None] = None
) -> Template:
    """Essays waiting for a mark, oldest submission first."""
    return await _essay_page(request, session_id, graded=bool(dinilai))


@post(
    "/latih/sesi/{session_id:uuid}/esai",
    operation_id="trainerEssayGrade",
    media_type=MediaType.HTML,
    guards=[page_guard("trainer", "organizer")],
)
async def essay_grade(request: PageRequest, session_id: FromPath[UUID]) -> Template | Redirect:
    """Mark one essay with points and feedback, then back to the queue."""
    form = await request.form()
    try:
        attempt_id = UUID(str(form.get("attempt_id") or ""))
        question_id = UUID(str(form.get("question_id") or ""))
    except ValueError:
        raise NotFound("Jawaban tidak ditemukan.") from None
    points_text = str(form.get("points") or "").strip().replace(",", ".")
    comment = str(form.get("comment") or "").replace("\x00", "")
    values = {"points": str(form.get("points") or ""), "comment": comment}
    failed = (str(attempt_id), str(question_id))
    try:
        points = Decimal(points_text)
        if not points.is_finite():
            raise InvalidOperation
    except InvalidOperation:
        return await _essay_page(
            request,
            session_id,
            failed=failed,
            values=values,
            status=422,
            error="Isi nilai dengan angka, misalnya 7,5.",
        )
    if len(comment) > MAX_FEEDBACK:
        return await _essay_page(
            request,
            session_id,
            failed=failed,
            values=values,
            status=422,
            error=f"Umpan balik paling banyak {MAX_FEEDBACK} karakter.",
        )
    try:
        await grade_in_session(
            request.user,
            session_id,
            attempt_id,
            question_id,
            ManualGrade(points=points, comment=comment),
        )
    except RuleViolation as exc:
        return await _essay_page(
            request, session_id, failed=failed, values=values, status=422, error=exc.detail
        )
    except Conflict as exc:
        return await _essay_page(request, session_id, error=exc.detail, status=409)
    return Redirect(f"/latih/sesi/{session_id}/esai?dinilai=1", status_code=303)


PAGES = [essay_queue, essay_grade]

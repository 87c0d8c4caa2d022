"""The participant's evaluation form: ``/saya/sesi/{id}/evaluasi``.

One form per target (the organization, then each trainer on the agenda), each sent on its
own as the API stores them (``EvaluationService.submit``); a target already evaluated shows
as done. Every statement is a group of four radio buttons (the Likert scale), so the page
needs no JavaScript. 404 for anyone without a place in the session.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.enums import MediaType
from litestar.params import FromPath
from litestar.response import Redirect, Template

from courses.assessments.reports.evaluations import (
    ORGANIZATION,
    EvaluationService,
    target_key,
)
from courses.assessments.reports.schemas import EvaluationCreate, EvaluationForm
from courses.delivery.enrollment.service import EnrollmentService
from lms.shared.errors import Conflict, RuleViolation
from lms.web.shell import page_guard

PageRequest = Request[Any, Any, Any]


def _sections(form: EvaluationForm) -> list[dict[str, Any]]:
    sections: list[dict[str, Any]] = [
        {
            "key": ORGANIZATION,
            "title": "Penyelenggaraan pelatihan",
            "items": form.organization_items,
        }
    ]
    sections += [
        {
            "key": target_key(t.id),
            "title": f"Narasumber: {t.name}",
            "subtitle": t.institution,
            "items": form.trainer_items,
        }
        for t in form.trainers
    ]
    for section in sections:
        section["done"] = section["key"] in form.submitted
    return sections


async def _page(
    request: PageRequest,
    service: EvaluationService,
    session_id: UUID,
    *,
    errors: dict[str, str] | None = None,
    failed: str | None = None,
    values: dict[str, str] | None = None,
    status: int = 200,
) -> Template:
    mine = await EnrollmentService().my_enrollment(request.user, session_id)
    form = await service.form(request.user, session_id)
    return Template(
        "assessments/evaluation.html",
        context={
            "session_id": session_id,
            "title": f"{mine.course_title} · {mine.session_name}",
            "scale": form.scale,
            "sections": _sections(form),
            "errors": errors or {},
            "failed": failed,
            "values": values or {},
        },
        status_code=status,
        media_type=MediaType.HTML,
    )


@get(
    "/saya/sesi/{session_id:uuid}/evaluasi",
    operation_id="myEvaluationPage",
    media_type=MediaType.HTML,
    guards=[page_guard()],
)
async def evaluation_page(
    request: PageRequest,
    session_id: FromPath[UUID],
    evaluation_service: NamedDependency[EvaluationService],
) -> Template:
    """The questionnaire for each target still to evaluate."""
    return await _page(request, evaluation_service, session_id)


@post(
    "/saya/sesi/{session_id:uuid}/evaluasi",
    operation_id="myEvaluationSubmitPage",
    media_type=MediaType.HTML,
    guards=[page_guard()],
)
async def evaluation_submit(
    request: PageRequest,
    session_id: FromPath[UUID],
    evaluation_service: NamedDependency[EvaluationService],
) -> Template | Redirect:
    """Send one target's evaluation; a missing answer is said beside its statement."""
    await EnrollmentService().my_enrollment(request.user, session_id)
    form = await request.form()
    key = str(form.get("sasaran") or "")
    trainer_id: UUID | None = None
    if key != ORGANIZATION:
        try:
            trainer_id = UUID(key.removeprefix("trainer:"))
        except ValueError:
            return await _page(
                request, evaluation_service, session_id, failed="Pilih yang dievaluasi.", status=400
            )
    answers: dict[str, int] = {}
    values: dict[str, str] = {}
    for name, value in form.multi_items():
        if name.startswith("a-") and value in ("1", "2", "3", "4"):
            answers[name[2:]] = int(value)
            values[f"{key}:{name[2:]}"] = value
    comment = str(form.get("komentar") or "")[:2000]
    values[f"{key}:komentar"] = comment
    data = EvaluationCreate(
        target="organization" if trainer_id is None else "trainer",
        trainer_id=trainer_id,
        answers=answers,
        comment=comment,
    )
    try:
        await evaluation_service.submit(request.user, session_id, data)
    except Conflict:
        return Redirect(f"/saya/sesi/{session_id}/evaluasi", status_code=303)
    except RuleViolation as exc:
        errors = {
            f"{key}:{e['field'].removeprefix('answers.')}": "Pilih salah satu nilai."
            for e in exc.errors or []
        }
        return await _page(
            request,
            evaluation_service,
            session_id,
            errors=errors,
            failed=f"{exc.detail} Lengkapi butir yang ditandai.",
            values=values,
            status=422,
        )
    form_after = await evaluation_service.form(request.user, session_id)
    if len(form_after.submitted) >= 1 + len(form_after.trainers):
        return Redirect(f"/saya/sesi/{session_id}?pesan=evaluasi", status_code=303)
    return Redirect(f"/saya/sesi/{session_id}/evaluasi", status_code=303)


PAGES = [evaluation_page, evaluation_submit]

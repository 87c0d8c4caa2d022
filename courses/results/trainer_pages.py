"""The trainer's component scores page of a session: one row per participant with a field for
every hand-entered component the course weighs (trainer assessment, assignment, project),
saved through ``ResultService.set_component_scores`` like the API's batch.

Managing organizers and admins open it too; anyone else gets 404.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any
from uuid import UUID

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.enums import MediaType
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from courses.catalogue.services import session_rules
from courses.delivery.enrollment.accounts import session_title
from courses.delivery.enrollment.participants import session_participants
from courses.delivery.sessions.access import get_session_for_staff
from courses.results.results import COMPUTED_COMPONENTS, ResultService
from courses.results.schemas import ComponentScoreInput
from lms.shared.errors import Conflict, RuleViolation
from lms.shared.indonesian import format_figure_id, full_name
from lms.web.shell import page_guard

PageRequest = Request[Any, Any, Any]

COMPONENT_LABELS = {
    "trainer_assessment": "Penilaian narasumber",
    "assignment": "Tugas",
    "project": "Proyek",
}


def _number(value: Decimal) -> str:
    """``87.50`` as typed in Indonesia: ``87,5``."""
    return format_figure_id(value)


async def _scores_page(
    request: PageRequest,
    service: ResultService,
    session_id: UUID,
    *,
    saved: int | None = None,
    typed: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    error: str | None = None,
    status: int = 200,
) -> Template:
    session = await get_session_for_staff(request.user, session_id)
    rules = await session_rules(session_id)
    keys = [c for c, w in rules.weights.items() if c not in COMPUTED_COMPONENTS and w > 0]
    components = [
        {"key": c, "label": COMPONENT_LABELS.get(c, c), "weight": _number(rules.weights[c])}
        for c in keys
    ]
    stored = {
        (s.person_id, s.component): s.score
        for s in await service.component_scores(request.user, session_id)
    }
    typed = typed or {}
    errors = errors or {}
    people = []
    for p in await session_participants(session_id):
        fields = []
        for key in keys:
            name = f"n-{p.person_id}-{key}"
            value = stored.get((p.person_id, key))
            fields.append(
                {
                    "name": name,
                    "label": COMPONENT_LABELS.get(key, key),
                    "value": typed.get(name, _number(value) if value is not None else ""),
                    "error": errors.get(name),
                }
            )
        people.append(
            {
                "id": p.person_id,
                "name": full_name(p.name, p.front_title, p.back_title),
                "nip": p.nip,
                "fields": fields,
            }
        )
    return Template(
        "results/latih_nilai.html",
        context={
            "session_id": session.id,
            "title": session_title(session),
            "active": "nilai",
            "day": None,
            "components": components,
            "people": people,
            "saved": saved,
            "error": error,
            "finalized": session.finalized_at is not None,
        },
        status_code=status,
        media_type=MediaType.HTML,
    )


@get(
    "/latih/sesi/{session_id:uuid}/nilai",
    operation_id="trainerScoresPage",
    media_type=MediaType.HTML,
    guards=[page_guard("trainer", "organizer")],
)
async def scores_page(
    request: PageRequest,
    session_id: FromPath[UUID],
    result_service: NamedDependency[ResultService],
    tersimpan: FromQuery[int | None] = None,
) -> Template:
    """Every participant's hand-entered component scores, to fill in or correct."""
    return await _scores_page(request, result_service, session_id, saved=tersimpan)


@post(
    "/latih/sesi/{session_id:uuid}/nilai",
    operation_id="trainerScoresSubmit",
    media_type=MediaType.HTML,
    guards=[page_guard("trainer", "organizer")],
)
async def scores_submit(
    request: PageRequest,
    session_id: FromPath[UUID],
    result_service: NamedDependency[ResultService],
) -> Template | Redirect:
    """Save the scores typed in (empty fields are left as they were); nothing is saved while
    one field is wrong."""
    await get_session_for_staff(request.user, session_id)
    rules = await session_rules(session_id)
    components = [c for c, w in rules.weights.items() if c not in COMPUTED_COMPONENTS and w > 0]
    stored = {
        (s.person_id, s.component): s.score
        for s in await result_service.component_scores(request.user, session_id)
    }
    form = await request.form()
    typed: dict[str, str] = {}
    errors: dict[str, str] = {}
    scores: list[ComponentScoreInput] = []
    for p in await session_participants(session_id):
        for component in components:
            name = f"n-{p.person_id}-{component}"
            text = str(form.get(name) or "").strip()
            typed[name] = text
            if not text:
                continue
            try:
                score = Decimal(text.replace(",", "."))
                if not score.is_finite():
                    raise InvalidOperation
                item = ComponentScoreInput(person_id=p.person_id, component=component, score=score)
            except (InvalidOperation, ValueError):
                errors[name] = "Isi angka 0–100 dengan paling banyak dua desimal."
                continue
            if stored.get((p.person_id, component)) != score:
                scores.append(item)
    if errors:
        return await _scores_page(
            request,
            result_service,
            session_id,
            typed=typed,
            errors=errors,
            status=422,
            error="Sebagian nilai tidak valid; belum ada yang disimpan.",
        )
    try:
        if scores:
            await result_service.set_component_scores(request.user, session_id, scores)
    except (RuleViolation, Conflict) as exc:
        return await _scores_page(
            request, result_service, session_id, typed=typed, status=exc.status, error=exc.detail
        )
    return Redirect(f"/latih/sesi/{session_id}/nilai?tersimpan={len(scores)}", status_code=303)


PAGES = [scores_page, scores_submit]

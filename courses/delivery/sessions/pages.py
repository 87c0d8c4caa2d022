"""An organizer's session pages: the hub of one session (its status, the open / start actions
and a link to every task of the session) and the form that schedules a new one.

They call ``SessionService`` (create, update) and ``CourseService.list`` exactly as the API
does; a session the organizer does not manage is a 404 page (``get_managed_session``).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec
from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.enums import MediaType
from litestar.params import FromPath
from litestar.response import Redirect, Template

from courses.catalogue.services import CourseService
from courses.delivery.sessions.access import SessionRecord, get_managed_session
from courses.delivery.sessions.schemas import SessionCreate, SessionUpdate
from courses.delivery.sessions.service import SessionService
from lms.shared.errors import DomainError, NotFound
from lms.shared.indonesian import format_date_range
from lms.web.form_input import GENERAL, domain_errors, form_values, to_struct
from lms.web.shell import page_guard

PageRequest = Request[Any, Any, Any]
STATUS_LABELS = {
    "draft": "draf",
    "open": "pendaftaran dibuka",
    "running": "berjalan",
    "completed": "selesai",
    "cancelled": "dibatalkan",
}
#: The next step a hub offers for each status: (new status, button text).
NEXT_STEP = {
    "draft": ("open", "Buka pendaftaran"),
    "open": ("running", "Mulai sesi"),
    "running": ("completed", "Tandai sesi selesai"),
}
_SESSION_FIELDS = ("course_id", "name", "start_date", "end_date", "venue", "city", "capacity")


def session_heading(session: SessionRecord) -> dict[str, Any]:
    """What every organizer page of a session prints on top."""
    return {
        "id": session.id,
        "title": f"{session.course_title} · {session.name}",
        "dates": format_date_range(session.start_date, session.end_date),
        "unit": session.unit_name,
        "status": session.status,
        "status_label": STATUS_LABELS.get(session.status, session.status),
        "finalized": session.finalized_at is not None,
    }


@get(
    "/kelola/sesi/{session_id:uuid}",
    operation_id="organizerSessionHubPage",
    media_type=MediaType.HTML,
    guards=[page_guard("organizer")],
)
async def session_hub(request: PageRequest, session_id: FromPath[UUID]) -> Template:
    """One session: status, seats, the next step and links to every task."""
    session = await get_managed_session(request.user, session_id)
    return _hub(session)


def _hub(session: SessionRecord, error: str | None = None) -> Template:
    return Template(
        "delivery/session_hub.html",
        context={
            "s": session_heading(session),
            "session": session,
            "next_step": NEXT_STEP.get(session.status),
            "error": error,
        },
        media_type=MediaType.HTML,
        status_code=422 if error else 200,
    )


@post(
    "/kelola/sesi/{session_id:uuid}/status",
    operation_id="organizerSessionStatusPage",
    media_type=MediaType.HTML,
    guards=[page_guard("organizer")],
)
async def change_status(
    request: PageRequest,
    session_id: FromPath[UUID],
    session_service: NamedDependency[SessionService],
) -> Redirect | Template:
    """Open enrollment, start or complete the session (the next step of its life cycle)."""
    values = await form_values(request)
    data, errors = to_struct({"status": values.get("status", "")}, SessionUpdate)
    if data is None:
        session = await get_managed_session(request.user, session_id)
        return _hub(session, "Status sesi tidak dikenal.")
    try:
        await session_service.update(request.user, session_id, data)
    except NotFound:
        raise
    except DomainError as exc:
        return _hub(await get_managed_session(request.user, session_id), exc.detail)
    return Redirect(f"/kelola/sesi/{session_id}?pesan=status", status_code=303)


async def _course_options(request: PageRequest, course_service: CourseService) -> list[Any]:
    page = await course_service.list(request.user, limit=200, offset=0, active=True)
    return page.items


@get(
    "/kelola/sesi/baru",
    operation_id="organizerSessionNewPage",
    media_type=MediaType.HTML,
    guards=[page_guard("organizer")],
)
async def new_session(
    request: PageRequest, course_service: NamedDependency[CourseService]
) -> Template:
    """The form that schedules a session (angkatan) of one of the unit's courses."""
    chosen = request.query_params.get("kursus", "")
    return _session_form(
        await _course_options(request, course_service),
        {"course_id": chosen, "capacity": "30"},
        {},
    )


def _session_form(
    courses: list[Any],
    values: dict[str, str],
    errors: dict[str, str],
    session: SessionRecord | None = None,
) -> Template:
    return Template(
        "delivery/session_form.html",
        context={
            "courses": courses,
            "values": values,
            "errors": errors,
            "general": GENERAL,
            "session": session,
            "s": session_heading(session) if session else None,
        },
        media_type=MediaType.HTML,
        status_code=422 if errors else 200,
    )


@post(
    "/kelola/sesi/baru",
    operation_id="organizerSessionCreatePage",
    media_type=MediaType.HTML,
    guards=[page_guard("organizer")],
)
async def create_session(
    request: PageRequest,
    session_service: NamedDependency[SessionService],
    course_service: NamedDependency[CourseService],
) -> Redirect | Template:
    """Schedule the session (a draft) and open its hub."""
    values = await form_values(request)
    submitted = {k: values.get(k, "") for k in _SESSION_FIELDS}
    data, errors = to_struct(submitted, SessionCreate)
    if data is not None:
        try:
            created = await session_service.create(request.user, data)
        except DomainError as exc:
            errors = domain_errors(exc)
        else:
            return Redirect(f"/kelola/sesi/{created.id}?pesan=dibuat", status_code=303)
    return _session_form(await _course_options(request, course_service), submitted, errors)


_EDITABLE = ("name", "start_date", "end_date", "venue", "city", "capacity")


@get(
    "/kelola/sesi/{session_id:uuid}/ubah",
    operation_id="organizerSessionEditPage",
    media_type=MediaType.HTML,
    guards=[page_guard("organizer")],
)
async def edit_session(request: PageRequest, session_id: FromPath[UUID]) -> Template:
    """The session's name, dates, place and seats, to correct them."""
    session = await get_managed_session(request.user, session_id)
    values = {field: str(getattr(session, field)) for field in _EDITABLE}
    return _session_form([], values, {}, session)


@post(
    "/kelola/sesi/{session_id:uuid}/ubah",
    operation_id="organizerSessionUpdatePage",
    media_type=MediaType.HTML,
    guards=[page_guard("organizer")],
)
async def update_session(
    request: PageRequest,
    session_id: FromPath[UUID],
    session_service: NamedDependency[SessionService],
) -> Redirect | Template:
    """Save the correction (the service refuses dates that would orphan agenda or marks)."""
    session = await get_managed_session(request.user, session_id)
    values = await form_values(request)
    submitted = {k: values.get(k, "") for k in _EDITABLE}
    data, errors = to_struct(submitted, SessionUpdate)
    if data is not None:
        # An emptied place is a change too (to_struct leaves empty fields out).
        cleared = {f: "" for f in ("venue", "city") if not submitted[f]}
        data = msgspec.structs.replace(data, **cleared)
        try:
            await session_service.update(request.user, session_id, data)
        except NotFound:
            raise
        except DomainError as exc:
            errors = domain_errors(exc)
        else:
            return Redirect(f"/kelola/sesi/{session_id}?pesan=diubah", status_code=303)
    return _session_form([], submitted, errors, session)


PAGES = [session_hub, change_status, new_session, create_session, edit_session, update_session]

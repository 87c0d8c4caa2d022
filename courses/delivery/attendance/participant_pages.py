"""The participant's check-in page: ``/saya/sesi/{id}/hadir``, typed or reached through the
projector's QR code (``?kode=123456``: the form comes prefilled and asks to confirm, so a
scanned link never checks anyone in by itself). Calls ``CheckinService`` as the API does."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.enums import MediaType
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from courses.delivery.attendance.checkin import CheckinService
from courses.delivery.enrollment.service import EnrollmentService
from lms.shared.errors import Conflict, RuleViolation
from lms.web.shell import page_guard

PageRequest = Request[Any, Any, Any]


def _clean(code: str | None) -> str:
    """Digits only, at most six (people type spaces, and a QR link carries the code as is)."""
    return "".join(ch for ch in (code or "") if ch.isdigit())[:6]


async def _form(
    request: PageRequest, session_id: UUID, code: str, error: str | None, status: int = 200
) -> Template:
    mine = await EnrollmentService().my_enrollment(request.user, session_id)
    return Template(
        "delivery/checkin.html",
        context={
            "session_id": session_id,
            "title": f"{mine.course_title} · {mine.session_name}",
            "code": code,
            "error": error,
        },
        status_code=status,
        media_type=MediaType.HTML,
    )


@get(
    "/saya/sesi/{session_id:uuid}/hadir",
    operation_id="myCheckinPage",
    media_type=MediaType.HTML,
    guards=[page_guard()],
)
async def checkin_page(
    request: PageRequest, session_id: FromPath[UUID], kode: FromQuery[str | None] = None
) -> Template:
    """The check-in form (the code from the QR link filled in)."""
    return await _form(request, session_id, _clean(kode), None)


@post(
    "/saya/sesi/{session_id:uuid}/hadir",
    operation_id="myCheckinSubmitPage",
    media_type=MediaType.HTML,
    guards=[page_guard()],
)
async def checkin_submit(
    request: PageRequest,
    session_id: FromPath[UUID],
    checkin_service: NamedDependency[CheckinService],
) -> Template | Redirect:
    """Record today's attendance, then back to the session; a wrong code is said beside the
    field."""
    await EnrollmentService().my_enrollment(request.user, session_id)
    form = await request.form()
    code = _clean(str(form.get("kode") or ""))
    if len(code) != 6:
        return await _form(request, session_id, code, "Ketik enam angka kode presensi.", 422)
    try:
        await checkin_service.check_in(request.user, session_id, code)
    except Conflict:
        return Redirect(f"/saya/sesi/{session_id}?pesan=sudah-hadir", status_code=303)
    except RuleViolation as exc:
        return await _form(request, session_id, code, exc.detail, 422)
    return Redirect(f"/saya/sesi/{session_id}?pesan=hadir", status_code=303)


PAGES = [checkin_page, checkin_submit]

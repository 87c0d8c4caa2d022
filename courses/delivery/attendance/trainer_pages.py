"""The trainer's attendance pages for one session: the projector (the rotating check-in code,
large and as a QR code, refreshing itself) and the attendance list to mark per day.

They call the services of the API (``CheckinService.current_code``, ``AttendanceService``);
organizers and admins who manage the session open them too, anyone else gets 404. The QR
code holds the participant's check-in page ``/saya/sesi/{id}/hadir?kode=CODE`` under the public
address, so a phone camera opens the form with the code filled in.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from urllib.parse import quote
from uuid import UUID
from zoneinfo import ZoneInfo

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.enums import MediaType
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from markupsafe import Markup

from courses.delivery.attendance.checkin import CheckinService
from courses.delivery.attendance.schemas import AttendanceMarkInput, AttendanceStatus
from courses.delivery.attendance.service import ATTENDED, AttendanceService
from courses.delivery.enrollment.accounts import session_title
from courses.delivery.sessions.access import SessionRecord, get_session_for_staff
from lms.config import Settings
from lms.shared.errors import Conflict, RuleViolation
from lms.shared.indonesian import format_day_date, format_figure_id, timezone_label
from lms.shared.qr import qr_svg as shared_qr_svg
from lms.shared.values import utcnow
from lms.web.shell import page_guard

PageRequest = Request[Any, Any, Any]
STAFF = page_guard("trainer", "organizer")

STATUS_LABELS: dict[str, str] = {
    "present": "Hadir",
    "late": "Terlambat",
    "excused": "Izin",
    "absent": "Tidak hadir",
}
STATUSES: tuple[AttendanceStatus, ...] = ("present", "late", "excused", "absent")


def checkin_url(settings: Settings, session_id: UUID, code: str) -> str:
    """The participant's check-in page with the code filled in (what the QR code holds)."""
    base = settings.public_base_url.rstrip("/")
    return f"{base}/saya/sesi/{session_id}/hadir?kode={quote(code)}"


def qr_svg(data: str) -> Markup:
    """The check-in URL as the one QR code Prima draws (``lms.shared.qr``), sized by the
    stylesheet and hidden from screen readers (the page says the same in text)."""
    svg = shared_qr_svg(data, css_class="proj-qr")
    return Markup(svg.replace("<svg ", '<svg aria-hidden="true" focusable="false" ', 1))


def _clock(at: dt.datetime, timezone: str) -> str:
    """``08.31.30 WIB``: a code lasts 90 seconds, so the seconds matter."""
    local = at.astimezone(ZoneInfo(timezone))
    return f"{local:%H.%M.%S} {timezone_label(timezone, local)}"


def percent_text(value: Decimal) -> str:
    """``87,5`` for 87.50, ``100`` for 100.00 (Indonesian decimal comma)."""
    return format_figure_id(value)


def session_day(session: SessionRecord, tanggal: dt.date | None) -> dt.date:
    """The asked day, else today in the session's zone kept within the session's days."""
    if tanggal is not None and tanggal in session.days:
        return tanggal
    today = utcnow().astimezone(ZoneInfo(session.timezone)).date()
    return min(max(today, session.start_date), session.end_date)


def day_links(session: SessionRecord, selected: dt.date) -> list[dict[str, Any]]:
    """Each day of the session for a day picker."""
    return [
        {"iso": d.isoformat(), "label": format_day_date(d), "current": d == selected}
        for d in session.days
    ]


@get(
    "/latih/sesi/{session_id:uuid}/proyektor",
    operation_id="trainerProjectorPage",
    media_type=MediaType.HTML,
    guards=[STAFF],
)
async def projector(
    request: PageRequest,
    session_id: FromPath[UUID],
    checkin_service: NamedDependency[CheckinService],
    attendance_service: NamedDependency[AttendanceService],
    settings: NamedDependency[Settings],
    tanggal: FromQuery[dt.date | None] = None,
) -> Template:
    """The check-in code to show on the projector; it refreshes when the code changes."""
    session = await get_session_for_staff(request.user, session_id)
    day = session_day(session, tanggal)
    code = await checkin_service.current_code(request.user, session_id)
    summary = await attendance_service.summary(request.user, session_id)
    index = summary.days.index(day)
    attended = sum(1 for p in summary.people if p.marks[index].status in ATTENDED)
    url = checkin_url(settings, session.id, code.code)
    remaining = max(1, int((code.valid_until - utcnow()).total_seconds()) + 1)
    today = utcnow().astimezone(ZoneInfo(session.timezone)).date()
    return Template(
        "delivery/latih_proyektor.html",
        context={
            "session_id": session.id,
            "title": session_title(session),
            "active": "proyektor",
            "day": day.isoformat(),
            "day_label": format_day_date(day),
            "is_today": day == today,
            "code": code.code,
            "code_spaced": f"{code.code[:3]} {code.code[3:]}",
            "valid_until": _clock(code.valid_until, session.timezone),
            "remaining": remaining,
            "url": url,
            "qr": qr_svg(url),
            "attended": attended,
            "total": len(summary.people),
            "self_url": f"/latih/sesi/{session.id}/proyektor?tanggal={day.isoformat()}",
        },
        media_type=MediaType.HTML,
    )


def _attendance_page(
    session: SessionRecord,
    day: dt.date,
    people: list[dict[str, Any]],
    *,
    saved: int | None = None,
    error: str | None = None,
    status: int = 200,
) -> Template:
    return Template(
        "delivery/latih_kehadiran.html",
        context={
            "session_id": session.id,
            "title": session_title(session),
            "active": "kehadiran",
            "day": day.isoformat(),
            "day_label": format_day_date(day),
            "days": day_links(session, day),
            "people": people,
            "statuses": [(s, STATUS_LABELS[s]) for s in STATUSES],
            "saved": saved,
            "error": error,
        },
        status_code=status,
        media_type=MediaType.HTML,
    )


async def _people_of_day(
    service: AttendanceService, request: PageRequest, session_id: UUID, day: dt.date
) -> list[dict[str, Any]]:
    summary = await service.summary(request.user, session_id)
    index = summary.days.index(day)
    return [
        {
            "id": p.person_id,
            "name": p.full_name,
            "nip": p.nip,
            "status": p.marks[index].status,
            "percent": percent_text(p.percent),
        }
        for p in summary.people
    ]


@get(
    "/latih/sesi/{session_id:uuid}/kehadiran",
    operation_id="trainerAttendancePage",
    media_type=MediaType.HTML,
    guards=[STAFF],
)
async def attendance_page(
    request: PageRequest,
    session_id: FromPath[UUID],
    attendance_service: NamedDependency[AttendanceService],
    tanggal: FromQuery[dt.date | None] = None,
    tersimpan: FromQuery[int | None] = None,
) -> Template:
    """The participants of one session day, each with their status to mark."""
    session = await get_session_for_staff(request.user, session_id)
    day = session_day(session, tanggal)
    people = await _people_of_day(attendance_service, request, session_id, day)
    return _attendance_page(session, day, people, saved=tersimpan)


@post(
    "/latih/sesi/{session_id:uuid}/kehadiran",
    operation_id="trainerAttendanceSubmit",
    media_type=MediaType.HTML,
    guards=[STAFF],
)
async def attendance_submit(
    request: PageRequest,
    session_id: FromPath[UUID],
    attendance_service: NamedDependency[AttendanceService],
) -> Template | Redirect:
    """Save the day's marks (only the ones chosen; "semua hadir" marks the rest present)."""
    session = await get_session_for_staff(request.user, session_id)
    form = await request.form()
    try:
        asked = dt.date.fromisoformat(str(form.get("tanggal") or ""))
    except ValueError:
        asked = None
    day = session_day(session, asked)
    people = await _people_of_day(attendance_service, request, session_id, day)
    everyone_present = form.get("semua") == "present"
    marks = []
    for person in people:
        chosen = str(form.get(f"s-{person['id']}") or "")
        if chosen not in STATUSES:
            if not everyone_present or person["status"] is not None:
                continue
            chosen = "present"
        if chosen != person["status"]:
            marks.append(AttendanceMarkInput(person_id=person["id"], day=day, status=chosen))  # type: ignore[arg-type]
    try:
        saved = await attendance_service.mark(request.user, session_id, marks)
    except (RuleViolation, Conflict) as exc:
        return _attendance_page(session, day, people, error=exc.detail, status=exc.status)
    return Redirect(
        f"/latih/sesi/{session_id}/kehadiran?tanggal={day.isoformat()}&tersimpan={saved.saved}",
        status_code=303,
    )


PAGES = [projector, attendance_page, attendance_submit]

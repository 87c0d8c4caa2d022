"""Delivery pages: the sessions panel of a participant's home, and an organizer's sessions
with the class's accounts (create them all, print the slips, reset one password).

They call the delivery services the API uses (``EnrollmentService.mine``,
``SessionService.list``) and ``lms.auth.accounts`` through ``courses.delivery.accounts``.
The initial passwords of a creation are kept encrypted for a few minutes
(``lms.auth.slips.SlipStore``) so the organizer can download both the PDF and the XLSX.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import msgspec
from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.enums import MediaType
from litestar.params import FromPath
from litestar.response import Redirect, Response, Template

from courses.delivery.enrollment.accounts import class_members, create_class_accounts, session_title
from courses.delivery.enrollment.import_job import JOB_KIND as IMPORT_JOB_KIND
from courses.delivery.enrollment.importing import EnrollmentImportService
from courses.delivery.enrollment.schemas import (
    EnrollmentCreate,
    EnrollmentImportReport,
    EnrollmentRead,
    WithdrawalCreate,
)
from courses.delivery.enrollment.service import ACTIVE, EnrollmentService
from courses.delivery.sessions.access import SessionRecord, get_managed_session
from courses.delivery.sessions.pages import session_heading
from courses.delivery.sessions.seats import CLOSED_SESSION
from courses.delivery.sessions.service import SessionService
from lms.auth.accounts import AccountService
from lms.auth.slips import (
    PDF_MEDIA_TYPE,
    SLIP_TTL,
    XLSX_MEDIA_TYPE,
    SlipStore,
    file_name,
    slips_pdf,
    slips_xlsx,
)
from lms.config import Settings
from lms.jobs.schemas import JobAccepted
from lms.jobs.service import visible_job
from lms.people.nip import format_nip
from lms.shared.errors import Conflict, DomainError, NotFound, PayloadTooLarge
from lms.shared.indonesian import format_date_range
from lms.web.form_input import GENERAL, domain_errors, form_values, to_struct
from lms.web.home import HomePanel, Panel
from lms.web.session import PageCaller
from lms.web.shell import page_guard

PageRequest = Request[Any, Any, Any]
_STATUS_LABELS = {
    "confirmed": "terdaftar",
    "completed": "selesai",
    "waitlisted": "daftar tunggu",
    "requested": "menunggu persetujuan",
    "withdrawn": "mengundurkan diri",
}
_SESSION_LABELS = {
    "draft": "draf",
    "open": "pendaftaran dibuka",
    "running": "berjalan",
    "completed": "selesai",
    "cancelled": "dibatalkan",
}
_SLIPS_GONE = (
    "Lembar akun sudah tidak tersedia (hanya disimpan "
    f"{SLIP_TTL // 60} menit). Atur ulang kata sandi peserta yang belum menerima slip."
)


def sessions_panel(settings: Settings) -> HomePanel:
    """My sessions today, upcoming and past (from my enrollments)."""
    enrollments = EnrollmentService()

    async def panel(user: PageCaller) -> Panel | None:
        if user.person_id is None:
            return None
        today = dt.datetime.now(ZoneInfo(settings.timezone)).date()
        groups: dict[str, list[dict[str, Any]]] = {"today": [], "upcoming": [], "past": []}
        for item in await enrollments.mine(user):
            if item.status == "withdrawn":
                continue
            entry = {
                "id": item.session_id,
                "title": item.course_title,
                "session": item.session_name,
                "dates": format_date_range(item.start_date, item.end_date),
                "status": _STATUS_LABELS.get(item.status, item.status),
            }
            if item.start_date <= today <= item.end_date:
                groups["today"].append(entry)
            elif item.start_date > today:
                groups["upcoming"].append(entry)
            else:
                groups["past"].append(entry)
        groups["upcoming"].reverse()  # nearest first (the service lists newest first)
        return Panel(template="delivery/sessions_panel.html", context=groups)

    return panel


@get(
    "/kelola/sesi",
    operation_id="organizerSessionsPage",
    media_type=MediaType.HTML,
    guards=[page_guard("organizer")],
)
async def organizer_sessions(
    request: PageRequest, session_service: NamedDependency[SessionService]
) -> Template:
    """The sessions of the organizer's unit and below, latest first."""
    page = await session_service.list(request.user, limit=100, offset=0)
    sessions = [
        {
            "id": s.id,
            "title": f"{s.course_title} · {s.name}",
            "dates": format_date_range(s.start_date, s.end_date),
            "unit": s.unit_name,
            "count": s.confirmed_count,
            "status": _SESSION_LABELS.get(s.status, s.status),
        }
        for s in page.items
    ]
    return Template(
        "delivery/organizer_sessions.html",
        context={"sessions": sessions, "total": page.total},
        media_type=MediaType.HTML,
    )


@get(
    "/kelola/sesi/{session_id:uuid}/akun",
    operation_id="sessionAccountsPage",
    media_type=MediaType.HTML,
    guards=[page_guard("organizer")],
)
async def session_accounts(request: PageRequest, session_id: FromPath[UUID]) -> Template:
    """The class with each person's login, and the button that makes the missing ones."""
    session = await get_managed_session(request.user, session_id)
    members = await class_members(session.id)
    return Template(
        "delivery/session_accounts.html",
        context={
            "session_id": session.id,
            "title": session_title(session),
            "members": members,
            "missing": sum(1 for m in members if m.user_id is None),
        },
        media_type=MediaType.HTML,
    )


def _slip_store(request: PageRequest, settings: Settings) -> SlipStore:
    return SlipStore(request.app.stores.get("account_slips"), settings.secret_key)


@post(
    "/kelola/sesi/{session_id:uuid}/akun",
    operation_id="sessionAccountsCreatePage",
    media_type=MediaType.HTML,
    guards=[page_guard("organizer")],
)
async def create_accounts(
    request: PageRequest,
    session_id: FromPath[UUID],
    account_service: NamedDependency[AccountService],
    settings: NamedDependency[Settings],
) -> Redirect:
    """Make the missing accounts, then show them (and the slips) for a few minutes."""
    result = await create_class_accounts(account_service, request.user, session_id)
    key = await _slip_store(request, settings).put(str(request.user.user_id), result)
    return Redirect(f"/kelola/sesi/{session_id}/akun/hasil/{key}", status_code=303)


async def _stored(request: PageRequest, settings: Settings, session_id: UUID, key: str) -> Any:
    await get_managed_session(request.user, session_id)
    result = await _slip_store(request, settings).get(str(request.user.user_id), key)
    if result is None:
        raise NotFound(_SLIPS_GONE)
    return result


@get(
    "/kelola/sesi/{session_id:uuid}/akun/hasil/{key:str}",
    operation_id="sessionAccountsResultPage",
    media_type=MediaType.HTML,
    guards=[page_guard("organizer")],
)
async def accounts_result(
    request: PageRequest,
    session_id: FromPath[UUID],
    key: FromPath[str],
    settings: NamedDependency[Settings],
) -> Template:
    """Who got an account (with the initial password) and who was skipped."""
    result = await _stored(request, settings, session_id, key)
    return Template(
        "delivery/accounts_result.html",
        context={
            "result": result,
            "session_id": session_id,
            "key": key,
            "minutes": SLIP_TTL // 60,
        },
        media_type=MediaType.HTML,
    )


@get(
    "/kelola/sesi/{session_id:uuid}/akun/hasil/{key:str}/{extension:str}",
    operation_id="sessionAccountsSlipsPage",
    guards=[page_guard("organizer")],
)
async def accounts_slips(
    request: PageRequest,
    session_id: FromPath[UUID],
    key: FromPath[str],
    extension: FromPath[str],
    settings: NamedDependency[Settings],
) -> Response[bytes]:
    """The slips as PDF (to cut) or XLSX, from the stored creation."""
    if extension not in ("pdf", "xlsx"):
        raise NotFound("Format tidak dikenal.")
    result = await _stored(request, settings, session_id, key)
    if extension == "pdf":
        content = await slips_pdf(result.title, result.login_url, result.created)
        media = PDF_MEDIA_TYPE
    else:
        content = slips_xlsx(result.title, result.login_url, result.created)
        media = XLSX_MEDIA_TYPE
    return Response(
        content,
        media_type=media,
        headers={
            "Content-Disposition": (f'attachment; filename="{file_name(result.title, extension)}"')
        },
    )


_OUTCOME_LABELS = {
    "confirmed": "terdaftar",
    "waitlisted": "daftar tunggu",
    "requested": "menunggu persetujuan",
    "already_enrolled": "sudah terdaftar",
    "rejected": "ditolak",
}
_NO_FILE = "Pilih berkas daftar peserta (.xlsx atau .csv)."


def _changeable(session: SessionRecord) -> bool:
    """Enrollments change (withdraw, approve, enroll again) until the session closes; the
    services refuse the same (``check_open_for_organizer``, ``withdraw``)."""
    return session.status not in CLOSED_SESSION and session.finalized_at is None


def _status_text(e: EnrollmentRead) -> str:
    label = _STATUS_LABELS.get(e.status, e.status)
    if e.status == "waitlisted" and e.waitlist_position:
        label += f" (urutan {e.waitlist_position})"
    return label


async def _participants_page(
    request: PageRequest,
    session_id: UUID,
    enrollment_service: EnrollmentService,
    *,
    report: EnrollmentImportReport | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Template:
    session = await get_managed_session(request.user, session_id)
    page = await enrollment_service.for_session(
        request.user, session_id, status=None, limit=1000, offset=0
    )
    return Template(
        "delivery/participants.html",
        context={
            "s": session_heading(session),
            "enrollments": [
                {
                    "id": e.id,
                    "name": e.full_name,
                    "nip": format_nip(e.nip) if e.nip else "",
                    "unit": e.unit_name,
                    "status": _status_text(e),
                    "status_code": e.status,
                    "active": e.status in ACTIVE,
                }
                for e in page.items
            ],
            "total": page.total,
            "active": sum(1 for e in page.items if e.status in ACTIVE),
            "changeable": _changeable(session),
            "report": report,
            "outcomes": _OUTCOME_LABELS,
            "error": error,
        },
        media_type=MediaType.HTML,
        status_code=status_code,
    )


@get(
    "/kelola/sesi/{session_id:uuid}/peserta",
    operation_id="organizerParticipantsPage",
    media_type=MediaType.HTML,
    guards=[page_guard("organizer")],
)
async def participants(
    request: PageRequest,
    session_id: FromPath[UUID],
    enrollment_service: NamedDependency[EnrollmentService],
) -> Template:
    """The class (in arrival order) and the form that imports a participant list."""
    return await _participants_page(request, session_id, enrollment_service)


@post(
    "/kelola/sesi/{session_id:uuid}/peserta",
    operation_id="organizerParticipantsImportPage",
    media_type=MediaType.HTML,
    guards=[page_guard("organizer")],
)
async def import_participants(
    request: PageRequest,
    session_id: FromPath[UUID],
    enrollment_service: NamedDependency[EnrollmentService],
    enrollment_import_service: NamedDependency[EnrollmentImportService],
) -> Template | Redirect:
    """Import the uploaded list and show its per-row report (a long list runs as a job)."""
    await get_managed_session(request.user, session_id)
    form = await request.form()
    upload = form.get("berkas")
    if upload is None or isinstance(upload, str) or not upload.filename:
        return await _participants_page(
            request, session_id, enrollment_service, error=_NO_FILE, status_code=422
        )
    limit = enrollment_import_service.settings.max_upload_bytes
    try:
        content = await upload.read(limit + 1)
        if len(content) > limit:
            raise PayloadTooLarge(f"Berkas lebih dari {limit // (1024 * 1024)} MB.")
        outcome = await enrollment_import_service.run(
            request.user, session_id, content, upload.filename
        )
    except NotFound:
        raise
    except DomainError as exc:
        detail = exc.detail
        if exc.errors:
            detail += " " + "; ".join(str(e.get("message", "")) for e in exc.errors[:5])
        return await _participants_page(
            request, session_id, enrollment_service, error=detail, status_code=exc.status
        )
    if isinstance(outcome, JobAccepted):
        return Redirect(
            f"/kelola/sesi/{session_id}/peserta/impor/{outcome.job_id}", status_code=303
        )
    return await _participants_page(request, session_id, enrollment_service, report=outcome)


@get(
    "/kelola/sesi/{session_id:uuid}/peserta/impor/{job_id:uuid}",
    operation_id="organizerParticipantsImportJobPage",
    media_type=MediaType.HTML,
    guards=[page_guard("organizer")],
)
async def import_job_page(
    request: PageRequest,
    session_id: FromPath[UUID],
    job_id: FromPath[UUID],
    enrollment_service: NamedDependency[EnrollmentService],
) -> Template:
    """A long list's import: its progress until done, then the same per-row report."""
    await get_managed_session(request.user, session_id)
    job = await visible_job(request.user, job_id)
    if job.kind != IMPORT_JOB_KIND:
        raise NotFound("Pekerjaan tidak ditemukan.")
    if job.status == "succeeded":
        report = msgspec.convert(job.result, EnrollmentImportReport)
        return await _participants_page(request, session_id, enrollment_service, report=report)
    if job.status in ("failed", "interrupted"):
        messages = "; ".join(str(e.get("message", "")) for e in job.errors[:5])
        return await _participants_page(
            request,
            session_id,
            enrollment_service,
            error=f"Impor gagal. {messages}".strip(),
            status_code=422,
        )
    session = await get_managed_session(request.user, session_id)
    percent = min(100, job.done * 100 // job.total) if job.total else 0
    return Template(
        "delivery/import_running.html",
        context={
            "s": session_heading(session),
            "job_id": job_id,
            "done": job.done,
            "total": job.total,
            "percent": percent,
            "width": f"w-{percent // 10 * 10}",
        },
        media_type=MediaType.HTML,
    )


async def _enrollment_of_session(
    request: PageRequest, service: EnrollmentService, session_id: UUID, enrollment_id: UUID
) -> tuple[SessionRecord, EnrollmentRead]:
    """The session (managed by the caller) and one of its enrollments; 404 otherwise."""
    session = await get_managed_session(request.user, session_id)
    enrollment = await service.read(request.user, enrollment_id)
    if enrollment.session_id != session.id:
        raise NotFound("Pendaftaran tidak ditemukan.")
    return session, enrollment


def _participants_url(session_id: UUID, message: str) -> Redirect:
    return Redirect(f"/kelola/sesi/{session_id}/peserta?pesan={message}", status_code=303)


def _withdraw_form(
    session: SessionRecord,
    enrollment: EnrollmentRead,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
) -> Template:
    return Template(
        "delivery/withdraw.html",
        context={
            "s": session_heading(session),
            "e": {
                "id": enrollment.id,
                "name": enrollment.full_name,
                "nip": format_nip(enrollment.nip) if enrollment.nip else "",
                "status": _status_text(enrollment),
                "confirmed": enrollment.status == "confirmed",
            },
            "open": _changeable(session) and enrollment.status in ACTIVE,
            "errors": errors or {},
            "values": values or {},
            "general": GENERAL,
        },
        media_type=MediaType.HTML,
        status_code=422 if errors else 200,
    )


@get(
    "/kelola/sesi/{session_id:uuid}/peserta/{enrollment_id:uuid}/mundur",
    operation_id="organizerWithdrawConfirmPage",
    media_type=MediaType.HTML,
    guards=[page_guard("organizer")],
)
async def withdraw_confirm(
    request: PageRequest,
    session_id: FromPath[UUID],
    enrollment_id: FromPath[UUID],
    enrollment_service: NamedDependency[EnrollmentService],
) -> Template:
    """The confirm step of a withdrawal: who, what follows, and the reason to write."""
    session, enrollment = await _enrollment_of_session(
        request, enrollment_service, session_id, enrollment_id
    )
    return _withdraw_form(session, enrollment)


@post(
    "/kelola/sesi/{session_id:uuid}/peserta/{enrollment_id:uuid}/mundur",
    operation_id="organizerWithdrawPage",
    media_type=MediaType.HTML,
    guards=[page_guard("organizer")],
)
async def withdraw(
    request: PageRequest,
    session_id: FromPath[UUID],
    enrollment_id: FromPath[UUID],
    enrollment_service: NamedDependency[EnrollmentService],
) -> Template | Redirect:
    """Withdraw the participant with the written reason (audited); a freed seat moves the
    first of the waitlist up."""
    session, enrollment = await _enrollment_of_session(
        request, enrollment_service, session_id, enrollment_id
    )
    values = await form_values(request)
    submitted = {"reason": values.get("reason", "")}
    data, errors = to_struct(submitted, WithdrawalCreate)
    if data is not None and data.reason is None:
        errors = {"reason": "wajib diisi"}
    if data is not None and not errors:
        try:
            done = await enrollment_service.withdraw(request.user, enrollment_id, data.reason)
        except NotFound:
            raise
        except DomainError as exc:
            errors = domain_errors(exc)
        else:
            message = "mundur-naik" if done.promoted is not None else "mundur"
            return _participants_url(session_id, message)
    return _withdraw_form(session, enrollment, errors, submitted)


async def _change(
    request: PageRequest,
    session_id: UUID,
    enrollment_service: EnrollmentService,
    action: Any,
) -> Template | Redirect:
    try:
        message = await action()
    except NotFound:
        raise
    except DomainError as exc:
        return await _participants_page(
            request, session_id, enrollment_service, error=exc.detail, status_code=exc.status
        )
    return _participants_url(session_id, message)


@post(
    "/kelola/sesi/{session_id:uuid}/peserta/{enrollment_id:uuid}/setujui",
    operation_id="organizerApproveEnrollmentPage",
    media_type=MediaType.HTML,
    guards=[page_guard("organizer")],
)
async def approve(
    request: PageRequest,
    session_id: FromPath[UUID],
    enrollment_id: FromPath[UUID],
    enrollment_service: NamedDependency[EnrollmentService],
) -> Template | Redirect:
    """Approve a request: a seat if one is free, else the end of the waitlist."""
    await _enrollment_of_session(request, enrollment_service, session_id, enrollment_id)

    async def run() -> str:
        done = await enrollment_service.approve(request.user, enrollment_id)
        return "disetujui" if done.status == "confirmed" else "disetujui-tunggu"

    return await _change(request, session_id, enrollment_service, run)


@post(
    "/kelola/sesi/{session_id:uuid}/peserta/{enrollment_id:uuid}/daftar-ulang",
    operation_id="organizerReenrollPage",
    media_type=MediaType.HTML,
    guards=[page_guard("organizer")],
)
async def reenroll(
    request: PageRequest,
    session_id: FromPath[UUID],
    enrollment_id: FromPath[UUID],
    enrollment_service: NamedDependency[EnrollmentService],
) -> Template | Redirect:
    """Enroll a withdrawn participant again, as the API's enrollment does (organizers of
    the session may enroll anyone of their scope): the enrollment reopens at the end of the
    queue, with a seat if one is free."""
    _, enrollment = await _enrollment_of_session(
        request, enrollment_service, session_id, enrollment_id
    )

    async def run() -> str:
        if enrollment.status != "withdrawn":
            raise Conflict(f"{enrollment.full_name} tidak sedang mundur.")
        batch = await enrollment_service.create(
            request.user, session_id, EnrollmentCreate(person_ids=[enrollment.person_id])
        )
        return "kembali" if batch.confirmed else "kembali-tunggu"

    return await _change(request, session_id, enrollment_service, run)


PAGES = [
    organizer_sessions,
    session_accounts,
    create_accounts,
    accounts_result,
    accounts_slips,
    participants,
    import_participants,
    import_job_page,
    withdraw_confirm,
    withdraw,
    approve,
    reenroll,
]

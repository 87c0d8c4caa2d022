"""An organizer's certificate page of a session: issue (a job, with a live progress bar), the
ZIP and merged-PDF downloads, and revoke (category + reason) or re-issue each certificate.

The page calls ``IssuingService.start``, ``CertificateRecords.search``, ``DownloadService`` and
``TrustService`` as the API does. The progress page works without JavaScript (a "Perbarui"
link reloads it); ``progress.js`` polls the job's JSON on this router (the API's
``/api/v1/jobs/{id}`` wants a bearer token, a page has its cookie) and moves the bar.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.enums import MediaType
from litestar.params import FromPath
from litestar.response import Redirect, Response, Stream, Template

from certificates.issuing.job import JOB_KIND, IssuingService
from certificates.issuing.remote_signing import signing_logs
from certificates.issuing.schemas import SigningCallRead
from certificates.records.downloads import DownloadService
from certificates.records.schemas import REVOCATION_CATEGORIES, ReasonRequest, RevokeRequest
from certificates.records.service import CertificateQuery, CertificateRecords
from certificates.records.trust import TrustService
from certificates.rendering.bsre import MESSAGES
from courses.delivery.sessions.access import get_managed_session
from courses.delivery.sessions.pages import session_heading
from courses.results.results import ResultService
from lms.jobs.schemas import JobRead
from lms.jobs.service import visible_job
from lms.shared.errors import DomainError, NotFound
from lms.shared.indonesian import format_date, format_time
from lms.web.form_input import GENERAL, domain_errors, form_values, to_struct
from lms.web.shell import page_guard

PageRequest = Request[Any, Any, Any]
STATUS_LABELS = {
    "valid": "berlaku",
    "expired": "kedaluwarsa",
    "revoked": "dicabut",
    "superseded": "diganti",
}
CATEGORIES = [(code, labels["id"]) for code, labels in REVOCATION_CATEGORIES.items()]
FINISHED = ("succeeded", "failed", "interrupted")


def _percent(job: JobRead) -> int:
    if job.status == "succeeded":
        return 100
    return min(100, job.done * 100 // job.total) if job.total else 0


def job_progress(job: JobRead) -> dict[str, Any]:
    """What the bar shows: percent, the width class (tens), counts and whether it is over."""
    percent = _percent(job)
    return {
        "status": job.status,
        "done": job.done,
        "total": job.total,
        "percent": percent,
        "width": f"w-{percent // 10 * 10}",
        "finished": job.status in FINISHED,
        "result": job.result,
        "errors": job.errors,
    }


OUTCOME_LABELS = {"signed": "ditandatangani", "refused": "ditolak", "failed": "gagal"}


def _signing_line(call: SigningCallRead, tz: str) -> dict[str, Any]:
    """One BSrE call as the organizer's page lists it."""
    local = call.at.astimezone(ZoneInfo(tz))
    return {
        "when": f"{format_date(local.date())} {format_time(local, tz)}",
        "endpoint": call.endpoint,
        "attempt": call.attempt,
        "outcome": OUTCOME_LABELS.get(call.outcome, call.outcome),
        "ok": call.outcome == "signed",
        "http_status": call.http_status if call.http_status is not None else "—",
        "duration_ms": call.duration_ms,
        "reason": MESSAGES.get(call.error_code, "") if call.error_code else "",
    }


async def _issue_job(caller: Any, session_id: UUID, job_id: UUID) -> JobRead:
    job = await visible_job(caller, job_id)
    if job.kind != JOB_KIND:
        raise NotFound("Pekerjaan tidak ditemukan.")
    return job


async def _page(
    request: PageRequest,
    session_id: UUID,
    records: CertificateRecords,
    results_of: ResultService,
    *,
    errors: dict[str, str] | None = None,
    failed_for: str | None = None,
    values: dict[str, str] | None = None,
) -> Template:
    session = await get_managed_session(request.user, session_id)
    tz = session.timezone
    results = await results_of.results(request.user, session_id)
    page = await records.search(
        request.user, CertificateQuery(session_id=session_id), limit=1000, offset=0
    )
    logs = await signing_logs([c.code for c in page.items])
    items = [
        {
            "id": c.id,
            "number": c.number,
            "holder": c.holder_name,
            "status": c.status,
            "status_label": STATUS_LABELS.get(c.status, c.status),
            "issued": format_date(c.issued_at.date()),
            "verify": c.links.verify,
            "actionable": c.status in ("valid", "expired"),
            "signing": [_signing_line(call, tz) for call in logs.get(c.code, [])],
        }
        for c in sorted(page.items, key=lambda c: c.number)
    ]
    holders = {c.person_id for c in page.items if c.status in ("valid", "expired")}
    passed = [r for r in results.items if r.passed]
    return Template(
        "records/session_certificates.html",
        context={
            "s": session_heading(session),
            "finalized": results.finalized,
            "passed": len(passed),
            "waiting": sum(1 for r in passed if r.person_id not in holders),
            "valid": sum(1 for c in page.items if c.status == "valid"),
            "items": items,
            "categories": CATEGORIES,
            "errors": errors or {},
            "failed_for": failed_for,
            "values": values or {},
            "general": GENERAL,
        },
        media_type=MediaType.HTML,
        status_code=422 if errors else 200,
    )


@get(
    "/kelola/sesi/{session_id:uuid}/sertifikat",
    operation_id="organizerCertificatesPage",
    media_type=MediaType.HTML,
    guards=[page_guard("organizer")],
)
async def certificates_page(
    request: PageRequest,
    session_id: FromPath[UUID],
    certificate_records: NamedDependency[CertificateRecords],
    result_service: NamedDependency[ResultService],
) -> Template:
    """The session's certificates, the issue button and the downloads."""
    return await _page(request, session_id, certificate_records, result_service)


@post(
    "/kelola/sesi/{session_id:uuid}/sertifikat",
    operation_id="organizerCertificatesIssuePage",
    media_type=MediaType.HTML,
    guards=[page_guard("organizer")],
)
async def issue(
    request: PageRequest,
    session_id: FromPath[UUID],
    issuing_service: NamedDependency[IssuingService],
    certificate_records: NamedDependency[CertificateRecords],
    result_service: NamedDependency[ResultService],
) -> Redirect | Template:
    """Start issuing to the passed participants without one; then show the progress."""
    try:
        accepted = await issuing_service.start(request.user, session_id, None)
    except NotFound:
        raise
    except DomainError as exc:
        return await _page(
            request, session_id, certificate_records, result_service, errors=domain_errors(exc)
        )
    return Redirect(
        f"/kelola/sesi/{session_id}/sertifikat/proses/{accepted.job_id}", status_code=303
    )


@get(
    "/kelola/sesi/{session_id:uuid}/sertifikat/proses/{job_id:uuid}",
    operation_id="organizerCertificatesProgressPage",
    media_type=MediaType.HTML,
    guards=[page_guard("organizer")],
)
async def progress_page(
    request: PageRequest, session_id: FromPath[UUID], job_id: FromPath[UUID]
) -> Template:
    """The issuing job's progress bar (a "Perbarui" link; progress.js moves it live)."""
    session = await get_managed_session(request.user, session_id)
    job = await _issue_job(request.user, session_id, job_id)
    return Template(
        "records/issue_progress.html",
        context={"s": session_heading(session), "job_id": job_id, "p": job_progress(job)},
        media_type=MediaType.HTML,
    )


@get(
    "/kelola/sesi/{session_id:uuid}/sertifikat/proses/{job_id:uuid}/status",
    operation_id="organizerCertificatesProgressJson",
    guards=[page_guard("organizer")],
)
async def progress_json(
    request: PageRequest, session_id: FromPath[UUID], job_id: FromPath[UUID]
) -> dict[str, Any]:
    """The bar's figures as JSON, for progress.js."""
    await get_managed_session(request.user, session_id)
    progress = job_progress(await _issue_job(request.user, session_id, job_id))
    return {k: progress[k] for k in ("status", "done", "total", "percent", "width", "finished")}


@get(
    "/kelola/sesi/{session_id:uuid}/sertifikat/semua.zip",
    operation_id="organizerCertificatesZip",
    guards=[page_guard("organizer")],
)
async def download_zip(
    request: PageRequest,
    session_id: FromPath[UUID],
    download_service: NamedDependency[DownloadService],
) -> Stream:
    """Every current certificate of the session, one PDF each, in a ZIP."""
    await get_managed_session(request.user, session_id)
    bundle = await download_service.zip(request.user, session_id)
    return Stream(
        bundle.chunks,
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{bundle.filename}"'},
    )


@get(
    "/kelola/sesi/{session_id:uuid}/sertifikat/semua.pdf",
    operation_id="organizerCertificatesMergedPdf",
    guards=[page_guard("organizer")],
)
async def download_merged(
    request: PageRequest,
    session_id: FromPath[UUID],
    download_service: NamedDependency[DownloadService],
) -> Response[bytes]:
    """Every current certificate of the session merged into one PDF, for printing."""
    await get_managed_session(request.user, session_id)
    download = await download_service.merged(request.user, session_id)
    return Response(
        download.content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{download.filename}"'},
    )


async def _certificate_of_session(
    request: PageRequest, records: CertificateRecords, session_id: UUID, certificate_id: UUID
) -> None:
    await get_managed_session(request.user, session_id)
    certificate = await records.get(request.user, certificate_id)
    if certificate.session_id != session_id:
        raise NotFound("Sertifikat tidak ditemukan.")


@post(
    "/kelola/sesi/{session_id:uuid}/sertifikat/{certificate_id:uuid}/cabut",
    operation_id="organizerCertificateRevokePage",
    media_type=MediaType.HTML,
    guards=[page_guard("organizer")],
)
async def revoke(
    request: PageRequest,
    session_id: FromPath[UUID],
    certificate_id: FromPath[UUID],
    certificate_records: NamedDependency[CertificateRecords],
    trust_service: NamedDependency[TrustService],
    result_service: NamedDependency[ResultService],
) -> Redirect | Template:
    """Revoke one certificate with a category and a reason (audited)."""
    await _certificate_of_session(request, certificate_records, session_id, certificate_id)
    values = await form_values(request)
    submitted = {"category": values.get("category", ""), "reason": values.get("reason", "")}
    data, errors = to_struct(submitted, RevokeRequest)
    if data is not None:
        try:
            await trust_service.revoke(request.user, certificate_id, data)
        except DomainError as exc:
            errors = domain_errors(exc)
        else:
            return Redirect(f"/kelola/sesi/{session_id}/sertifikat?pesan=dicabut", status_code=303)
    return await _page(
        request,
        session_id,
        certificate_records,
        result_service,
        errors={f"revoke_{k}": v for k, v in errors.items()},
        failed_for=str(certificate_id),
        values=submitted,
    )


@post(
    "/kelola/sesi/{session_id:uuid}/sertifikat/{certificate_id:uuid}/terbitkan-ulang",
    operation_id="organizerCertificateReissuePage",
    media_type=MediaType.HTML,
    guards=[page_guard("organizer")],
)
async def reissue(
    request: PageRequest,
    session_id: FromPath[UUID],
    certificate_id: FromPath[UUID],
    certificate_records: NamedDependency[CertificateRecords],
    trust_service: NamedDependency[TrustService],
    result_service: NamedDependency[ResultService],
) -> Redirect | Template:
    """Issue a corrected certificate (new number and code) that supersedes this one."""
    await _certificate_of_session(request, certificate_records, session_id, certificate_id)
    values = await form_values(request)
    submitted = {"reason": values.get("reason", "")}
    data, errors = to_struct(submitted, ReasonRequest)
    if data is not None:
        try:
            await trust_service.reissue(request.user, certificate_id, data)
        except DomainError as exc:
            errors = domain_errors(exc)
        else:
            return Redirect(
                f"/kelola/sesi/{session_id}/sertifikat?pesan=diterbitkan-ulang", status_code=303
            )
    return await _page(
        request,
        session_id,
        certificate_records,
        result_service,
        errors={f"reissue_{k}": v for k, v in errors.items()},
        failed_for=str(certificate_id),
        values=submitted,
    )


PAGES = [
    certificates_page,
    issue,
    progress_page,
    progress_json,
    download_zip,
    download_merged,
    revoke,
    reissue,
]

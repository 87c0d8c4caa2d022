"""Certificate pages: ``/verify`` without a code (the "cek sertifikat" form and the look-up of
what was typed), the certificates panel of a participant's home, and its PDF download.

A found certificate opens its public page (``/verify/{code}``, ``certificates.verify_page``);
what was typed is forgiven as ``certificates.lookup`` explains. Rate limited per address like
the verify page, since a look-up that misses scans the certificates.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit
from uuid import UUID
from zoneinfo import ZoneInfo

from litestar import Request, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.enums import MediaType
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Response, Template

from certificates.records.downloads import DownloadService
from certificates.records.schemas import STATUS_LABELS
from certificates.records.service import CertificateQuery, CertificateRecords
from certificates.verification.batch import MAX_BATCH_ITEMS, check_batch, items_from_upload
from certificates.verification.lookup import find_code
from certificates.verification.schemas import VerifyBatchRead
from certificates.verification.service import VerificationService
from lms.config import Settings
from lms.shared.errors import BadRequest, DomainError
from lms.shared.indonesian import format_date
from lms.web.home import HomePanel, Panel
from lms.web.session import PageCaller
from lms.web.shell import page_guard


@get("/verify", operation_id="checkCertificatePage", media_type=MediaType.HTML)
async def check_page(q: FromQuery[str | None] = None) -> Template | Redirect:
    """The form; with ``?q=`` the certificate's page, or the form again saying nothing matched."""
    typed = (q or "").strip()
    if not typed:
        return Template("pages/check.html", context={}, media_type=MediaType.HTML)
    code = await find_code(typed)
    if code is not None:
        return Redirect(f"/verify/{code}", status_code=303)
    return Template(
        "pages/check.html",
        context={
            "check_value": typed[:255],
            "check_error": (
                "Sertifikat dengan nomor atau kode ini tidak ditemukan. Periksa kembali "
                "ketikan Anda."
            ),
        },
        status_code=404,
        media_type=MediaType.HTML,
    )


async def my_certificates(
    records: CertificateRecords, settings: Settings, user: PageCaller
) -> list[dict[str, Any]]:
    """The caller's certificates as the panel and ``/saya/sertifikat`` print them."""
    page = await records.search(user, CertificateQuery(person_id=user.person_id), limit=50)
    zone = ZoneInfo(settings.timezone)
    return [
        {
            "id": c.id,
            "course": c.course_title,
            "number": c.number,
            "status": c.status,
            "status_label": STATUS_LABELS["id"].get(c.status, c.status),
            "issued": format_date(c.issued_at.astimezone(zone).date()),
            "verify_url": c.links.verify,
            "badge_url": f"/verify/{c.links.verify.rsplit('/', 1)[-1]}/badge.json",
        }
        for c in page.items
    ]


def certificates_panel(settings: Settings) -> HomePanel:
    """My certificates on the home page: download, and the verify link to share."""
    records = CertificateRecords(settings)

    async def panel(user: PageCaller) -> Panel | None:
        if user.person_id is None:
            return None
        items = await my_certificates(records, settings, user)
        return Panel(template="pages/certificates_panel.html", context={"items": items})

    return panel


@get(
    "/saya/sertifikat",
    operation_id="myCertificatesPage",
    media_type=MediaType.HTML,
    guards=[page_guard()],
)
async def my_certificates_page(
    request: Request[Any, Any, Any], settings: NamedDependency[Settings]
) -> Template:
    """My certificates: download the PDF, and the verify link to share (copyable)."""
    user: PageCaller = request.user
    items = (
        await my_certificates(CertificateRecords(settings), settings, user)
        if user.person_id is not None
        else []
    )
    return Template(
        "pages/my_certificates.html", context={"items": items}, media_type=MediaType.HTML
    )


@get(
    "/saya/sertifikat/{certificate_id:uuid}/pdf",
    operation_id="myCertificatePdfPage",
    guards=[page_guard()],
)
async def my_certificate_pdf(
    request: Request[Any, Any, Any],
    certificate_id: FromPath[UUID],
    download_service: NamedDependency[DownloadService],
) -> Response[bytes]:
    """The certificate's PDF exactly as issued, for its holder (and staff in scope)."""
    download = await download_service.pdf(request.user, certificate_id)
    return Response(
        content=download.content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{download.filename}"'},
    )


@get(
    "/sdm/verifikasi",
    operation_id="hrVerifyPage",
    media_type=MediaType.HTML,
    guards=[page_guard("hr")],
)
async def hr_verify_page() -> Template:
    """HR's checks: type one number or code (the public verify page answers), or upload a
    file of many."""
    return Template(
        "pages/sdm_verify.html", context={"max_items": MAX_BATCH_ITEMS}, media_type=MediaType.HTML
    )


def _batch_rows(result: VerifyBatchRead, timezone: str) -> list[dict[str, Any]]:
    zone = ZoneInfo(timezone)
    return [
        {
            "input": row.input,
            "found": row.found,
            "status": row.status,
            "status_label": row.status_label or "tidak ditemukan",
            "number": row.number,
            "holder": row.holder_name,
            "nip": row.nip,
            "course": row.course,
            "issued": format_date(row.issued_at.astimezone(zone).date()) if row.issued_at else "",
            "link": urlsplit(row.verify_url).path if row.verify_url else None,
        }
        for row in result.items
    ]


@post(
    "/sdm/verifikasi",
    operation_id="hrVerifyBatchPage",
    media_type=MediaType.HTML,
    guards=[page_guard("hr")],
)
async def hr_verify_batch(
    request: Request[Any, Any, Any],
    verification_service: NamedDependency[VerificationService],
    settings: NamedDependency[Settings],
) -> Template:
    """Check every number or code of an uploaded CSV/XLSX; one row per line, in order."""
    form = await request.form()
    upload = form.get("berkas")
    context: dict[str, Any] = {"max_items": MAX_BATCH_ITEMS}
    try:
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise BadRequest("Pilih berkas daftar nomor atau kode (.csv atau .xlsx).")
        items = items_from_upload(
            await upload.read(), upload.filename, max_bytes=settings.max_upload_bytes
        )
        result = await check_batch(verification_service, request.user, items)
    except DomainError as exc:
        context["batch_error"] = exc.detail
        return Template(
            "pages/sdm_verify.html",
            context=context,
            status_code=exc.status,
            media_type=MediaType.HTML,
        )
    rows = _batch_rows(result, settings.timezone)
    context.update(
        {
            "filename": upload.filename,
            "rows": rows,
            "total": result.total,
            "found": result.found,
            "valid": sum(1 for r in rows if r["status"] == "valid"),
        }
    )
    return Template("pages/sdm_verify.html", context=context, media_type=MediaType.HTML)


PAGES = [check_page, my_certificate_pdf, my_certificates_page, hr_verify_page, hr_verify_batch]

"""Certificate pages: ``/verify`` without a code (the "cek sertifikat" form and the look-up of
what was typed), the certificates panel of a participant's home, and its PDF download.

A found certificate opens its public page (``/verify/{code}``, ``certificates.verify_page``);
what was typed is forgiven as ``certificates.lookup`` explains. Rate limited per address like
the verify page, since a look-up that misses scans the certificates.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from litestar import Request, get
from litestar.di import NamedDependency
from litestar.enums import MediaType
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Response, Template

from certificates.records.downloads import DownloadService
from certificates.records.schemas import STATUS_LABELS
from certificates.records.service import CertificateQuery, CertificateRecords
from certificates.verification.lookup import find_code
from lms.config import Settings
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


def certificates_panel(settings: Settings) -> HomePanel:
    """My certificates on the home page: download, and the verify link to share."""
    records = CertificateRecords(settings)

    async def panel(user: PageCaller) -> Panel | None:
        if user.person_id is None:
            return None
        page = await records.search(user, CertificateQuery(person_id=user.person_id), limit=50)
        items = [
            {
                "id": c.id,
                "course": c.course_title,
                "number": c.number,
                "status": c.status,
                "status_label": STATUS_LABELS["id"].get(c.status, c.status),
                "issued": format_date(c.issued_at.astimezone(ZoneInfo(settings.timezone)).date()),
                "verify_url": c.links.verify,
                "badge_url": f"/verify/{c.links.verify.rsplit('/', 1)[-1]}/badge.json",
            }
            for c in page.items
        ]
        return Panel(template="pages/certificates_panel.html", context={"items": items})

    return panel


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


PAGES = [check_page, my_certificate_pdf]

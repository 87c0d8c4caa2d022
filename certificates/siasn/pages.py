"""HR's page of certificates sent to SIASN (``/sdm/siasn``): the status of each certificate of
a year (terkirim, gagal with SIASN's reason, belum dikirim) and a "Kirim ulang" form.

It calls the API's ``SiasnPushService`` with the page's caller, so the scope is the API's.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from uuid import UUID
from zoneinfo import ZoneInfo

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.enums import MediaType
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Template

from certificates.siasn.schemas import PushStatus, SiasnPushRead
from certificates.siasn.service import LABELS, SiasnPushService
from lms.config import Settings
from lms.shared.errors import DomainError, NotFound
from lms.shared.indonesian import format_date
from lms.web.shell import page_guard

PageRequest = Request[Any, Any, Any]
HR_ONLY = [page_guard("hr")]
PAGE_SIZE = 200
YearQuery = Annotated[int | None, QueryParameter(name="tahun", ge=1990, le=2100)]
StatusQuery = Annotated[PushStatus | None, QueryParameter(name="status")]
SentQuery = Annotated[str | None, QueryParameter(name="terkirim", max_length=128)]


def _this_year(settings: Settings) -> int:
    return dt.datetime.now(ZoneInfo(settings.timezone)).year


def _row(item: SiasnPushRead, zone: ZoneInfo) -> dict[str, Any]:
    return {
        "id": item.certificate_id,
        "number": item.number,
        "holder": item.holder_name,
        "nip": item.nip,
        "course": item.course_title,
        "issued": format_date(item.issued_at.astimezone(zone).date()),
        "status": item.status,
        "label": item.status_label,
        "siasn_id": item.siasn_id,
        "error": item.last_error,
        "attempts": item.attempts,
        "can_send": item.status in ("not_sent", "failed"),
    }


async def _page(
    request: PageRequest,
    service: SiasnPushService,
    settings: Settings,
    year: int,
    status: PushStatus | None,
    *,
    notice: str = "",
    error: str = "",
    status_code: int = 200,
) -> Template:
    listed = await service.statuses(request.user, year=year, status=status, limit=PAGE_SIZE)
    zone = ZoneInfo(settings.timezone)
    now = _this_year(settings)
    return Template(
        "siasn/sdm_siasn.html",
        context={
            "year": year,
            "years": sorted(set(range(now - 4, now + 1)) | {year}, reverse=True),
            "status": status or "",
            "labels": LABELS,
            "rows": [_row(item, zone) for item in listed.items],
            "total": listed.total,
            "enabled": service.enabled,
            "notice": notice,
            "error": error,
        },
        status_code=status_code,
        media_type=MediaType.HTML,
    )


@get("/sdm/siasn", operation_id="hrSiasnPage", media_type=MediaType.HTML, guards=HR_ONLY)
async def siasn_page(
    request: PageRequest,
    siasn_push_service: NamedDependency[SiasnPushService],
    settings: NamedDependency[Settings],
    year: YearQuery = None,
    status: StatusQuery = None,
    sent: SentQuery = None,
) -> Template:
    """Certificates of a year in the caller's units with their SIASN status."""
    notice = f"Sertifikat {sent} masuk antrean pengiriman ke SIASN." if sent else ""
    return await _page(
        request,
        siasn_push_service,
        settings,
        year or _this_year(settings),
        status,
        notice=notice,
    )


@post(
    "/sdm/siasn/{certificate_id:uuid}/kirim",
    operation_id="hrSiasnSendPage",
    media_type=MediaType.HTML,
    guards=HR_ONLY,
)
async def siasn_send(
    request: PageRequest,
    certificate_id: FromPath[UUID],
    siasn_push_service: NamedDependency[SiasnPushService],
    settings: NamedDependency[Settings],
) -> Redirect | Template:
    """Queue one certificate for SIASN (again, after a failure)."""
    form = await request.form()
    raw_year = form.get("tahun")
    year = (
        int(raw_year)
        if isinstance(raw_year, str) and raw_year.isdigit() and 1990 <= int(raw_year) <= 2100
        else _this_year(settings)
    )
    try:
        accepted = await siasn_push_service.push_certificate(request.user, certificate_id)
    except NotFound:
        raise
    except DomainError as exc:
        return await _page(
            request,
            siasn_push_service,
            settings,
            year,
            None,
            error=exc.detail,
            status_code=exc.status,
        )
    number = accepted.skipped[0].number if accepted.skipped else ""
    if not number:
        listed = await siasn_push_service.statuses(request.user, year=year, limit=PAGE_SIZE)
        number = next((r.number for r in listed.items if r.certificate_id == certificate_id), "ini")
    return Redirect(
        "/sdm/siasn", query_params={"tahun": str(year), "terkirim": number}, status_code=303
    )


PAGES = [siasn_page, siasn_send]

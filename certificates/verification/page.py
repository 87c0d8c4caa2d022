"""The public page a scanned QR code opens: ``GET /verify/{code}``.

One column, large type, a big status word, in Indonesian (``?lang=en`` for English), with inline
CSS and no script, font or image from anywhere (the Content-Security-Policy forbids it too). It
is rate limited per client address (``certificates.verification.rate_limit``) and never cached: the
status must be current. Its data is the public JSON answer (``certificates.verification.service``),
formatted here for reading; the JSON route itself is in ``certificates.verification.controllers``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from litestar import Controller, Request, get
from litestar.datastructures import CacheControlHeader
from litestar.di import NamedDependency
from litestar.enums import MediaType
from litestar.exceptions import TooManyRequestsException
from litestar.middleware.base import DefineMiddleware
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from certificates.records.schemas import REVOCATION_CATEGORIES, STATUS_LABELS
from certificates.rendering.formatting import format_jp
from certificates.verification.schemas import (
    CertificateLink,
    VerificationRead,
)
from certificates.verification.service import VerificationService
from lms.shared.indonesian import MONTHS, format_date, timezone_label
from lms.web.compression import HtmlGzipMiddleware

NO_STORE = CacheControlHeader(no_store=True)
#: The page may use its own inline style and nothing else: no script, font, image or frame.
PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
        "form-action 'none'; frame-ancestors 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}
_MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

#: Every word the public pages print, per language (``?lang=en`` switches).
PAGE_TEXTS: dict[str, dict[str, str]] = {
    "id": {
        "title": "Verifikasi Sertifikat",
        "note_valid": "Sertifikat ini sah dan tercatat pada penerbitnya.",
        "note_expired": "Masa berlaku sertifikat ini telah berakhir.",
        "note_revoked": "Sertifikat ini telah dicabut oleh penerbitnya.",
        "note_superseded": "Sertifikat ini telah diganti dengan sertifikat terbitan ulang.",
        "revoked_on": "Dicabut pada",
        "reason": "Alasan",
        "successor": "Sertifikat pengganti",
        "predecessor": "Menggantikan sertifikat",
        "holder": "Nama",
        "nip": "NIP",
        "course": "Pelatihan",
        "period": "Tanggal pelaksanaan",
        "place": "Tempat",
        "jp": "Jam pelajaran",
        "predikat": "Predikat",
        "number": "Nomor sertifikat",
        "issuer": "Penerbit",
        "issued_on": "Tanggal terbit",
        "valid_until": "Berlaku sampai",
        "checked": "Diperiksa",
        "switch": "English",
        "not_found": "Sertifikat tidak ditemukan",
        "not_found_text": (
            "Tidak ada sertifikat dengan kode ini. Periksa kembali kodenya atau pindai ulang "
            "QR code pada sertifikat."
        ),
        "code": "Kode",
        "too_many": "Terlalu banyak permintaan",
        "too_many_text": "Silakan coba lagi dalam {retry} detik.",
        "badge_title": "Open Badge",
        "badge_text": (
            "Sertifikat ini juga tersedia sebagai kredensial digital bertanda tangan (Open Badges"
            " 3.0) untuk dompet digital dan profil daring."
        ),
        "badge_json": "Unduh kredensial (JSON)",
        "badge_png": "Unduh lencana (PNG)",
        "badge_linkedin": "Tambahkan ke profil LinkedIn",
    },
    "en": {
        "title": "Certificate Verification",
        "note_valid": "This certificate is valid and on record with its issuer.",
        "note_expired": "This certificate's validity has ended.",
        "note_revoked": "This certificate has been revoked by its issuer.",
        "note_superseded": "This certificate has been replaced by a re-issued certificate.",
        "revoked_on": "Revoked on",
        "reason": "Reason",
        "successor": "Replacement certificate",
        "predecessor": "Replaces certificate",
        "holder": "Name",
        "nip": "NIP (civil servant ID)",
        "course": "Training",
        "period": "Training dates",
        "place": "Place",
        "jp": "Lesson hours",
        "predikat": "Grade",
        "number": "Certificate number",
        "issuer": "Issuer",
        "issued_on": "Issue date",
        "valid_until": "Valid until",
        "checked": "Checked",
        "switch": "Bahasa Indonesia",
        "not_found": "Certificate not found",
        "not_found_text": (
            "No certificate has this code. Check the code again or rescan the QR code on the "
            "certificate."
        ),
        "code": "Code",
        "too_many": "Too many requests",
        "too_many_text": "Please try again in {retry} seconds.",
        "badge_title": "Open Badge",
        "badge_text": (
            "This certificate is also a signed digital credential (Open Badges 3.0) for wallets"
            " and online profiles."
        ),
        "badge_json": "Download the credential (JSON)",
        "badge_png": "Download the badge (PNG)",
        "badge_linkedin": "Add to LinkedIn profile",
    },
}


def _date(day: dt.date, lang: str) -> str:
    if lang == "en":
        return f"{day.day} {_MONTHS_EN[day.month - 1]} {day.year}"
    return format_date(day)


def _period(start: dt.date, end: dt.date, lang: str) -> str:
    if start == end:
        return _date(start, lang)
    months = _MONTHS_EN if lang == "en" else MONTHS
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}\u2013{_date(end, lang)}"
    if start.year == end.year:
        return f"{start.day} {months[start.month - 1]} \u2013 {_date(end, lang)}"
    return f"{_date(start, lang)} \u2013 {_date(end, lang)}"


def _moment(at: dt.datetime, zone: str, lang: str) -> str:
    local = at.astimezone(ZoneInfo(zone))
    clock = f"{local:%H.%M}" if lang == "id" else f"{local:%H:%M}"
    return f"{_date(local.date(), lang)}, {clock} {timezone_label(zone, local)}"


def _page_path(link: CertificateLink | None, lang: str) -> str | None:
    """A same-server link to another certificate's page (keeps the chosen language)."""
    if link is None:
        return None
    code = link.verify_url.rsplit("/", 1)[-1]
    return f"/verify/{code}" + ("?lang=en" if lang == "en" else "")


def page_context(result: VerificationRead, lang: str, zone: str) -> dict[str, Any]:
    """Everything ``pages/verify.html`` prints, already formatted for ``lang``."""
    jp = format_jp(Decimal(str(result.jp)))
    revocation = None
    if result.revocation is not None:
        labels = REVOCATION_CATEGORIES.get(
            result.revocation.category, REVOCATION_CATEGORIES["lainnya"]
        )
        at = result.revocation.at
        revocation = {
            "date": _date(at.astimezone(ZoneInfo(zone)).date(), lang) if at else None,
            "category": labels[lang],
        }
    return {
        "lang": lang,
        "t": PAGE_TEXTS[lang],
        "status": result.status,
        "status_label": STATUS_LABELS[lang][result.status],
        "number": result.number,
        "holder": result.holder.name,
        "nip": result.holder.nip,
        "course": result.course,
        "session_name": result.session_name,
        "period": _period(result.start_date, result.end_date, lang),
        "place": result.place,
        "jp": jp if lang == "id" else jp.replace(",", "."),
        "predikat": result.predikat,
        "issuer": result.issuer,
        "issued_on": _date(result.issued_at.astimezone(ZoneInfo(zone)).date(), lang),
        "valid_until": _date(result.valid_until, lang) if result.valid_until else None,
        "successor": result.superseded_by,
        "successor_path": _page_path(result.superseded_by, lang),
        "predecessor": result.supersedes,
        "predecessor_path": _page_path(result.supersedes, lang),
        "revocation": revocation,
        "checked_at": _moment(result.checked_at, zone, lang),
        "badge": _badge_links(result),
        "other_lang_path": "?lang=en" if lang == "id" else "?lang=id",
    }


def _badge_links(result: VerificationRead) -> dict[str, str] | None:
    """The Open Badge downloads and the LinkedIn link, for a valid certificate only.

    All three are on this server (the LinkedIn one redirects): the page links nowhere else.
    """
    if result.status != "valid":
        return None
    base = f"/verify/{result.verify_url.rsplit('/', 1)[-1]}"
    return {
        "json": f"{base}/badge.json",
        "png": f"{base}/badge.png",
        "linkedin": f"{base}/linkedin",
    }


def _plain_context(lang: str, **values: str) -> dict[str, Any]:
    return {
        "lang": lang,
        "t": PAGE_TEXTS[lang],
        "other_lang_path": "?lang=en" if lang == "id" else "?lang=id",
        **values,
    }


def _lang(value: str | None) -> str:
    return "en" if value and value.lower().startswith("en") else "id"


def _too_many_page(request: Request[Any, Any, Any], exc: TooManyRequestsException) -> Template:
    """429 for a phone: the same friendly page style, with ``Retry-After``."""
    headers = dict(exc.headers or {})
    headers["Retry-After"] = headers.get("RateLimit-Reset") or "60"
    return Template(
        "pages/too_many.html",
        context=_plain_context(
            _lang(request.query_params.get("lang")), retry=headers["Retry-After"]
        ),
        status_code=429,
        headers={**headers, **PAGE_HEADERS},
        media_type=MediaType.HTML,
    )


class VerifyPageController(Controller):
    """``/verify/{code}``: the public page a scanned QR code opens."""

    path = "/verify"
    include_in_schema = False
    middleware = [DefineMiddleware(HtmlGzipMiddleware)]

    @get(
        "/{code:str}",
        operation_id="verifyCertificatePage",
        media_type=MediaType.HTML,
        cache_control=NO_STORE,
        exception_handlers={TooManyRequestsException: _too_many_page},
    )
    async def page(
        self,
        code: FromPath[str],
        verification_service: NamedDependency[VerificationService],
        lang: FromQuery[str | None] = None,
    ) -> Template:
        """The certificate's status and printed data, or a friendly 404 page."""
        chosen = _lang(lang)
        result = await verification_service.by_code(code)
        if result is None:
            return Template(
                "pages/not_found.html",
                context=_plain_context(chosen, code=code[:64]),
                status_code=404,
                headers=PAGE_HEADERS,
                media_type=MediaType.HTML,
            )
        return Template(
            "pages/verify.html",
            context=page_context(result, chosen, verification_service.timezone),
            headers=PAGE_HEADERS,
            media_type=MediaType.HTML,
        )

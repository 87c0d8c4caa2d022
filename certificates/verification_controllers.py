"""Verification over HTTP: the public page and its JSON twin, and HR's batch and PDF checks.

``GET /verify/{code}`` is what a phone opens after scanning a certificate's QR code: one column,
large type, a big status word, in Indonesian (``?lang=en`` for English), with inline CSS and no
script, font or image from anywhere (the Content-Security-Policy forbids it too). Both public
routes are rate limited per client address and never cached (the status must be current).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from time import time
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import msgspec
from anyio import to_thread
from litestar import Controller, Request, get, post
from litestar.datastructures import CacheControlHeader, UploadFile
from litestar.di import NamedDependency
from litestar.enums import MediaType
from litestar.exceptions import TooManyRequestsException
from litestar.middleware.base import DefineMiddleware
from litestar.middleware.rate_limit import (
    DURATION_VALUES,
    RateLimitConfig,
    RateLimitMiddleware,
    get_remote_address,
)
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import (
    OpenAPIMediaType,
    OpenAPIType,
    Operation,
    RequestBody,
    Schema,
)
from litestar.params import FromPath, FromQuery, MultipartBody, PathParameter
from litestar.response import Template
from litestar.stores.base import Store
from litestar.stores.memory import MemoryStore
from litestar.types import ASGIApp, Receive, Scope, Send

from certificates.formatting import MONTHS, format_date, format_jp
from certificates.signer_config import (
    SignatureCheck,
    SignerSetup,
    check_signature,
    signer_setup,
)
from certificates.signing import NullSigner
from certificates.verification import (
    MAX_BATCH_ITEMS,
    REVOCATION_CATEGORIES,
    STATUS_LABELS,
    CertificateLink,
    VerificationRead,
    VerificationService,
    VerifyBatchRead,
    VerifyBatchRequest,
    items_from_upload,
    sha256_hex,
)
from lms.auth.caller import CallerRequest
from lms.auth.guards import allow
from lms.auth.tokens import make_jwt_auth
from lms.config import Settings
from lms.shared.errors import BadRequest, NotFound, PayloadTooLarge
from lms.shared.indonesian import timezone_label
from lms.shared.openapi import problem_responses
from lms.shared.responses import JsonBytesResponse
from lms.shared.schemas import Output

CodePath = Annotated[
    str,
    PathParameter(
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9_\-]+$",
        description="Kode verifikasi pada QR code sertifikat",
    ),
]
NO_STORE = CacheControlHeader(no_store=True)
NO_STORE_HEADERS = {"Cache-Control": "no-store"}
_NO_STORE_RAW = ((b"cache-control", b"no-store"),)
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


# -- rate limit ------------------------------------------------------------------------------


class LocalCounters:
    """Per-address request counts of one rate limit, kept in this process."""

    __slots__ = ("counters", "next_sweep")

    def __init__(self) -> None:
        self.counters: dict[str, tuple[int, int]] = {}
        self.next_sweep = 0


class WindowRateLimitMiddleware(RateLimitMiddleware):
    """Litestar's per-address limit (same fixed window, same ``RateLimit-*`` headers and 429),
    at a constant cost per request.

    Litestar's own middleware keeps every request's timestamp of the window in the store and
    re-encodes that list on each request (its cost grows with the limit), behind two locks
    whose checkpoints each cost a turn of the event loop. Here a counter and the window's end
    are kept instead. With the default in-memory store the counters live in this middleware: in
    one process the event loop runs one task at a time and nothing is awaited between reading
    and writing a counter, so no lock is needed. With a shared store (``LMS_REDIS_URL``) the
    named store keeps them, so every worker counts against the same limit.
    """

    def __init__(self, app: ASGIApp, config: RateLimitConfig) -> None:
        super().__init__(app, config)
        self.window = DURATION_VALUES[self.unit]
        # Shared by every route of the router: each route gets its own middleware instance,
        # but the limit is per address across the page and the JSON.
        shared = getattr(config, "local_counters", None)
        self._local = shared if isinstance(shared, LocalCounters) else LocalCounters()
        self._by_address = config.identifier_for_request is get_remote_address
        self._fixed_headers = [
            (
                config.rate_limit_policy_header_key.lower().encode(),
                f"{self.max_requests}; w={self.window}".encode(),
            ),
            (config.rate_limit_limit_header_key.lower().encode(), str(self.max_requests).encode()),
        ]
        self._remaining_key = config.rate_limit_remaining_header_key.lower().encode()
        self._reset_key = config.rate_limit_reset_header_key.lower().encode()
        self._key_prefix = f"{type(self).__name__}::"
        self._store_for: tuple[Any, Store | None] = (None, None)  # (app, shared store or None)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        app = scope["litestar_app"]
        if self.check_throttle_handler and not await self.check_throttle_handler(
            app.request_class(scope)
        ):
            await self.app(scope, receive, send)
            return
        if self._by_address:  # the default identifier, without building a Request
            client = scope.get("client")
            key = self._key_prefix + (client[0] if client else "127.0.0.1")
        else:
            key = self.cache_key_from_request(app.request_class(scope))
        now = int(time())
        owner, store = self._store_for
        if owner is not app:
            named = self.config.get_store_from_app(app)
            store = None if isinstance(named, MemoryStore) else named
            self._store_for = (app, store)
        if store is None:
            count, reset = self._count_locally(key, now)
        else:
            count, reset = await self._count_in_store(store, key, now)
        if count > self.max_requests:
            raise TooManyRequestsException(headers=self._headers(count, reset, now))
        if not self.config.set_rate_limit_headers:
            await self.app(scope, receive, send)
            return
        headers = [
            *self._fixed_headers,
            (self._remaining_key, str(max(self.max_requests - count, 0)).encode()),
            (self._reset_key, str(max(reset - now, 1)).encode()),
        ]

        async def send_wrapper(message: Any) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), *headers]
            await send(message)

        await self.app(scope, receive, send_wrapper)

    def _count_locally(self, key: str, now: int) -> tuple[int, int]:
        local = self._local
        if now >= local.next_sweep:  # forget finished windows once per window
            local.counters = {k: v for k, v in local.counters.items() if v[1] > now}
            local.next_sweep = now + self.window
        count, reset = local.counters.get(key, (0, 0))
        if reset <= now:
            count, reset = 0, now + self.window
        if count <= self.max_requests:
            count += 1
            local.counters[key] = (count, reset)
        return count, reset

    async def _count_in_store(self, store: Store, key: str, now: int) -> tuple[int, int]:
        async with self._lock:
            raw = await store.get(key)
            count, reset = 0, 0
            if raw:
                count_text, _, reset_text = raw.partition(b":")
                count, reset = int(count_text), int(reset_text)
            if reset <= now:
                count, reset = 0, now + self.window
            if count <= self.max_requests:
                count += 1
                await store.set(key, f"{count}:{reset}".encode(), expires_in=reset - now)
        return count, reset

    def _headers(self, count: int, reset: int, now: int) -> dict[str, str]:
        config = self.config
        return {
            config.rate_limit_policy_header_key: f"{self.max_requests}; w={self.window}",
            config.rate_limit_limit_header_key: str(self.max_requests),
            config.rate_limit_remaining_header_key: str(max(self.max_requests - count, 0)),
            config.rate_limit_reset_header_key: str(max(reset - now, 1)),
        }


@dataclass
class WindowRateLimitConfig(RateLimitConfig):
    """``RateLimitConfig`` for :class:`WindowRateLimitMiddleware`, carrying its local counters."""

    middleware_class: type[RateLimitMiddleware] = WindowRateLimitMiddleware
    local_counters: LocalCounters = field(default_factory=LocalCounters, repr=False)


def verify_rate_limit(settings: Settings) -> RateLimitConfig:
    """The per-address limit of the public verification routes (``LMS_VERIFY_RATE_PER_MINUTE``).

    The ``RateLimit-*`` headers go with the 429 (beside ``Retry-After``) but not with every
    successful answer: adding them to each response costs ~5% of the JSON route's CPU
    (callgrind, docs/BENCHMARKS.md), and a client that is not limited does not need them.
    """
    return WindowRateLimitConfig(
        rate_limit=("minute", settings.verify_rate_per_minute),
        store="verify_rate",
        set_rate_limit_headers=False,
    )


# -- the public page -------------------------------------------------------------------------

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
        "other_lang_path": "?lang=en" if lang == "id" else "?lang=id",
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


#: Key of the ``VerificationService`` in the public router's ``opt`` (see ``VerifyApiController``).
SERVICE_OPT = "verification_service"


class VerifyApiController(Controller):
    """``/api/v1/verify/{code}``: the same verification for machines, without a token.

    The busiest public route takes its service from the router's ``opt`` (set where the router
    is built, like a provider, and swappable the same way in a test) instead of dependency
    injection: resolving even a cached dependency costs ~3% of this route's CPU (measured with
    callgrind, see docs/BENCHMARKS.md), and its budget is a fraction of ``/health/live``.
    """

    path = "/api/v1/verify"
    tags = ["verification"]

    @get(
        "/{code:str}",
        operation_id="verifyCertificate",
        security=[],
        responses={
            200: ResponseSpec(
                VerificationRead, description="Status sertifikat saat ini", generate_examples=False
            ),
            **problem_responses(400, 404, 429),
        },
    )
    async def verify(self, code: CodePath, request: Request[Any, Any, Any]) -> JsonBytesResponse:
        """A certificate's current status by its verification code (public, rate limited)."""
        service: VerificationService = request.route_handler.opt[SERVICE_OPT]
        body = await service.json_by_code(code)
        if body is None:
            raise NotFound("Tidak ada sertifikat dengan kode verifikasi ini")
        # Already JSON (see ``json_by_code``): the busiest public route skips the serializer
        # and Litestar's response object.
        return JsonBytesResponse(body, _NO_STORE_RAW)


# -- HR --------------------------------------------------------------------------------------


class _AuthenticateIfSkipped:
    """Run the token check for a request the app-level check skipped; pass others through."""

    def __init__(self, app: ASGIApp, authenticate: DefineMiddleware) -> None:
        self.app = app
        self.authenticated = authenticate(app)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope.get("user") is None and scope["type"] == "http":
            await self.authenticated(scope, receive, send)
        else:
            await self.app(scope, receive, send)


def hr_authentication(settings: Settings) -> DefineMiddleware:
    """Bearer-token authentication for HR's ``/api/v1/verify/batch`` and ``/pdf``.

    Why: the app's token check skips every path under ``^/api/v1/verify`` (``PUBLIC_PATHS`` in
    ``lms.auth.tokens``) so that ``/api/v1/verify/{code}`` stays public; that prefix also covers
    these two HR routes, so their router checks the token itself (a no-op when the app already
    did).
    """
    define = make_jwt_auth(settings).middleware
    define.kwargs["exclude"] = None
    return DefineMiddleware(_AuthenticateIfSkipped, authenticate=define)


@dataclass
class PdfUpload:
    """A multipart form with the PDF to check."""

    file: UploadFile


class PdfVerificationRead(Output):
    """Whether an uploaded PDF is, byte for byte, a certificate we issued.

    ``ours`` compares the SHA-256 of the upload with the stored PDFs: any edit, even one that
    keeps the text, changes it. ``signature`` says what the PDF's own signature proves.
    """

    ours: bool
    sha256: str
    size: int
    certificate: VerificationRead | None
    signature: SignatureCheck


_BATCH_SCHEMA = Schema(
    type=OpenAPIType.OBJECT,
    required=["items"],
    properties={
        "items": Schema(
            type=OpenAPIType.ARRAY,
            items=Schema(type=OpenAPIType.STRING, max_length=255),
            description=f"Nomor sertifikat atau kode verifikasi (paling banyak {MAX_BATCH_ITEMS})",
        )
    },
)
_FILE_SCHEMA = Schema(
    type=OpenAPIType.OBJECT,
    required=["file"],
    properties={
        "file": Schema(
            type=OpenAPIType.STRING,
            format="binary",  # type: ignore[arg-type]
            description="CSV/XLSX: kolom nomor/number/kode/code, atau kolom pertama",
        )
    },
)


@dataclass
class BatchOperation(Operation):
    """The batch check takes JSON or a file: document both bodies."""

    def __post_init__(self) -> None:
        self.request_body = RequestBody(
            required=True,
            content={
                "application/json": OpenAPIMediaType(schema=_BATCH_SCHEMA),
                "multipart/form-data": OpenAPIMediaType(schema=_FILE_SCHEMA),
            },
        )


async def read_batch_items(request: Request[Any, Any, Any], max_bytes: int) -> list[str]:
    """The numbers or codes of a batch request: a JSON body or an uploaded CSV/XLSX.

    Raises:
        BadRequest: neither form, or unreadable.
        PayloadTooLarge: the file is too large or has more than 5,000 rows.
    """
    media_type = request.content_type[0]
    if media_type == "multipart/form-data":
        form = await request.form()
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise BadRequest(
                "Unggah berkas CSV/XLSX pada field 'file'",
                errors=[{"field": "file", "message": "berkas tidak ada"}],
            )
        data = await upload.read()
        if len(data) > max_bytes:
            raise PayloadTooLarge(f"Berkas melebihi {max_bytes // (1024 * 1024)} MB")
        return items_from_upload(data, upload.filename or "", max_bytes=max_bytes)
    body = await request.body()
    try:
        parsed = msgspec.json.decode(body, type=VerifyBatchRequest)
    except msgspec.ValidationError as exc:
        raise BadRequest(
            "Data yang dikirim tidak valid.", errors=[{"field": "items", "message": str(exc)}]
        ) from None
    except msgspec.DecodeError:
        raise BadRequest(
            'Kirim JSON {"items": ["nomor atau kode", ...]} atau berkas CSV/XLSX (field "file")'
        ) from None
    return parsed.items


class HrVerifyController(Controller):
    """``/api/v1/verify/batch`` and ``/api/v1/verify/pdf``: HR's checks (hr, organizer, admin)."""

    path = "/api/v1/verify"
    tags = ["verification"]
    guards = [allow("hr", "organizer")]

    @post(
        "/batch",
        operation_id="verifyCertificatesBatch",
        status_code=200,
        operation_class=BatchOperation,
        responses=problem_responses(400, 401, 403, 413),
    )
    async def batch(
        self,
        request: CallerRequest,
        verification_service: NamedDependency[VerificationService],
        settings: NamedDependency[Settings],
    ) -> VerifyBatchRead:
        """Check up to 5,000 numbers or codes (JSON ``items`` or a CSV/XLSX ``file``).

        One row per item in order: found or not, status, number, holder, NIP (whole within
        your unit scope, masked otherwise), course and JP.
        """
        items = await read_batch_items(request, settings.max_upload_bytes)
        return await verification_service.batch(request.user, items)

    @post(
        "/pdf",
        operation_id="verifyCertificatePdf",
        status_code=200,
        responses=problem_responses(400, 401, 403, 413),
    )
    async def pdf(
        self,
        data: MultipartBody[PdfUpload],
        verification_service: NamedDependency[VerificationService],
        settings: NamedDependency[Settings],
    ) -> PdfVerificationRead:
        """Is this PDF, byte for byte, a certificate we issued? Which one, and its status.

        An edited PDF is not ours even when its text is the same. ``signature`` reports
        whether the PDF carries an intact signature of this installation's signer.
        """
        content = await data.file.read()
        if len(content) > settings.max_upload_bytes:
            raise PayloadTooLarge(
                f"Berkas melebihi {settings.max_upload_bytes // (1024 * 1024)} MB"
            )
        if not content.startswith(b"%PDF-"):
            raise BadRequest(
                "Berkas bukan PDF", errors=[{"field": "file", "message": "bukan berkas PDF"}]
            )
        digest = sha256_hex(content)
        certificate = await verification_service.by_pdf_sha256(digest)
        try:
            setup = signer_setup(settings)
        except ValueError:  # a broken signer configuration must not hide the hash answer
            setup = SignerSetup(NullSigner(), (), None, False, None)
        signature = await to_thread.run_sync(check_signature, setup, content)
        return PdfVerificationRead(
            ours=certificate is not None,
            sha256=digest,
            size=len(content),
            certificate=certificate,
            signature=signature,
        )

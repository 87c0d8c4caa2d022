"""The verification API: the public JSON answer by code, and HR's batch and PDF checks.

``GET /api/v1/verify/{code}`` is the JSON twin of the public page
(``certificates.verification.page``):
no token, rate limited per client address (``certificates.verification.rate_limit``) and never
cached
(the status must be current). HR's ``/batch`` and ``/pdf`` share its path prefix but need a
token (see ``hr_authentication``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from anyio import to_thread
from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.exceptions import SerializationException
from litestar.middleware.base import DefineMiddleware
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import (
    OpenAPIMediaType,
    OpenAPIType,
    Operation,
    RequestBody,
    Schema,
)
from litestar.params import MultipartBody, PathParameter
from litestar.types import ASGIApp, Receive, Scope, Send

from certificates.rendering.signer_config import (
    SignatureCheck,
    SignerSetup,
    check_signature,
    signer_setup,
)
from certificates.rendering.signing import NullSigner
from certificates.rendering.storage import sha256_hex
from certificates.verification.batch import MAX_BATCH_ITEMS, check_batch, items_from_upload
from certificates.verification.schemas import (
    VerificationRead,
    VerifyBatchRead,
    VerifyBatchRequest,
)
from certificates.verification.service import VerificationService
from lms.auth.caller import CallerRequest
from lms.auth.guards import allow
from lms.auth.tokens import make_jwt_auth
from lms.config import Settings
from lms.shared.errors import BadRequest, NotFound, PayloadTooLarge
from lms.shared.openapi import problem_responses
from lms.shared.responses import JsonBytesResponse
from lms.shared.schemas import Output
from lms.shared.validation import convert_or_400

CodePath = Annotated[
    str,
    PathParameter(
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9_\- ]+$",
        description=(
            "Kode verifikasi pada QR code sertifikat, mis. K7QM-2XW9-RT4H-BP3N (huruf besar/kecil,"
            " spasi dan tanda hubung tidak berpengaruh; O dibaca 0, I dan L dibaca 1)"
        ),
    ),
]
NO_STORE_HEADERS = {"Cache-Control": "no-store"}
_NO_STORE_RAW = ((b"cache-control", b"no-store"),)


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
    try:
        # The app's request class decodes it: undecodable, NUL-bearing or too deeply nested
        # bodies are refused there (lms.shared.input_guard).
        raw = await request.json()
    except SerializationException:
        raise BadRequest(
            'Kirim JSON {"items": ["nomor atau kode", ...]} atau berkas CSV/XLSX (field "file")'
        ) from None
    parsed: VerifyBatchRequest = convert_or_400(raw, VerifyBatchRequest)
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
        return await check_batch(verification_service, request.user, items)

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

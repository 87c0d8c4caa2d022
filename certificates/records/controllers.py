"""Issued certificates: lists, details and PDFs (one, a session's ZIP, merged for printing),
and keeping their status true (revocation, reinstatement, re-issue, the expiring list): thin
controllers over ``CertificateRecords``, ``DownloadService`` and ``TrustService``, which apply the
scope checks."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from litestar.response import Response, Stream

from certificates.issuing.schemas import (
    CertificateListItem,
    CertificateRead,
    StatusQuery,
    YearQuery,
)
from certificates.records.downloads import DownloadService
from certificates.records.register import register_file
from certificates.records.schemas import (
    CertificateTrustRead,
    ExpiringItem,
    ReasonRequest,
    ReissueRead,
    RevokeRequest,
)
from certificates.records.service import CertificateQuery, CertificateRecords
from certificates.records.trust import TrustService
from lms.auth.caller import CallerRequest
from lms.auth.guards import allow
from lms.shared.openapi import problem_responses, with_file_alternative
from lms.shared.params import LimitQuery, OffsetQuery, SearchQuery
from lms.shared.responses import attachment
from lms.shared.schemas import Page
from lms.shared.tabular import CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE, FileFormat

DaysQuery = Annotated[
    int, QueryParameter(ge=1, le=3650, description="Berakhir dalam berapa hari ke depan")
]


class CertificateTrustController(Controller):
    """``/api/v1/certificates/...``: keeping certificates' status true."""

    path = "/api/v1/certificates"
    tags = ["certificates"]

    @get(
        "/expiring",
        operation_id="listExpiringCertificates",
        guards=[allow("organizer", "hr")],
        responses=problem_responses(400, 401, 403),
    )
    async def expiring(
        self,
        request: CallerRequest,
        trust_service: NamedDependency[TrustService],
        days: DaysQuery = 90,
        limit: LimitQuery = 50,
        offset: OffsetQuery = 0,
    ) -> Page[ExpiringItem]:
        """Valid certificates whose validity ends within ``days`` (recertification planning).

        Soonest first, within your unit scope; holders already recertified are left out.
        """
        return await trust_service.expiring(request.user, days=days, limit=limit, offset=offset)

    @post(
        "/{certificate_id:uuid}/revoke",
        operation_id="revokeCertificate",
        status_code=200,
        guards=[allow("organizer")],
        responses=problem_responses(400, 401, 403, 404, 409, 422),
    )
    async def revoke(
        self,
        certificate_id: FromPath[UUID],
        data: JSONBody[RevokeRequest],
        request: CallerRequest,
        trust_service: NamedDependency[TrustService],
    ) -> CertificateTrustRead:
        """Revoke a certificate (category + reason); it stays on record, its JP leave the
        ledger, and verification shows it revoked at once."""
        return await trust_service.revoke(request.user, certificate_id, data)

    @post(
        "/{certificate_id:uuid}/reinstate",
        operation_id="reinstateCertificate",
        status_code=200,
        guards=[allow()],
        responses=problem_responses(400, 401, 403, 404, 409),
    )
    async def reinstate(
        self,
        certificate_id: FromPath[UUID],
        data: JSONBody[ReasonRequest],
        request: CallerRequest,
        trust_service: NamedDependency[TrustService],
    ) -> CertificateTrustRead:
        """Make a revoked certificate valid again (admins only) and restore its JP."""
        return await trust_service.reinstate(request.user, certificate_id, data)

    @post(
        "/{certificate_id:uuid}/reissue",
        operation_id="reissueCertificate",
        status_code=201,
        guards=[allow("organizer")],
        responses=problem_responses(400, 401, 403, 404, 409, 422, 502),
    )
    async def reissue(
        self,
        certificate_id: FromPath[UUID],
        data: JSONBody[ReasonRequest],
        request: CallerRequest,
        trust_service: NamedDependency[TrustService],
    ) -> ReissueRead:
        """Issue a corrected certificate (new number and code) from the current person data,
        superseding this one. Correct the person record (PATCH /people/{id}) first.

        With BSrE signing, a refusal or an unreachable BSrE is a 502 whose ``error_code`` and
        ``detail`` say why (docs/SIGNING.md); nothing is issued then."""
        return await trust_service.reissue(request.user, certificate_id, data)


PDF = "application/pdf"


def _attachment(filename: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{filename}"'}


class SessionDownloadController(Controller):
    """A session's certificates as a ZIP or merged for printing."""

    path = "/api/v1/sessions/{session_id:uuid}"
    tags = ["certificates"]

    @get(
        "/certificates.zip",
        operation_id="downloadSessionCertificatesZip",
        responses=problem_responses(403, 404),
        guards=[allow("organizer", "hr")],
        media_type="application/zip",
    )
    async def zip(
        self,
        session_id: FromPath[UUID],
        request: CallerRequest,
        download_service: NamedDependency[DownloadService],
    ) -> Stream:
        """The session's current certificates as a ZIP, one PDF per holder."""
        bundle = await download_service.zip(request.user, session_id)
        return Stream(
            bundle.chunks, media_type="application/zip", headers=_attachment(bundle.filename)
        )

    @get(
        "/certificates.pdf",
        operation_id="downloadSessionCertificatesPdf",
        responses=problem_responses(403, 404),
        guards=[allow("organizer", "hr")],
        media_type=PDF,
    )
    async def merged(
        self,
        session_id: FromPath[UUID],
        request: CallerRequest,
        download_service: NamedDependency[DownloadService],
    ) -> Response[bytes]:
        """The session's current certificates merged into one PDF, for printing."""
        download = await download_service.merged(request.user, session_id)
        return Response(
            content=download.content, media_type=PDF, headers=_attachment(download.filename)
        )


class CertificateController(Controller):
    """Issued certificates: lists, details and PDFs."""

    path = "/api/v1/certificates"
    tags = ["certificates"]

    @get(
        "/",
        operation_id="listCertificates",
        responses=problem_responses(400, 403),
        guards=[allow("organizer", "hr", "participant")],
    )
    async def list_certificates(
        self,
        request: CallerRequest,
        certificate_records: NamedDependency[CertificateRecords],
        session_id: FromQuery[UUID | None] = None,
        person_id: FromQuery[UUID | None] = None,
        course_id: FromQuery[UUID | None] = None,
        year: YearQuery = None,
        status: StatusQuery = None,
        q: SearchQuery = None,
        limit: LimitQuery = 50,
        offset: OffsetQuery = 0,
    ) -> Page[CertificateListItem]:
        """Certificates the caller may see (a participant: their own), newest first.

        ``q`` matches the number or the holder's name.
        """
        query = CertificateQuery(
            session_id=session_id,
            person_id=person_id,
            course_id=course_id,
            year=year,
            status=status,
            q=q,
        )
        return await certificate_records.search(request.user, query, limit=limit, offset=offset)

    @get(
        "/register",
        operation_id="downloadCertificateRegister",
        operation_class=with_file_alternative(CSV_MEDIA_TYPE),
        responses=problem_responses(400, 401, 403, 413),
        guards=[allow("organizer", "hr")],
        media_type=XLSX_MEDIA_TYPE,
    )
    async def register(
        self,
        request: CallerRequest,
        certificate_records: NamedDependency[CertificateRecords],
        session_id: FromQuery[UUID | None] = None,
        course_id: FromQuery[UUID | None] = None,
        year: YearQuery = None,
        status: StatusQuery = None,
        output: Annotated[
            FileFormat, QueryParameter(name="format", description="xlsx atau csv")
        ] = "xlsx",
    ) -> Response[bytes]:
        """The certificate register (buku register) of the caller's scope as XLSX or CSV,
        oldest first, with the same filters as the list."""
        query = CertificateQuery(
            session_id=session_id, course_id=course_id, year=year, status=status
        )
        content, media_type, filename = await register_file(
            certificate_records, request.user, query, output
        )
        return attachment(content, media_type, filename)

    @get(
        "/{certificate_id:uuid}",
        operation_id="getCertificate",
        responses=problem_responses(403, 404),
        guards=[allow("organizer", "hr", "participant")],
    )
    async def get_certificate(
        self,
        certificate_id: FromPath[UUID],
        request: CallerRequest,
        certificate_records: NamedDependency[CertificateRecords],
    ) -> CertificateRead:
        """One certificate: status, every printed field (snapshot) and links."""
        return await certificate_records.get(request.user, certificate_id)

    @get(
        "/{certificate_id:uuid}/pdf",
        operation_id="downloadCertificatePdf",
        responses=problem_responses(403, 404),
        guards=[allow("organizer", "hr", "participant")],
        media_type=PDF,
    )
    async def pdf(
        self,
        certificate_id: FromPath[UUID],
        request: CallerRequest,
        download_service: NamedDependency[DownloadService],
    ) -> Response[bytes]:
        """The certificate's PDF exactly as issued (and signed)."""
        download = await download_service.pdf(request.user, certificate_id)
        return Response(
            content=download.content, media_type=PDF, headers=_attachment(download.filename)
        )

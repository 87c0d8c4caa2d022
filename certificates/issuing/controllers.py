"""Issuing, downloads, lists, templates and issuer profiles: thin handlers over the services,
which apply the scope checks (a certificate the caller may not see is a 404)."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.response import Response, Stream

from certificates.issuing.issuer_profiles import IssuerProfileService
from certificates.issuing.job import IssuingService
from certificates.issuing.schemas import (
    CertificateListItem,
    CertificateRead,
    IssueRequest,
    IssuerProfileRead,
    IssuerProfileWrite,
    JobAccepted,
    StatusQuery,
    TemplateCreate,
    TemplatePreview,
    TemplateRead,
    TemplateSummary,
    YearQuery,
)
from certificates.issuing.templates import TemplateService
from certificates.records.downloads import DownloadService
from certificates.records.service import CertificateQuery, CertificateRecords
from lms.auth.caller import CallerRequest
from lms.auth.guards import allow
from lms.shared.openapi import problem_responses
from lms.shared.params import LimitQuery, OffsetQuery, SearchQuery
from lms.shared.schemas import Page

PDF = "application/pdf"


def _attachment(filename: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{filename}"'}


class SessionCertificateController(Controller):
    """Issuing a session's certificates and downloading them together."""

    path = "/api/v1/sessions/{session_id:uuid}"
    tags = ["certificates"]

    @post(
        "/certificates",
        operation_id="issueSessionCertificates",
        responses=problem_responses(400, 403, 404, 409, 422),
        guards=[allow("organizer")],
        status_code=202,
    )
    async def issue(
        self,
        session_id: FromPath[UUID],
        request: CallerRequest,
        issuing_service: NamedDependency[IssuingService],
        data: JSONBody[IssueRequest | None] = None,
    ) -> JobAccepted:
        """Issue certificates to the passed participants of a finalized session (202, a job).

        Send ``{"person_ids": [...]}`` for a subset; who already holds one is skipped.
        """
        return await issuing_service.start(request.user, session_id, data)

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


class TemplateController(Controller):
    """A unit's own certificate templates (Jinja2 HTML + CSS)."""

    path = "/api/v1/certificate-templates"
    tags = ["certificates"]

    @get(
        "/",
        operation_id="listCertificateTemplates",
        guards=[allow("organizer")],
        responses=problem_responses(403),
    )
    async def list_templates(
        self,
        request: CallerRequest,
        template_service: NamedDependency[TemplateService],
    ) -> list[TemplateSummary]:
        """Templates the caller's unit may use (its own and its parents'), newest first."""
        return await template_service.list_templates(request.user)

    @post(
        "/",
        operation_id="createCertificateTemplate",
        guards=[allow("organizer")],
        responses=problem_responses(400, 403, 422),
    )
    async def create_template(
        self,
        data: JSONBody[TemplateCreate],
        request: CallerRequest,
        template_service: NamedDependency[TemplateService],
    ) -> TemplateRead:
        """Store a template for the caller's unit after trying it on sample data (422 if
        broken)."""
        return await template_service.create(request.user, data)

    @get(
        "/default",
        operation_id="getBuiltinCertificateTemplate",
        guards=[allow("organizer")],
        responses=problem_responses(403),
    )
    async def builtin(self, template_service: NamedDependency[TemplateService]) -> TemplateRead:
        """The built-in template's source, a starting point for a unit's own."""
        return template_service.builtin()

    @get(
        "/{template_id:uuid}",
        operation_id="getCertificateTemplate",
        guards=[allow("organizer")],
        responses=problem_responses(403, 404),
    )
    async def get_template(
        self,
        template_id: FromPath[UUID],
        request: CallerRequest,
        template_service: NamedDependency[TemplateService],
    ) -> TemplateRead:
        """One stored template with its source."""
        return await template_service.get(request.user, template_id)

    @post(
        "/preview",
        operation_id="previewCertificateTemplate",
        responses=problem_responses(400, 403, 422),
        guards=[allow("organizer")],
        status_code=200,
        media_type=PDF,
    )
    async def preview(
        self,
        data: JSONBody[TemplatePreview],
        template_service: NamedDependency[TemplateService],
    ) -> Response[bytes]:
        """Render HTML + CSS with a sample certificate and answer the PDF (422 if broken)."""
        pdf = await template_service.preview(data)
        return Response(
            content=pdf,
            media_type=PDF,
            headers={"Content-Disposition": 'inline; filename="pratinjau-sertifikat.pdf"'},
        )


class IssuerProfileController(Controller):
    """How a unit issues: number pattern, signer, city, template, logo and signature."""

    path = "/api/v1/issuer-profile"
    tags = ["certificates"]

    @get(
        "/",
        operation_id="getIssuerProfile",
        guards=[allow("organizer", "hr")],
        responses=problem_responses(400, 403, 404),
    )
    async def get_profile(
        self,
        request: CallerRequest,
        issuer_profile_service: NamedDependency[IssuerProfileService],
        unit_id: FromQuery[UUID | None] = None,
    ) -> IssuerProfileRead:
        """The issuer profile of the caller's unit (or ``unit_id`` in scope)."""
        return await issuer_profile_service.get(request.user, unit_id)

    @put(
        "/",
        operation_id="putIssuerProfile",
        guards=[allow("organizer")],
        responses=problem_responses(400, 403, 404, 409, 422),
    )
    async def put_profile(
        self,
        data: JSONBody[IssuerProfileWrite],
        request: CallerRequest,
        issuer_profile_service: NamedDependency[IssuerProfileService],
        unit_id: FromQuery[UUID | None] = None,
    ) -> IssuerProfileRead:
        """Set the issuer profile of the caller's unit (or ``unit_id`` in scope)."""
        return await issuer_profile_service.put(request.user, data, unit_id)

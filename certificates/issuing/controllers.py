"""Issuing, templates and issuer profiles: thin handlers over the services, which apply the scope
checks (a session or template the caller may not see is a 404)."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.response import Response

from certificates.issuing.issuer_profiles import IssuerProfileService
from certificates.issuing.job import IssuingService
from certificates.issuing.schemas import (
    IssueRequest,
    IssuerProfileRead,
    IssuerProfileWrite,
    JobAccepted,
    TemplateCreate,
    TemplatePreview,
    TemplateRead,
    TemplateSummary,
)
from certificates.issuing.templates import TemplateService
from lms.auth.caller import CallerRequest
from lms.auth.guards import allow
from lms.shared.openapi import problem_responses

PDF = "application/pdf"


class SessionCertificateController(Controller):
    """Issuing a session's certificates."""

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

"""Revocation, reinstatement, re-issue and the expiring list: thin controllers over
``certificates.records.trust.TrustService``."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from certificates.records.schemas import (
    CertificateTrustRead,
    ExpiringItem,
    ReasonRequest,
    ReissueRead,
    RevokeRequest,
)
from certificates.records.trust import TrustService
from lms.auth.caller import CallerRequest
from lms.auth.guards import allow
from lms.shared.openapi import problem_responses
from lms.shared.params import LimitQuery, OffsetQuery
from lms.shared.schemas import Page

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
        responses=problem_responses(400, 401, 403, 404, 409, 422),
    )
    async def reissue(
        self,
        certificate_id: FromPath[UUID],
        data: JSONBody[ReasonRequest],
        request: CallerRequest,
        trust_service: NamedDependency[TrustService],
    ) -> ReissueRead:
        """Issue a corrected certificate (new number and code) from the current person data,
        superseding this one. Correct the person record (PATCH /people/{id}) first."""
        return await trust_service.reissue(request.user, certificate_id, data)

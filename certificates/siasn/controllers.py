"""``/api/v1/siasn``: HR's status of each certificate with SIASN, and sending on demand.

The service applies the scope: a certificate or session outside the caller's units is a 404.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter

from certificates.siasn.schemas import PushStatus, SiasnPushAccepted, SiasnPushRead
from certificates.siasn.service import SiasnPushService
from lms.auth.caller import CallerRequest
from lms.auth.guards import allow
from lms.shared.openapi import problem_responses
from lms.shared.params import LimitQuery, OffsetQuery
from lms.shared.schemas import Page

YearParam = Annotated[int, QueryParameter(ge=1990, le=2100, description="Tahun terbit")]
StatusParam = Annotated[PushStatus | None, QueryParameter(description="Saring menurut status")]


class SiasnController(Controller):
    """Certificates to SIASN's riwayat kursus (HR; admins)."""

    path = "/api/v1"
    tags = ["siasn"]
    guards = [allow("hr")]

    @get(
        "/siasn/pushes",
        operation_id="listSiasnPushes",
        responses=problem_responses(400, 403),
    )
    async def list_pushes(
        self,
        request: CallerRequest,
        siasn_push_service: NamedDependency[SiasnPushService],
        year: YearParam,
        status: StatusParam = None,
        limit: LimitQuery = 50,
        offset: OffsetQuery = 0,
    ) -> Page[SiasnPushRead]:
        """Each certificate issued in a year in the caller's units, with its SIASN status."""
        return await siasn_push_service.statuses(
            request.user, year=year, status=status, limit=limit, offset=offset
        )

    @post(
        "/certificates/{certificate_id:uuid}/siasn/push",
        operation_id="pushCertificateToSiasn",
        responses=problem_responses(403, 404, 409, 422),
        status_code=202,
    )
    async def push_certificate(
        self,
        certificate_id: FromPath[UUID],
        request: CallerRequest,
        siasn_push_service: NamedDependency[SiasnPushService],
    ) -> SiasnPushAccepted:
        """Send one certificate to SIASN (again, after a failure): 202 with the job."""
        return await siasn_push_service.push_certificate(request.user, certificate_id)

    @post(
        "/sessions/{session_id:uuid}/siasn/push",
        operation_id="pushSessionToSiasn",
        responses=problem_responses(403, 404, 422),
        status_code=202,
    )
    async def push_session(
        self,
        session_id: FromPath[UUID],
        request: CallerRequest,
        siasn_push_service: NamedDependency[SiasnPushService],
    ) -> SiasnPushAccepted:
        """Send a session's certificates not yet in SIASN (failed ones again): 202."""
        return await siasn_push_service.push_session(request.user, session_id)

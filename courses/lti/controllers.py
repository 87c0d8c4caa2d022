"""``/api/v1/sessions/{id}/lti/...``: an organizer pulls the LMS roster and pushes scores."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from courses.delivery.enrollment.schemas import EnrollmentImportReport
from courses.lti.roster import sync_roster
from courses.lti.scores import ScoreReport, send_final_scores
from courses.lti.status import ScoreStatusList, resend, score_statuses
from lms.auth.caller import CallerRequest
from lms.auth.guards import allow
from lms.jobs.schemas import JobAccepted
from lms.lti.services import ServiceClient
from lms.shared.schemas import Input


class LinkChoice(Input):
    """Which LMS placement (``GET /api/v1/lti/links``) to use."""

    link_id: UUID


class SessionLtiController(Controller):
    """Roster and grades of a session placed in an LMS course."""

    path = "/api/v1/sessions/{session_id:uuid}/lti"
    tags = ["lti"]
    guards = [allow("organizer")]

    @post("/roster", operation_id="syncLtiRoster", status_code=200)
    async def roster(
        self,
        session_id: FromPath[UUID],
        data: JSONBody[LinkChoice],
        request: CallerRequest,
        lti_client: NamedDependency[ServiceClient],
    ) -> EnrollmentImportReport:
        """Enroll the learners of the LMS course (NRPS), with a per-row report."""
        return await sync_roster(request.user, session_id, data.link_id, lti_client)

    @post("/scores", operation_id="sendLtiScores", status_code=200)
    async def scores(
        self,
        session_id: FromPath[UUID],
        data: JSONBody[LinkChoice],
        request: CallerRequest,
        lti_client: NamedDependency[ServiceClient],
    ) -> ScoreReport:
        """Send the finalized scores to the LMS gradebook (AGS); unchanged ones are skipped."""
        return await send_final_scores(request.user, session_id, data.link_id, lti_client)

    @get("/scores", operation_id="listLtiScores")
    async def score_list(
        self, session_id: FromPath[UUID], request: CallerRequest
    ) -> ScoreStatusList:
        """Scores sent, waiting or refused by the LMS gradebook (final and per quiz)."""
        return await score_statuses(request.user, session_id)

    @post("/scores/retry", operation_id="retryLtiScores", status_code=202)
    async def score_retry(
        self,
        session_id: FromPath[UUID],
        request: CallerRequest,
        lti_client: NamedDependency[ServiceClient],
    ) -> Response[JobAccepted | None]:
        """Send again every score the LMS does not have yet (a job with backoff); 204 when
        every score was sent."""
        job_id = await resend(request.user, session_id, lti_client.settings)
        if job_id is None:
            return Response(None, status_code=204)
        return Response(JobAccepted(job_id=job_id, url=f"/api/v1/jobs/{job_id}"), status_code=202)

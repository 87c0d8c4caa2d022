"""``/api/v1/sessions/{id}/results``, component scores, finalize and amendments."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, Response, delete, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from courses.results.excusals import ExcusalService
from courses.results.finalize import FinalizeService
from courses.results.readiness import ReadinessService
from courses.results.recap import results_recap
from courses.results.results import ResultService
from courses.results.schemas import (
    AmendmentCreate,
    ComponentScoreBatch,
    ComponentScoreRead,
    ExcusalCreate,
    ExcusalRead,
    FinalizeReport,
    FinalizeRequest,
    Readiness,
    ResultRead,
    SessionResults,
)
from lms.auth.caller import CallerRequest
from lms.auth.guards import ANY_ROLE, allow
from lms.shared.openapi import problem_responses, with_file_alternative
from lms.shared.responses import attachment
from lms.shared.tabular import CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE, FileFormat


class ResultController(Controller):
    """Final scores, pass/fail and predikat of a session's participants."""

    path = "/api/v1/sessions/{session_id:uuid}"
    tags = ["results"]

    @get(
        "/results",
        operation_id="listSessionResults",
        guards=[allow(*ANY_ROLE)],
        responses=problem_responses(400, 401, 403, 404),
    )
    async def list_results(
        self,
        session_id: FromPath[UUID],
        request: CallerRequest,
        result_service: NamedDependency[ResultService],
        mine: FromQuery[bool] = False,
    ) -> SessionResults:
        """Results (live until finalized); a participant, or ``mine=true``, sees their own."""
        return await result_service.results(request.user, session_id, mine=mine)

    @get(
        "/results/recap",
        operation_id="getResultsRecap",
        operation_class=with_file_alternative(CSV_MEDIA_TYPE),
        guards=[allow("organizer", "trainer", "hr")],
        responses=problem_responses(400, 401, 403, 404),
        media_type=XLSX_MEDIA_TYPE,
    )
    async def results_recap(
        self,
        session_id: FromPath[UUID],
        request: CallerRequest,
        result_service: NamedDependency[ResultService],
        output: Annotated[
            FileFormat, QueryParameter(name="format", description="xlsx atau csv")
        ] = "xlsx",
    ) -> Response[bytes]:
        """Rekap nilai as a file: XLSX under the office's kop, or CSV (``;``, BOM)."""
        content, media_type, filename = await results_recap(
            result_service, request.user, session_id, output
        )
        return attachment(content, media_type, filename)

    @get(
        "/component-scores",
        operation_id="listComponentScores",
        responses=problem_responses(400, 401, 403, 404),
        guards=[allow("organizer", "trainer")],
    )
    async def list_component_scores(
        self,
        session_id: FromPath[UUID],
        request: CallerRequest,
        result_service: NamedDependency[ResultService],
    ) -> list[ComponentScoreRead]:
        """Hand-entered component scores (trainer assessment, assignment, project)."""
        return await result_service.component_scores(request.user, session_id)

    @put(
        "/component-scores",
        operation_id="setComponentScores",
        responses=problem_responses(400, 401, 403, 404, 409, 422),
        guards=[allow("organizer", "trainer")],
    )
    async def set_component_scores(
        self,
        session_id: FromPath[UUID],
        data: JSONBody[ComponentScoreBatch],
        request: CallerRequest,
        result_service: NamedDependency[ResultService],
    ) -> list[ComponentScoreRead]:
        """Enter scores 0–100 per participant and component; 409 once finalized."""
        return await result_service.set_component_scores(request.user, session_id, data)

    @post(
        "/results/finalize",
        operation_id="finalizeSessionResults",
        responses=problem_responses(400, 401, 403, 404, 409, 422),
        guards=[allow("organizer")],
        status_code=200,
    )
    async def finalize(
        self,
        session_id: FromPath[UUID],
        request: CallerRequest,
        finalize_service: NamedDependency[FinalizeService],
        data: JSONBody[FinalizeRequest | None] = None,
    ) -> FinalizeReport:
        """Freeze the results, complete enrollments and credit passed participants' JP.

        The readiness checklist must be complete (422 listing what is open), unless the body
        gives ``override_reason``; ``excused`` lists participants finalized without a post-test.
        """
        return await finalize_service.finalize(request.user, session_id, data)

    @get(
        "/results/readiness",
        operation_id="getFinalizeReadiness",
        guards=[allow("organizer")],
        responses=problem_responses(400, 401, 403, 404),
    )
    async def readiness(
        self,
        session_id: FromPath[UUID],
        request: CallerRequest,
        readiness_service: NamedDependency[ReadinessService],
    ) -> Readiness:
        """The finalize checklist: session ended, essays graded, post-tests, attendance."""
        return await readiness_service.readiness(request.user, session_id)

    @put(
        "/results/excusals/{person_id:uuid}",
        operation_id="excusePostTest",
        responses=problem_responses(400, 401, 403, 404, 409),
        guards=[allow("organizer")],
        status_code=200,
    )
    async def excuse(
        self,
        session_id: FromPath[UUID],
        person_id: FromPath[UUID],
        data: JSONBody[ExcusalCreate],
        request: CallerRequest,
        excusal_service: NamedDependency[ExcusalService],
    ) -> ExcusalRead:
        """Excuse a participant from the post-test with a reason, before finalize (audited).

        The readiness checklist stops waiting for their post-test and lists them under the
        check's ``excused``; finalize keeps the reason on their result. 404 for a person who
        does not take part in the session, 409 once finalized.
        """
        return await excusal_service.excuse(request.user, session_id, person_id, data)

    @delete(
        "/results/excusals/{person_id:uuid}",
        operation_id="withdrawPostTestExcusal",
        responses=problem_responses(400, 401, 403, 404, 409),
        guards=[allow("organizer")],
        status_code=204,
    )
    async def withdraw_excusal(
        self,
        session_id: FromPath[UUID],
        person_id: FromPath[UUID],
        request: CallerRequest,
        excusal_service: NamedDependency[ExcusalService],
    ) -> None:
        """Take an excusal back: the checklist waits for the post-test again (audited)."""
        await excusal_service.withdraw(request.user, session_id, person_id)

    @post(
        "/results/{person_id:uuid}/amend",
        operation_id="amendSessionResult",
        responses=problem_responses(400, 401, 403, 404, 422),
        guards=[allow("organizer")],
        status_code=200,
    )
    async def amend(
        self,
        session_id: FromPath[UUID],
        person_id: FromPath[UUID],
        data: JSONBody[AmendmentCreate],
        request: CallerRequest,
        finalize_service: NamedDependency[FinalizeService],
    ) -> ResultRead:
        """Correct a finalized result with a reason; audited and reflected in the JP ledger."""
        return await finalize_service.amend(request.user, session_id, person_id, data)

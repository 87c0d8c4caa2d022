"""Assessment reports: item analysis, learning gain and reaction evaluations."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from courses.assessments.reports.analysis import ItemAnalysisService
from courses.assessments.reports.evaluation_recap import evaluation_recap
from courses.assessments.reports.evaluations import EvaluationService
from courses.assessments.reports.learning_gain import LearningGainService
from courses.assessments.reports.schemas import (
    EvaluationCreate,
    EvaluationForm,
    EvaluationReport,
    EvaluationSaved,
    LearningGainReport,
    QuizAnalysis,
)
from lms.auth.caller import CallerRequest
from lms.auth.guards import allow
from lms.shared.openapi import problem_responses, with_file_alternative
from lms.shared.responses import attachment
from lms.shared.tabular import CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE


class ItemAnalysisController(Controller):
    """Item analysis of a quiz for the session's organizers and trainers."""

    path = "/api/v1/quizzes"
    tags = ["reports"]

    @get(
        "/{quiz_id:uuid}/analysis",
        operation_id="getQuizAnalysis",
        responses=problem_responses(400, 401, 403, 404),
        guards=[allow("organizer", "trainer")],
    )
    async def analysis(
        self,
        quiz_id: FromPath[UUID],
        request: CallerRequest,
        item_analysis_service: NamedDependency[ItemAnalysisService],
    ) -> QuizAnalysis:
        """Difficulty, discrimination (27 % groups), option counts and point-biserial."""
        return await item_analysis_service.analysis(request.user, quiz_id)


class SessionReportController(Controller):
    """Learning gain and reaction evaluations of a session."""

    path = "/api/v1/sessions/{session_id:uuid}"
    tags = ["reports"]

    @get(
        "/learning-gain",
        operation_id="getLearningGain",
        responses=problem_responses(400, 401, 403, 404),
        guards=[allow("organizer", "trainer")],
    )
    async def learning_gain(
        self,
        session_id: FromPath[UUID],
        request: CallerRequest,
        learning_gain_service: NamedDependency[LearningGainService],
    ) -> LearningGainReport:
        """Pre/post per participant, gain, normalized gain and per-competency comparison."""
        return await learning_gain_service.report(request.user, session_id)

    @get(
        "/evaluation-form",
        operation_id="getEvaluationForm",
        responses=problem_responses(400, 401, 403, 404),
        guards=[allow("participant")],
    )
    async def evaluation_form(
        self,
        session_id: FromPath[UUID],
        request: CallerRequest,
        evaluation_service: NamedDependency[EvaluationService],
    ) -> EvaluationForm:
        """The questionnaire, the session's trainers and what the caller already sent."""
        return await evaluation_service.form(request.user, session_id)

    @post(
        "/evaluations",
        operation_id="createEvaluation",
        responses=problem_responses(400, 401, 403, 404, 409, 422),
        guards=[allow("participant")],
    )
    async def create_evaluation(
        self,
        session_id: FromPath[UUID],
        data: JSONBody[EvaluationCreate],
        request: CallerRequest,
        evaluation_service: NamedDependency[EvaluationService],
    ) -> EvaluationSaved:
        """Evaluate a trainer or the organization once (409 on a second response)."""
        return await evaluation_service.submit(request.user, session_id, data)

    @get(
        "/evaluation-report",
        operation_id="getEvaluationReport",
        responses=problem_responses(400, 401, 403, 404),
        guards=[allow("organizer", "hr", "trainer")],
        operation_class=with_file_alternative(XLSX_MEDIA_TYPE, CSV_MEDIA_TYPE),
    )
    async def evaluation_report(
        self,
        session_id: FromPath[UUID],
        request: CallerRequest,
        evaluation_service: NamedDependency[EvaluationService],
        output: Annotated[
            Literal["json", "xlsx", "csv"],
            QueryParameter(name="format", description="json, xlsx atau csv"),
        ] = "json",
    ) -> EvaluationReport:
        """Anonymous means per item and trainer; a trainer sees only their own section.
        ``?format=xlsx`` (with the comments and the office's kop) or ``csv`` for a file."""
        if output != "json":
            content, media_type, filename = await evaluation_recap(
                evaluation_service, request.user, session_id, output
            )
            return attachment(content, media_type, filename)  # type: ignore[return-value]
        return await evaluation_service.report(request.user, session_id)

"""Attempts: start, read, autosave, submit and grade (thin, over ``AttemptService``)."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, Response, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from courses.assessments.attempts.schemas import AnswerBody, AnswerSaved, AttemptRead, ManualGrade
from courses.assessments.attempts.service import AttemptService
from lms.auth.caller import CallerRequest
from lms.auth.guards import ANY_ROLE, allow


class AttemptController(Controller):
    """A participant's attempts and the session staff's view and marks."""

    path = "/api/v1"
    tags = ["assessments"]
    guards = [allow(*ANY_ROLE)]

    @post("/quizzes/{quiz_id:uuid}/attempts", operation_id="startAttempt")
    async def start_attempt(
        self,
        quiz_id: FromPath[UUID],
        request: CallerRequest,
        attempt_service: NamedDependency[AttemptService],
    ) -> Response[AttemptRead]:
        """Start an attempt (201), or resume the one in progress (200): the questions without
        answer keys, weights or feedback."""
        attempt, created = await attempt_service.start(request.user, quiz_id)
        return Response(attempt, status_code=201 if created else 200)

    @get("/attempts/{attempt_id:uuid}", operation_id="getAttempt")
    async def get_attempt(
        self,
        attempt_id: FromPath[UUID],
        request: CallerRequest,
        attempt_service: NamedDependency[AttemptService],
    ) -> AttemptRead:
        """The caller's own attempt (marks per the review policy), or one of a session they
        run. An attempt past its deadline is closed and graded first."""
        return await attempt_service.get(request.user, attempt_id)

    @put(
        "/attempts/{attempt_id:uuid}/answers/{question_id:uuid}",
        operation_id="saveAttemptAnswer",
    )
    async def save_answer(
        self,
        attempt_id: FromPath[UUID],
        question_id: FromPath[UUID],
        data: JSONBody[AnswerBody],
        request: CallerRequest,
        attempt_service: NamedDependency[AttemptService],
    ) -> AnswerSaved:
        """Autosave one answer (overwrites the previous one); stored durably before the
        response. 409 after submit or past the deadline."""
        return await attempt_service.save_answer(request.user, attempt_id, question_id, data)

    @post("/attempts/{attempt_id:uuid}/submit", operation_id="submitAttempt", status_code=200)
    async def submit_attempt(
        self,
        attempt_id: FromPath[UUID],
        request: CallerRequest,
        attempt_service: NamedDependency[AttemptService],
    ) -> AttemptRead:
        """Finish and grade the attempt; submitting again answers the same result."""
        return await attempt_service.submit(request.user, attempt_id)

    @post(
        "/attempts/{attempt_id:uuid}/answers/{question_id:uuid}/grade",
        operation_id="gradeAttemptAnswer",
        status_code=200,
        guards=[allow("organizer", "trainer")],
    )
    async def grade_answer(
        self,
        attempt_id: FromPath[UUID],
        question_id: FromPath[UUID],
        data: JSONBody[ManualGrade],
        request: CallerRequest,
        attempt_service: NamedDependency[AttemptService],
    ) -> AttemptRead:
        """Mark one answer by hand (essays; or an override) and re-total the attempt."""
        return await attempt_service.grade_answer(request.user, attempt_id, question_id, data)

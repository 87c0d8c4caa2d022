"""Quizzes of a session: thin controllers over ``QuizService``, which applies the scope checks."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from courses.assessments.questions.schemas import (
    QuizCreate,
    QuizRead,
    QuizUpdate,
)
from courses.assessments.quizzes.service import QuizService
from lms.auth.caller import CallerRequest
from lms.auth.guards import ANY_ROLE, allow
from lms.shared.schemas import Page

_MULTIPART = "multipart/form-data"


class QuizController(Controller):
    """Quizzes of a session (``/api/v1/sessions/{id}/quizzes``) and one quiz
    (``/api/v1/quizzes/{id}``)."""

    path = "/api/v1"
    tags = ["assessments"]

    @get(
        "/sessions/{session_id:uuid}/quizzes",
        operation_id="listSessionQuizzes",
        guards=[allow(*ANY_ROLE)],
    )
    async def list_quizzes(
        self,
        session_id: FromPath[UUID],
        request: CallerRequest,
        quiz_service: NamedDependency[QuizService],
    ) -> Page[QuizRead]:
        """The session's quizzes; participants (confirmed) see theirs without the selection."""
        return await quiz_service.list(request.user, session_id)

    @post(
        "/sessions/{session_id:uuid}/quizzes",
        operation_id="createSessionQuiz",
        guards=[allow("organizer")],
    )
    async def create_quiz(
        self,
        session_id: FromPath[UUID],
        data: JSONBody[QuizCreate],
        request: CallerRequest,
        quiz_service: NamedDependency[QuizService],
    ) -> QuizRead:
        """Create a pre-test, post-test or quiz; naive times are in the session's time zone."""
        return await quiz_service.create(request.user, session_id, data)

    @get("/quizzes/{quiz_id:uuid}", operation_id="getQuiz", guards=[allow(*ANY_ROLE)])
    async def get_quiz(
        self,
        quiz_id: FromPath[UUID],
        request: CallerRequest,
        quiz_service: NamedDependency[QuizService],
    ) -> QuizRead:
        """One quiz; a participant gets no selection, only their own attempts."""
        return await quiz_service.get(request.user, quiz_id)

    @patch("/quizzes/{quiz_id:uuid}", operation_id="updateQuiz", guards=[allow("organizer")])
    async def update_quiz(
        self,
        quiz_id: FromPath[UUID],
        data: JSONBody[QuizUpdate],
        request: CallerRequest,
        quiz_service: NamedDependency[QuizService],
    ) -> QuizRead:
        """Change a quiz's rules (its questions only while no attempt exists)."""
        return await quiz_service.update(request.user, quiz_id, data)

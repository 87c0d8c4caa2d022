"""The assessments router: question banks, quizzes and attempts with their service providers."""

from __future__ import annotations

from litestar import Router
from litestar.di import Provide

from courses.assessments.attempts.controllers import AttemptController
from courses.assessments.attempts.service import AttemptService
from courses.assessments.questions.banks import BankService
from courses.assessments.questions.controllers import BankController
from courses.assessments.quizzes.controllers import QuizController
from courses.assessments.quizzes.service import QuizService
from lms.config import Settings


def build_router(settings: Settings) -> Router:
    """Banks, quizzes and attempts; providers on the router so tests can swap them."""

    def provide_bank_service() -> BankService:
        return BankService(max_upload_bytes=settings.max_upload_bytes)

    def provide_quiz_service() -> QuizService:
        return QuizService()

    def provide_attempt_service() -> AttemptService:
        return AttemptService()

    return Router(
        path="/",
        route_handlers=[BankController, QuizController, AttemptController],
        dependencies={
            "bank_service": Provide(provide_bank_service, sync_to_thread=False),
            "quiz_service": Provide(provide_quiz_service, sync_to_thread=False),
            "attempt_service": Provide(provide_attempt_service, sync_to_thread=False),
        },
    )

"""Routers of the ``courses`` app, mounted by ``lms.app.create_app``.

Each feature contributes one Router carrying its service providers (so a test can swap a
service by overriding the provider); ``build_routers`` is the plain list of them.
"""

from __future__ import annotations

from uuid import UUID

from litestar import Request, Router
from litestar.di import Provide

from courses.assessments.attempts.participant_pages import PAGES as ATTEMPT_PAGES
from courses.assessments.attempts.service import AttemptService
from courses.assessments.attempts.trainer_pages import PAGES as ESSAY_PAGES
from courses.assessments.questions.banks import BankService
from courses.assessments.quizzes.pages import PAGES as QUIZ_PAGES
from courses.assessments.quizzes.service import QuizService
from courses.assessments.reports.analysis import ItemAnalysisService
from courses.assessments.reports.controllers import ItemAnalysisController, SessionReportController
from courses.assessments.reports.evaluations import EvaluationService
from courses.assessments.reports.learning_gain import LearningGainService
from courses.assessments.reports.pages import PAGES as EVALUATION_PAGES
from courses.assessments.routes import build_router as assessments_router
from courses.catalogue.controllers import CourseController
from courses.catalogue.pages import PAGES as CATALOGUE_PAGES
from courses.catalogue.services import CourseService
from courses.delivery.agenda.controllers import AgendaController, TrainerAgendaController
from courses.delivery.agenda.pages import PAGES as AGENDA_PAGES
from courses.delivery.agenda.service import AgendaService
from courses.delivery.attendance.checkin import (
    MAX_WRONG_CODES,
    WRONG_CODE_WINDOW,
    WRONG_CODES_MESSAGE,
    CheckinService,
)
from courses.delivery.attendance.controllers import AttendanceController
from courses.delivery.attendance.organizer_pages import PAGES as ATTENDANCE_RECAP_PAGES
from courses.delivery.attendance.participant_pages import PAGES as CHECKIN_PAGES
from courses.delivery.attendance.service import AttendanceService
from courses.delivery.attendance.sheet import AttendanceSheetService
from courses.delivery.attendance.trainer_pages import PAGES as ATTENDANCE_PAGES
from courses.delivery.enrollment import import_job  # noqa: F401 - registers its job handler
from courses.delivery.enrollment.account_controllers import SessionAccountController
from courses.delivery.enrollment.accounts import runs_session_of
from courses.delivery.enrollment.controllers import EnrollmentController
from courses.delivery.enrollment.importing import EnrollmentImportService
from courses.delivery.enrollment.pages import PAGES as DELIVERY_PAGES
from courses.delivery.enrollment.pages import sessions_panel
from courses.delivery.enrollment.service import EnrollmentService
from courses.delivery.sessions.controllers import SessionController
from courses.delivery.sessions.pages import PAGES as SESSION_PAGES
from courses.delivery.sessions.service import SessionService
from courses.delivery.trainers.controllers import TrainerController
from courses.delivery.trainers.service import TrainerService
from courses.lti.pages import PAGES as LTI_PAGES
from courses.results.controllers import ResultController
from courses.results.excusals import ExcusalService
from courses.results.finalize import FinalizeService
from courses.results.organizer_pages import PAGES as ORGANIZER_RESULT_PAGES
from courses.results.participant_pages import PAGES as RESULT_PAGES
from courses.results.readiness import ReadinessService
from courses.results.results import ResultService
from courses.results.trainer_pages import PAGES as SCORE_PAGES
from lms.auth.accounts import PersonScope
from lms.auth.routes import account_service_provider
from lms.config import Settings
from lms.shared.letterhead import LetterheadSource
from lms.shared.ratelimit import Limit, counters_for
from lms.web.home import HomePanel
from lms.web.routes import settings_provider
from lms.web.shell import page_router

#: Who an organizer may manage accounts of, beyond their unit: their sessions' participants.
PERSON_SCOPES: list[PersonScope] = [runs_session_of]


def home_panels(settings: Settings) -> list[HomePanel]:
    """This app's sections of a person's home page (``/saya``)."""
    return [sessions_panel(settings)]


def delivery_pages(settings: Settings) -> Router:
    """The organizer's session and class-account pages."""
    return page_router(
        settings,
        DELIVERY_PAGES,
        dependencies={
            "session_service": Provide(SessionService, sync_to_thread=False),
            "enrollment_service": Provide(EnrollmentService, sync_to_thread=False),
            "enrollment_import_service": Provide(
                lambda: EnrollmentImportService(settings), sync_to_thread=False
            ),
            "account_service": account_service_provider(settings, PERSON_SCOPES),
            "settings": settings_provider(settings),
        },
    )


def trainer_pages(settings: Settings, letterhead: LetterheadSource | None = None) -> Router:
    """The trainer's pages (``/latih``): agenda, projector, attendance, essays, scores."""
    return page_router(
        settings,
        [*AGENDA_PAGES, *ATTENDANCE_PAGES, *ESSAY_PAGES, *SCORE_PAGES],
        dependencies={
            "agenda_service": Provide(
                lambda: AgendaService(jp_minutes=settings.jp_minutes), sync_to_thread=False
            ),
            "checkin_service": checkin_service_provider(settings),
            "attendance_service": Provide(
                lambda: AttendanceService(letterhead), sync_to_thread=False
            ),
            "result_service": Provide(lambda: ResultService(letterhead), sync_to_thread=False),
            "settings": settings_provider(settings),
        },
    )


def organizer_pages(settings: Settings, letterhead: LetterheadSource | None = None) -> Router:
    """The organizer's courses, session hub, new session, attendance recap, quizzes, finalize
    checklist, results and LMS scores pages."""
    return page_router(
        settings,
        [
            *CATALOGUE_PAGES,
            *SESSION_PAGES,
            *ATTENDANCE_RECAP_PAGES,
            *QUIZ_PAGES,
            *ORGANIZER_RESULT_PAGES,
            *LTI_PAGES,
        ],
        dependencies={
            "bank_service": Provide(
                lambda: BankService(max_upload_bytes=settings.max_upload_bytes),
                sync_to_thread=False,
            ),
            "quiz_service": Provide(QuizService, sync_to_thread=False),
            "attendance_service": Provide(
                lambda: AttendanceService(letterhead), sync_to_thread=False
            ),
            "session_service": Provide(SessionService, sync_to_thread=False),
            "course_service": Provide(CourseService, sync_to_thread=False),
            "result_service": Provide(lambda: ResultService(letterhead), sync_to_thread=False),
            "finalize_service": Provide(FinalizeService, sync_to_thread=False),
            "readiness_service": Provide(ReadinessService, sync_to_thread=False),
            "excusal_service": Provide(ExcusalService, sync_to_thread=False),
            "settings": settings_provider(settings),
        },
    )


def checkin_service_provider(settings: Settings) -> Provide:
    """``checkin_service`` with its wrong-code limit (the API's and the check-in page's)."""

    def provide_checkin_service(request: Request) -> CheckinService:
        limiter = Limit(
            counters_for(request.app),
            "checkin",
            MAX_WRONG_CODES,
            WRONG_CODE_WINDOW,
            WRONG_CODES_MESSAGE,
        )
        return CheckinService(settings.secret_key, limiter)

    return Provide(provide_checkin_service, sync_to_thread=False)


def participant_pages(settings: Settings, letterhead: LetterheadSource | None = None) -> Router:
    """A participant's session, check-in, quiz, evaluation and results pages (``/saya/...``)."""
    return page_router(
        settings,
        [*CHECKIN_PAGES, *ATTEMPT_PAGES, *EVALUATION_PAGES, *RESULT_PAGES],
        dependencies={
            "enrollment_service": Provide(EnrollmentService, sync_to_thread=False),
            "agenda_service": Provide(
                lambda: AgendaService(jp_minutes=settings.jp_minutes), sync_to_thread=False
            ),
            "checkin_service": checkin_service_provider(settings),
            "quiz_service": Provide(QuizService, sync_to_thread=False),
            "attempt_service": Provide(AttemptService, sync_to_thread=False),
            "evaluation_service": Provide(
                lambda: EvaluationService(letterhead), sync_to_thread=False
            ),
            "result_service": Provide(lambda: ResultService(letterhead), sync_to_thread=False),
        },
    )


def catalogue_router(settings: Settings) -> Router:
    """Courses."""
    return Router(
        path="/",
        route_handlers=[CourseController],
        dependencies={"course_service": Provide(CourseService, sync_to_thread=False)},
    )


def delivery_router(settings: Settings, letterhead: LetterheadSource | None = None) -> Router:
    """Trainers, sessions, agenda, enrollment and attendance; ``letterhead`` prints the office's
    kop and panitia on the daftar hadir (see :mod:`lms.shared.letterhead`)."""

    def provide_sheet_service() -> AttendanceSheetService:
        return AttendanceSheetService(letterhead)

    def provide_agenda_service() -> AgendaService:
        return AgendaService(jp_minutes=settings.jp_minutes)

    def provide_import_service() -> EnrollmentImportService:
        return EnrollmentImportService(settings)

    return Router(
        path="/",
        route_handlers=[
            TrainerController,
            TrainerAgendaController,
            SessionController,
            AgendaController,
            EnrollmentController,
            AttendanceController,
            SessionAccountController,
        ],
        dependencies={
            "trainer_service": Provide(TrainerService, sync_to_thread=False),
            "session_service": Provide(SessionService, sync_to_thread=False),
            "agenda_service": Provide(provide_agenda_service, sync_to_thread=False),
            "enrollment_service": Provide(EnrollmentService, sync_to_thread=False),
            "enrollment_import_service": Provide(provide_import_service, sync_to_thread=False),
            "attendance_service": Provide(
                lambda: AttendanceService(letterhead), sync_to_thread=False
            ),
            "checkin_service": checkin_service_provider(settings),
            "attendance_sheet_service": Provide(provide_sheet_service, sync_to_thread=False),
            "account_service": account_service_provider(settings, PERSON_SCOPES),
        },
    )


def reports_router(settings: Settings, letterhead: LetterheadSource | None = None) -> Router:
    """Item analysis, learning gain and evaluations (``letterhead``: the report's kop)."""
    return Router(
        path="/",
        route_handlers=[ItemAnalysisController, SessionReportController],
        dependencies={
            "item_analysis_service": Provide(ItemAnalysisService, sync_to_thread=False),
            "learning_gain_service": Provide(LearningGainService, sync_to_thread=False),
            "evaluation_service": Provide(
                lambda: EvaluationService(letterhead), sync_to_thread=False
            ),
        },
    )


def results_router(settings: Settings, letterhead: LetterheadSource | None = None) -> Router:
    """Results, component scores, finalize and amendments (``letterhead``: the recap's kop)."""
    return Router(
        path="/",
        route_handlers=[ResultController],
        dependencies={
            "result_service": Provide(lambda: ResultService(letterhead), sync_to_thread=False),
            "finalize_service": Provide(FinalizeService, sync_to_thread=False),
            "readiness_service": Provide(ReadinessService, sync_to_thread=False),
            "excusal_service": Provide(ExcusalService, sync_to_thread=False),
        },
    )


def lti_router(settings: Settings) -> Router:
    """Roster sync and score passback for sessions placed in an LMS (one service client per
    app: it caches the platforms' access tokens)."""
    from courses.lti.controllers import SessionLtiController
    from lms.lti.services import ServiceClient

    client = ServiceClient(settings)
    # A graded attempt of a quiz placed in an LMS sends its score there (by a job).
    from courses.assessments.attempts import events
    from courses.lti.quiz_scores import queue_quiz_score

    async def quiz_score(attempt_id: UUID) -> None:
        await queue_quiz_score(attempt_id, settings)

    events.on_graded("lti.quiz_score", quiz_score)
    return Router(
        path="/",
        route_handlers=[SessionLtiController],
        dependencies={"lti_client": Provide(lambda: client, use_cache=True, sync_to_thread=False)},
    )


def build_routers(settings: Settings, letterhead: LetterheadSource | None = None) -> list[Router]:
    """Every router of this app; ``letterhead`` comes from the composition root."""
    return [
        lti_router(settings),
        catalogue_router(settings),
        delivery_router(settings, letterhead),
        assessments_router(settings),
        reports_router(settings, letterhead),
        results_router(settings, letterhead),
        delivery_pages(settings),
        trainer_pages(settings, letterhead),
        participant_pages(settings, letterhead),
        organizer_pages(settings, letterhead),
    ]

"""Routers of the ``courses`` app, mounted by ``lms.app.create_app``.

Each feature contributes one Router carrying its service providers (so a test can swap a
service by overriding the provider); ``build_routers`` is the plain list of them.
"""

from __future__ import annotations

from litestar import Request, Router
from litestar.di import Provide

from courses.assessments.reports.analysis import ItemAnalysisService
from courses.assessments.reports.controllers import ItemAnalysisController, SessionReportController
from courses.assessments.reports.evaluations import EvaluationService
from courses.assessments.reports.learning_gain import LearningGainService
from courses.assessments.routes import build_router as assessments_router
from courses.catalogue.controllers import CourseController
from courses.catalogue.services import CourseService
from courses.delivery.agenda.controllers import AgendaController, TrainerAgendaController
from courses.delivery.agenda.service import AgendaService
from courses.delivery.attendance.checkin import (
    MAX_WRONG_CODES,
    WRONG_CODE_WINDOW,
    WRONG_CODES_MESSAGE,
    CheckinService,
)
from courses.delivery.attendance.controllers import AttendanceController
from courses.delivery.attendance.service import AttendanceService
from courses.delivery.attendance.sheet import AttendanceSheetService
from courses.delivery.enrollment import import_job  # noqa: F401 - registers its job handler
from courses.delivery.enrollment.controllers import EnrollmentController
from courses.delivery.enrollment.importing import EnrollmentImportService
from courses.delivery.enrollment.service import EnrollmentService
from courses.delivery.sessions.controllers import SessionController
from courses.delivery.sessions.service import SessionService
from courses.delivery.trainers.controllers import TrainerController
from courses.delivery.trainers.service import TrainerService
from courses.results.controllers import ResultController
from courses.results.finalize import FinalizeService
from courses.results.results import ResultService
from lms.config import Settings
from lms.shared.ratelimit import Limit, counters_for


def catalogue_router(settings: Settings) -> Router:
    """Courses."""
    return Router(
        path="/",
        route_handlers=[CourseController],
        dependencies={"course_service": Provide(CourseService, sync_to_thread=False)},
    )


def delivery_router(settings: Settings) -> Router:
    """Trainers, sessions, agenda, enrollment and attendance."""

    def provide_agenda_service() -> AgendaService:
        return AgendaService(jp_minutes=settings.jp_minutes)

    def provide_import_service() -> EnrollmentImportService:
        return EnrollmentImportService(settings)

    def provide_checkin_service(request: Request) -> CheckinService:
        limiter = Limit(
            counters_for(request.app),
            "checkin",
            MAX_WRONG_CODES,
            WRONG_CODE_WINDOW,
            WRONG_CODES_MESSAGE,
        )
        return CheckinService(settings.secret_key, limiter)

    return Router(
        path="/",
        route_handlers=[
            TrainerController,
            TrainerAgendaController,
            SessionController,
            AgendaController,
            EnrollmentController,
            AttendanceController,
        ],
        dependencies={
            "trainer_service": Provide(TrainerService, sync_to_thread=False),
            "session_service": Provide(SessionService, sync_to_thread=False),
            "agenda_service": Provide(provide_agenda_service, sync_to_thread=False),
            "enrollment_service": Provide(EnrollmentService, sync_to_thread=False),
            "enrollment_import_service": Provide(provide_import_service, sync_to_thread=False),
            "attendance_service": Provide(AttendanceService, sync_to_thread=False),
            "checkin_service": Provide(provide_checkin_service, sync_to_thread=False),
            "attendance_sheet_service": Provide(AttendanceSheetService, sync_to_thread=False),
        },
    )


def reports_router(settings: Settings) -> Router:
    """Item analysis, learning gain and evaluations."""
    return Router(
        path="/",
        route_handlers=[ItemAnalysisController, SessionReportController],
        dependencies={
            "item_analysis_service": Provide(ItemAnalysisService, sync_to_thread=False),
            "learning_gain_service": Provide(LearningGainService, sync_to_thread=False),
            "evaluation_service": Provide(EvaluationService, sync_to_thread=False),
        },
    )


def results_router(settings: Settings) -> Router:
    """Results, component scores, finalize and amendments."""
    return Router(
        path="/",
        route_handlers=[ResultController],
        dependencies={
            "result_service": Provide(ResultService, sync_to_thread=False),
            "finalize_service": Provide(FinalizeService, sync_to_thread=False),
        },
    )


def lti_router(settings: Settings) -> Router:
    """Roster sync and score passback for sessions placed in an LMS (one service client per
    app: it caches the platforms' access tokens)."""
    from courses.lti.controllers import SessionLtiController
    from lms.lti.services import ServiceClient

    client = ServiceClient(settings)
    return Router(
        path="/",
        route_handlers=[SessionLtiController],
        dependencies={
            "lti_client": Provide(lambda: client, use_cache=True, sync_to_thread=False)
        },
    )


def build_routers(settings: Settings) -> list[Router]:
    """Every router of this app."""
    return [
        lti_router(settings),
        catalogue_router(settings),
        delivery_router(settings),
        assessments_router(settings),
        reports_router(settings),
        results_router(settings),
    ]

"""The competency router: framework, ledger, transcripts, reports and SKM, with the service
providers (on the Router, so tests can swap them)."""

from __future__ import annotations

from litestar import Request, Router
from litestar.di import Provide

from lms.competencies.compliance import ComplianceService
from lms.competencies.controllers import (
    CompetencyController,
    LearningRecordController,
    TranscriptController,
)
from lms.competencies.framework import FrameworkService
from lms.competencies.hr_pages import PAGES as HR_PAGES
from lms.competencies.impact import ImpactService
from lms.competencies.records import LedgerService
from lms.competencies.report_controllers import (
    ReportController,
    SkmController,
    SkmPopulationController,
)
from lms.competencies.siasn import SiasnService
from lms.competencies.surveys import SurveyService
from lms.competencies.transcript import TranscriptService
from lms.config import Settings
from lms.people.services import PersonService
from lms.shared.letterhead import LetterheadSource
from lms.web.shell import page_router


def build_router(settings: Settings, letterhead: LetterheadSource | None = None) -> Router:
    """Competencies, learning records, transcripts, reports and surveys. Services read the
    answering app's settings (JP rules, upload limits), so a test app may use other values."""

    def provider(service: type) -> Provide:
        def provide(request: Request) -> object:
            return service(request.app.state.settings)

        return Provide(provide, sync_to_thread=False)

    def provide_compliance(request: Request) -> ComplianceService:
        return ComplianceService(request.app.state.settings, letterhead)

    def provide_transcripts(request: Request) -> TranscriptService:
        return TranscriptService(request.app.state.settings, letterhead)

    return Router(
        path="/",
        route_handlers=[
            CompetencyController,
            LearningRecordController,
            TranscriptController,
            ReportController,
            SkmController,
            SkmPopulationController,
        ],
        dependencies={
            "framework_service": provider(FrameworkService),
            "ledger_service": provider(LedgerService),
            "transcript_service": Provide(provide_transcripts, sync_to_thread=False),
            "compliance_service": Provide(provide_compliance, sync_to_thread=False),
            "impact_service": provider(ImpactService),
            "survey_service": provider(SurveyService),
            "siasn_service": Provide(lambda: SiasnService(letterhead), sync_to_thread=False),
        },
    )


def build_page_router(settings: Settings, letterhead: LetterheadSource | None = None) -> Router:
    """HR's pages (``/sdm``) with the same services as the API."""

    def provider(service: type) -> Provide:
        def provide(request: Request) -> object:
            return service(request.app.state.settings)

        return Provide(provide, sync_to_thread=False)

    def provide_transcripts(request: Request) -> TranscriptService:
        return TranscriptService(request.app.state.settings, letterhead)

    def provide_settings(request: Request) -> Settings:
        return request.app.state.settings  # type: ignore[no-any-return]

    return page_router(
        settings,
        HR_PAGES,
        dependencies={
            "transcript_service": Provide(provide_transcripts, sync_to_thread=False),
            "compliance_service": provider(ComplianceService),
            "impact_service": provider(ImpactService),
            "survey_service": provider(SurveyService),
            "person_service": provider(PersonService),
            "siasn_service": Provide(lambda: SiasnService(letterhead), sync_to_thread=False),
            "settings": Provide(provide_settings, sync_to_thread=False),
        },
    )

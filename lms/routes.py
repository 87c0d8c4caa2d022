"""Routers of the lms core (auth is built separately because it carries its rate limit)."""

from __future__ import annotations

from litestar import Router

from lms.competencies.pages import jp_page, transcript_check_router
from lms.competencies.routes import build_page_router as build_competency_pages
from lms.competencies.routes import build_router as build_competency_router
from lms.config import Settings
from lms.jobs.controllers import JobController
from lms.lti.controllers import build_router as build_lti_router
from lms.people.routes import build_router as build_people_router
from lms.shared.letterhead import LetterheadSource
from lms.web.routes import settings_provider
from lms.web.shell import page_router


def build_routers(settings: Settings, letterhead: LetterheadSource | None = None) -> list[Router]:
    """People, units, competencies, reports and jobs; ``letterhead`` (from the composition
    root) puts the office's kop and signer on the transcript."""
    return [
        Router(path="/", route_handlers=[JobController]),
        build_people_router(settings),
        build_competency_router(settings, letterhead),
        build_competency_pages(settings, letterhead),
        transcript_check_router(settings),
        build_lti_router(settings),
        page_router(
            settings,
            [jp_page],
            dependencies={"settings": settings_provider(settings)},
        ),
    ]

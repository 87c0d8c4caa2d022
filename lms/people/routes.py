"""The people router: units, people and the import, with their service providers."""

from __future__ import annotations

from litestar import Request, Router
from litestar.di import Provide

from lms.config import Settings
from lms.people import import_job  # noqa: F401 - registers its job handler
from lms.people.controllers import PersonController, UnitController
from lms.people.services import PersonService
from lms.people.units import UnitService


def build_router(settings: Settings) -> Router:
    """Units and people. The person service reads the app's settings per request, so the
    upload limits are those of the app that answers (tests may swap them)."""

    def provide_unit_service() -> UnitService:
        return UnitService()

    def provide_person_service(request: Request) -> PersonService:
        return PersonService(request.app.state.settings)

    return Router(
        path="/",
        route_handlers=[UnitController, PersonController],
        dependencies={
            "unit_service": Provide(provide_unit_service, sync_to_thread=False),
            "person_service": Provide(provide_person_service, sync_to_thread=False),
        },
    )

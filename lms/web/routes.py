"""The page routers of the lms core: the landing page, the account pages and ``/saya``.

``lms.app`` passes in what only the composition root knows: the home panels of every app and
the rules that widen an organizer's account scope.
"""

from __future__ import annotations

from collections.abc import Sequence

from litestar import Router
from litestar.di import Provide

from lms.auth.accounts import PersonScope
from lms.auth.pages import PAGES as ACCOUNT_PAGES
from lms.auth.routes import account_service_provider, auth_service_provider
from lms.config import Settings
from lms.web.assets import static_router
from lms.web.home import HomePanel, HomePanels, home_page
from lms.web.pages import landing_page
from lms.web.shell import page_router


def settings_provider(settings: Settings) -> Provide:
    """``settings`` for page handlers that need it (session keys, time zone)."""
    return Provide(lambda: settings, use_cache=True, sync_to_thread=False)


def build_routers(
    settings: Settings,
    *,
    home_panels: Sequence[HomePanel] = (),
    person_scopes: Sequence[PersonScope] = (),
) -> list[Router]:
    """The shell's static files and the core pages."""
    panels = HomePanels(tuple(home_panels))
    return [
        static_router(),
        page_router(
            settings,
            [landing_page, home_page, *ACCOUNT_PAGES],
            dependencies={
                "auth_service": auth_service_provider(settings),
                "account_service": account_service_provider(settings, person_scopes),
                "settings": settings_provider(settings),
                "home_panels": Provide(lambda: panels, use_cache=True, sync_to_thread=False),
            },
        ),
    ]

"""``/saya``: a logged-in person's home, built from panels the apps contribute.

``lms`` may not import ``courses`` or ``certificates``, yet the home shows sessions (courses),
certificates (certificates) and the JP year (lms). So each app offers a panel function, the
composition root (``lms.app``) hands the list to this page, and the page renders each panel's
template with its context, in order. A panel that has nothing for this user returns None.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import msgspec
from litestar import Request, get
from litestar.di import NamedDependency
from litestar.enums import MediaType
from litestar.params import FromQuery
from litestar.response import Template

from lms.web.session import PageCaller
from lms.web.shell import page_guard

_MESSAGES = {"sandi-diganti": "Kata sandi Anda sudah diganti."}


class Panel(msgspec.Struct, kw_only=True):
    """One section of the home page: a template (rendered inside ``web/home.html``) and what
    it prints."""

    template: str
    context: dict[str, Any]


#: ``(caller) -> Panel | None``
HomePanel = Callable[[PageCaller], Awaitable[Panel | None]]


class HomePanels(msgspec.Struct, frozen=True):
    """The panels of ``/saya`` in the order they are shown."""

    panels: Sequence[HomePanel]


@get("/saya", operation_id="homePage", media_type=MediaType.HTML, guards=[page_guard()])
async def home_page(
    request: Request[Any, Any, Any],
    home_panels: NamedDependency[HomePanels],
    pesan: FromQuery[str | None] = None,
) -> Template:
    """Today, upcoming and past sessions, certificates and the JP year of the caller."""
    user: PageCaller = request.user
    panels = [panel for make in home_panels.panels if (panel := await make(user)) is not None]
    return Template(
        "web/home.html",
        context={"panels": panels, "message": _MESSAGES.get(pesan or "")},
        media_type=MediaType.HTML,
    )

"""The trainer's agenda page (``/latih``): their agenda items by day, today first, with the
links to run each session (projector, attendance, essays, scores).

It reads ``AgendaService.mine``, the service of ``/api/v1/trainers/me/agenda``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from litestar import Request, get
from litestar.di import NamedDependency
from litestar.enums import MediaType
from litestar.response import Template

from courses.delivery.agenda.service import AgendaService
from lms.config import Settings
from lms.shared.indonesian import format_day_date, format_time_range
from lms.web.shell import page_guard

PageRequest = Request[Any, Any, Any]

PAST_DAYS_SHOWN = 14
"""Past days listed under "Sudah lewat" (most recent first); older ones are in the API."""


@get(
    "/latih",
    operation_id="trainerAgendaPage",
    media_type=MediaType.HTML,
    guards=[page_guard("trainer")],
)
async def trainer_agenda(
    request: PageRequest,
    agenda_service: NamedDependency[AgendaService],
    settings: NamedDependency[Settings],
) -> Template:
    """My teaching days: today, the coming days, and the last two weeks."""
    today = dt.datetime.now(ZoneInfo(settings.timezone)).date()
    page = await agenda_service.mine(
        request.user, date_from=today - dt.timedelta(days=60), limit=500
    )
    days: dict[dt.date, list[dict[str, Any]]] = {}
    for item in page.items:
        days.setdefault(item.day, []).append(
            {
                "time": format_time_range(item.starts_at, item.ends_at, item.timezone),
                "what": item.title or item.module_title or "Acara",
                "session_id": item.session_id,
                "session": f"{item.course_title} · {item.session_name}",
                "where": ", ".join(p for p in (item.room, item.venue) if p),
            }
        )
    groups: list[dict[str, Any]] = []
    for day in sorted(days):
        groups.append(
            {
                "day": day,
                "label": format_day_date(day),
                "iso": day.isoformat(),
                "today": day == today,
                "items": days[day],
                "sessions": list({i["session_id"]: i for i in days[day]}.values()),
            }
        )
    coming = [g for g in groups if g["iso"] >= today.isoformat()]
    past = [g for g in reversed(groups) if g["iso"] < today.isoformat()][:PAST_DAYS_SHOWN]
    return Template(
        "delivery/latih_agenda.html",
        context={"coming": coming, "past": past},
        media_type=MediaType.HTML,
    )


PAGES = [trainer_agenda]

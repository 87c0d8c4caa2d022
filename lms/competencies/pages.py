"""The JP panel of a participant's home (``/saya``): this year's JP against the yearly rule
(20 JP for PNS), from the transcript service, the same as the API's transcript; and the public
check of a printed transcript (``/transkrip/{code}``, the target of its QR code)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from litestar import Request, Router, get
from litestar.di import NamedDependency
from litestar.enums import MediaType
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.params import FromPath
from litestar.response import Template

from lms.competencies.jp import jp_status
from lms.competencies.transcript import TranscriptService, check_copy, jp_policy
from lms.config import Settings
from lms.shared.indonesian import format_date, format_decimal_id, format_time
from lms.web.home import HomePanel, Panel
from lms.web.routes import settings_provider
from lms.web.session import PageCaller
from lms.web.shell import page_guard, page_router


def _jp(value: Decimal) -> str:
    """``24`` or ``1,5``: JP as people write it."""
    return format_decimal_id(value, 2).removesuffix(",00")


async def jp_year(service: TranscriptService, settings: Settings, user: PageCaller) -> dict:
    """This year's JP of the caller against the yearly rule, as the panel and page print it."""
    assert user.person_id is not None
    year = dt.datetime.now(ZoneInfo(settings.timezone)).year
    transcript = await service.transcript(user, user.person_id)
    this_year = next((y for y in transcript.years if y.year == year), None)
    total = Decimal(str(this_year.total_jp)) if this_year else Decimal(0)
    events = this_year.events if this_year else []
    status = jp_status(total, transcript.identity.asn_type, jp_policy(settings))
    target = status.target_jp
    percent = min(100, int(total * 100 / target)) if target else 100
    return {
        "year": year,
        "total": _jp(total),
        "target": target,
        "shortfall": _jp(status.shortfall_jp),
        "compliant": status.compliant,
        "percent": percent,
        "events": [{"title": e.title, "jp": _jp(Decimal(str(e.jp)))} for e in events],
        "years": [
            {"year": y.year, "total": _jp(Decimal(str(y.total_jp)))}
            for y in transcript.years
            if y.year != year
        ],
    }


def jp_panel(settings: Settings) -> HomePanel:
    """The panel for people linked to a person record (participants, trainers)."""
    service = TranscriptService(settings)

    async def panel(user: PageCaller) -> Panel | None:
        if user.person_id is None:
            return None
        context = await jp_year(service, settings, user)
        return Panel(template="competencies/jp_panel.html", context=context)

    return panel


@get("/saya/jp", operation_id="myJpPage", media_type=MediaType.HTML, guards=[page_guard()])
async def jp_page(request: Request[Any, Any, Any], settings: NamedDependency[Settings]) -> Template:
    """My JP this year against the 20 JP rule, what earned them, and earlier years."""
    user: PageCaller = request.user
    context = (
        await jp_year(TranscriptService(settings), settings, user)
        if user.person_id is not None
        else None
    )
    return Template("competencies/jp.html", context={"p": context}, media_type=MediaType.HTML)


@get("/transkrip/{code:str}", operation_id="transcriptCheckPage", media_type=MediaType.HTML)
async def transcript_check_page(
    code: FromPath[str], settings: NamedDependency[Settings]
) -> Template:
    """What a printed transcript says, for whoever scans its QR code (no login); an unknown
    code is the shell's 404 page."""
    check = await check_copy(settings, code)
    printed = check.printed_at
    return Template(
        template_name="competencies/transkrip.html",
        context={
            "check": check,
            "printed": f"{format_date(printed.astimezone(ZoneInfo(settings.timezone)).date())}, "
            f"{format_time(printed, settings.timezone)}",
            "years": [
                {
                    "year": y.year,
                    "total": _jp(Decimal(y.total_jp)),
                    "events": [
                        {
                            "title": e.title,
                            "organizer": e.organizer,
                            "ended": format_date(e.end_date),
                            "jp": _jp(Decimal(e.jp)),
                        }
                        for e in y.events
                    ],
                }
                for y in check.summary.years
            ],
            "total": _jp(Decimal(check.summary.total_jp)),
        },
    )


def transcript_check_router(settings: Settings) -> Router:
    """``/transkrip/{code}``, rate limited per address like the certificate verify routes
    (``LMS_VERIFY_RATE_PER_MINUTE``)."""
    limit = RateLimitConfig(
        rate_limit=("minute", settings.verify_rate_per_minute),
        store="transcript_check_rate",
        set_rate_limit_headers=False,
    )
    return page_router(
        settings,
        [transcript_check_page],
        dependencies={"settings": settings_provider(settings)},
        middleware=[limit.middleware],
    )

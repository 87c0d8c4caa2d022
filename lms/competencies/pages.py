"""The JP panel of a participant's home (``/saya``): this year's JP against the yearly rule
(20 JP for PNS), from the transcript service, the same as the API's transcript."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from lms.competencies.jp import jp_status
from lms.competencies.transcript import TranscriptService, jp_policy
from lms.config import Settings
from lms.shared.indonesian import format_decimal_id
from lms.web.home import HomePanel, Panel
from lms.web.session import PageCaller


def _jp(value: Decimal) -> str:
    """``24`` or ``1,5``: JP as people write it."""
    return format_decimal_id(value, 2).removesuffix(",00")


def jp_panel(settings: Settings) -> HomePanel:
    """The panel for people linked to a person record (participants, trainers)."""
    service = TranscriptService(settings)

    async def panel(user: PageCaller) -> Panel | None:
        if user.person_id is None:
            return None
        year = dt.datetime.now(ZoneInfo(settings.timezone)).year
        transcript = await service.transcript(user, user.person_id)
        this_year = next((y for y in transcript.years if y.year == year), None)
        total = Decimal(str(this_year.total_jp)) if this_year else Decimal(0)
        events = this_year.events if this_year else []
        status = jp_status(total, transcript.identity.asn_type, jp_policy(settings))
        target = status.target_jp
        percent = min(100, int(total * 100 / target)) if target else 100
        return Panel(
            template="competencies/jp_panel.html",
            context={
                "year": year,
                "total": _jp(total),
                "target": target,
                "shortfall": _jp(status.shortfall_jp),
                "compliant": status.compliant,
                "percent": percent,
                "events": [{"title": e.title, "jp": _jp(Decimal(str(e.jp)))} for e in events],
            },
        )

    return panel

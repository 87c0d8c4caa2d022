"""The daftar hadir (sign-in sheet) organizers print for each session day, as a PDF.

One A4 page set per day: the kop with the office's logo, the government and office names and
its address (from the issuer profile, see :mod:`lms.shared.letterhead`), the course and session,
the day and date in Indonesian ("Rabu, 18 November 2026"), the time from the day's agenda, the
place, and a numbered table of participants (name with titles, NIP grouped, jabatan, unit)
with an empty signature column whose numbers alternate left and right, as printed sheets do so
neighbours do not sign over each other; the panitia's name and NIP under the signature space.

The HTML comes from a Jinja template with autoescape on (names and titles are untrusted text);
WeasyPrint renders it on a worker thread so the event loop keeps answering.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from pathlib import Path
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import anyio.to_thread
import jinja2

from courses.delivery.enrollment.participants import PARTICIPATING
from courses.delivery.sessions.access import SessionRecord, get_session_for_staff
from courses.tables import AgendaItem, Enrollment
from lms.auth.caller import Caller
from lms.people.nip import format_nip
from lms.people.tables import Unit
from lms.shared.errors import RuleViolation
from lms.shared.indonesian import (
    format_date_range,
    format_day_date,
    format_place_date,
    format_time_range,
    full_name,
)
from lms.shared.letterhead import LetterheadSource

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"


@functools.cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )


def render_html(context: dict[str, Any]) -> str:
    """Fill the sheet template (see :meth:`AttendanceSheetService.context` for the keys)."""
    return _environment().get_template("attendance_sheet.html").render(**context)


def render_pdf(html: str) -> bytes:
    """Render HTML to PDF with WeasyPrint (blocking: call it on a worker thread)."""
    from lms.shared.pdf import html_to_pdf

    return html_to_pdf(html, TEMPLATES_DIR)


def filename_for(session: SessionRecord, day: dt.date | None) -> str:
    """``daftar-hadir-angkatan-i-2026-11-18.pdf`` (ASCII, safe in a header)."""
    slug = re.sub(r"[^a-z0-9]+", "-", session.name.lower()).strip("-") or "sesi"
    suffix = day.isoformat() if day else f"{session.start_date}-{session.end_date}"
    return f"daftar-hadir-{slug}-{suffix}.pdf"


class AttendanceSheetService:
    """Builds the sign-in sheet of a session for its organizers and trainers.

    Args:
        letterhead: Looks up the office's letterhead (logo, address, panitia) from its issuer
            profile; without one, or for a unit without a profile, the kop is the unit tree's
            names and the panitia line is left to be written by hand.
    """

    def __init__(self, letterhead: LetterheadSource | None = None) -> None:
        self.letterhead = letterhead

    async def context(self, session: SessionRecord, days: list[dt.date]) -> dict[str, Any]:
        """Everything the template prints, already formatted."""
        unit = (
            await Unit.select(Unit.name, Unit.city, Unit.parent.name.as_alias("parent_name"))
            .where(Unit.id == session.unit_id)
            .first()
        )
        people = await (
            Enrollment.select(
                Enrollment.person.name.as_alias("name"),
                Enrollment.person.front_title.as_alias("front_title"),
                Enrollment.person.back_title.as_alias("back_title"),
                Enrollment.person.nip.as_alias("nip"),
                Enrollment.person.asn_type.as_alias("asn_type"),
                Enrollment.person.jabatan.as_alias("jabatan"),
                Enrollment.person.unit.name.as_alias("unit_name"),  # type: ignore[union-attr]
            )
            .where(
                (Enrollment.session == session.id) & Enrollment.status.is_in(list(PARTICIPATING))
            )
            .order_by(Enrollment.person.name)
        )
        rows = [
            {
                "no": number,
                "name": full_name(p["name"], p["front_title"], p["back_title"]),
                "nip": format_nip(p["nip"], p["asn_type"]),
                "jabatan": p["jabatan"] or "",
                "unit_name": p["unit_name"] or "",
            }
            for number, p in enumerate(people, start=1)
        ]
        zone = ZoneInfo(session.timezone)
        items = await AgendaItem.select(AgendaItem.starts_at, AgendaItem.ends_at).where(
            AgendaItem.session == session.id
        )
        spans: dict[dt.date, tuple[dt.datetime, dt.datetime]] = {}
        for item in items:
            day = item["starts_at"].astimezone(zone).date()
            first, last = spans.get(day, (item["starts_at"], item["ends_at"]))
            spans[day] = (min(first, item["starts_at"]), max(last, item["ends_at"]))
        city = session.city or (unit["city"] if unit else "")
        pages = []
        for day in days:
            span = spans.get(day)
            pages.append(
                {
                    "day_text": format_day_date(day),
                    "time_text": format_time_range(span[0], span[1], zone) if span else "",
                    "place_date": format_place_date(city, day) if city else format_day_date(day),
                }
            )
        place = ", ".join(part for part in (session.venue, session.city) if part)
        head = await self.letterhead(session.unit_path) if self.letterhead else None
        if head is not None:
            kop = {
                "government_name": head.government_name,
                "office_name": head.office_name,
                "office_city": head.address or head.city,
                "logo": head.logo,
                "committee_name": head.committee_name,
                "committee_nip": head.committee_nip_display,
            }
        else:
            kop = {
                "government_name": (unit or {}).get("parent_name") or "",
                "office_name": unit["name"] if unit else session.unit_name,
                "office_city": (unit or {}).get("city") or "",
                "logo": None,
                "committee_name": "",
                "committee_nip": "",
            }
        return {
            **kop,
            "course_title": session.course_title,
            "session_name": session.name,
            "period_text": format_date_range(session.start_date, session.end_date),
            "place_text": place or session.online_url or "-",
            "pages": pages,
            "rows": rows,
        }

    async def render(
        self, caller: Caller, session_id: UUID, day: dt.date | None
    ) -> tuple[bytes, str]:
        """The PDF and its file name: one day, or every day of the session when ``day`` is
        omitted.

        Raises:
            NotFound: the caller neither manages nor trains the session.
            RuleViolation: ``day`` is not a day of the session.
        """
        session = await get_session_for_staff(caller, session_id)
        if day is not None and day not in session.days:
            raise RuleViolation(
                f"Tanggal {day.isoformat()} bukan hari sesi "
                f"({format_date_range(session.start_date, session.end_date)}).",
                errors=[{"field": "day", "message": "di luar tanggal sesi"}],
            )
        html = render_html(await self.context(session, [day] if day else session.days))
        pdf = await anyio.to_thread.run_sync(render_pdf, html)
        return pdf, filename_for(session, day)

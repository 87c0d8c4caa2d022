"""PDF reports of the competency app (transcript, training impact) with WeasyPrint.

Templates are Jinja2 HTML in ``lms/competencies/templates`` with autoescaping on (names and
titles are untrusted text). Rendering is CPU work that holds the GIL for a while, so it runs
in a worker thread (``anyio.to_thread``), one render at a time: a report is an occasional
download, not a batch, and WeasyPrint's font machinery is not meant for parallel threads.
"""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal
from pathlib import Path
from typing import Any

import anyio.to_thread
import jinja2

from lms.shared.indonesian import format_date, format_decimal_id

TEMPLATES = Path(__file__).parent / "templates"
PDF_MEDIA_TYPE = "application/pdf"
_RENDER_LOCK = threading.Lock()


def _decimal(value: Decimal | float | int | None, places: int = 2) -> str:
    if value is None:
        return "–"
    return format_decimal_id(Decimal(str(value)), places)


def _date(value: dt.date | None) -> str:
    return format_date(value) if value else "–"


_ENV = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES),
    autoescape=jinja2.select_autoescape(["html"]),
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_ENV.filters["id_decimal"] = _decimal
_ENV.filters["id_date"] = _date


def render_html(template: str, context: dict[str, Any]) -> str:
    """Fill an HTML template (exposed for tests of the wording)."""
    return _ENV.get_template(template).render(**context)


def _write_pdf(html: str) -> bytes:
    from lms.shared.pdf import html_to_pdf

    with _RENDER_LOCK:
        return html_to_pdf(html, TEMPLATES)


async def html_to_pdf(html: str) -> bytes:
    """Render finished HTML to PDF bytes off the event loop, one render at a time (for other
    modules' documents: the account slips)."""
    return await anyio.to_thread.run_sync(_write_pdf, html)


async def render_pdf(template: str, context: dict[str, Any]) -> bytes:
    """Render a template to PDF bytes off the event loop."""
    html = render_html(template, context)
    return await anyio.to_thread.run_sync(_write_pdf, html)

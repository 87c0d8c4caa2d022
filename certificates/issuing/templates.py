"""Certificate templates of a unit: list, read, create, and preview with sample data.

A template is organizer-written code, so it is tried before it is kept: filled with a sample
certificate in the sandbox (names the line of a Jinja error) and rendered to a PDF, both in a
render pool worker under a time limit (see ``certificates.rendering``), so a template that loops
for minutes is refused in seconds and does not hold up other renders. Anything that goes wrong
is a 422 with the reason, never a 500. Stored templates are never edited in place: a fix is a new
template, so certificates keep pointing at the version they were printed with.

A unit can use its own templates and those of the units above it (a city-wide design).
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID, uuid4

import msgspec

from certificates.issuing.issuer_profiles import path_ids, placement_from
from certificates.issuing.schemas import (
    TemplateCreate,
    TemplatePreview,
    TemplateRead,
    TemplateSummary,
)
from certificates.rendering.bsre import INVISIBLE
from certificates.rendering.engine import RenderError
from certificates.rendering.pool import get_renderer
from certificates.rendering.snapshot import sample_snapshot
from certificates.rendering.templating import TemplateError, TemplateSource, default_template
from certificates.tables import CertificateTemplate
from lms.audit import services as audit
from lms.auth.caller import Caller
from lms.config import Settings
from lms.shared.errors import BadRequest, NotFound, RuleViolation

NOT_FOUND = "Templat sertifikat tidak ditemukan."
NO_UNIT = "Akun ini tidak terikat pada unit: templat disimpan untuk unit penyelenggara."
BUILTIN_NAME = "Bawaan Prima (A4 lanskap)"


def _summary_columns() -> tuple[Any, ...]:
    return (
        CertificateTemplate.id,
        CertificateTemplate.unit.as_alias("unit_id"),
        CertificateTemplate.unit.path.as_alias("unit_path"),
        CertificateTemplate.name,
        CertificateTemplate.version,
        CertificateTemplate.created_at,
    )


def usable_by(caller: Caller, unit_id: UUID | None, unit_path: str | None) -> bool:
    """True when the caller may see and use a template of this unit."""
    if caller.is_admin:
        return True
    if caller.sees_unit(unit_path):
        return True
    return unit_id is not None and unit_id in path_ids(caller.unit_path)


class TemplateService:
    """Templates of the caller's unit (and the units above it)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def _sample(self) -> Any:
        return sample_snapshot(self.settings.public_base_url)

    async def try_out(self, source: TemplateSource) -> bytes:
        """Fill and render ``source`` with sample data; return the PDF.

        Raises:
            RuleViolation: the template cannot be compiled, filled or rendered (the message
                says why and, for syntax errors, on which line).
        """
        sample = self._sample()
        try:
            # Filled and rendered in a pool worker, where a time limit can interrupt it: a
            # fill in this process could keep a thread busy for as long as the template likes.
            renderer = await get_renderer(self.settings)
            async for _, pdf in renderer.render_many(source, [sample]):
                return pdf
        except TemplateError as exc:
            raise RuleViolation(
                f"Templat tidak dapat dipakai: {exc.message}",
                errors=[{"field": "html", "message": exc.message}],
            ) from None
        except RenderError as exc:
            raise RuleViolation(
                f"PDF tidak dapat dibuat dari templat ini: {exc.message}",
                errors=[{"field": "css", "message": exc.message}],
            ) from None
        raise RuleViolation("Templat tidak menghasilkan PDF.")

    async def preview(self, data: TemplatePreview) -> bytes:
        """A PDF of ``data`` filled with a sample certificate (nothing is stored)."""
        return await self.try_out(TemplateSource.from_strings(data.html, data.css))

    async def list_templates(self, caller: Caller) -> list[TemplateSummary]:
        """Stored templates the caller may use, newest first."""
        rows = await CertificateTemplate.select(*_summary_columns()).order_by(
            CertificateTemplate.created_at, ascending=False
        )
        return [
            TemplateSummary(
                id=row["id"],
                unit_id=row["unit_id"],
                name=row["name"],
                version=row["version"],
                created_at=row["created_at"],
            )
            for row in rows
            if usable_by(caller, row["unit_id"], row["unit_path"])
        ]

    def builtin(self) -> TemplateRead:
        """The built-in template's source, to start a unit's own design from."""
        source = default_template()
        return TemplateRead(
            id=None,
            unit_id=None,
            name=BUILTIN_NAME,
            version=1,
            created_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
            html=source.html,
            css=source.css,
            signature_placement=INVISIBLE,
        )

    async def get(self, caller: Caller, template_id: UUID) -> TemplateRead:
        """One stored template with its source.

        Raises:
            NotFound: unknown, or not usable by the caller.
        """
        row = await (
            CertificateTemplate.select(
                *_summary_columns(),
                CertificateTemplate.html,
                CertificateTemplate.css,
                CertificateTemplate.signature_placement,
            )
            .where(CertificateTemplate.id == template_id)
            .first()
        )
        if row is None or not usable_by(caller, row["unit_id"], row["unit_path"]):
            raise NotFound(NOT_FOUND)
        return TemplateRead(
            id=row["id"],
            unit_id=row["unit_id"],
            name=row["name"],
            version=row["version"],
            created_at=row["created_at"],
            html=row["html"],
            css=row["css"] or "",
            signature_placement=placement_from(row["signature_placement"]),
        )

    async def create(self, caller: Caller, data: TemplateCreate) -> TemplateRead:
        """Try the template on sample data, then store it for the caller's unit.

        Raises:
            BadRequest: the caller has no unit.
            RuleViolation: the template cannot be used.
        """
        if caller.unit_id is None:
            raise BadRequest(NO_UNIT)
        await self.try_out(TemplateSource.from_strings(data.html, data.css))
        template_id = uuid4()
        async with CertificateTemplate._meta.db.transaction():
            await CertificateTemplate.insert(
                CertificateTemplate(
                    id=template_id,
                    unit=caller.unit_id,
                    name=data.name.strip(),
                    html=data.html,
                    css=data.css,
                    version=1,
                    is_default=False,
                    created_at=dt.datetime.now(dt.UTC),
                    signature_placement=msgspec.to_builtins(data.signature_placement)
                    if data.signature_placement is not None
                    else {},
                )
            )
            await audit.record(
                caller,
                "certificate_template.create",
                "certificate_template",
                template_id,
                data.name.strip(),
                {"html_chars": len(data.html), "css_chars": len(data.css)},
            )
        return await self.get(caller, template_id)

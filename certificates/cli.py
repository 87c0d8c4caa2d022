"""``lms certificates ...``: issue a session's certificates from the command line.

``lms.cli`` adds ``group`` to the ``lms`` command. Issuing goes through the same code as the
issuing job (``certificates.issuing.service.issue_session``), with a progress bar instead of a job
row.
"""

from __future__ import annotations

import asyncio
import sys
from typing import TYPE_CHECKING
from uuid import UUID

import click

if TYPE_CHECKING:  # imported lazily below: every ``lms`` command loads this module
    from rich.progress import Progress, TaskID

    from certificates.issuing.service import IssueReport

Errors = list[tuple[UUID, str | None, str]]


class _BarProgress:
    """Issuing progress drawn as a rich progress bar; errors kept to print at the end."""

    def __init__(self, progress: Progress, task: TaskID) -> None:
        self.progress = progress
        self.task = task
        self.errors: Errors = []

    async def advance(self, count: int) -> None:
        self.progress.update(self.task, advance=count)

    def failed(self, person_id: UUID, name: str | None, message: str) -> None:
        self.errors.append((person_id, name, message))


async def _issue(session_id: UUID, person_ids: list[UUID] | None) -> tuple[IssueReport, Errors]:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from certificates.issuing.service import issue_session
    from certificates.rendering.pool import shutdown_renderer
    from lms.app import bind_engine
    from lms.config import get_settings
    from lms.db import make_engine, start_engine, stop_engine

    settings = get_settings()
    engine = make_engine(settings.database_url, pool=False)
    bind_engine(engine)
    await start_engine(engine)
    try:
        with Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
        ) as progress:
            task = progress.add_task("Menerbitkan sertifikat", total=None)
            bar = _BarProgress(progress, task)

            async def on_total(total: int, already_done: int) -> None:
                progress.update(task, total=total, completed=already_done)

            report = await issue_session(
                session_id,
                settings=settings,
                actor=None,
                person_ids=person_ids,
                progress=bar,
                on_total=on_total,
            )
        return report, bar.errors
    finally:
        await shutdown_renderer()
        await stop_engine(engine)


@click.group("certificates")
def group() -> None:
    """Sertifikat pelatihan."""


@group.command("issue")
@click.option("--session", "session_id", required=True, type=click.UUID, help="Session id.")
@click.option(
    "--person", "person_ids", multiple=True, type=click.UUID, help="Only this person (repeat)."
)
def issue(session_id: UUID, person_ids: tuple[UUID, ...]) -> None:
    """Issue the certificates of a finalized session (who already holds one is skipped)."""
    from lms.shared.errors import DomainError

    try:
        report, errors = asyncio.run(_issue(session_id, list(person_ids) or None))
    except DomainError as exc:
        raise click.ClickException(exc.detail) from None
    click.echo(
        f"Diterbitkan {report.issued}, dilewati {report.skipped} (sudah punya), "
        f"gagal {report.failed}."
    )
    for person_id, name, message in errors:
        click.echo(f"  {name or person_id}: {message}")
    sys.exit(1 if errors else 0)

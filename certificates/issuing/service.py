"""Issuing certificates: choose the recipients, check the template, run the pipeline.

``issue_session`` issues a finalized session's certificates (the job, the CLI and the demo all
come through it) and ``issue_one`` a single one now (a re-issue). Both leave out, and report,
whoever cannot be issued for before anything is rendered, then hand the rest to an
``IssuingRun`` (``certificates.issuing.run``), which renders, stores and commits numbered rows.
"""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import UUID

import msgspec

from certificates.issuing import codes
from certificates.issuing.recipients import (
    Candidates,
    IssueContext,
    Recipient,
    build_snapshot,
    candidates,
    load_issue_context,
    number_for,
)
from certificates.issuing.remote_signing import RemoteSigning, remote_signer
from certificates.issuing.run import IssuingRun, Progress
from certificates.rendering.pool import get_renderer, pdfs_are_signed
from certificates.rendering.snapshot import CertificateSnapshot
from certificates.rendering.storage import store_for
from certificates.rendering.templating import TemplateError
from certificates.rendering.workers import validate_template
from certificates.tables import Certificate
from lms.auth.caller import Caller
from lms.config import Settings
from lms.shared.errors import RuleViolation
from lms.shared.validation import error_text

NOT_PASSED = "Peserta ini tidak lulus pada sesi tersebut, atau datanya sudah tidak ada."


class SilentProgress:
    """Reports nothing; errors are kept for the caller."""

    def __init__(self) -> None:
        self.errors: list[tuple[UUID, str]] = []

    async def advance(self, count: int) -> None:
        """Ignore progress."""

    def failed(self, person_id: UUID, name: str | None, message: str) -> None:
        """Keep the error."""
        self.errors.append((person_id, message))


class IssueReport(msgspec.Struct, kw_only=True):
    """What one issuing run did."""

    issued: int
    skipped: int
    failed: int
    certificate_ids: list[UUID]


def check_template(ctx: IssueContext, sample: CertificateSnapshot) -> None:
    """Fill the issuer's template with ``sample`` (no PDF); raise RuleViolation if it fails."""
    try:
        validate_template(ctx.issuer.template, sample)
    except TemplateError as exc:
        raise RuleViolation(f"Templat sertifikat tidak dapat dipakai: {exc.message}") from None


async def prepare(
    ctx: IssueContext, recipients: list[Recipient], progress: Progress
) -> list[Recipient]:
    """Leave out (and report) recipients whose certificate cannot be filled; check the template
    once (without rendering) so a broken template fails the run before anything is issued.

    Raises:
        RuleViolation: the template cannot be filled.
    """
    ready = []
    sample: CertificateSnapshot | None = None
    for recipient in recipients:
        try:
            snapshot = build_snapshot(ctx, recipient, number_for(ctx, 1))
        except (msgspec.ValidationError, ValueError) as exc:
            progress.failed(
                recipient.person_id,
                recipient.holder.name_with_titles,
                f"Data sertifikat tidak lengkap: {error_text(exc)}",
            )
            await progress.advance(1)
            continue
        sample = sample or snapshot
        ready.append(recipient)
    if sample is not None:
        await asyncio.to_thread(check_template, ctx, sample)
    return ready


async def issue_session(
    session_id: UUID,
    *,
    settings: Settings,
    actor: Caller | None,
    person_ids: list[UUID] | None = None,
    progress: Progress | None = None,
    on_total: Any = None,
    job_id: UUID | None = None,
) -> IssueReport:
    """Issue the certificates of a finalized session: everyone who passed (or ``person_ids``)
    and does not hold one yet. The job, the CLI and the demo all come through here.

    Args:
        session_id: the session.
        settings: the app's (storage, verify links, the render pool's signer).
        actor: who issues (audit, ``issued_by``); ``None`` for the system.
        person_ids: a subset of the passed participants.
        progress: receives progress and per-participant errors.
        on_total: ``async (total, already_done)`` called once the work is known.
        job_id: the job issuing (kept in the BSrE signing log).

    Raises:
        NotFound: no such session.
        RuleViolation: not finalized, no issuer profile, or a broken template.
        BsreError: BSrE refused, or could not be reached after the retries (BSrE signing).
    """
    store = store_for(settings)
    progress = progress or SilentProgress()
    renderer = await get_renderer(settings)
    bsre = remote_signer(settings)
    ctx = await load_issue_context(
        session_id,
        store=store,
        verify_base_url=settings.public_base_url,
        signed=pdfs_are_signed() or bsre is not None,
    )
    chosen: Candidates = await candidates(
        session_id, person_ids, new_code=codes.new_verification_code
    )
    total = len(chosen.recipients) + len(chosen.skipped) + len(chosen.missing)
    if on_total is not None:
        await on_total(total, len(chosen.skipped))
    for person_id in chosen.missing:
        progress.failed(person_id, None, NOT_PASSED)
    if chosen.missing:
        await progress.advance(len(chosen.missing))
    ready = await prepare(ctx, chosen.recipients, progress)
    remote = RemoteSigning(bsre, ctx, job_id) if bsre is not None else None
    run = IssuingRun(ctx, renderer, store, actor=actor, progress=progress, remote=remote)
    rows = await run.run(ready)
    return IssueReport(
        issued=len(rows),
        skipped=len(chosen.skipped) + len(run.skipped),
        failed=len(chosen.missing) + len(chosen.recipients) - len(ready) + run.failures,
        certificate_ids=[row.id for row in rows],
    )


async def issue_one(
    *,
    settings: Settings,
    session_id: UUID,
    person_id: UUID,
    actor: Caller | None,
    supersedes: UUID | None = None,
    overrides: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Issue one certificate now, with a new number and code, from the current data.

    For re-issues (a corrected name, titles, NIP or golongan): with ``supersedes`` the old
    certificate is marked ``superseded`` and pointed at the new one in the same transaction
    that inserts it. It does not skip people who already hold a certificate of the session.

    Args:
        settings: the app's (storage, verify links, the render pool's signer).
        session_id: the finalized session the person passed.
        person_id: the holder.
        actor: who issues (audit, ``issued_by``).
        supersedes: the certificate this one replaces.
        overrides: printed fields to set instead of the current data, e.g.
            ``{"holder": {"name_with_titles": "..."}}`` or ``{"footer_note": "..."}``.

    Returns:
        The new certificate row (as ``Certificate.select()`` gives it).

    Raises:
        NotFound: no such session.
        RuleViolation: not finalized, the person did not pass, no issuer profile, a printed
            field is invalid, or the PDF could not be made.
        Conflict: ``supersedes`` is already superseded (or revoked).
        BsreError: BSrE refused or could not be reached (a 502 problem for the API).
    """
    store = store_for(settings)
    renderer = await get_renderer(settings)
    bsre = remote_signer(settings)
    ctx = await load_issue_context(
        session_id,
        store=store,
        verify_base_url=settings.public_base_url,
        signed=pdfs_are_signed() or bsre is not None,
    )
    chosen = await candidates(
        session_id, [person_id], new_code=codes.new_verification_code, skip_issued=False
    )
    if not chosen.recipients:
        raise RuleViolation(NOT_PASSED)
    recipient = msgspec.structs.replace(chosen.recipients[0], overrides=overrides)
    try:
        build_snapshot(ctx, recipient, number_for(ctx, 1))
    except (msgspec.ValidationError, ValueError) as exc:
        raise RuleViolation(f"Data sertifikat tidak valid: {error_text(exc)}") from None
    progress = SilentProgress()
    ready = await prepare(ctx, [recipient], progress)
    run = IssuingRun(
        ctx,
        renderer,
        store,
        actor=actor,
        progress=progress,
        supersedes=supersedes,
        skip_issued=False,
        remote=RemoteSigning(bsre, ctx) if bsre is not None else None,
    )
    rows = await run.run(ready)
    if not rows:
        message = progress.errors[0][1] if progress.errors else "Sertifikat gagal diterbitkan."
        raise RuleViolation(message)
    row = await Certificate.select().where(Certificate.id == rows[0].id).first()
    assert row is not None
    return row

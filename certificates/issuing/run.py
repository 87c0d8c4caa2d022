"""One issuing run: render in the pool, store the PDFs, commit numbered rows.

The pipeline for a list of recipients:

1. Predict their numbers from the counter (``current_last + 1 ...``) and build each snapshot.
2. Render chunks in the process pool, several in flight so every worker stays busy; the event
   loop only awaits futures.
3. Store each chunk's PDFs as soon as it is rendered (content-addressed, in a thread).
4. As soon as the next chunks *in number order* are stored, commit them in one short
   transaction: claim exactly those numbers (``claim(..., expected_last=...)``), insert the
   rows, put the numbers on the JP ledger, write the audit log. Rendering goes on meanwhile.

A number therefore exists exactly when its certificate row does: the transaction that moves the
counter is the one that inserts the rows, and it never waits for a render (which would hold the
SQLite writer, and every other write of the app, for seconds). If another process issued under
the same pattern in between, the claim fails, nothing is written, and the rest is rendered again
with fresh numbers; inside one process, jobs sharing a pattern take turns so they do not collide.
A crash leaves at most PDF files without rows (harmless: nothing points at them) and a resumed
job carries on with whoever still has no certificate.

A chunk that fails to render is retried one certificate at a time: the bad one is reported for
its participant and left out, the others are issued. With BSrE signing
(``certificates.issuing.remote_signing``) a refusal or an unreachable service after its retries
ends the run (the job fails with BSrE's reason in Indonesian): what was committed before stays
issued, the failing chunk is neither stored nor numbered, and a re-run carries on.

The entry points that choose the recipients and start a run (``issue_session``,
``issue_one``) are in ``certificates.issuing.service``.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import weakref
from collections.abc import AsyncIterator
from typing import Any, Protocol
from uuid import UUID, uuid4

import msgspec

from certificates.issuing import numbering
from certificates.issuing.recipients import (
    IssueContext,
    Recipient,
    already_issued,
    build_snapshot,
    number_for,
    stored_form,
)
from certificates.issuing.remote_signing import Document, RemoteSigning
from certificates.rendering.engine import RenderError
from certificates.rendering.snapshot import CertificateSnapshot
from certificates.rendering.storage import FileStore
from certificates.rendering.templating import TemplateError
from certificates.rendering.workers import CertificateRenderer
from certificates.tables import Certificate
from lms.audit import services as audit
from lms.auth.caller import Caller
from lms.competencies.ledger import attach_certificate
from lms.db.locks import advisory_lock
from lms.people.database import lock_unit_tree
from lms.people.tables import Unit
from lms.shared.errors import Conflict, NotFound

# The name this logger had before the run moved out of ``certificates.issuing.service``: log
# settings
# may filter on it.
LOGGER = logging.getLogger("certificates.issuing.service")

ALREADY_SUPERSEDED = "Sertifikat ini sudah diganti oleh sertifikat lain."


class Progress(Protocol):
    """Where issuing reports what it did (a job, the CLI's progress bar, nothing)."""

    async def advance(self, count: int) -> None:
        """``count`` more recipients are done (issued, or failed and reported)."""
        ...

    def failed(self, person_id: UUID, name: str | None, message: str) -> None:
        """One person could not be issued for, for the reason given (Indonesian)."""
        ...


class _Item(msgspec.Struct, kw_only=True):
    recipient: Recipient
    seq: int
    number: str
    snapshot: CertificateSnapshot


class _Stale(Exception):
    """The predicted numbers were taken, or a recipient was issued, by someone else."""

    def __init__(self, issued_meanwhile: set[UUID]) -> None:
        super().__init__("stale batch")
        self.issued_meanwhile = issued_meanwhile


_SEQUENCE_LOCKS: weakref.WeakValueDictionary[tuple[int, str], asyncio.Lock] = (
    weakref.WeakValueDictionary()
)


@contextlib.asynccontextmanager
async def _sequence_turn(key: str) -> AsyncIterator[None]:
    """Jobs of this process that share a counter take turns (they would only collide)."""
    lock_key = (id(asyncio.get_running_loop()), key)
    lock = _SEQUENCE_LOCKS.get(lock_key)
    if lock is None:
        lock = asyncio.Lock()
        _SEQUENCE_LOCKS[lock_key] = lock
    async with lock:
        yield


async def _lock_session_issuing(session_id: UUID) -> None:
    # PostgreSQL runs transactions side by side: two jobs of one session must not both see
    # "no certificate yet" for a person. SQLite runs one write transaction at a time anyway.
    await advisory_lock(Certificate, f"certificates.issue:{session_id}")


class IssuingRun:
    """Runs the pipeline of the module docstring for one issue context."""

    def __init__(
        self,
        ctx: IssueContext,
        renderer: CertificateRenderer,
        store: FileStore,
        *,
        actor: Caller | None,
        progress: Progress,
        supersedes: UUID | None = None,
        skip_issued: bool = True,
        remote: RemoteSigning | None = None,
    ) -> None:
        self.ctx = ctx
        self.remote = remote
        self.renderer = renderer
        self.store = store
        self.actor = actor
        self.progress = progress
        self.supersedes = supersedes
        self.skip_issued = skip_issued
        self.key = numbering.sequence_key(
            ctx.issuer.number_pattern, ctx.issued_on.year, unit_code=ctx.issuer.unit_code
        )
        self.issued: list[Certificate] = []
        self.skipped: set[UUID] = set()
        self.failures = 0

    async def run(self, recipients: list[Recipient]) -> list[Certificate]:
        """Issue for every recipient that can be issued; return the inserted rows."""
        pattern, year = self.ctx.issuer.number_pattern, self.ctx.issued_on.year
        await numbering.ensure_sequence(self.key, pattern, year)
        remaining = list(recipients)
        async with _sequence_turn(self.key):
            while remaining:
                if self.skip_issued:  # e.g. a job of the same session ran while we waited
                    remaining = await self._skip(
                        remaining,
                        await already_issued(self.ctx.session.id, [r.person_id for r in remaining]),
                    )
                    if not remaining:
                        break
                expected = await numbering.current_last(self.key)
                remaining = await self._pass(remaining, expected)
        return self.issued

    async def _skip(self, recipients: list[Recipient], skip: set[UUID]) -> list[Recipient]:
        new = {r.person_id for r in recipients if r.person_id in skip} - self.skipped
        if new:
            self.skipped |= new
            await self.progress.advance(len(new))
        return [r for r in recipients if r.person_id not in skip]

    def _items(self, recipients: list[Recipient], expected: int) -> list[_Item]:
        items = []
        for offset, recipient in enumerate(recipients, start=1):
            number = number_for(self.ctx, expected + offset)
            snapshot = build_snapshot(self.ctx, recipient, number)
            items.append(
                _Item(recipient=recipient, seq=expected + offset, number=number, snapshot=snapshot)
            )
        return items

    async def _render(self, items: list[_Item]) -> list[str]:
        """Render (and sign) a chunk in the pool, store its PDFs; return their SHA-256.

        Storing right after rendering, chunk by chunk in threads, keeps the file writes (each
        flushed to disk) out of the commits, which must run one at a time in number order.
        With BSrE (``self.remote``) the PDFs are signed by it between rendering and storing;
        its ``BsreError`` ends the run with nothing of this chunk stored or numbered.
        """
        pdfs: list[bytes] = [b""] * len(items)
        snapshots = [item.snapshot for item in items]
        async for index, pdf in self.renderer.render_many(self.ctx.issuer.template, snapshots):
            pdfs[index] = pdf
        if self.remote is not None:
            pdfs = await self.remote.sign(
                [
                    Document(
                        code=item.recipient.code,
                        person_id=item.recipient.person_id,
                        number=item.number,
                        pdf=pdf,
                    )
                    for item, pdf in zip(items, pdfs, strict=True)
                ]
            )
        return await asyncio.to_thread(self.store.put_pdfs, pdfs)

    async def _pass(self, recipients: list[Recipient], expected: int) -> list[Recipient]:
        """Issue as many as possible with numbers from ``expected + 1``; return who is left.

        Rendering and committing overlap: while one commit (of the next chunks in number order)
        runs, the workers keep rendering the chunks after it.
        """
        items = self._items(recipients, expected)
        size = self.renderer.chunk_size
        chunks = [items[i : i + size] for i in range(0, len(items), size)]
        in_flight: dict[asyncio.Task[list[str]], int] = {}
        rendered: dict[int, list[str]] = {}
        failed: int | None = None
        submitted = queued = 0  # chunks sent to the pool; chunks handed to a commit
        committing: asyncio.Task[None] | None = None
        committing_size = 0
        try:
            while True:
                while (
                    submitted < len(chunks)
                    and failed is None
                    and len(in_flight) < 2 * self.renderer.workers
                ):
                    task = asyncio.create_task(self._render(chunks[submitted]))
                    in_flight[task] = submitted
                    submitted += 1
                if committing is None and queued in rendered:
                    batch: list[tuple[_Item, str]] = []
                    while queued in rendered:
                        batch.extend(zip(chunks[queued], rendered.pop(queued), strict=True))
                        queued += 1
                    committing = asyncio.create_task(self._commit(batch, expected))
                    committing_size = len(batch)
                if committing is None and queued in (len(chunks), failed):
                    break
                waiting: set[asyncio.Task[Any]] = set(in_flight)
                if committing is not None:
                    waiting.add(committing)
                assert waiting, "the next chunk is neither rendered, running nor failed"
                done, _ = await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
                if committing is not None and committing in done:
                    finished, committing = committing, None
                    try:
                        finished.result()
                    except _Stale as stale:
                        return await self._left_after(recipients, stale.issued_meanwhile)
                    expected += committing_size
                for task in done:
                    if task not in in_flight:
                        continue
                    index = in_flight.pop(task)
                    error = task.exception()
                    if error is None:
                        rendered[index] = task.result()
                    elif isinstance(error, (RenderError, TemplateError)):
                        failed = index if failed is None else min(failed, index)
                    else:
                        raise error
        finally:
            running: list[asyncio.Task[Any]] = list(in_flight)
            if committing is not None:
                running.append(committing)  # rolled back if cancelled mid-way
            for task in running:
                task.cancel()
            if running:
                await asyncio.gather(*running, return_exceptions=True)
        if failed is None:
            return []
        return await self._isolate(recipients, chunks[failed], expected)

    async def _left_after(self, recipients: list[Recipient], skip: set[UUID]) -> list[Recipient]:
        done = {row.person_id for row in self.issued}
        return await self._skip([r for r in recipients if r.person_id not in done], skip)

    async def _isolate(
        self, recipients: list[Recipient], chunk: list[_Item], expected: int
    ) -> list[Recipient]:
        """Render a failed chunk one by one; issue those before the first bad one."""
        good: list[tuple[_Item, str]] = []
        bad: _Item | None = None
        message = ""
        for item in chunk:
            try:
                good.append((item, (await self._render([item]))[0]))
            except (RenderError, TemplateError) as exc:
                bad, message = item, exc.message
                break
        if good:
            try:
                await self._commit(good, expected)
            except _Stale as stale:
                return await self._left_after(recipients, stale.issued_meanwhile)
        left = await self._left_after(recipients, set())
        if bad is not None:
            LOGGER.warning("certificate %s not rendered: %s", bad.number, message)
            self.failures += 1
            self.progress.failed(
                bad.recipient.person_id,
                bad.recipient.holder.name_with_titles,
                f"PDF sertifikat gagal dibuat: {message}",
            )
            await self.progress.advance(1)
            left = [r for r in left if r.person_id != bad.recipient.person_id]
        return left

    async def _commit(self, batch: list[tuple[_Item, str]], expected: int) -> None:
        """Claim the numbers and insert the rows (PDFs already stored) in one transaction.

        Raises:
            _Stale: the numbers were claimed, or a recipient issued, by someone else.
        """
        ctx, now = self.ctx, dt.datetime.now(dt.UTC)
        rows = []
        for item, sha in batch:
            snapshot_json, assets = stored_form(ctx, item.snapshot)
            rows.append(
                Certificate(
                    id=uuid4(),
                    number=item.number,
                    code=item.recipient.code,
                    session_id=ctx.session.id,
                    person_id=item.recipient.person_id,
                    course_id=ctx.session.course_id,
                    unit_id=ctx.session.unit_id,
                    unit_path=ctx.session.unit_path,
                    holder_name=item.snapshot.holder.name_with_titles[:255],
                    seq=item.seq,
                    snapshot=snapshot_json,
                    assets=assets,
                    pdf_sha256=sha,
                    template_version=ctx.issuer.template_version,
                    signed=ctx.signed,
                    issued_at=now,
                    issued_by=self.actor.user_id if self.actor else None,
                    year=ctx.issued_on.year,
                    valid_until=ctx.valid_until,
                    status="valid",
                    revocation={},
                    supersedes=self.supersedes,
                )
            )
        people = [item.recipient.person_id for item, _ in batch]
        async with Certificate._meta.db.transaction():
            await _lock_session_issuing(ctx.session.id)
            # The path as the tree has it now, under the tree lock: a unit moved since the
            # context was read would otherwise leave these rows with the old path.
            await lock_unit_tree()
            live = await Unit.select(Unit.path).where(Unit.id == ctx.session.unit_id).first()
            for row in rows:
                row.unit_path = live["path"] if live else ctx.session.unit_path
            if self.skip_issued:
                meanwhile = await already_issued(ctx.session.id, people)
                if meanwhile:
                    raise _Stale(meanwhile)
            last = await numbering.claim(self.key, len(batch), expected_last=expected)
            if last is None:
                raise _Stale(set())
            await Certificate.insert(*rows)
            if self.supersedes is not None:
                await self._supersede(rows[0])
            for row in rows:
                await self._record(row)
        self.issued.extend(rows)
        await self.progress.advance(len(rows))

    async def _supersede(self, new: Certificate) -> None:
        changed = (
            await Certificate.update(
                {Certificate.superseded_by: new.id, Certificate.status: "superseded"}
            )
            .where(
                (Certificate.id == self.supersedes)
                & Certificate.superseded_by.is_null()
                & (Certificate.status != "revoked")
            )
            .returning(Certificate.id)
        )
        if not changed:
            raise Conflict(ALREADY_SUPERSEDED)

    async def _record(self, row: Certificate) -> None:
        await record_issued(row, self.actor)


async def record_issued(row: Certificate, actor: Caller | None) -> None:
    """Put a new certificate's number on the JP ledger and write its audit entry (inside the
    transaction that inserts it)."""
    with contextlib.suppress(NotFound):  # no JP credit to annotate (e.g. data made by hand)
        await attach_certificate(
            person_id=row.person_id,
            session_id=row.session_id,
            certificate_number=row.number,
            actor=actor,
        )
    await audit.record(
        actor,
        "certificate.issue",
        "certificate",
        row.id,
        f"{row.number} {row.holder_name}",
        {
            "number": row.number,
            "session_id": row.session_id,
            "person_id": row.person_id,
            "pdf_sha256": row.pdf_sha256,
            "supersedes": row.supersedes,
        },
    )

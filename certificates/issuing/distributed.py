"""Issuing on the distributed queue: numbers reserved up front, chunks rendered by any worker.

With ``LMS_JOB_QUEUE=saq`` the ``certificates.issue`` job (``certificates.issuing.job``) runs
here instead of ``IssuingRun``:

1. The job (one worker) chooses the recipients as always, then in **one transaction** under the
   session's lock claims their numbers from the gap-free counter, in the session's order, and
   writes one ``CertificateReservation`` per participant (number, verification code, issue
   time, chunk). A participant who already holds a reservation of the session keeps it (a
   resumed or repeated job reuses the number instead of taking a new one).
2. It queues one task per chunk of reservations; every free worker renders one, so a batch
   spreads over every worker process on every machine. A chunk holds about a quarter of one
   worker's share (:func:`chunk_size`: the batch over 4 x the live workers, 5 to 50), so the
   last chunks leave no worker idle for long and a small batch still reaches every worker.
3. A chunk renders and stores its PDFs (content-addressed, written to a temporary file and
   linked: never half-written), then in one transaction inserts the certificate of each
   reservation that has none yet and marks the reservation with it. A chunk run twice (its
   worker was killed and SAQ retried it elsewhere) therefore issues nothing twice; a kill
   before the commit leaves at most unreferenced PDF files.
4. The job looks at the reservations (one grouped query every 0.25 s) for progress, queues a chunk
   again if its task ended with reservations still open (retries exhausted, or lost), and
   finishes when none is open.

A participant whose certificate cannot be made keeps the reservation with its ``error`` (shown
as the job's per-item error) and the number stays theirs: the next issuing run for the session
uses it, so the numbers stay gap-free.

With BSrE signing (``LMS_SIGNER=bsre``) a chunk has BSrE sign each PDF before storing it. A
refusal (wrong passphrase, suspended certificate, a returned PDF that fails the check) becomes
the reservation's error with BSrE's reason; a timeout or server error after the signer's own
retries fails the chunk's task, so the queue runs the chunk again, up to ``REQUEUES`` times.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import math
from typing import Any
from uuid import UUID, uuid4

import msgspec

from certificates.issuing import codes, numbering
from certificates.issuing.recipients import (
    IssueContext,
    Recipient,
    already_issued,
    build_snapshot,
    candidates,
    load_issue_context,
    number_for,
    stored_form,
)
from certificates.issuing.remote_signing import Document, RemoteSigning, remote_signer
from certificates.issuing.run import record_issued
from certificates.issuing.service import prepare
from certificates.rendering.bsre import PER_DOCUMENT, BsreError
from certificates.rendering.engine import RenderError
from certificates.rendering.pool import get_renderer, pdfs_are_signed
from certificates.rendering.snapshot import CertificateSnapshot
from certificates.rendering.storage import store_for
from certificates.rendering.templating import TemplateError
from certificates.tables import Certificate, CertificateReservation
from lms.auth.caller import Caller
from lms.config import Settings
from lms.db.locks import advisory_lock
from lms.jobs import queue
from lms.jobs.runner import JobContext
from lms.people.database import lock_unit_tree
from lms.people.tables import Person, Unit
from lms.shared.validation import error_text

#: Bounds of a chunk's size (:func:`chunk_size`); ``LMS_ISSUE_CHUNK_SIZE`` fixes it instead.
MIN_CHUNK, MAX_CHUNK = 5, 50
TASK = "certificates.issue_chunk"
#: Seconds between the job's looks at the reservations (one grouped query each; the job ends
#: at most this long after its last chunk) ...
POLL = 0.25
#: ... and every this many looks (5 s), whether each open chunk's task is still queued or running.
STATUS_EVERY = 20
#: Times a chunk is queued again after its task ended with reservations still open.
REQUEUES = 3
NO_LONGER = "Peserta ini tidak lagi lulus, atau sudah memiliki sertifikat sesi ini."
GAVE_UP = "Sertifikat gagal dibuat setelah beberapa percobaan."


class _Progress:
    """``prepare``'s reports, into the job's errors and a count."""

    def __init__(self, ctx: JobContext) -> None:
        self.ctx = ctx
        self.done = 0

    async def advance(self, count: int) -> None:
        self.done += count

    def failed(self, person_id: UUID, name: str | None, message: str) -> None:
        self.ctx.error(str(person_id), message, person_id=str(person_id), name=name)


async def run_issue_job(
    ctx: JobContext, session_id: UUID, actor: Caller | None, person_ids: list[UUID] | None
) -> dict[str, Any]:
    """The ``certificates.issue`` job on the queue: reserve, fan out, wait (module docstring)."""
    settings = ctx.settings
    await get_renderer(settings)  # whether PDFs are signed shows in the snapshot's footer
    issue_ctx = await load_issue_context(
        session_id,
        store=store_for(settings),
        verify_base_url=settings.public_base_url,
        signed=pdfs_are_signed() or remote_signer(settings) is not None,
    )
    chosen = await candidates(session_id, person_ids, new_code=codes.new_verification_code)
    await ctx.set_total(len(chosen.recipients) + len(chosen.skipped) + len(chosen.missing))
    progress = _Progress(ctx)
    for person_id in chosen.missing:
        progress.failed(person_id, None, "Peserta ini tidak lulus pada sesi tersebut.")
    ready = await prepare(issue_ctx, chosen.recipients, progress)
    base = len(chosen.skipped) + len(chosen.missing) + progress.done
    await ctx.progress(base)
    workers = await queue.live_workers(settings)
    chunks = await reserve(
        issue_ctx, ready, ctx.job_id, workers=workers, fixed=settings.issue_chunk_size
    )
    # Certificates this job issued before it was resumed (its worker died) are among the
    # skipped now: the result counts them as issued, as a job that was never interrupted would.
    issued_before = await _count(ctx.job_id, issued=True)
    actor_data = msgspec.to_builtins(actor) if actor is not None else None
    keys: dict[int, str] = {}
    requeued: dict[int, int] = {}

    async def send(chunk: int) -> None:
        keys[chunk] = f"certchunk:{ctx.job_id}:{chunk}:{requeued.get(chunk, 0)}"
        await queue.enqueue_task(
            settings,
            TASK,
            keys[chunk],
            timeout=600,
            job_id=str(ctx.job_id),
            chunk=chunk,
            actor=actor_data,
        )

    for chunk in chunks:
        await send(chunk)
    looks = 0
    shown = -1
    while True:
        open_chunks, issued, failed = await _tally(ctx.job_id)
        issued -= issued_before
        if base + issued + failed != shown:  # the Job row is written when progress moved
            shown = base + issued + failed
            await ctx.progress(shown)
        if not open_chunks:
            break
        looks += 1
        if looks % STATUS_EVERY == 0:
            ended = []
            for chunk in open_chunks:
                status = await queue.task_status(settings, keys.get(chunk, ""))
                if status is None or status in queue.TERMINAL:
                    ended.append(chunk)
            # Looked again after the statuses: a task that committed and ended between the
            # tally and its status is not open any more, and is not sent again.
            still_open = set((await _tally(ctx.job_id))[0]) if ended else set()
            for chunk in ended:
                if chunk not in still_open:
                    continue
                requeued[chunk] = requeued.get(chunk, 0) + 1
                if requeued[chunk] > REQUEUES:
                    await _give_up(ctx.job_id, chunk)
                else:
                    await send(chunk)
        await asyncio.sleep(POLL)
    failures = await _failures(ctx.job_id)
    for person_id, name, message in failures:
        progress.failed(person_id, name, message)
    return {
        "issued": issued + issued_before,
        "skipped": len(chosen.skipped) - issued_before,
        "failed": len(chosen.missing) + len(chosen.recipients) - len(ready) + len(failures),
    }


def chunk_size(total: int, workers: int, fixed: int = 0) -> int:
    """Reservations per chunk for a batch of ``total`` over ``workers`` worker processes."""
    if fixed > 0:
        return fixed
    return max(MIN_CHUNK, min(MAX_CHUNK, math.ceil(total / (4 * max(workers, 1)))))


async def reserve(
    ctx: IssueContext,
    recipients: list[Recipient],
    job_id: UUID,
    *,
    workers: int = 1,
    fixed: int = 0,
) -> list[int]:
    """Reserve numbers for ``recipients`` (in their order) under job ``job_id``; return the
    chunks to render (sized by :func:`chunk_size`). One transaction: the counter moves exactly
    by the reservations made."""
    session_id = ctx.session.id
    key = numbering.sequence_key(
        ctx.issuer.number_pattern, ctx.issued_on.year, unit_code=ctx.issuer.unit_code
    )
    await numbering.ensure_sequence(key, ctx.issuer.number_pattern, ctx.issued_on.year)
    people = [r.person_id for r in recipients]
    async with CertificateReservation._meta.db.transaction():
        await advisory_lock(Certificate, f"certificates.issue:{session_id}")
        issued = await already_issued(session_id, people)
        held = {
            row["person_id"]: row
            for row in await CertificateReservation.select(
                CertificateReservation.id,
                CertificateReservation.person_id,
                CertificateReservation.seq,
            ).where(
                (CertificateReservation.session_id == session_id)
                & CertificateReservation.certificate_id.is_null()
            )
        }
        new = [r for r in recipients if r.person_id not in issued and r.person_id not in held]
        adopted = [held[p] for p in people if p in held and p not in issued]
        rows: list[CertificateReservation] = []  # the new reservations
        if new:
            last = await numbering.claim(key, len(new))
            assert last is not None
            first = last - len(new) + 1
            for offset, recipient in enumerate(new):
                seq = first + offset
                rows.append(
                    CertificateReservation(
                        id=uuid4(),
                        natural_key=f"{session_id}:{recipient.person_id}",
                        session_id=session_id,
                        person_id=recipient.person_id,
                        job_id=job_id,
                        seq=seq,
                        number=number_for(ctx, seq),
                        code=recipient.code,
                        issued_at=ctx.issued_at,
                    )
                )
        order = sorted([(row["seq"], row["id"]) for row in adopted] + [(r.seq, r.id) for r in rows])
        size = chunk_size(len(order), workers, fixed)
        chunk_of = {rid: index // size for index, (_, rid) in enumerate(order)}
        for reservation in rows:
            reservation.chunk = chunk_of[reservation.id]
        for start in range(0, len(rows), 500):
            await CertificateReservation.insert(*rows[start : start + 500])
        for row in adopted:
            await CertificateReservation.update(
                {
                    CertificateReservation.job_id: job_id,
                    CertificateReservation.chunk: chunk_of[row["id"]],
                    CertificateReservation.error: "",
                }
            ).where(CertificateReservation.id == row["id"])
    return sorted(set(chunk_of.values()))


@queue.register_task(TASK)
async def issue_chunk(
    settings: Settings, *, job_id: str, chunk: int, actor: dict[str, Any] | None
) -> int:
    """Render, store and issue one chunk's open reservations; return how many were issued."""
    rows = (
        await CertificateReservation.select()
        .where(
            (CertificateReservation.job_id == UUID(job_id))
            & (CertificateReservation.chunk == chunk)
            & CertificateReservation.certificate_id.is_null()
            & (CertificateReservation.error == "")
        )
        .order_by(CertificateReservation.seq)
    )
    if not rows:
        return 0
    caller = msgspec.convert(actor, Caller) if actor is not None else None
    renderer = await get_renderer(settings)
    store = store_for(settings)
    issued = 0
    for issued_at, group in itertools.groupby(rows, key=lambda row: row["issued_at"]):
        members = list(group)
        ctx = await load_issue_context(
            members[0]["session_id"],
            store=store,
            verify_base_url=settings.public_base_url,
            signed=pdfs_are_signed() or remote_signer(settings) is not None,
            now=issued_at,
        )
        chosen = await candidates(
            ctx.session.id, [row["person_id"] for row in members], new_code=lambda: ""
        )
        recipients = {r.person_id: r for r in chosen.recipients}
        items: list[tuple[dict[str, Any], CertificateSnapshot]] = []
        errors: dict[UUID, str] = {}
        for row in members:
            recipient = recipients.get(row["person_id"])
            if recipient is None:
                errors[row["id"]] = NO_LONGER
                continue
            recipient = msgspec.structs.replace(recipient, code=row["code"])
            try:
                items.append((row, build_snapshot(ctx, recipient, row["number"])))
            except (msgspec.ValidationError, ValueError) as exc:
                errors[row["id"]] = f"Data sertifikat tidak lengkap: {error_text(exc)}"
        pdfs = await _render(renderer, ctx, items, errors)
        bsre = remote_signer(settings)
        if bsre is not None:
            pdfs = await _sign_remote(RemoteSigning(bsre, ctx, UUID(job_id)), items, pdfs, errors)
        good = [(row, snap, pdf) for (row, snap), pdf in zip(items, pdfs, strict=True) if pdf]
        shas = await asyncio.to_thread(store.put_pdfs, [pdf for _, _, pdf in good])
        stored = [(row, snap, sha) for (row, snap, _), sha in zip(good, shas, strict=True)]
        issued += await _commit(ctx, stored, caller)
        for reservation_id, message in errors.items():
            await CertificateReservation.update({CertificateReservation.error: message}).where(
                (CertificateReservation.id == reservation_id)
                & CertificateReservation.certificate_id.is_null()
            )
    return issued


async def _render(
    renderer: Any,
    ctx: IssueContext,
    items: list[tuple[dict[str, Any], CertificateSnapshot]],
    errors: dict[UUID, str],
) -> list[bytes]:
    """Each item's PDF (``b""`` for one that failed, its reason in ``errors``)."""
    pdfs = [b""] * len(items)
    try:
        async for index, pdf in renderer.render_many(
            ctx.issuer.template, [snap for _, snap in items]
        ):
            pdfs[index] = pdf
        return pdfs
    except (RenderError, TemplateError):
        pass
    for index, (row, snap) in enumerate(items):  # find the bad ones, one at a time
        try:
            async for _, pdf in renderer.render_many(ctx.issuer.template, [snap]):
                pdfs[index] = pdf
        except (RenderError, TemplateError) as exc:
            errors[row["id"]] = f"PDF sertifikat gagal dibuat: {exc.message}"
    return pdfs


async def _sign_remote(
    remote: RemoteSigning,
    items: list[tuple[dict[str, Any], CertificateSnapshot]],
    pdfs: list[bytes],
    errors: dict[UUID, str],
) -> list[bytes]:
    """Each rendered PDF signed by BSrE (``b""`` for one it refused, its reason in ``errors``).

    A refusal of the signer itself (wrong passphrase, suspended certificate...) is not tried
    again for the rest of the chunk: they get the same reason, and keep their numbers.

    Raises:
        BsreError: a transient failure after the signer's own retries: the task fails and
            the job queues the chunk again (``REQUEUES``); nothing of it was stored.
    """
    signed = [b""] * len(items)
    refusal: BsreError | None = None
    for index, ((row, _), pdf) in enumerate(zip(items, pdfs, strict=True)):
        if not pdf:
            continue
        if refusal is not None:
            errors[row["id"]] = refusal.message
            continue
        document = Document(
            code=row["code"], person_id=row["person_id"], number=row["number"], pdf=pdf
        )
        try:
            signed[index] = (await remote.sign([document]))[0]
        except BsreError as exc:
            if exc.transient:
                raise
            errors[row["id"]] = exc.message
            if exc.code not in PER_DOCUMENT:
                refusal = exc
    return signed


async def _commit(
    ctx: IssueContext,
    items: list[tuple[dict[str, Any], CertificateSnapshot, str]],
    actor: Caller | None,
) -> int:
    """Insert the certificates of the reservations still open, in one transaction."""
    if not items:
        return 0
    now = dt.datetime.now(dt.UTC)
    async with Certificate._meta.db.transaction():
        await advisory_lock(Certificate, f"certificates.issue:{ctx.session.id}")
        await lock_unit_tree()
        live = await Unit.select(Unit.path).where(Unit.id == ctx.session.unit_id).first()
        still_open = {
            row["id"]
            for row in await CertificateReservation.select(CertificateReservation.id).where(
                CertificateReservation.id.is_in([row["id"] for row, _, _ in items])
                & CertificateReservation.certificate_id.is_null()
            )
        }
        holders = await already_issued(ctx.session.id, [row["person_id"] for row, _, _ in items])
        certificates = []
        for row, snapshot, sha in items:
            if row["id"] not in still_open or row["person_id"] in holders:
                continue
            snapshot_json, assets = stored_form(ctx, snapshot)
            certificates.append(
                (
                    row["id"],
                    Certificate(
                        id=uuid4(),
                        number=row["number"],
                        code=row["code"],
                        session_id=ctx.session.id,
                        person_id=row["person_id"],
                        course_id=ctx.session.course_id,
                        unit_id=ctx.session.unit_id,
                        unit_path=live["path"] if live else ctx.session.unit_path,
                        holder_name=snapshot.holder.name_with_titles[:255],
                        seq=row["seq"],
                        snapshot=snapshot_json,
                        assets=assets,
                        pdf_sha256=sha,
                        template_version=ctx.issuer.template_version,
                        signed=ctx.signed,
                        issued_at=now,
                        issued_by=actor.user_id if actor else None,
                        year=ctx.issued_on.year,
                        valid_until=ctx.valid_until,
                        status="valid",
                        revocation={},
                        supersedes=None,
                    ),
                )
            )
        if not certificates:
            return 0
        await Certificate.insert(*[cert for _, cert in certificates])
        for reservation_id, cert in certificates:
            await CertificateReservation.update(
                {CertificateReservation.certificate_id: cert.id}
            ).where(CertificateReservation.id == reservation_id)
            await record_issued(cert, actor)
    return len(certificates)


async def _count(job_id: UUID, *, issued: bool) -> int:
    """Reservations of the job issued (or, ``issued=False``, given up with an error)."""
    where: Any = CertificateReservation.job_id == job_id
    if issued:
        where = where & CertificateReservation.certificate_id.is_not_null()
    else:
        where = (
            where
            & CertificateReservation.certificate_id.is_null()
            & (CertificateReservation.error != "")
        )
    return int(await CertificateReservation.count().where(where))


async def _tally(job_id: UUID) -> tuple[list[int], int, int]:
    """The job's open chunks, and its reservations issued and given up, in one query."""
    rows = await CertificateReservation.raw(
        "SELECT chunk, certificate_id IS NOT NULL AS issued, error <> '' AS failed,"
        " COUNT(*) AS n FROM certificate_reservation WHERE job_id = {}"
        " GROUP BY chunk, certificate_id IS NOT NULL, error <> ''",
        job_id,
    )
    open_chunks: set[int] = set()
    issued = failed = 0
    for row in rows:
        if row["issued"]:
            issued += int(row["n"])
        elif row["failed"]:
            failed += int(row["n"])
        else:
            open_chunks.add(int(row["chunk"]))
    return sorted(open_chunks), issued, failed


async def _give_up(job_id: UUID, chunk: int) -> None:
    await CertificateReservation.update({CertificateReservation.error: GAVE_UP}).where(
        (CertificateReservation.job_id == job_id)
        & (CertificateReservation.chunk == chunk)
        & CertificateReservation.certificate_id.is_null()
        & (CertificateReservation.error == "")
    )


async def _failures(job_id: UUID) -> list[tuple[UUID, str | None, str]]:
    rows = (
        await CertificateReservation.select(
            CertificateReservation.person_id, CertificateReservation.error
        )
        .where(
            (CertificateReservation.job_id == job_id)
            & CertificateReservation.certificate_id.is_null()
            & (CertificateReservation.error != "")
        )
        .order_by(CertificateReservation.seq)
    )
    if not rows:
        return []
    names = {
        row["id"]: row["name"]
        for row in await Person.select(Person.id, Person.name).where(
            Person.id.is_in([row["person_id"] for row in rows])
        )
    }
    return [(row["person_id"], names.get(row["person_id"]), row["error"]) for row in rows]

"""Issued certificates to SIASN's riwayat kursus, one ``SiasnPush`` row per certificate.

* **When.** After a session's certificates are issued (results are finalized first; the
  certificate PDF is SIASN's document) every valid certificate of a person with a NIP is queued,
  if SIASN is configured; HR can send one certificate or a session's again on demand. Offices
  without API access keep the CSV/JSON/XLSX export (``lms.competencies.siasn``).
* **Idempotent.** A certificate has one row (unique ``certificate_id``); a ``sent`` row is
  never sent again. A try first *claims* the row (one ``UPDATE ... WHERE status = 'queued'``,
  or a ``sending`` claim older than :data:`LEASE` whose worker died), so two jobs never send the
  same certificate at once. SIASN's riwayat id is stored the moment ``kursus/save`` answers;
  when the document upload then fails, the retry uploads again to that id and does not save
  the course a second time. (The one gap no client can close: a worker killed between SIASN's
  answer and that update leaves SIASN with a record Prima does not know of.)
* **Retries.** The ``certificates.siasn`` job tries at the delays of :data:`BACKOFF` (now,
  30 s, 2 min, 10 min, 30 min, as the LTI score passback does); timeouts, refused connections,
  5xx and 429 are tried again, a refusal of the data (unknown NIP, a wrong field) fails at once
  with SIASN's reason. What is still failing after the last try is ``failed`` with the reason.
  The job is resumable: after a restart it tries what is still queued.
* **Re-issue.** A certificate that replaces one already in SIASN is saved with the old
  record's ``id``, so SIASN updates that record instead of holding the course twice.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any
from uuid import UUID, uuid4

from certificates.records.downloads import pdf_filename
from certificates.records.service import load_json
from certificates.rendering.storage import FileStore, store_for
from certificates.siasn import client as siasn_client
from certificates.siasn.client import SiasnClient, SiasnConfig, SiasnError
from certificates.siasn.schemas import (
    PushStatus,
    SiasnPushAccepted,
    SiasnPushRead,
    SiasnSkipped,
)
from certificates.tables import Certificate, SiasnPush
from courses.tables import Course
from lms.audit import services as audit
from lms.auth.caller import Caller
from lms.competencies.siasn import siasn_date
from lms.competencies.skm import round_half_up
from lms.competencies.tables import LearningRecord
from lms.competencies.totals import to_jp
from lms.config import Settings
from lms.db.dialect import is_unique_violation
from lms.jobs import retry, runner
from lms.people.tables import Person
from lms.shared.errors import Conflict, NotFound, RuleViolation
from lms.shared.schemas import Page
from lms.shared.values import utcnow

JOB_KIND = "certificates.siasn"
BACKOFF: tuple[float, ...] = retry.BACKOFF
"""Seconds to wait before each try (the first at once): SIASN down for most of an hour still
gets every certificate."""
LEASE = dt.timedelta(minutes=15)
"""A ``sending`` claim older than this belongs to a worker that died: it may be claimed again."""
NOT_CONFIGURED = (
    "Pengiriman ke SIASN belum dikonfigurasi (LMS_SIASN_URL dan kredensial API BKN). "
    "Gunakan ekspor riwayat kursus (CSV/XLSX) di /sdm/ekspor."
)
NOT_FOUND = "Sertifikat tidak ditemukan."
LABELS: dict[str, str] = {
    "not_sent": "belum dikirim",
    "queued": "dalam antrean",
    "sending": "sedang dikirim",
    "sent": "terkirim",
    "failed": "gagal",
}
FALLBACK_ERROR = "SIASN belum menerima sertifikat ini."


def configured(settings: Settings) -> SiasnConfig | None:
    """The SIASN configuration, or None while the push is off."""
    return siasn_client.siasn_config(settings)


# ---------------------------------------------------------------------------------- the body


async def build_payload(cert: dict[str, Any], orang_id: str, config: SiasnConfig) -> dict[str, Any]:
    """The ``kursus/save`` body of a certificate: the JP ledger entry it is attached to (so the
    push says what the CSV export says), else the certificate as printed."""
    snapshot = load_json(cert["snapshot"])
    entry = await (
        LearningRecord.select(
            LearningRecord.title,
            LearningRecord.organizer,
            LearningRecord.jenis_diklat,
            LearningRecord.jp,
            LearningRecord.start_date,
            LearningRecord.end_date,
        )
        .where(
            (LearningRecord.person == cert["person_id"])
            & (LearningRecord.certificate_number == cert["number"])
        )
        .first()
    )
    if entry is not None:
        title, organizer = entry["title"], entry["organizer"] or snapshot.get("organizer_name", "")
        jenis, jp = entry["jenis_diklat"], entry["jp"]
        start, end = entry["start_date"], entry["end_date"]
    else:
        course = (
            await Course.select(Course.jenis_diklat).where(Course.id == cert["course_id"]).first()
        )
        title = " ".join(
            part for part in (snapshot.get("course_title"), snapshot.get("session_name")) if part
        )
        organizer = snapshot.get("organizer_name", "")
        jenis, jp = (course or {}).get("jenis_diklat", 3), snapshot.get("jp", 0)
        start = dt.date.fromisoformat(str(snapshot["start_date"]))
        end = dt.date.fromisoformat(str(snapshot["end_date"]))
    previous = ""
    if cert.get("supersedes"):
        before = (
            await SiasnPush.select(SiasnPush.siasn_id)
            .where(SiasnPush.certificate_id == cert["supersedes"])
            .first()
        )
        previous = (before or {}).get("siasn_id") or ""
    return {
        "id": previous or None,
        "instansiId": config.instansi_id,
        "institusiPenyelenggara": organizer,
        "jenisDiklatId": int(jenis),
        "jenisKursus": config.jenis_kursus,
        "jenisKursusSertipikat": config.jenis_kursus_sertipikat,
        "jumlahJam": int(round_half_up(to_jp(jp), 0)),
        "lokasiId": config.lokasi_id,
        "namaKursus": title,
        "nomorSertipikat": cert["number"],
        "pnsOrangId": orang_id,
        "tahunKursus": end.year,
        "tanggalKursus": siasn_date(start),
        "tanggalSelesaiKursus": siasn_date(end),
    }


# ------------------------------------------------------------------------------ one push


async def _claim(push_id: UUID) -> bool:
    now = utcnow()
    claimed = (
        await SiasnPush.update(
            {
                SiasnPush.status: "sending",
                SiasnPush.claimed_at: now,
                SiasnPush.attempts: SiasnPush.attempts + 1,
                SiasnPush.updated_at: now,
            }
        )
        .where(
            (SiasnPush.id == push_id)
            & (
                (SiasnPush.status == "queued")
                | ((SiasnPush.status == "sending") & (SiasnPush.claimed_at < now - LEASE))
            )
        )
        .returning(SiasnPush.id)
    )
    return bool(claimed)


async def push_one(
    push_id: UUID, client: SiasnClient, config: SiasnConfig, store: FileStore
) -> bool:
    """Try to send one queued certificate; True when it is settled (sent, refused for good, or
    not this job's to send), False when a later try may succeed."""
    if not await _claim(push_id):
        return True  # sent, failed, or another job is sending it now
    row = await SiasnPush.select().where(SiasnPush.id == push_id).first()
    if row is None:  # deleted meanwhile
        return True
    try:
        cert = (
            await Certificate.select()
            .where(Certificate.id == row["certificate_id"])
            .output(load_json=True)
            .first()
        )
        if cert is None or cert["status"] != "valid":
            raise SiasnError(
                "Sertifikat sudah dicabut atau diganti; tidak dikirim ke SIASN.", retry=False
            )
        siasn_id = row["siasn_id"]
        if not siasn_id:
            orang_id = row["pns_orang_id"] or await client.orang_id(row["nip"])
            await SiasnPush.update({SiasnPush.pns_orang_id: orang_id}).where(
                SiasnPush.id == push_id
            )
            payload = await build_payload(cert, orang_id, config)
            siasn_id = await client.save_kursus(payload)
            # Kept at once: a failed upload is retried against this record, never saved twice.
            await SiasnPush.update(
                {SiasnPush.siasn_id: siasn_id, SiasnPush.payload: payload}
            ).where(SiasnPush.id == push_id)
        if not row["document_sent"]:
            pdf = await asyncio.to_thread(store.read_pdf, cert["pdf_sha256"])
            await client.upload_document(
                siasn_id, pdf, pdf_filename(cert["number"], cert["holder_name"])
            )
    except SiasnError as exc:
        await SiasnPush.update(
            {
                SiasnPush.status: "queued" if exc.retry else "failed",
                SiasnPush.last_error: exc.reason,
                SiasnPush.claimed_at: None,
                SiasnPush.updated_at: utcnow(),
            }
        ).where(SiasnPush.id == push_id)
        return not exc.retry
    now = utcnow()
    await SiasnPush.update(
        {
            SiasnPush.status: "sent",
            SiasnPush.document_sent: True,
            SiasnPush.last_error: "",
            SiasnPush.claimed_at: None,
            SiasnPush.sent_at: now,
            SiasnPush.updated_at: now,
        }
    ).where(SiasnPush.id == push_id)
    return True


@runner.register(JOB_KIND, resumable=True)
async def push_job(ctx: runner.JobContext) -> dict[str, Any]:
    """Send the queued certificates, trying again at the :data:`BACKOFF` delays; what SIASN
    still refuses after the last try is ``failed`` with its reason."""
    ids = [UUID(i) for i in ctx.params.get("push_ids", [])]
    await ctx.set_total(len(ids))
    config = configured(ctx.settings)
    pending = list(ids)
    if config is not None:
        client = SiasnClient(config)
        store = store_for(ctx.settings)

        async def attempt(push_id: UUID) -> bool:
            return await push_one(push_id, client, config, store)

        pending = await retry.until_settled(ctx, ids, attempt, BACKOFF)
    if pending:
        await SiasnPush.update({SiasnPush.status: "failed", SiasnPush.updated_at: utcnow()}).where(
            SiasnPush.id.is_in(pending) & (SiasnPush.status == "queued")
        )
        await SiasnPush.update({SiasnPush.last_error: NOT_CONFIGURED}).where(
            SiasnPush.id.is_in(pending)
            & (SiasnPush.status == "failed")
            & (SiasnPush.last_error == "")
        )
    done = (
        await SiasnPush.select(SiasnPush.id, SiasnPush.status, SiasnPush.last_error).where(
            SiasnPush.id.is_in(ids)
        )
        if ids
        else []
    )
    for row in done:
        if row["status"] == "failed":
            ctx.error(str(row["id"]), row["last_error"] or FALLBACK_ERROR)
    return {
        "sent": sum(1 for r in done if r["status"] == "sent"),
        "failed": sum(1 for r in done if r["status"] == "failed"),
    }


# -------------------------------------------------------------------------------- queueing


async def queue_certificates(
    certs: list[dict[str, Any]],
    settings: Settings,
    *,
    actor: Caller | None,
    again: bool,
) -> SiasnPushAccepted:
    """Queue ``certs`` (Certificate rows) and start the job that sends them.

    Left out, with the reason: a certificate revoked or replaced, a holder without a NIP, one
    already sent, and (unless ``again``) one that failed before.
    """
    people = {c["person_id"] for c in certs}
    nips = {
        row["id"]: row["nip"] or ""
        for row in (
            await Person.select(Person.id, Person.nip).where(Person.id.is_in(list(people)))
            if people
            else []
        )
    }
    existing = {
        row["certificate_id"]: row
        for row in (
            await SiasnPush.select().where(SiasnPush.certificate_id.is_in([c["id"] for c in certs]))
            if certs
            else []
        )
    }
    queued: list[UUID] = []
    skipped: list[SiasnSkipped] = []
    now = utcnow()
    for cert in certs:

        def skip(reason: str, cert: dict[str, Any] = cert) -> None:
            skipped.append(
                SiasnSkipped(certificate_id=cert["id"], number=cert["number"], reason=reason)
            )

        nip = nips.get(cert["person_id"], "")
        row = existing.get(cert["id"])
        if cert["status"] != "valid":
            skip("sertifikat sudah dicabut atau diganti")
        elif row is not None and row["status"] == "sent":
            skip(f"sudah terkirim (id SIASN {row['siasn_id']})")
        elif row is not None and row["status"] == "failed" and not again:
            skip(f"gagal sebelumnya: {row['last_error']}")
        elif row is not None:
            if row["status"] == "failed":
                await SiasnPush.update(
                    {SiasnPush.status: "queued", SiasnPush.updated_at: now}
                ).where((SiasnPush.id == row["id"]) & (SiasnPush.status == "failed"))
            queued.append(row["id"])
        elif not nip:
            skip("pemegang sertifikat tidak punya NIP")
        else:
            push_id = uuid4()
            try:
                await SiasnPush.insert(
                    SiasnPush(
                        id=push_id,
                        certificate_id=cert["id"],
                        session_id=cert["session_id"],
                        person_id=cert["person_id"],
                        unit_path=cert["unit_path"],
                        nip=nip,
                        status="queued",
                        created_at=now,
                        updated_at=now,
                    )
                )
            except Exception as exc:
                if not is_unique_violation(exc):
                    raise
                continue  # queued by another request at this moment: its job sends it
            queued.append(push_id)
    job_id = None
    if queued:
        job_id = await runner.submit(
            JOB_KIND,
            {"push_ids": [str(i) for i in queued]},
            actor=actor,
            total=len(queued),
            settings=settings,
        )
    return SiasnPushAccepted(
        queued=len(queued),
        job_id=job_id,
        url=f"/api/v1/jobs/{job_id}" if job_id else None,
        skipped=skipped,
    )


async def after_issue(session_id: UUID, settings: Settings, actor: Caller | None) -> None:
    """Listener of issued certificates: queue the session's new ones, if SIASN is on."""
    if configured(settings) is None:
        return
    certs = await Certificate.select().where(
        (Certificate.session_id == session_id) & (Certificate.status == "valid")
    )
    sent_or_queued = {
        row["certificate_id"]
        for row in await SiasnPush.select(SiasnPush.certificate_id).where(
            SiasnPush.session_id == session_id
        )
    }
    fresh = [c for c in certs if c["id"] not in sent_or_queued]
    if fresh:
        await queue_certificates(fresh, settings, actor=actor, again=False)


# ------------------------------------------------------------------------------ HR's side


def _read(cert: dict[str, Any], push: dict[str, Any] | None, nip: str) -> SiasnPushRead:
    snapshot = load_json(cert["snapshot"])
    status: PushStatus = push["status"] if push else "not_sent"
    return SiasnPushRead(
        certificate_id=cert["id"],
        number=cert["number"],
        holder_name=cert["holder_name"],
        nip=(push or {}).get("nip") or nip,
        course_title=str(snapshot.get("course_title", "")),
        session_id=cert["session_id"],
        issued_at=cert["issued_at"],
        status=status,
        status_label=LABELS[status],
        siasn_id=(push or {}).get("siasn_id", ""),
        document_sent=bool((push or {}).get("document_sent")),
        attempts=(push or {}).get("attempts", 0),
        last_error=(push or {}).get("last_error", ""),
        updated_at=(push or {}).get("updated_at"),
        sent_at=(push or {}).get("sent_at"),
    )


class SiasnPushService:
    """HR's view and requests: the status per certificate, and sending again."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @property
    def enabled(self) -> bool:
        """True when SIASN is configured."""
        return configured(self.settings) is not None

    def _scope(self, caller: Caller) -> Any:
        if caller.is_admin:
            return Certificate.id.is_not_null()
        if not caller.unit_path:
            return Certificate.id.is_null()  # fail closed
        return Certificate.unit_path.like(caller.unit_path + "%")

    async def statuses(
        self,
        caller: Caller,
        *,
        year: int,
        status: PushStatus | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> Page[SiasnPushRead]:
        """The certificates issued in ``year`` in the caller's units (newest first), each with
        its SIASN status; replaced certificates are left out (their successor is listed)."""
        certs = (
            await Certificate.select()
            .where(
                self._scope(caller)
                & (Certificate.year == year)
                & (Certificate.status != "superseded")
            )
            .order_by(Certificate.issued_at, ascending=False)
            .order_by(Certificate.number)
        )
        ids = [c["id"] for c in certs]
        pushes = (
            {
                row["certificate_id"]: row
                for row in await SiasnPush.select().where(SiasnPush.certificate_id.is_in(ids))
            }
            if ids
            else {}
        )
        people = list({c["person_id"] for c in certs})
        nips = (
            {
                row["id"]: row["nip"] or ""
                for row in await Person.select(Person.id, Person.nip).where(Person.id.is_in(people))
            }
            if people
            else {}
        )
        rows = [_read(c, pushes.get(c["id"]), nips.get(c["person_id"], "")) for c in certs]
        if status is not None:
            rows = [r for r in rows if r.status == status]
        return Page(items=rows[offset : offset + limit], total=len(rows))

    async def _visible(self, caller: Caller, certificate_id: UUID) -> dict[str, Any]:
        cert = await Certificate.select().where(Certificate.id == certificate_id).first()
        if cert is None or not caller.sees_unit(cert["unit_path"]):
            raise NotFound(NOT_FOUND)
        return cert

    def _config(self) -> SiasnConfig:
        config = configured(self.settings)
        if config is None:
            raise RuleViolation(NOT_CONFIGURED)
        return config

    async def push_certificate(self, caller: Caller, certificate_id: UUID) -> SiasnPushAccepted:
        """Send one certificate (again, if it failed).

        Raises:
            NotFound: unknown, or outside the caller's units.
            RuleViolation: SIASN is not configured, or the certificate cannot be sent.
            Conflict: it is already in SIASN.
        """
        cert = await self._visible(caller, certificate_id)
        self._config()
        accepted = await queue_certificates([cert], self.settings, actor=caller, again=True)
        if accepted.skipped:
            reason = accepted.skipped[0].reason
            if reason.startswith("sudah terkirim"):
                raise Conflict(f"Sertifikat {cert['number']} {reason}.")
            raise RuleViolation(f"Sertifikat {cert['number']} tidak dapat dikirim: {reason}.")
        await audit.record(
            caller,
            "certificate.siasn_push",
            "certificate",
            cert["id"],
            f"{cert['number']}: dikirim ke SIASN",
            {"job_id": accepted.job_id},
        )
        return accepted

    async def push_session(self, caller: Caller, session_id: UUID) -> SiasnPushAccepted:
        """Send every certificate of a session in the caller's units not yet in SIASN (the
        failed ones again).

        Raises:
            NotFound: no certificate of this session in the caller's units.
            RuleViolation: SIASN is not configured.
        """
        certs = await Certificate.select().where(
            self._scope(caller)
            & (Certificate.session_id == session_id)
            & (Certificate.status == "valid")
        )
        if not certs:
            raise NotFound("Sesi tidak ditemukan atau belum ada sertifikat yang berlaku.")
        self._config()
        accepted = await queue_certificates(certs, self.settings, actor=caller, again=True)
        await audit.record(
            caller,
            "session.siasn_push",
            "session",
            session_id,
            f"{accepted.queued} sertifikat dikirim ke SIASN",
            {"job_id": accepted.job_id, "queued": accepted.queued},
        )
        return accepted

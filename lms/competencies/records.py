"""A person's learning records over HTTP: reading the ledger, training done elsewhere, HR's
decisions and the proof files.

Who does what:

* Anyone reads their own ledger; HR, organizers and admins read the ledgers of their unit
  and below (others get 404).
* HR and admins record training done elsewhere for people in their scope: approved at once.
* A person reports their own training (any role, HR included): ``pending`` until an HR
  officer or admin of their unit approves or rejects it. Nobody decides their own record.
* Organizers read but do not record (403): the ledger is HR's record.
* Proof files (PDF, JPEG, PNG) are stored content-addressed under the data dir and never
  overwritten; the record keeps the SHA-256 and the uploaded name.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import anyio.to_thread

from lms.audit import services as audit
from lms.auth.caller import Caller
from lms.competencies.framework import known_competency_codes
from lms.competencies.jp import minutes_to_jp
from lms.competencies.ledger import EXTERNAL, record_read, refresh_years
from lms.competencies.schemas import (
    LearningRecordCreate,
    LearningRecordDecision,
    LearningRecordRead,
)
from lms.competencies.scope import PersonRef, lock_person, visible_person
from lms.competencies.tables import LearningRecord
from lms.config import Settings
from lms.shared.errors import (
    BadRequest,
    Conflict,
    Forbidden,
    NotFound,
    PayloadTooLarge,
    RuleViolation,
)
from lms.shared.files import write_once
from lms.shared.schemas import Page
from lms.shared.values import utcnow

_PROOF_TYPES = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
)
_RECORDERS = ("hr", "admin")


@dataclass(frozen=True)
class ProofFile:
    """A stored proof, ready to send."""

    path: Path
    filename: str
    media_type: str


def proof_media_type(content: bytes) -> str | None:
    """The media type of an accepted proof file from its first bytes, else ``None``."""
    for magic, media_type in _PROOF_TYPES:
        if content.startswith(magic):
            return media_type
    return None


def _read_head(path: Path) -> bytes:
    with path.open("rb") as fh:
        return fh.read(16)


class LedgerService:
    """Learning records of one person, as the routes see them."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def _proof_path(self, sha256: str) -> Path:
        return self.settings.data_dir / "files" / "proofs" / sha256[:2] / sha256

    async def _record(self, person: PersonRef, record_id: UUID) -> dict[str, Any]:
        row = await (
            LearningRecord.select()
            .where((LearningRecord.id == record_id) & (LearningRecord.person == person.id))
            .output(load_json=True)
            .first()
        )
        if row is None:
            raise NotFound("Catatan pembelajaran tidak ditemukan")
        return row

    async def list(
        self,
        caller: Caller,
        person_id: UUID,
        *,
        year: int | None,
        status: str | None,
        limit: int,
        offset: int,
    ) -> Page[LearningRecordRead]:
        """The person's ledger, latest first, optionally one year or one status."""
        await visible_person(caller, person_id)
        where: Any = LearningRecord.person == person_id
        if year is not None:
            where &= LearningRecord.year == year
        if status is not None:
            where &= LearningRecord.status == status
        total = await LearningRecord.count().where(where)
        rows = await (
            LearningRecord.select()
            .where(where)
            .order_by(LearningRecord.end_date, ascending=False)
            .order_by(LearningRecord.title)
            .limit(limit)
            .offset(offset)
            .output(load_json=True)
        )
        return Page(items=[record_read(r) for r in rows], total=total)

    async def create(
        self, caller: Caller, person_id: UUID, data: LearningRecordCreate
    ) -> LearningRecordRead:
        """Record training done elsewhere (approved when HR/admin records it for someone else).

        Raises:
            NotFound: the person is outside the caller's scope.
            Forbidden: an organizer or trainer recording for someone else.
            RuleViolation: unknown competency codes, or learning that has not ended yet.
        """
        person = await visible_person(caller, person_id)
        self_report = caller.is_person(person_id) and not caller.is_admin
        if not self_report and caller.role not in _RECORDERS:
            raise Forbidden("Hanya HR yang dapat mencatat pembelajaran pegawai lain")
        today = utcnow().astimezone(ZoneInfo(self.settings.timezone)).date()
        if data.end_date > today:
            raise RuleViolation(
                "Pembelajaran yang belum selesai belum dapat dicatat",
                errors=[{"field": "end_date", "message": "Tanggal selesai di masa depan"}],
            )
        codes = sorted({c.upper() for c in data.competency_codes})
        unknown = sorted(set(codes) - await known_competency_codes())
        if unknown:
            raise RuleViolation(
                "Kode kompetensi tidak dikenal",
                errors=[{"field": "competency_codes", "message": ", ".join(unknown)}],
            )
        if data.jp is not None:
            jp = data.jp
        else:
            jp = minutes_to_jp(data.minutes or 0, self.settings.jp_minutes)
        status = "pending" if self_report else "approved"
        record_id = uuid4()
        row = LearningRecord(
            id=record_id,
            person=person.id,
            source=EXTERNAL,
            source_ref="",
            natural_key=f"{EXTERNAL}:{record_id}",
            title=" ".join(data.title.split()),
            organizer=" ".join(data.organizer.split()),
            jenis_diklat=data.jenis_diklat,
            klasikal=data.klasikal,
            start_date=data.start_date,
            end_date=data.end_date,
            year=data.end_date.year,
            jp=jp,
            certificate_number=data.certificate_number.strip(),
            competency_codes=codes,
            status=status,
            note=data.note.strip(),
            created_by=caller.user_id,
            created_at=utcnow(),
            decided_by=None if self_report else caller.user_id,
            decided_at=None if self_report else utcnow(),
        )
        async with LearningRecord._meta.db.transaction():
            await lock_person(person.id)
            await LearningRecord.insert(row)
            if status == "approved":
                await refresh_years(person.id, [data.end_date.year])
            await audit.record(
                caller,
                "learning_record.create",
                "learning_record",
                record_id,
                f"{row.title}: {jp} JP ({status})",
                {"person_id": person.id, "jp": jp, "year": data.end_date.year, "status": status},
            )
        return record_read(await self._record(person, record_id))

    async def decide(
        self, caller: Caller, person_id: UUID, record_id: UUID, data: LearningRecordDecision
    ) -> LearningRecordRead:
        """Approve or reject a record of training done elsewhere.

        A rejected record may be approved later and the other way round (with the reason in
        the audit log); session credits are managed by their session, not decided here.

        Raises:
            NotFound: person or record outside the caller's scope.
            Forbidden: deciding one's own record.
            Conflict: a session credit, or the record already has that status.
        """
        person = await visible_person(caller, person_id)
        if caller.is_person(person_id) and not caller.is_admin:
            raise Forbidden("Catatan sendiri diputuskan oleh HR lain")
        target = "approved" if data.decision == "approve" else "rejected"
        async with LearningRecord._meta.db.transaction():
            await lock_person(person.id)
            row = await self._record(person, record_id)
            if row["source"] != EXTERNAL:
                raise Conflict("Catatan dari sesi pelatihan tidak diputuskan di sini")
            if row["status"] == target:
                raise Conflict("Catatan ini sudah berstatus " + target)
            await LearningRecord.update(
                {
                    LearningRecord.status: target,
                    LearningRecord.status_reason: data.note.strip(),
                    LearningRecord.decided_by: caller.user_id,
                    LearningRecord.decided_at: utcnow(),
                }
            ).where(LearningRecord.id == record_id)
            await refresh_years(person.id, [row["year"]])
            await audit.record(
                caller,
                f"learning_record.{data.decision}",
                "learning_record",
                record_id,
                data.note.strip(),
                {"status": [row["status"], target]},
            )
        return record_read(await self._record(person, record_id))

    async def upload_proof(
        self, caller: Caller, person_id: UUID, record_id: UUID, filename: str, content: bytes
    ) -> LearningRecordRead:
        """Attach the proof (certificate scan, letter) of a record.

        The person may attach proof to their own record while it is not yet approved; HR
        and admins to any record in their scope.

        Raises:
            PayloadTooLarge: above ``LMS_MAX_UPLOAD_BYTES``.
            BadRequest: not a PDF, JPEG or PNG.
        """
        person = await visible_person(caller, person_id)
        row = await self._record(person, record_id)
        own = caller.is_person(person_id) and not caller.is_admin
        if not own and caller.role not in _RECORDERS:
            raise Forbidden("Hanya HR atau pegawai yang bersangkutan yang dapat mengunggah bukti")
        if own and row["status"] == "approved" and caller.role not in _RECORDERS:
            raise Conflict("Catatan yang sudah disetujui tidak dapat diubah buktinya")
        if len(content) > self.settings.max_upload_bytes:
            raise PayloadTooLarge("Berkas bukti terlalu besar")
        if proof_media_type(content) is None:
            raise BadRequest("Bukti harus berkas PDF, JPG atau PNG")
        sha256 = hashlib.sha256(content).hexdigest()
        await anyio.to_thread.run_sync(write_once, self._proof_path(sha256), content)
        name = Path(filename or "bukti").name[:255]
        async with LearningRecord._meta.db.transaction():
            await LearningRecord.update(
                {LearningRecord.proof_sha256: sha256, LearningRecord.proof_filename: name}
            ).where(LearningRecord.id == record_id)
            await audit.record(
                caller,
                "learning_record.proof",
                "learning_record",
                record_id,
                name,
                {"sha256": sha256},
            )
        return record_read(await self._record(person, record_id))

    async def proof(self, caller: Caller, person_id: UUID, record_id: UUID) -> ProofFile:
        """The stored proof of a record.

        Raises:
            NotFound: no proof, or not visible.
        """
        person = await visible_person(caller, person_id)
        row = await self._record(person, record_id)
        path = self._proof_path(row["proof_sha256"]) if row["proof_sha256"] else None
        if path is None or not path.is_file():
            raise NotFound("Bukti belum diunggah")
        head = await anyio.to_thread.run_sync(_read_head, path)
        return ProofFile(
            path=path,
            filename=row["proof_filename"] or "bukti",
            media_type=proof_media_type(head) or "application/octet-stream",
        )

"""The JP ledger as other apps write it: session credits from ``courses``.

``courses`` calls these functions when it finalizes (or amends) a session's results and when
certificates are issued or revoked; ``lms`` never imports ``courses``, so a credit keeps the
session id as a plain id plus a snapshot of what it credited (title, organizer, dates, JP).

Rules:

* One entry per (session, person): ``natural_key = "session:<session>:<person>"``. Finalizing
  again or amending updates that entry (its snapshot and JP) instead of adding another.
* Session credits are approved at once (the session itself is the proof); JP count in the
  year the session ended.
* :func:`revoke_session_credit` (a revoked certificate, or a pass amended into a fail) keeps
  the row with status ``revoked`` and a reason; its JP leaves the ledger and the yearly total.
  A revoked credit stays revoked when the session is credited again (an amendment must not
  undo a revocation by accident); :func:`restore_session_credit` brings it back.

Every change writes the audit log and the person's yearly total in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import msgspec
from piccolo.columns import Column

from lms.audit import services as audit
from lms.auth.caller import Caller
from lms.competencies.schemas import JENIS_DIKLAT, LearningRecordRead
from lms.competencies.scope import lock_person
from lms.competencies.tables import LearningRecord
from lms.competencies.totals import refresh_year_total, to_jp
from lms.shared.errors import NotFound, RuleViolation
from lms.shared.values import cents, utcnow

SESSION = "session"
EXTERNAL = "external"
STATUSES = ("pending", "approved", "rejected", "revoked")


def session_key(session_id: UUID | str, person_id: UUID | str) -> str:
    """The natural key of a session credit."""
    return f"{SESSION}:{session_id}:{person_id}"


def record_read(row: dict[str, Any]) -> LearningRecordRead:
    """A ledger row (selected with ``load_json``) as the API answers it."""
    codes = row.get("competency_codes") or []
    return LearningRecordRead(
        id=row["id"],
        person_id=row["person"],
        source=row["source"],
        source_ref=row["source_ref"],
        title=row["title"],
        organizer=row["organizer"],
        jenis_diklat=row["jenis_diklat"],
        jenis_diklat_name=JENIS_DIKLAT.get(row["jenis_diklat"], ""),
        klasikal=bool(row["klasikal"]),
        start_date=row["start_date"],
        end_date=row["end_date"],
        year=row["year"],
        jp=cents(to_jp(row["jp"])),
        certificate_number=row["certificate_number"],
        competency_codes=list(codes),
        status=row["status"],
        status_reason=row["status_reason"],
        note=row["note"],
        proof_filename=row["proof_filename"],
        proof_sha256=row["proof_sha256"],
        created_at=row["created_at"],
        decided_at=row["decided_at"],
    )


async def refresh_years(person_id: UUID, years: Iterable[int]) -> None:
    """Recompute the person's totals of every year a change touched."""
    for year in sorted(set(years)):
        await refresh_year_total(person_id, year)


def _check_credit(jenis_diklat: int, start_date: dt.date, end_date: dt.date, jp: Decimal) -> None:
    if jenis_diklat not in JENIS_DIKLAT:
        raise RuleViolation(f"jenis_diklat {jenis_diklat} tidak dikenal (1–10)")
    if end_date < start_date:
        raise RuleViolation("Tanggal selesai tidak boleh sebelum tanggal mulai")
    if jp < 0:
        raise RuleViolation("JP tidak boleh negatif")


async def _session_row(person_id: UUID, session_id: UUID) -> dict[str, Any] | None:
    return await (
        LearningRecord.select(
            LearningRecord.id, LearningRecord.year, LearningRecord.status, LearningRecord.jp
        )
        .where(LearningRecord.natural_key == session_key(session_id, person_id))
        .first()
    )


class SessionCredit(msgspec.Struct, frozen=True, kw_only=True):
    """A session's credit in a person's ledger, as other apps may ask about it."""

    status: str
    certificate_number: str


async def session_credit(*, person_id: UUID, session_id: UUID) -> SessionCredit | None:
    """The ledger's entry for a person's session (``None`` if never credited).

    ``certificate_number`` is set when a certificate of the session was issued (the newest on
    re-issue); ``status`` ``revoked`` while that certificate (or the result) is revoked.
    """
    row = await (
        LearningRecord.select(LearningRecord.status, LearningRecord.certificate_number)
        .where(LearningRecord.natural_key == session_key(session_id, person_id))
        .first()
    )
    if row is None:
        return None
    return SessionCredit(status=row["status"], certificate_number=row["certificate_number"] or "")


async def credit_session(
    *,
    person_id: UUID,
    session_id: UUID,
    title: str,
    organizer: str,
    jenis_diklat: int,
    klasikal: bool,
    start_date: dt.date,
    end_date: dt.date,
    jp: Decimal | int | float | str,
    competency_codes: Iterable[str],
    actor: Caller | None,
) -> UUID:
    """Credit a passed session to a person's ledger (idempotent per session and person).

    Args:
        person_id: Who passed.
        session_id: The session (a plain id: lms does not know courses' tables).
        title: The course/session title as printed (snapshot).
        organizer: Institusi penyelenggara (snapshot).
        jenis_diklat: SIASN ``jenisDiklatId`` (1–10).
        klasikal: Classroom (``True``) or non-classroom learning.
        start_date: First day.
        end_date: Last day; the JP count in this year.
        jp: JP earned (rounded half-up to 2 decimals).
        competency_codes: Competencies the course develops.
        actor: Who finalized (``None`` for the system).

    Returns:
        The ledger entry's id (the same id on every later call for this session and person).

    Raises:
        RuleViolation: unknown ``jenis_diklat``, end before start, negative JP.
    """
    amount = to_jp(jp)
    _check_credit(jenis_diklat, start_date, end_date, amount)
    values: dict[Column | str, Any] = {
        LearningRecord.title: title[:500],
        LearningRecord.organizer: organizer[:255],
        LearningRecord.jenis_diklat: jenis_diklat,
        LearningRecord.klasikal: klasikal,
        LearningRecord.start_date: start_date,
        LearningRecord.end_date: end_date,
        LearningRecord.year: end_date.year,
        LearningRecord.jp: amount,
        LearningRecord.competency_codes: sorted(set(competency_codes)),
    }
    async with LearningRecord._meta.db.transaction():
        await lock_person(person_id)
        existing = await _session_row(person_id, session_id)
        if existing is None:
            record_id = uuid4()
            await LearningRecord.insert(
                LearningRecord(
                    id=record_id,
                    person=person_id,
                    source=SESSION,
                    source_ref=str(session_id),
                    natural_key=session_key(session_id, person_id),
                    status="approved",
                    created_by=actor.user_id if actor else None,
                    created_at=utcnow(),
                    title=title[:500],
                    organizer=organizer[:255],
                    jenis_diklat=jenis_diklat,
                    klasikal=klasikal,
                    start_date=start_date,
                    end_date=end_date,
                    year=end_date.year,
                    jp=amount,
                    competency_codes=values[LearningRecord.competency_codes],
                )
            )
            years = {end_date.year}
            action = "learning_record.credit"
        else:
            record_id = existing["id"]
            await LearningRecord.update(values).where(LearningRecord.id == record_id)
            years = {existing["year"], end_date.year}
            action = "learning_record.credit_update"
        await refresh_years(person_id, years)
        await audit.record(
            actor,
            action,
            "learning_record",
            record_id,
            f"{title[:200]}: {amount} JP",
            {"session_id": session_id, "person_id": person_id, "jp": amount, "year": end_date.year},
        )
    return record_id


async def attach_certificate(
    *,
    person_id: UUID,
    session_id: UUID,
    certificate_number: str,
    actor: Caller | None = None,
) -> UUID:
    """Record the certificate number of a credited session (issue or re-issue).

    Raises:
        NotFound: the session was never credited to this person.
    """
    async with LearningRecord._meta.db.transaction():
        existing = await _session_row(person_id, session_id)
        if existing is None:
            raise NotFound("Catatan JP sesi ini tidak ditemukan")
        await LearningRecord.update(
            {LearningRecord.certificate_number: certificate_number[:128]}
        ).where(LearningRecord.id == existing["id"])
        await audit.record(
            actor,
            "learning_record.certificate",
            "learning_record",
            existing["id"],
            f"Nomor sertifikat {certificate_number[:128]}",
            {"certificate_number": certificate_number[:128]},
        )
    return existing["id"]


async def _set_session_status(
    person_id: UUID, session_id: UUID, status: str, reason: str, actor: Caller | None, action: str
) -> UUID:
    async with LearningRecord._meta.db.transaction():
        await lock_person(person_id)
        existing = await _session_row(person_id, session_id)
        if existing is None:
            raise NotFound("Catatan JP sesi ini tidak ditemukan")
        if existing["status"] != status:
            await LearningRecord.update(
                {
                    LearningRecord.status: status,
                    LearningRecord.status_reason: reason[:1000],
                    LearningRecord.decided_by: actor.user_id if actor else None,
                    LearningRecord.decided_at: utcnow(),
                }
            ).where(LearningRecord.id == existing["id"])
            await refresh_years(person_id, [existing["year"]])
            await audit.record(
                actor,
                action,
                "learning_record",
                existing["id"],
                reason[:1000],
                {"status": [existing["status"], status]},
            )
    return existing["id"]


async def revoke_session_credit(
    *, person_id: UUID, session_id: UUID, reason: str, actor: Caller | None
) -> UUID:
    """Take a session's JP out of the ledger (the row stays, status ``revoked``, with why).

    Raises:
        NotFound: the session was never credited to this person.
    """
    return await _set_session_status(
        person_id, session_id, "revoked", reason, actor, "learning_record.revoke"
    )


async def restore_session_credit(
    *, person_id: UUID, session_id: UUID, actor: Caller | None, reason: str = ""
) -> UUID:
    """Count a revoked session credit again (e.g. a certificate revoked by mistake).

    Raises:
        NotFound: the session was never credited to this person.
    """
    return await _set_session_status(
        person_id, session_id, "approved", reason, actor, "learning_record.restore"
    )

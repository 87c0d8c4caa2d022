"""Who gets a certificate of a session and what it prints, built from the current rows.

This is the one place where live data (person, session, course rules, result, issuer) becomes a
``CertificateSnapshot``; after that only the snapshot is used, so a later name fix, promotion or
course edit never changes a certificate already issued (a re-issue builds a new snapshot).

Sources, and why:

- holder: the person row as it is now (a re-issue after a name fix must print the fix);
- JP, modules, course title: the course rules frozen when the session was finalized, the same
  figures the JP ledger credited, so a course edited later cannot make a certificate disagree
  with the ledger;
- predikat and final score: the finalized result;
- issue date: today in the session's time zone ("Padang Panjang, 22 November 2026" is printed
  for the day it is where the session was held, not in UTC).
"""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import Decimal
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import msgspec

from certificates.issuing.issuer_profiles import Issuer, resolve_issuer
from certificates.issuing.numbering_pattern import format_number
from certificates.rendering.snapshot import CertificateSnapshot, HolderSnapshot
from certificates.rendering.storage import FileStore
from certificates.tables import Certificate
from courses.catalogue.schemas import CourseRules
from courses.catalogue.services import session_rules
from courses.delivery.sessions.access import SessionRecord, load_session
from courses.delivery.sessions.frozen import has_ended
from courses.results.stored_results import passed_results
from lms.people.golongan import pangkat_golongan_display
from lms.people.nip import format_nip
from lms.people.tables import Person
from lms.shared.errors import NotFound, RuleViolation
from lms.shared.indonesian import format_date, format_place_date, full_name

SESSION_NOT_FOUND = "Sesi tidak ditemukan."
NOT_FINALIZED = "Hasil sesi belum difinalisasi: sertifikat diterbitkan setelah finalisasi."
SIGNED_NOTE = "Dokumen ini telah ditandatangani secara elektronik."


class IssueContext(msgspec.Struct, frozen=True, kw_only=True):
    """What every certificate of one issuing run shares."""

    session: SessionRecord
    rules: CourseRules
    issuer: Issuer
    issued_at: dt.datetime
    issued_on: dt.date
    verify_base_url: str
    signed: bool

    @property
    def valid_until(self) -> dt.date | None:
        """End date plus the course's validity, for courses whose certificate expires."""
        months = self.rules.validity_months
        return add_months(self.session.end_date, months) if months else None


class Recipient(msgspec.Struct, frozen=True, kw_only=True):
    """One person to issue for, with what their certificate prints besides the number."""

    person_id: UUID
    holder: HolderSnapshot
    final_score: Decimal | None
    predikat: str | None
    code: str
    overrides: dict[str, Any] | None = None


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus ``months`` calendar months (31 January + 1 month = 28/29 February)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("Asia/Jakarta")


def jp_value(value: Decimal | int | str) -> int | Decimal:
    """JP as printed: 24 for 24.00, Decimal("7.5") for 7.50."""
    number = Decimal(str(value))
    return int(number) if number == number.to_integral_value() else number.normalize()


async def load_issue_context(
    session_id: UUID,
    *,
    store: FileStore,
    verify_base_url: str,
    signed: bool,
    now: dt.datetime | None = None,
) -> IssueContext:
    """The session, its frozen course rules and its issuer, for issuing now.

    Raises:
        NotFound: no such session.
        RuleViolation: results not finalized, the session's last day is not over in its time
            zone, or the issuer profile is missing.
    """
    session = await load_session(session_id)
    if session is None:
        raise NotFound(SESSION_NOT_FOUND)
    if session.finalized_at is None:
        raise RuleViolation(NOT_FINALIZED)
    issued_at = now or dt.datetime.now(dt.UTC)
    if not has_ended(session, issued_at):
        # A certificate issued on day 1 of a two-day session said "7-8 Desember", signed on
        # the 7th: it would certify days nobody has attended yet (a finalize override can
        # freeze results early; certificates still wait for the end).
        raise RuleViolation(
            f"Sesi baru berakhir {format_date(session.end_date)}: sertifikat diterbitkan "
            "setelah hari terakhir sesi."
        )
    rules = await session_rules(session_id)
    issuer = await resolve_issuer(session.unit_path, store)
    return IssueContext(
        session=session,
        rules=rules,
        issuer=issuer,
        issued_at=issued_at,
        issued_on=issued_at.astimezone(_zone(session.timezone)).date(),
        verify_base_url=verify_base_url.rstrip("/"),
        signed=signed,
    )


async def holders(person_ids: list[UUID]) -> dict[UUID, HolderSnapshot]:
    """How each person is printed now: name with titles, grouped NIP, pangkat, jabatan, unit."""
    found: dict[UUID, HolderSnapshot] = {}
    for start in range(0, len(person_ids), 500):
        rows = await Person.select(
            Person.id,
            Person.name,
            Person.front_title,
            Person.back_title,
            Person.nip,
            Person.asn_type,
            Person.golongan,
            Person.jabatan,
            Person.unit.name.as_alias("unit_name"),
        ).where(Person.id.is_in(person_ids[start : start + 500]))
        for row in rows:
            found[row["id"]] = HolderSnapshot(
                name_with_titles=full_name(row["name"], row["front_title"], row["back_title"]),
                nip_display=format_nip(row["nip"], row["asn_type"]) or None,
                pangkat_golongan=pangkat_golongan_display(row["golongan"], row["asn_type"]) or None,
                jabatan=(row["jabatan"] or "").strip() or None,
                unit_name=row["unit_name"] or None,
            )
    return found


async def already_issued(session_id: UUID, person_ids: list[UUID] | None = None) -> set[UUID]:
    """People holding any certificate of the session, whatever its status: issuing skips them.

    A revoked certificate counts too: a revocation takes the JP out of the ledger, and a
    re-run of issuance (API, job, ``lms certificates issue``) that handed the person a fresh
    valid certificate undid it silently (the verify page said SAH with 24 JP while the
    compliance report said 0). Undoing a revocation is explicit: an admin reinstates the
    certificate (the JP come back), or a re-issue supersedes it.
    """
    where: Any = Certificate.session_id == session_id
    if person_ids is not None:
        if not person_ids:
            return set()
        where = where & Certificate.person_id.is_in(person_ids)
    rows = await Certificate.select(Certificate.person_id).where(where)
    return {row["person_id"] for row in rows}


class Candidates(msgspec.Struct, kw_only=True):
    """The outcome of choosing whom to issue for."""

    recipients: list[Recipient]
    skipped: list[UUID]
    missing: list[UUID]
    """People asked for who did not pass the session (or whose person row is gone)."""


async def candidates(
    session_id: UUID,
    person_ids: list[UUID] | None,
    *,
    new_code: Any,
    skip_issued: bool = True,
) -> Candidates:
    """Passed participants of a finalized session (or the asked subset) to issue for.

    Args:
        session_id: the session.
        person_ids: only these people; ``None`` for everyone who passed.
        new_code: makes a verification code per recipient.
        skip_issued: leave out who already holds a certificate of the session.
    """
    passed = await passed_results(session_id)
    if person_ids is not None:
        wanted = set(person_ids)
        passed_ids = {r.person_id for r in passed}
        missing = [p for p in dict.fromkeys(person_ids) if p not in passed_ids]
        passed = [r for r in passed if r.person_id in wanted]
    else:
        missing = []
    skipped: set[UUID] = set()
    if skip_issued:
        skipped = await already_issued(session_id, [r.person_id for r in passed])
    todo = [r for r in passed if r.person_id not in skipped]
    printed = await holders([r.person_id for r in todo])
    recipients = []
    for result in todo:
        holder = printed.get(result.person_id)
        if holder is None:
            missing.append(result.person_id)
            continue
        recipients.append(
            Recipient(
                person_id=result.person_id,
                holder=holder,
                final_score=result.final_score,
                predikat=result.predikat or None,
                code=new_code(),
            )
        )
    return Candidates(recipients=recipients, skipped=sorted(skipped, key=str), missing=missing)


def number_for(ctx: IssueContext, seq: int) -> str:
    """The certificate number with sequence ``seq`` under the issuer's pattern."""
    return format_number(
        ctx.issuer.number_pattern,
        seq=seq,
        issued_on=ctx.issued_on,
        course_code=ctx.rules.code,
        unit_code=ctx.issuer.unit_code,
    )


def build_snapshot(ctx: IssueContext, recipient: Recipient, number: str) -> CertificateSnapshot:
    """Every printed field of one certificate (checked against the snapshot's constraints).

    Raises:
        msgspec.ValidationError: a printed field is missing or malformed.
        ValueError: an override names an unknown field.
    """
    session, issuer = ctx.session, ctx.issuer
    fields: dict[str, Any] = {
        "number": number,
        "verification_code": recipient.code,
        "verify_url": f"{ctx.verify_base_url}/verify/{recipient.code}",
        "holder": msgspec.to_builtins(recipient.holder),
        "course_title": ctx.rules.title,
        "session_name": session.name or None,
        "organizer_name": issuer.organizer_name,
        "government_name": issuer.government_name,
        "start_date": session.start_date,
        "end_date": session.end_date,
        "place": session.city or issuer.city,
        "venue": session.venue or None,
        "jp": jp_value(ctx.rules.total_jp),
        "predikat": recipient.predikat,
        "final_score": recipient.final_score,
        "modules": [{"title": m.title, "jp": jp_value(m.jp)} for m in ctx.rules.modules],
        "issued_place_date": format_place_date(issuer.city, ctx.issued_on),
        "signer_name": issuer.signer_name,
        "signer_jabatan": issuer.signer_jabatan,
        "signer_pangkat": issuer.signer_pangkat,
        "signer_nip_display": issuer.signer_nip_display,
        "signature_image": issuer.signature_image,
        "logo": issuer.logo,
        "valid_until": ctx.valid_until,
        "footer_note": SIGNED_NOTE if ctx.signed else None,
    }
    for name, value in (recipient.overrides or {}).items():
        if name not in fields:
            raise ValueError(f"kolom sertifikat tidak dikenal: {name}")
        if name == "holder" and isinstance(value, dict):
            fields["holder"] = {**fields["holder"], **value}
        else:
            fields[name] = value
    return msgspec.convert(fields, CertificateSnapshot)


def stored_form(ctx: IssueContext, snapshot: CertificateSnapshot) -> tuple[str, dict[str, str]]:
    """The snapshot as kept in the row (JSON without the images) and the images' hashes.

    The images are the same for every certificate of a unit and kept once in the file store
    (``assets`` names them by hash); repeating them would add tens of KiB to each of thousands
    of rows.
    """
    assets = {}
    if snapshot.logo and snapshot.logo == ctx.issuer.logo:
        assets["logo"] = ctx.issuer.logo_sha256
    if snapshot.signature_image and snapshot.signature_image == ctx.issuer.signature_image:
        assets["signature_image"] = ctx.issuer.signature_sha256
    bare = msgspec.structs.replace(snapshot, logo=None, signature_image=None)
    return msgspec.json.encode(bare).decode(), assets

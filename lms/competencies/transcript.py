"""A person's transcript: every approved learning event by year, totals against the target,
and the competencies developed; as JSON and as a PDF with one page per year.

Only approved entries appear (pending, rejected and revoked ones are not part of the
record). The yearly total and the target follow :mod:`lms.competencies.jp`, with the JP rules
of the settings. Visible to the person themselves, HR and organizers of their unit or above,
and admins; anyone else gets 404.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import msgspec

from lms.auth.caller import Caller
from lms.competencies.framework import competency_names
from lms.competencies.jp import JpPolicy, jp_status
from lms.competencies.pdf import render_pdf
from lms.competencies.schemas import (
    JENIS_DIKLAT,
    EarnedCompetency,
    Transcript,
    TranscriptEvent,
    TranscriptIdentity,
    TranscriptYear,
)
from lms.competencies.scope import PersonRef, kop_for_path, load_person, visible_person
from lms.competencies.tables import LearningRecord
from lms.competencies.totals import to_jp
from lms.competencies.transcript_copies import (
    TranscriptCheck,
    find_copy,
    record_copy,
    summary_of,
)
from lms.config import Settings
from lms.people.golongan import pangkat_golongan_display
from lms.people.nip import format_nip
from lms.shared.errors import NotFound
from lms.shared.indonesian import format_date, format_date_range, format_place_date, full_name
from lms.shared.letterhead import LetterheadSource
from lms.shared.qr import qr_data_uri
from lms.shared.values import cents, utcnow


def jp_policy(settings: Settings) -> JpPolicy:
    """The JP rules configured by ``LMS_PNS_MIN_JP``, ``LMS_PPPK_MIN_JP``, ``LMS_PPPK_MAX_JP``."""
    return JpPolicy(
        pns_min_jp=settings.pns_min_jp,
        pppk_min_jp=settings.pppk_min_jp,
        pppk_max_jp=settings.pppk_max_jp,
        jp_minutes=settings.jp_minutes,
    )


def _identity(person: PersonRef) -> TranscriptIdentity:
    return TranscriptIdentity(
        person_id=person.id,
        name=full_name(person.name, person.front_title, person.back_title),
        nip=person.nip,
        nip_display=format_nip(person.nip, person.asn_type),
        asn_type=person.asn_type,
        pangkat_golongan=pangkat_golongan_display(person.golongan, person.asn_type),
        jabatan=person.jabatan,
        unit_id=person.unit_id,
        unit_name=person.unit_name,
    )


def _event(row: dict[str, Any]) -> TranscriptEvent:
    return TranscriptEvent(
        record_id=row["id"],
        title=row["title"],
        organizer=row["organizer"],
        source=row["source"],
        jenis_diklat=row["jenis_diklat"],
        jenis_diklat_name=JENIS_DIKLAT.get(row["jenis_diklat"], ""),
        klasikal=bool(row["klasikal"]),
        start_date=row["start_date"],
        end_date=row["end_date"],
        jp=cents(to_jp(row["jp"])),
        certificate_number=row["certificate_number"],
        competency_codes=list(row["competency_codes"] or []),
    )


class TranscriptService:
    """Builds transcripts."""

    def __init__(self, settings: Settings, letterhead: LetterheadSource | None = None) -> None:
        self.settings = settings
        self.letterhead = letterhead

    async def transcript(self, caller: Caller, person_id: UUID) -> Transcript:
        """The person's transcript.

        Raises:
            NotFound: unknown person, or not visible to the caller.
        """
        return await self._build(await visible_person(caller, person_id))

    async def _build(self, person: PersonRef) -> Transcript:
        """The transcript of ``person`` (no scope check: callers check first)."""
        person_id = person.id
        rows = await (
            LearningRecord.select()
            .where((LearningRecord.person == person_id) & (LearningRecord.status == "approved"))
            .order_by(LearningRecord.end_date)
            .order_by(LearningRecord.title)
            .output(load_json=True)
        )
        codes = {code for row in rows for code in (row["competency_codes"] or [])}
        names = await competency_names(codes)
        policy = jp_policy(self.settings)
        by_year: dict[int, list[dict[str, Any]]] = {}
        for row in rows:
            by_year.setdefault(row["year"], []).append(row)
        years = []
        grand_total = Decimal("0.00")
        for year, year_rows in sorted(by_year.items()):
            total = sum((to_jp(r["jp"]) for r in year_rows), Decimal("0.00"))
            grand_total += total
            status = jp_status(total, person.asn_type, policy)
            year_codes = {c for r in year_rows for c in (r["competency_codes"] or [])}
            years.append(
                TranscriptYear(
                    year=year,
                    events=[_event(r) for r in year_rows],
                    total_jp=cents(total),
                    target_jp=_target(status.target_jp),
                    compliant=status.compliant,
                    shortfall_jp=cents(status.shortfall_jp),
                    above_max=status.above_max,
                    competencies=_earned(year_codes, names),
                )
            )
        return Transcript(
            identity=_identity(person),
            years=years,
            total_jp=cents(grand_total),
            competencies=_earned(codes, names),
            generated_at=utcnow(),
        )

    async def pdf(self, caller: Caller, person_id: UUID) -> bytes:
        """The transcript as a PDF, one A4 page per year (the current year when empty), under
        the kop of the person's office and signed (by name) by its head, from the issuer
        profile; without a profile, the unit's names and no signature block."""
        transcript = await self.transcript(caller, person_id)
        today = transcript.generated_at.astimezone(ZoneInfo(self.settings.timezone)).date()
        years = transcript.years or [_empty_year(today.year, transcript, self.settings)]
        person = await load_person(person_id)
        head = None
        if self.letterhead is not None and person is not None and person.unit_path:
            head = await self.letterhead(person.unit_path)
        kop = (
            [head.government_name.upper(), head.office_name.upper()]
            if head is not None
            else await kop_for_path(person.unit_path if person else "")
        )
        office = head.office_name if head is not None else transcript.identity.unit_name
        code = await record_copy(person_id, summary_of(transcript, office))
        check_url = f"{self.settings.public_base_url.rstrip('/')}/transkrip/{code}"
        return await render_pdf(
            "transcript.html",
            {
                "kop": [line for line in kop if line],
                "head": head,
                "place_date": format_place_date(head.city, today) if head and head.city else "",
                "t": transcript,
                "years": years,
                "periods": {
                    y.year: [format_date_range(e.start_date, e.end_date) for e in y.events]
                    for y in years
                },
                "printed": format_date(today),
                "check_code": code,
                "check_url": check_url,
                "check_qr": qr_data_uri(check_url),
                "jp_minutes": self.settings.jp_minutes,
            },
        )


def _target(target_jp: int | None) -> Decimal | None:
    return cents(target_jp) if target_jp is not None else None


async def check_copy(settings: Settings, code: str) -> TranscriptCheck:
    """A printed transcript by the code under its QR code, and whether the person's record
    still says the same (see :mod:`lms.competencies.transcript_copies`).

    Raises:
        NotFound: no transcript was printed with this code (the same answer for any text).
    """
    found = await find_copy(code)
    if found is None:
        raise NotFound("Transkrip tidak ditemukan")
    person_id, copy = found
    person = await load_person(person_id)
    current = False
    if person is not None:
        now = summary_of(await TranscriptService(settings)._build(person), copy.summary.office)
        current = now == copy.summary
    return msgspec.structs.replace(copy, current=current)


def _empty_year(year: int, transcript: Transcript, settings: Settings) -> TranscriptYear:
    status = jp_status(Decimal(0), transcript.identity.asn_type, jp_policy(settings))
    return TranscriptYear(
        year=year,
        events=[],
        total_jp=cents(0),
        target_jp=_target(status.target_jp),
        compliant=status.compliant,
        shortfall_jp=cents(status.shortfall_jp),
        above_max=False,
        competencies=[],
    )


def _earned(codes: set[str], names: dict[str, str]) -> list[EarnedCompetency]:
    return [EarnedCompetency(code=c, name=names.get(c, c)) for c in sorted(codes)]

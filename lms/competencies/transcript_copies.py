"""Printed transcripts and their public check: the QR code on a transcript PDF opens
``/transkrip/{code}``, which shows what that paper says and whether the record still says it.

Thought through as an attacker would:

- The code is random (80 bits, ``lms.shared.codes``), never the person's id or NIP: nothing to
  enumerate, and the page answers an unknown code and a malformed one with the same 404.
- The page shows what the transcript's reader already holds on paper, and less: the name,
  the NIP masked as on the certificate verify page (birth year and sequence), the office,
  and per year the JP total and the events (title, organizer, end date, JP). No pangkat,
  jabatan, unit path, person id, competencies or certificate numbers.
- What it shows is frozen at print (``TranscriptCopy.summary``): a later record does not
  leak through an old paper. When the record changed since (a revoked certificate took its
  JP away, a new event came), the page says so, without saying what changed.
- The route is rate limited per address like the certificate verify routes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any
from uuid import UUID, uuid4

import msgspec

from lms.competencies.schemas import Transcript
from lms.competencies.tables import TranscriptCopy
from lms.db.dialect import is_unique_violation
from lms.people.nip import mask_nip
from lms.shared.codes import lookup_forms, new_verification_code
from lms.shared.values import utcnow

#: How often a fresh code is drawn when one is already taken (80 bits: never, in practice).
_CODE_TRIES = 5


class CopyEvent(msgspec.Struct, frozen=True, kw_only=True):
    """One learning event as the public page lists it."""

    title: str
    organizer: str
    end_date: dt.date
    jp: str


class CopyYear(msgspec.Struct, frozen=True, kw_only=True):
    """One year of a printed transcript: its JP total and events."""

    year: int
    total_jp: str
    events: list[CopyEvent]


class CopySummary(msgspec.Struct, frozen=True, kw_only=True):
    """What a printed transcript's public page shows (frozen at print)."""

    name: str
    nip_masked: str
    office: str
    total_jp: str
    years: list[CopyYear]


class TranscriptCheck(msgspec.Struct, frozen=True, kw_only=True):
    """A printed transcript found by its code: what it says, when it was printed, and whether
    the person's record still says the same."""

    code: str
    printed_at: dt.datetime
    summary: CopySummary
    current: bool


def summary_of(transcript: Transcript, office: str) -> CopySummary:
    """The public part of ``transcript`` (see the module's notes)."""
    identity = transcript.identity
    return CopySummary(
        name=identity.name,
        nip_masked=mask_nip(identity.nip, identity.asn_type),
        office=office,
        total_jp=f"{transcript.total_jp:.2f}",
        years=[
            CopyYear(
                year=year.year,
                total_jp=f"{year.total_jp:.2f}",
                events=[
                    CopyEvent(
                        title=e.title, organizer=e.organizer, end_date=e.end_date, jp=f"{e.jp:.2f}"
                    )
                    for e in year.events
                ],
            )
            for year in transcript.years
        ],
    )


def digest_of(summary: CopySummary) -> str:
    """The SHA-256 of the summary's canonical JSON (same content, same digest)."""
    return hashlib.sha256(msgspec.json.encode(summary)).hexdigest()


async def record_copy(person_id: UUID, summary: CopySummary) -> str:
    """The verification code of this printed content: the copy printed before with the same
    content, or a new one."""
    digest = digest_of(summary)
    key = f"{person_id}:{digest}"
    existing = (
        await TranscriptCopy.select(TranscriptCopy.code)
        .where(TranscriptCopy.natural_key == key)
        .first()
    )
    if existing is not None:
        return str(existing["code"])
    for _ in range(_CODE_TRIES):
        code = new_verification_code()
        try:
            async with TranscriptCopy._meta.db.transaction():
                again = (
                    await TranscriptCopy.select(TranscriptCopy.code)
                    .where(TranscriptCopy.natural_key == key)
                    .first()
                )
                if again is not None:
                    return str(again["code"])
                await TranscriptCopy.insert(
                    TranscriptCopy(
                        id=uuid4(),
                        code=code,
                        person=person_id,
                        summary=msgspec.to_builtins(summary),
                        digest=digest,
                        natural_key=key,
                        printed_at=utcnow(),
                    )
                )
            return code
        except Exception as exc:  # a code drawn twice: draw again
            if not is_unique_violation(exc):
                raise
    raise RuntimeError("no free verification code")  # pragma: no cover - 80 random bits


async def find_copy(text: str) -> tuple[UUID, TranscriptCheck] | None:
    """The copy a typed or scanned code names (case, spaces and dashes forgiven), with its
    person's id for the caller to compare against the current record; ``None`` if unknown."""
    if len(text) > 64:
        return None
    for form in lookup_forms(text):
        row = (
            await TranscriptCopy.select(
                TranscriptCopy.code,
                TranscriptCopy.person,
                TranscriptCopy.summary,
                TranscriptCopy.digest,
                TranscriptCopy.printed_at,
            )
            .where(TranscriptCopy.code == form)
            .first()
        )
        if row is not None:
            raw: Any = row["summary"]
            summary = msgspec.convert(
                json.loads(raw) if isinstance(raw, str) else raw, CopySummary, strict=False
            )
            return row["person"], TranscriptCheck(
                code=row["code"],
                printed_at=row["printed_at"],
                summary=summary,
                current=True,
            )
    return None

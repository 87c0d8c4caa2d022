"""Request and response bodies of the competency routes: framework, ledger, reports, SKM.

JP, NRR and IKM are computed with ``Decimal`` (exact) and answered, like every figure of the
API, as decimal strings: JP, percentages and IKM with two decimals (``"19.50"``, ``"77.22"``),
NRR and SKM (1–4 means) with four (``"3.0889"``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal
from uuid import UUID

import msgspec

from lms.shared.schemas import Input, NonEmptyStr, Output

SkmElement = Literal["U1", "U2", "U3", "U4", "U5", "U6", "U7", "U8", "U9"]
JenisDiklatId = Annotated[int, msgspec.Meta(ge=1, le=10)]
Text1000 = Annotated[str, msgspec.Meta(max_length=1000)]
Title = Annotated[str, msgspec.Meta(min_length=1, max_length=500)]
CertificateNumber = Annotated[str, msgspec.Meta(max_length=128)]
CompetencyCode = Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9][A-Za-z0-9._\-/]{0,31}$")]
"""A competency code as stored (``Competency.code`` is 32 characters)."""

JENIS_DIKLAT: dict[int, str] = {
    1: "Struktural",
    2: "Fungsional",
    3: "Teknis",
    4: "Workshop",
    5: "Manajerial",
    6: "Sosial Kultural",
    7: "Sosialisasi",
    8: "Bimbingan Teknis",
    9: "Seminar",
    10: "Magang",
}
"""SIASN ``jenisDiklatId`` values (DOMAIN.md, from open-source SDKs, not BKN documents); the
catalogue labels a course's ``jenis_diklat`` with them too."""

MAX_RECORD_JP = Decimal(1000)


# --- Competency framework ------------------------------------------------------------------


class CompetencyLevel(Input):
    """One proficiency level of a competency (1 = the most basic)."""

    level: Annotated[int, msgspec.Meta(ge=1, le=10)]
    name: NonEmptyStr
    description: Text1000 = ""


class CompetencyCreate(Input):
    """A new competency; ``code`` is stored upper-case and must be unique."""

    code: CompetencyCode
    name: NonEmptyStr
    description: Annotated[str, msgspec.Meta(max_length=2000)] = ""
    levels: list[CompetencyLevel] = []
    skm_elements: list[SkmElement] = []

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise ValueError("Nama kompetensi wajib diisi")
        if len(set(self.skm_elements)) != len(self.skm_elements):
            raise ValueError("Unsur SKM tidak boleh berulang")
        numbers = [level.level for level in self.levels]
        if len(set(numbers)) != len(numbers):
            raise ValueError("Nomor tingkat kemahiran tidak boleh berulang")


class CompetencyRead(Output):
    """A competency of the framework."""

    id: UUID
    code: str
    name: str
    description: str
    levels: list[CompetencyLevel]
    skm_elements: list[str]
    created_at: dt.datetime


class RowProblem(Output):
    """A rejected row of an uploaded file, with its spreadsheet row number."""

    row_number: int
    errors: list[str]


class CompetencyImportReport(Output):
    """What a framework import did: new codes, updated codes, rejected rows."""

    created: list[str]
    updated: list[str]
    rejected: list[RowProblem]


# --- JP ledger -----------------------------------------------------------------------------


def _check_jp(jp: Decimal) -> None:
    if not jp.is_finite() or jp <= 0 or jp > MAX_RECORD_JP:
        raise ValueError("JP harus lebih dari 0 dan paling banyak 1000")
    exponent = jp.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        raise ValueError("JP paling banyak dua angka di belakang koma")


class LearningRecordCreate(Input):
    """Training done elsewhere, recorded by HR (approved at once) or by the person (pending).

    Give either ``jp`` or ``minutes`` (converted at 45 minutes per JP, or the configured
    length, rounded half-up to 2 decimals).
    """

    title: Title
    organizer: NonEmptyStr
    jenis_diklat: JenisDiklatId
    start_date: dt.date
    end_date: dt.date
    klasikal: bool = True
    jp: Decimal | None = None
    minutes: Annotated[int, msgspec.Meta(gt=0, le=45_000)] | None = None
    certificate_number: CertificateNumber = ""
    competency_codes: Annotated[list[CompetencyCode], msgspec.Meta(max_length=50)] = []
    note: Text1000 = ""

    def __post_init__(self) -> None:
        if not self.title.strip() or not self.organizer.strip():
            raise ValueError("Judul dan penyelenggara wajib diisi")
        if self.end_date < self.start_date:
            raise ValueError("Tanggal selesai tidak boleh sebelum tanggal mulai")
        if (self.jp is None) == (self.minutes is None):
            raise ValueError("Isi salah satu: jp atau minutes")
        if self.jp is not None:
            _check_jp(self.jp)


class LearningRecordRead(Output):
    """One entry of a person's JP ledger."""

    id: UUID
    person_id: UUID
    source: str
    source_ref: str
    title: str
    organizer: str
    jenis_diklat: int
    jenis_diklat_name: str
    klasikal: bool
    start_date: dt.date
    end_date: dt.date
    year: int
    jp: Decimal
    certificate_number: str
    competency_codes: list[str]
    status: str
    status_reason: str
    note: str
    proof_filename: str
    proof_sha256: str
    created_at: dt.datetime
    decided_at: dt.datetime | None


class LearningRecordDecision(Input):
    """HR's decision on a record; a rejection says why."""

    decision: Literal["approve", "reject"]
    note: Text1000 = ""

    def __post_init__(self) -> None:
        if self.decision == "reject" and not self.note.strip():
            raise ValueError("Alasan penolakan wajib diisi")


# --- Transcript ----------------------------------------------------------------------------


class TranscriptIdentity(Output):
    """Who the transcript is about, as printed."""

    person_id: UUID
    name: str
    nip: str | None
    nip_display: str
    asn_type: str
    pangkat_golongan: str
    jabatan: str
    unit_id: UUID | None
    unit_name: str


class TranscriptEvent(Output):
    """One approved learning event."""

    record_id: UUID
    title: str
    organizer: str
    source: str
    jenis_diklat: int
    jenis_diklat_name: str
    klasikal: bool
    start_date: dt.date
    end_date: dt.date
    jp: Decimal
    certificate_number: str
    competency_codes: list[str]


class EarnedCompetency(Output):
    """A competency some approved event of the period developed."""

    code: str
    name: str


class TranscriptYear(Output):
    """One year of the transcript: events, total against target, competencies."""

    year: int
    events: list[TranscriptEvent]
    total_jp: Decimal
    target_jp: Decimal | None
    compliant: bool | None
    shortfall_jp: Decimal
    above_max: bool
    competencies: list[EarnedCompetency]


class Transcript(Output):
    """A person's learning record, one entry per year with approved learning."""

    identity: TranscriptIdentity
    years: list[TranscriptYear]
    total_jp: Decimal
    competencies: list[EarnedCompetency]
    generated_at: dt.datetime

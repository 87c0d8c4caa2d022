"""Bodies of the report and survey routes: JP compliance, SIASN export, SKM surveys and the
training-impact report (figures as decimal strings, see :mod:`lms.competencies.schemas`)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated
from uuid import UUID

import msgspec

from lms.competencies.schemas import RowProblem
from lms.shared.schemas import Input, Output

Period = Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9][A-Za-z0-9 ._\-/]{0,31}$")]
"""A survey period name as stored (``2025-S1``, ``2026-TW3``; ``SkmSurvey.period`` is 32)."""


# --- Compliance ----------------------------------------------------------------------------


class GroupCompliance(Output):
    """One ASN group (PNS, PPPK, or both) of a unit and its sub-units.

    ``reached``, ``below`` and ``share_percent`` are ``None`` when no target applies (PPPK
    with ``LMS_PPPK_MIN_JP`` unset); ``share_percent`` is also ``None`` with no headcount.
    """

    headcount: int
    reached: int | None
    below: int | None
    share_percent: Decimal | None
    jp_total: Decimal


class UnitCompliance(Output):
    """A unit with everything below it rolled up."""

    unit_id: UUID | None
    code: str
    name: str
    parent_id: UUID | None
    depth: int
    pns: GroupCompliance
    pppk: GroupCompliance
    all: GroupCompliance
    pppk_above_max: int


class BelowTarget(Output):
    """A person short of their yearly JP target."""

    person_id: UUID
    nip: str | None
    nip_display: str
    name: str
    asn_type: str
    jabatan: str
    unit_id: UUID
    unit_name: str
    jp: Decimal
    target_jp: Decimal
    shortfall_jp: Decimal


class JpTargets(Output):
    """The JP rules the report applied."""

    pns_min_jp: Decimal
    pppk_min_jp: Decimal | None
    pppk_max_jp: Decimal | None


class ComplianceReport(Output):
    """The 20-JP compliance of a unit and its sub-units for one year."""

    year: int
    targets: JpTargets
    summary: UnitCompliance
    units: list[UnitCompliance]
    below_target: list[BelowTarget]
    below_target_total: int
    below_target_limit: int
    below_target_offset: int


# --- SIASN ---------------------------------------------------------------------------------


class SiasnRecord(Output):
    """One "riwayat kursus" row as SIASN integrations send it (field names as SIASN's)."""

    nip: str
    jenisDiklatId: int
    namaKursus: str
    institusiPenyelenggara: str
    jumlahJam: int
    nomorSertipikat: str
    tahunKursus: int
    tanggalKursus: str
    tanggalSelesaiKursus: str


class SiasnExport(Output):
    """The export: rows, their count, and certificates left out for want of a NIP."""

    items: list[SiasnRecord]
    total: int
    skipped_without_nip: int


# --- SKM / IKM -----------------------------------------------------------------------------


class SkmElementScore(Output):
    """One element of a survey: how many answered, its NRR (1–4) and NRR x 25."""

    code: str
    name: str
    answered: int
    nrr: Decimal
    ikm: Decimal


class SkmSample(Output):
    """Whether the respondents meet PermenPANRB 14/2017's minimum for the unit's population
    (Krejcie-Morgan); ``sufficient`` is ``null`` while the unit's population is not set."""

    population: int | None
    minimum: int | None
    respondents: int
    sufficient: bool | None
    message: str


class SkmPopulation(Output):
    """A unit's SKM population: service users per survey period (``null``: not set)."""

    unit_id: UUID
    population: int | None


class SkmPopulationWrite(Input):
    """Set (or clear with ``null``) the unit's SKM population."""

    population: Annotated[int, msgspec.Meta(ge=1, le=100_000_000)] | None


class SkmSurveyRead(Output):
    """A unit's survey for one period with its index and whether its sample suffices."""

    id: UUID
    unit_id: UUID
    unit_code: str
    unit_name: str
    period: str
    period_start: dt.date | None
    period_end: dt.date | None
    respondents: int
    elements: list[SkmElementScore]
    skm: Decimal
    ikm: Decimal
    category: str
    category_label: str
    created_at: dt.datetime
    sample: SkmSample


class SkmRespondent(Input):
    """One respondent's answers to U1..U9 (1–4; ``null`` for an unanswered element)."""

    answers: list[int | None]
    respondent: Annotated[str, msgspec.Meta(max_length=64)] = ""
    service: Annotated[str, msgspec.Meta(max_length=255)] = ""
    answered_on: dt.date | None = None


class SkmSurveyCreate(Input):
    """A survey sent as JSON: one unit, one period, the respondents' answers."""

    unit_id: UUID
    period: Period
    responses: Annotated[list[SkmRespondent], msgspec.Meta(min_length=1, max_length=50_000)]
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    replace: bool = False

    def __post_init__(self) -> None:
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValueError("Akhir periode tidak boleh sebelum awal periode")


class SkmUploadResult(Output):
    """What a survey upload saved and which rows it rejected (those rows are not counted)."""

    unit_id: UUID
    surveys: list[SkmSurveyRead]
    accepted_rows: int
    rejected_rows: list[RowProblem]


# --- Training impact -----------------------------------------------------------------------


class ImpactPeriod(Output):
    """One survey period of the unit beside the training its staff had finished by then."""

    period: str
    period_start: dt.date | None
    period_end: dt.date | None
    respondents: int
    ikm: Decimal
    category: str
    category_label: str
    u6_nrr: Decimal
    u6_ikm: Decimal
    u7_nrr: Decimal
    u7_ikm: Decimal
    elements: list[SkmElementScore]
    staff: int
    trained_staff: int | None
    trained_share_percent: Decimal | None
    sample: SkmSample


class ImpactChange(Output):
    """First period against last: how far the index and the trained staff moved."""

    from_period: str
    to_period: str
    ikm_change: Decimal
    u6_nrr_change: Decimal
    u7_nrr_change: Decimal
    trained_staff_change: int | None


class TrainingImpactReport(Output):
    """Service quality (SKM) against service-excellence training, period by period."""

    unit_id: UUID
    unit_code: str
    unit_name: str
    training_definition: str
    service_competency_codes: list[str]
    periods: list[ImpactPeriod]
    change: ImpactChange | None

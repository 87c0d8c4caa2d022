"""Request and response bodies of the course catalogue, and the rules other features read.

Decimals (JP, marks, weights) travel as JSON strings ("24.00") in responses, msgspec's default,
so no score or JP is ever rounded by a float; requests accept numbers or strings.
msgspec cannot put ``Meta`` bounds on ``Decimal``, so ranges are checked in ``__post_init__``
(a ``ValueError`` there is a 400 naming the field, like any other malformed input).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal
from uuid import UUID

import msgspec

from lms.shared.schemas import Code, Input, NonEmptyStr, Output
from lms.shared.values import CENT

COMPONENTS: tuple[str, ...] = (
    "attendance",
    "post_test",
    "trainer_assessment",
    "assignment",
    "project",
)
"""Final-score components a course may weigh. ``attendance`` is the attendance percentage,
``post_test`` the post-test score, ``trainer_assessment`` the trainer's mark, ``assignment``
and ``project`` hand-entered marks (``courses.results`` reads them)."""

TrainingType = Literal["klasikal", "nonklasikal"]
JenisDiklat = Annotated[int, msgspec.Meta(ge=1, le=10)]
ValidityMonths = Annotated[int, msgspec.Meta(ge=1, le=600)]
CompetencyCode = Annotated[str, msgspec.Meta(min_length=1, max_length=32)]
Label = Annotated[str, msgspec.Meta(min_length=1, max_length=32)]
Description = Annotated[str, msgspec.Meta(max_length=20_000)]

_HUNDRED = Decimal(100)


def check_decimal(
    value: Decimal, field: str, *, low: Decimal, high: Decimal, low_open: bool = False
) -> None:
    """Raise ``ValueError`` unless ``value`` is finite, in range and has at most 2 decimals.

    Why 2 decimals: the columns are ``Numeric(.., 2)``; silently rounding "70.005" would store a
    pass mark the organizer never typed.
    """
    if not value.is_finite():
        raise ValueError(f"{field}: harus bilangan")
    if value < low or (low_open and value == low) or value > high:
        bound = f"lebih dari {low}" if low_open else f"paling kecil {low}"
        raise ValueError(f"{field}: harus {bound} dan paling besar {high}")
    if value != value.quantize(CENT):
        raise ValueError(f"{field}: paling banyak 2 angka di belakang koma")


class PredikatBand(Input):
    """One band: a final score at or above ``min_score`` earns ``label``."""

    min_score: Decimal
    label: Label

    def __post_init__(self) -> None:
        check_decimal(self.min_score, "min_score", low=Decimal(0), high=_HUNDRED)


DEFAULT_PREDIKAT_BANDS: tuple[PredikatBand, ...] = (
    PredikatBand(min_score=Decimal("90.01"), label="Sangat Memuaskan"),
    PredikatBand(min_score=Decimal("80.01"), label="Memuaskan"),
    PredikatBand(min_score=Decimal("70.01"), label="Cukup Memuaskan"),
    PredikatBand(min_score=Decimal("60.01"), label="Kurang Memuaskan"),
    PredikatBand(min_score=Decimal("0"), label="Tidak Memuaskan"),
)
"""LAN's practice (DESIGN section 5); only 70.01 is sourced, so courses may set their own."""


class ModuleInput(Input):
    """A module (mata pelatihan). On update, give ``id`` to keep an existing module (agenda
    items point at it); modules without ``id`` are new."""

    title: NonEmptyStr
    jp: Decimal
    competency_codes: list[CompetencyCode] = []
    id: UUID | None = None

    def __post_init__(self) -> None:
        check_decimal(self.jp, "jp", low=Decimal(0), high=Decimal(1000), low_open=True)


class _RulesInput(Input):
    """Shared checks of the rule fields (weights are checked by the service: 422, not 400)."""

    def _check_rules(self) -> None:
        for field in ("pass_mark", "min_attendance"):
            value = getattr(self, field)
            if isinstance(value, Decimal):
                check_decimal(value, field, low=Decimal(0), high=_HUNDRED)
        weights = getattr(self, "weights", msgspec.UNSET)
        if isinstance(weights, dict):
            for name, weight in weights.items():
                check_decimal(weight, f"weights.{name}", low=Decimal(0), high=_HUNDRED)


class CourseCreate(_RulesInput):
    """A new course. ``unit_id`` defaults to the organizer's own unit."""

    code: Code
    title: NonEmptyStr
    modules: Annotated[list[ModuleInput], msgspec.Meta(min_length=1, max_length=100)]
    pass_mark: Decimal
    min_attendance: Decimal
    weights: dict[str, Decimal]
    description: Description = ""
    training_type: TrainingType = "klasikal"
    jenis_diklat: JenisDiklat = 3
    predikat_bands: list[PredikatBand] | None = None
    validity_months: ValidityMonths | None = None
    competency_codes: list[CompetencyCode] = []
    unit_id: UUID | None = None
    active: bool = True

    def __post_init__(self) -> None:
        self._check_rules()


class CourseUpdate(_RulesInput):
    """A partial edit; ``modules`` replaces the whole list (keep modules by ``id``)."""

    code: Code | msgspec.UnsetType = msgspec.UNSET
    title: NonEmptyStr | msgspec.UnsetType = msgspec.UNSET
    description: Description | msgspec.UnsetType = msgspec.UNSET
    training_type: TrainingType | msgspec.UnsetType = msgspec.UNSET
    jenis_diklat: JenisDiklat | msgspec.UnsetType = msgspec.UNSET
    modules: (
        Annotated[list[ModuleInput], msgspec.Meta(min_length=1, max_length=100)] | msgspec.UnsetType
    ) = msgspec.UNSET
    pass_mark: Decimal | msgspec.UnsetType = msgspec.UNSET
    min_attendance: Decimal | msgspec.UnsetType = msgspec.UNSET
    weights: dict[str, Decimal] | msgspec.UnsetType = msgspec.UNSET
    predikat_bands: list[PredikatBand] | msgspec.UnsetType = msgspec.UNSET
    validity_months: ValidityMonths | None | msgspec.UnsetType = msgspec.UNSET
    competency_codes: list[CompetencyCode] | msgspec.UnsetType = msgspec.UNSET
    active: bool | msgspec.UnsetType = msgspec.UNSET

    def __post_init__(self) -> None:
        self._check_rules()


class ModuleRead(Output):
    """A module as stored."""

    id: UUID
    position: int
    title: str
    jp: Decimal
    competency_codes: list[str]


class RuleProblem(Output):
    """A rule of a saved course that the current checks would refuse (``field``, and why in
    Indonesian): a course saved before the check came keeps working but says so."""

    field: str
    message: str


class CourseRead(Output):
    """A course with its modules and rules. ``rule_problems`` lists rules that disagree (a
    pass mark inside a predikat band, saved before that was refused); empty when all agree."""

    id: UUID
    code: str
    title: str
    description: str
    training_type: str
    jenis_diklat: int
    jenis_diklat_label: str
    unit_id: UUID
    unit_name: str
    pass_mark: Decimal
    min_attendance: Decimal
    weights: dict[str, Decimal]
    predikat_bands: list[PredikatBand]
    validity_months: int | None
    competency_codes: list[str]
    modules: list[ModuleRead]
    total_jp: Decimal
    version: int
    active: bool
    created_at: dt.datetime
    updated_at: dt.datetime
    rule_problems: list[RuleProblem] = msgspec.field(default_factory=list)


class ModuleRule(msgspec.Struct, frozen=True, kw_only=True):
    """A module as the rules snapshot keeps it."""

    id: UUID
    position: int
    title: str
    jp: Decimal
    competency_codes: list[str] = []


class CourseRules(msgspec.Struct, frozen=True, kw_only=True):
    """Everything a result, a certificate or a ledger entry is computed from.

    ``courses.results`` stores ``msgspec.to_builtins(rules)`` when it finalizes a session, so a
    later edit of the course (which bumps ``version``) never changes a past result. Read it
    back with ``msgspec.convert(snapshot, CourseRules)``.

    Attributes:
        weights: Component → weight in percent; the weights sum to exactly 100.
        predikat_bands: Highest ``min_score`` first; the last band starts at 0.
        total_jp: Sum of the modules' JP.
    """

    course_id: UUID
    version: int
    code: str
    title: str
    training_type: str
    jenis_diklat: int
    pass_mark: Decimal
    min_attendance: Decimal
    weights: dict[str, Decimal]
    predikat_bands: list[PredikatBand]
    total_jp: Decimal
    modules: list[ModuleRule]
    validity_months: int | None = None
    competency_codes: list[str] = []

    def predikat(self, final_score: Decimal) -> str:
        """The label of the band ``final_score`` falls in (bands are checked high to low)."""
        return predikat_for(self.predikat_bands, final_score)


def predikat_for(bands: list[PredikatBand] | tuple[PredikatBand, ...], score: Decimal) -> str:
    """The label of the highest band whose ``min_score`` the score reaches ("" if none)."""
    for band in sorted(bands, key=lambda b: b.min_score, reverse=True):
        if score >= band.min_score:
            return band.label
    return ""

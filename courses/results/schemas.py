"""Request and response bodies of final results, component scores and amendments.

Scores travel as decimal strings with 2 decimals ("88.50"); requests accept numbers or strings.
msgspec cannot bound a ``Decimal`` with ``Meta``, so ranges are checked in ``__post_init__``
(a ``ValueError`` there is a 400 naming the field).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec

from courses.catalogue.schemas import PredikatBand, check_decimal
from lms.shared.schemas import Input, Output

ZERO = Decimal(0)
HUNDRED = Decimal(100)
Reason = Annotated[str, msgspec.Meta(min_length=3, max_length=2_000)]
ComponentName = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]


class ComponentScoreInput(Input):
    """A hand-entered score (0–100, 2 decimals) of one component for one participant."""

    person_id: UUID
    component: ComponentName
    score: Decimal

    def __post_init__(self) -> None:
        check_decimal(self.score, "score", low=ZERO, high=HUNDRED)


ComponentScoreBatch = Annotated[list[ComponentScoreInput], msgspec.Meta(max_length=1_000)]


class ComponentScoreRead(Output):
    """A stored component score."""

    person_id: UUID
    component: str
    score: Decimal
    entered_by: UUID | None
    entered_at: dt.datetime


class ResultRules(Output):
    """The rules the results are computed with (the frozen snapshot once finalized)."""

    course_id: UUID
    course_version: int
    pass_mark: Decimal
    min_attendance: Decimal
    weights: dict[str, Decimal]
    predikat_bands: list[PredikatBand]
    total_jp: Decimal


class Amendment(Output):
    """One audited correction of a finalized result."""

    at: dt.datetime
    by: UUID | None
    by_name: str
    reason: str
    before: dict[str, Any]
    after: dict[str, Any]


class ResultRead(Output):
    """One participant's result.

    ``components`` holds every weighted component's score (``None`` when missing, which
    counts 0 and is also listed in ``missing``). The predikat reflects the final score; a
    participant below the minimum attendance keeps it but has ``passed`` false (no
    certificate, no JP).
    """

    person_id: UUID
    name: str
    nip: str | None
    components: dict[str, Decimal | None]
    attendance_percent: Decimal
    final_score: Decimal
    passed: bool
    predikat: str
    missing: list[str]
    finalized_at: dt.datetime | None
    amendments: list[Amendment] = []


class SessionResults(Output):
    """``GET /api/v1/sessions/{id}/results``: live until finalized, then frozen rows."""

    session_id: UUID
    finalized: bool
    finalized_at: dt.datetime | None
    rules: ResultRules
    items: list[ResultRead]
    total: int
    passed: int


class FinalizeReport(Output):
    """What finalizing did."""

    session_id: UUID
    finalized_at: dt.datetime
    results: int
    passed: int
    failed: int
    credited: int


class AmendmentCreate(Input):
    """A correction of a finalized result, with its reason.

    Give ``components`` (component → new score; ``attendance`` also changes the attendance
    figure of the pass rule) to recompute the final score, or ``final_score`` to set it
    directly — not both.
    """

    reason: Reason
    components: dict[ComponentName, Decimal] | None = None
    final_score: Decimal | None = None

    def __post_init__(self) -> None:
        if (self.components is None) == (self.final_score is None):
            raise ValueError("isi salah satu: components atau final_score")
        if self.components is not None:
            if not self.components:
                raise ValueError("components tidak boleh kosong")
            for name, value in self.components.items():
                check_decimal(value, f"components.{name}", low=ZERO, high=HUNDRED)
        if self.final_score is not None:
            check_decimal(self.final_score, "final_score", low=ZERO, high=HUNDRED)


class PassedResult(msgspec.Struct, frozen=True, kw_only=True):
    """A passed participant of a finalized session, for certificates."""

    person_id: UUID
    final_score: Decimal
    predikat: str
    attendance_percent: Decimal


ReadinessCode = Literal["session_ended", "essays_graded", "post_tests", "attendance", "rules"]
OverrideReason = Annotated[str, msgspec.Meta(min_length=10, max_length=2_000)]


class ReadinessPerson(Output):
    """A participant a readiness check is waiting for (``days``: attendance days unmarked),
    or one it no longer waits for (``reason``: why they are excused)."""

    person_id: UUID
    name: str
    days: list[dt.date] = []
    reason: str = ""


class ExcusalCreate(Input):
    """Excuse a participant from the post-test: why (kept in the audit log and, at finalize,
    on the person's result)."""

    reason: Reason


class ExcusalRead(Output):
    """A participant excused from the post-test."""

    person_id: UUID
    name: str
    reason: str


class ReadinessCheck(Output):
    """One item of the finalize checklist: ``people`` it waits for; ``excused`` (post-tests)
    the participants excused from it, each with the reason."""

    code: ReadinessCode
    label: str
    ok: bool
    detail: str
    people: list[ReadinessPerson] = []
    excused: list[ReadinessPerson] = []


class Readiness(Output):
    """``GET /api/v1/sessions/{id}/results/readiness``: what finalize checks, item by item."""

    session_id: UUID
    finalized: bool
    ready: bool
    checks: list[ReadinessCheck]


class PostTestExcuse(Input):
    """A participant finalized without a post-test on purpose (e.g. sick, with a letter)."""

    person_id: UUID
    reason: Reason


class FinalizeRequest(Input):
    """The optional body of finalize.

    ``excused``: participants without a post-test whom the organizer excuses (their post-test
    counts 0 and the reason is kept on their result). ``override_reason``: finalize although
    the checklist is not complete; at least 10 characters, kept in the audit log with the
    checks that were open.
    """

    excused: Annotated[list[PostTestExcuse], msgspec.Meta(max_length=1_000)] = []
    override_reason: OverrideReason | None = None

"""The final score, pass/fail and predikat of one participant: pure arithmetic, no database.

Rules (DESIGN section 5):

* ``final = Σ weight × score / 100`` over the course's components, computed exactly in
  ``Decimal`` and rounded once, half-up, to 2 decimals. A component with no score yet (no
  post-test attempt, no trainer mark) counts 0 and is listed in ``missing`` so nobody mistakes a
  gap for a real zero.
* ``passed = final ≥ pass_mark and attendance ≥ min_attendance``. Attendance is checked on its
  own even when it also carries a weight; a missing attendance figure counts 0.
* The predikat reflects the score alone: a participant who fails on attendance still gets the
  predikat of their score, but ``passed`` is false, and only passed participants receive a
  certificate and JP. The bands are the course's (highest ``min_score`` first, the last from 0).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal

import msgspec

from courses.catalogue.schemas import PredikatBand, predikat_for
from lms.shared.values import CENT

HUNDRED = Decimal(100)
ZERO = Decimal(0)


class ScoreRules(msgspec.Struct, frozen=True, kw_only=True):
    """The part of a course's rules the final score needs."""

    weights: Mapping[str, Decimal]
    pass_mark: Decimal
    min_attendance: Decimal
    predikat_bands: Sequence[PredikatBand]


class Computed(msgspec.Struct, frozen=True, kw_only=True):
    """One participant's computed result.

    Attributes:
        components: Each weighted component's score (2 decimals), ``None`` when missing.
        attendance_percent: The attendance figure the pass rule used (0 when missing).
        final_score: Σ weight × score / 100, half-up to 2 decimals.
        passed: Final score reaches the pass mark and attendance the minimum.
        predikat: The band of the final score.
        missing: Weighted components without a score, in the course's order.
    """

    components: dict[str, Decimal | None]
    attendance_percent: Decimal
    final_score: Decimal
    passed: bool
    predikat: str
    missing: list[str]


def round_score(value: Decimal) -> Decimal:
    """Half-up to 2 decimals (``70.005`` → ``70.01``)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def final_score(weights: Mapping[str, Decimal], scores: Mapping[str, Decimal | None]) -> Decimal:
    """Σ weight × score / 100 over ``weights``, a missing score counting 0, rounded once."""
    total = sum((weight * (scores.get(name) or ZERO) for name, weight in weights.items()), ZERO)
    return round_score(total / HUNDRED)


def compute(
    rules: ScoreRules,
    scores: Mapping[str, Decimal | None],
    attendance_percent: Decimal | None,
) -> Computed:
    """The result of one participant.

    Args:
        rules: Weights, pass mark, minimum attendance and predikat bands.
        scores: Component → score 0–100 (``None`` or absent: not available). The
            ``attendance`` component, when weighted, defaults to ``attendance_percent``.
        attendance_percent: Share of session days attended, for the pass rule.
    """
    attendance = round_score(attendance_percent) if attendance_percent is not None else None
    components: dict[str, Decimal | None] = {}
    for name in rules.weights:
        value = scores.get(name)
        if value is None and name == "attendance":
            value = attendance
        components[name] = round_score(value) if value is not None else None
    missing = [name for name, value in components.items() if value is None]
    score = final_score(rules.weights, components)
    return decide(rules, components, attendance or ZERO, score, missing)


def decide(
    rules: ScoreRules,
    components: dict[str, Decimal | None],
    attendance_percent: Decimal,
    score: Decimal,
    missing: list[str] | None = None,
) -> Computed:
    """Pass/fail and predikat for a given final score (also used by amendments that set the
    final score directly)."""
    passed = score >= rules.pass_mark and attendance_percent >= rules.min_attendance
    return Computed(
        components=components,
        attendance_percent=attendance_percent,
        final_score=score,
        passed=passed,
        predikat=predikat_for(list(rules.predikat_bands), score),
        missing=list(missing or []),
    )

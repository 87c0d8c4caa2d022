"""Exact statistics for the assessment reports: means, medians, variances, correlations.

Arithmetic is on ``fractions.Fraction`` and rounded once at the end, half away from zero;
square roots are taken at 50 significant digits. Shared by the item analysis, the learning gain
and the reaction evaluations, so every report rounds the same way.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction


def round_fraction(value: Fraction, places: int) -> Decimal:
    """``value`` rounded half away from zero to ``places`` decimals, exactly."""
    scale = 10**places
    magnitude = math.floor(abs(value) * scale + Fraction(1, 2))
    return Decimal(-magnitude if value < 0 else magnitude).scaleb(-places)


def sqrt_rounded(value: Fraction, places: int) -> Decimal:
    """The square root of a non-negative ``value``, rounded half-up to ``places`` decimals."""
    with localcontext() as ctx:
        ctx.prec = 50
        root = (Decimal(value.numerator) / Decimal(value.denominator)).sqrt()
        return root.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def mean(values: Sequence[Fraction]) -> Fraction:
    """The arithmetic mean (of at least one value)."""
    return sum(values, Fraction(0)) / len(values)


def median(values: Sequence[Fraction]) -> Fraction:
    """The middle value, or the mean of the two middle ones (of at least one value)."""
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def variance(values: Sequence[Fraction], *, sample: bool = False) -> Fraction:
    """Population variance, or the sample variance (n − 1) when ``sample``."""
    centre = mean(values)
    squares = sum(((v - centre) ** 2 for v in values), Fraction(0))
    return squares / (len(values) - 1 if sample else len(values))


def correlation(xs: Sequence[Fraction], ys: Sequence[Fraction]) -> Decimal | None:
    """Pearson's r to 4 decimals; ``None`` for fewer than 2 pairs or a constant side."""
    if len(xs) < 2:
        return None
    mx, my = mean(xs), mean(ys)
    cov = sum(((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)), Fraction(0))
    sxx = sum(((x - mx) ** 2 for x in xs), Fraction(0))
    syy = sum(((y - my) ** 2 for y in ys), Fraction(0))
    if sxx == 0 or syy == 0:
        return None
    magnitude = sqrt_rounded(cov * cov / (sxx * syy), 4)
    return -magnitude if cov < 0 else magnitude

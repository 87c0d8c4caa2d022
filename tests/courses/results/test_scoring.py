"""The final-score arithmetic: weights, rounding, predikat bands and the pass rule."""

from decimal import Decimal

from courses.catalogue.schemas import DEFAULT_PREDIKAT_BANDS
from courses.results.scoring import ScoreRules, compute, decide, final_score

D = Decimal
RULES = ScoreRules(
    weights={"attendance": D(10), "post_test": D(60), "trainer_assessment": D(30)},
    pass_mark=D("70.01"),
    min_attendance=D(80),
    predikat_bands=DEFAULT_PREDIKAT_BANDS,
)


def test_weighted_final_score_and_predikat_are_exact() -> None:
    result = compute(RULES, {"post_test": D("85.50"), "trainer_assessment": D("88")}, D("100.00"))
    # 10 × 100 + 60 × 85.50 + 30 × 88 = 1000 + 5130 + 2640 = 8770 → 87.70
    assert result.final_score == D("87.70")
    assert result.components == {
        "attendance": D("100.00"),
        "post_test": D("85.50"),
        "trainer_assessment": D("88.00"),
    }
    assert result.predikat == "Memuaskan"
    assert result.passed is True
    assert result.missing == []


def test_final_score_rounds_half_up_once() -> None:
    # 10 × 66.67 + 60 × 70.01 + 30 × 70.02 = 666.7 + 4200.6 + 2100.6 = 6967.9 → 69.679 → 69.68
    assert final_score(
        RULES.weights,
        {"attendance": D("66.67"), "post_test": D("70.01"), "trainer_assessment": D("70.02")},
    ) == D("69.68")
    # 33.33 % of 100 + ... : a sum ending in exactly 5 at the third decimal rounds up
    weights = {"post_test": D("50"), "trainer_assessment": D("50")}
    assert final_score(weights, {"post_test": D("70.01"), "trainer_assessment": D("70.00")}) == D(
        "70.01"
    )  # 70.005 → 70.01


def test_band_boundaries_70_01_is_cukup_70_00_is_kurang() -> None:
    components = {"attendance": D(100), "post_test": D(100), "trainer_assessment": D(100)}
    at = {
        score: decide(RULES, components, D(100), D(score))
        for score in (
            "90.01",
            "90.00",
            "80.01",
            "80.00",
            "70.01",
            "70.00",
            "60.01",
            "60.00",
            "0.00",
        )
    }
    assert {score: r.predikat for score, r in at.items()} == {
        "90.01": "Sangat Memuaskan",
        "90.00": "Memuaskan",
        "80.01": "Memuaskan",
        "80.00": "Cukup Memuaskan",
        "70.01": "Cukup Memuaskan",
        "70.00": "Kurang Memuaskan",
        "60.01": "Kurang Memuaskan",
        "60.00": "Tidak Memuaskan",
        "0.00": "Tidak Memuaskan",
    }
    assert at["70.01"].passed is True
    assert at["70.00"].passed is False


def test_attendance_below_minimum_fails_but_keeps_the_predikat_of_the_score() -> None:
    result = compute(RULES, {"post_test": D(95), "trainer_assessment": D(95)}, D("66.67"))
    # 10 × 66.67 + 60 × 95 + 30 × 95 = 666.7 + 5700 + 2850 = 9216.7 → 92.17
    assert result.final_score == D("92.17")
    assert result.predikat == "Sangat Memuaskan"
    assert result.passed is False
    # exactly the minimum passes
    assert compute(RULES, {"post_test": D(95), "trainer_assessment": D(95)}, D(80)).passed


def test_missing_components_count_zero_and_are_flagged() -> None:
    result = compute(RULES, {"post_test": D(90)}, D(100))
    assert result.components["trainer_assessment"] is None
    assert result.missing == ["trainer_assessment"]
    assert result.final_score == D("64.00")  # 10 + 54 + 0
    assert result.passed is False
    nothing = compute(RULES, {}, None)
    assert nothing.missing == ["attendance", "post_test", "trainer_assessment"]
    assert nothing.final_score == D("0.00")
    assert nothing.attendance_percent == D(0)
    assert nothing.predikat == "Tidak Memuaskan"

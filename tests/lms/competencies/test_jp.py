from decimal import Decimal

import pytest

from lms.competencies.jp import (
    JP_MINUTES,
    JpPolicy,
    JpStatus,
    is_compliant,
    jp_status,
    jp_to_minutes,
    minutes_to_jp,
    target_jp,
)


def test_one_jp_is_45_minutes():
    assert JP_MINUTES == 45
    assert JpPolicy().jp_minutes == 45
    assert jp_to_minutes(20) == Decimal(900)


def test_minutes_to_jp_rounds_half_up_to_two_decimals():
    assert minutes_to_jp(900) == Decimal("20.00")
    assert minutes_to_jp(45) == Decimal("1.00")
    assert minutes_to_jp(60) == Decimal("1.33")
    assert minutes_to_jp(30) == Decimal("0.67")
    assert minutes_to_jp(0) == Decimal("0.00")
    # 877.5 minutes is exactly 19.5 JP.
    assert minutes_to_jp(Decimal("877.5")) == Decimal("19.50")
    # 0.225 minutes = 0.005 JP: half-up, not banker's rounding.
    assert minutes_to_jp(Decimal("0.225")) == Decimal("0.01")
    assert minutes_to_jp(60, jp_minutes=60) == Decimal("1.00")
    assert str(minutes_to_jp(900)) == "20.00"


def test_convert_the_total_not_the_parts():
    parts = [100] * 9
    assert minutes_to_jp(sum(parts)) == Decimal("20.00")
    assert sum(minutes_to_jp(p) for p in parts) == Decimal("19.98")


def test_minutes_to_jp_rejects_nonsense():
    with pytest.raises(ValueError):
        minutes_to_jp(-1)
    with pytest.raises(ValueError):
        minutes_to_jp(45, jp_minutes=0)


def test_pns_must_reach_20_jp():
    assert is_compliant(20, "pns") is True
    assert is_compliant(Decimal("20.00"), "pns") is True
    assert is_compliant(Decimal("19.5"), "pns") is False
    assert is_compliant(Decimal("19.99"), "pns") is False
    assert is_compliant(0, "pns") is False
    assert is_compliant(minutes_to_jp(900), "pns") is True
    assert is_compliant(minutes_to_jp(899), "pns") is False  # 19.98 JP


def test_pppk_measured_against_their_own_target_and_flagged_above_the_ceiling():
    assert target_jp("pppk") == 20
    assert is_compliant(20, "pppk") is True
    assert is_compliant(Decimal("19.5"), "pppk") is False
    assert jp_status(24, "pppk").above_max is False
    assert jp_status(Decimal("24.01"), "pppk") == JpStatus(
        total_jp=Decimal("24.01"),
        target_jp=20,
        compliant=True,
        shortfall_jp=Decimal(0),
        above_max=True,
    )
    no_target = JpPolicy(pppk_min_jp=None)
    assert is_compliant(5, "pppk", no_target) is None
    assert jp_status(30, "pppk", JpPolicy(pppk_max_jp=None)).above_max is False


def test_non_asn_has_no_target():
    assert target_jp("non_asn") is None
    assert is_compliant(0, "non_asn") is None
    assert jp_status(3, "non_asn") == JpStatus(
        total_jp=Decimal(3),
        target_jp=None,
        compliant=None,
        shortfall_jp=Decimal(0),
        above_max=False,
    )


def test_status_shows_the_shortfall():
    assert jp_status(Decimal("19.5"), "pns") == JpStatus(
        total_jp=Decimal("19.5"),
        target_jp=20,
        compliant=False,
        shortfall_jp=Decimal("0.5"),
        above_max=False,
    )
    assert jp_status(32, "pns").shortfall_jp == 0
    assert jp_status(32, "pns").above_max is False  # the ceiling is a PPPK rule only


def test_policy_is_configurable_and_checked():
    policy = JpPolicy(pns_min_jp=24, jp_minutes=50)
    assert is_compliant(20, "pns", policy) is False
    assert minutes_to_jp(1200, policy.jp_minutes) == Decimal("24.00")
    with pytest.raises(ValueError, match="melebihi"):
        JpPolicy(pppk_min_jp=30, pppk_max_jp=24)
    with pytest.raises(ValueError, match="0 menit"):
        JpPolicy(jp_minutes=0)
    with pytest.raises(ValueError, match="negatif"):
        JpPolicy(pns_min_jp=-1)

"""Jam pelajaran (JP): conversion from minutes and the yearly competency-development target.

Rules and the decisions taken where the sources leave room:

* **1 JP = 45 minutes** (LAN), configurable as ``JpPolicy.jp_minutes``.
* **PNS: at least 20 JP a year** (PP 11/2017 as amended by PP 17/2020, Pasal 203(4)):
  ``pns_min_jp = 20``, compliant when the year's total reaches it (20 is compliant, 19.5 or
  19.99 is not).
* **PPPK: at most 24 JP per contract year** (PP 49/2018 and sectoral rules). That is a ceiling
  on what the employer provides, not a target, so it is kept as ``pppk_max_jp = 24`` and only
  *flagged* (``above_max``) when exceeded: JP actually earned are never cut from a ledger.
  No source gives PPPK a minimum, yet UU 20/2023 Pasal 49 makes competency development an
  obligation of every ASN and a compliance report needs a line to measure against. PPPK are
  therefore measured against ``pppk_min_jp``, **default 20** — the same yardstick as PNS and
  reachable under the 24 JP ceiling. It is configurable, and ``None`` means "no target for
  PPPK" (then compliance does not apply to them).
* **Non-ASN** have no JP obligation; compliance does not apply (``None``).
* **Minutes to JP**: the exact quotient rounded half-up to 2 decimals — the precision of the
  ledger column (``Numeric(7, 2)``). Flooring to whole or half JP would take up to 44 minutes of
  real learning from every record. To avoid rounding drift, convert a total of minutes once
  rather than summing converted parts (nine 100-minute modules are 900 minutes = 20.00 JP,
  while nine times 2.22 JP is 19.98).
"""

from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

import msgspec

from lms.shared.values import CENT

JP_MINUTES = 45
"""Minutes in one jam pelajaran (LAN)."""

AsnType = Literal["pns", "pppk", "non_asn"]


class JpPolicy(msgspec.Struct, frozen=True, kw_only=True):
    """The configurable JP rules (see the module docstring for the defaults' sources).

    Attributes:
        pns_min_jp: Yearly minimum for PNS.
        pppk_min_jp: Yearly target for PPPK; ``None`` for none.
        pppk_max_jp: Yearly ceiling for PPPK; ``None`` for none. Exceeding it is flagged only.
        jp_minutes: Minutes in one JP.
    """

    pns_min_jp: int = 20
    pppk_min_jp: int | None = 20
    pppk_max_jp: int | None = 24
    jp_minutes: int = JP_MINUTES

    def __post_init__(self) -> None:
        if self.jp_minutes <= 0:
            raise ValueError("Satu JP harus lebih dari 0 menit")
        if self.pns_min_jp < 0 or (self.pppk_min_jp is not None and self.pppk_min_jp < 0):
            raise ValueError("Target JP tidak boleh negatif")
        if (
            self.pppk_min_jp is not None
            and self.pppk_max_jp is not None
            and self.pppk_min_jp > self.pppk_max_jp
        ):
            raise ValueError("Target JP PPPK tidak boleh melebihi batas maksimalnya")


DEFAULT_POLICY = JpPolicy()


class JpStatus(msgspec.Struct, frozen=True, kw_only=True):
    """A person's JP position for one year.

    Attributes:
        total_jp: JP earned in the year.
        target_jp: The minimum that applies, ``None`` when none does.
        compliant: ``total_jp >= target_jp``; ``None`` when no target applies.
        shortfall_jp: JP still missing (0 when reached or no target).
        above_max: PPPK only: the total exceeds the ceiling.
    """

    total_jp: Decimal
    target_jp: int | None
    compliant: bool | None
    shortfall_jp: Decimal
    above_max: bool


def minutes_to_jp(minutes: int | Decimal, jp_minutes: int = JP_MINUTES) -> Decimal:
    """Convert learning minutes to JP, rounded half-up to 2 decimals.

    ``900`` -> ``Decimal("20.00")``, ``60`` -> ``Decimal("1.33")``, ``30`` -> ``"0.67"``.

    Raises:
        ValueError: negative minutes or a non-positive JP length.
    """
    if jp_minutes <= 0:
        raise ValueError("Satu JP harus lebih dari 0 menit")
    if minutes < 0:
        raise ValueError("Jumlah menit tidak boleh negatif")
    return (Decimal(minutes) / Decimal(jp_minutes)).quantize(CENT, rounding=ROUND_HALF_UP)


def jp_to_minutes(jp: int | Decimal, jp_minutes: int = JP_MINUTES) -> Decimal:
    """Convert JP to minutes (``20`` JP -> ``900`` minutes); exact, no rounding."""
    return Decimal(jp) * jp_minutes


def target_jp(asn_type: str, policy: JpPolicy = DEFAULT_POLICY) -> int | None:
    """Return the yearly JP minimum for an ASN type, ``None`` when no minimum applies."""
    if asn_type == "pns":
        return policy.pns_min_jp
    if asn_type == "pppk":
        return policy.pppk_min_jp
    return None


def is_compliant(
    total_jp: int | Decimal, asn_type: str, policy: JpPolicy = DEFAULT_POLICY
) -> bool | None:
    """Whether a year's JP total meets the minimum: 20 is compliant, 19.5 is not.

    Returns:
        ``True``/``False`` for PNS (and PPPK when they have a target); ``None`` when no target
        applies (non-ASN, or PPPK with ``pppk_min_jp=None``).
    """
    target = target_jp(asn_type, policy)
    if target is None:
        return None
    return Decimal(total_jp) >= target


def jp_status(
    total_jp: int | Decimal, asn_type: str, policy: JpPolicy = DEFAULT_POLICY
) -> JpStatus:
    """Summarize a person's JP year for the compliance report and the transcript."""
    total = Decimal(total_jp)
    target = target_jp(asn_type, policy)
    shortfall = max(Decimal(target) - total, Decimal(0)) if target is not None else Decimal(0)
    above_max = asn_type == "pppk" and policy.pppk_max_jp is not None and total > policy.pppk_max_jp
    return JpStatus(
        total_jp=total,
        target_jp=target,
        compliant=None if target is None else total >= target,
        shortfall_jp=shortfall,
        above_max=above_max,
    )

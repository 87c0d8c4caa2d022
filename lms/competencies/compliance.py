"""The 20-JP compliance report: per unit (sub-units rolled up), PNS and PPPK, who is short.

Counting rules (DOMAIN.md, :mod:`lms.competencies.jp`):

* Headcount: PNS and PPPK whose unit is the report's unit or below (non-ASN have no JP
  obligation and are left out). People are counted in the unit they belong to now.
* A person's JP for the year: the approved ledger entries that ended in that year, read from
  the per-person yearly totals (:mod:`lms.competencies.totals`), rounded to 2 decimals.
* Reached: JP >= the target of their type — ``LMS_PNS_MIN_JP`` (20) for PNS,
  ``LMS_PPPK_MIN_JP`` (20) for PPPK (their own rule; unset means no target, and then PPPK
  are counted but not judged). 20 reaches 20, 19.5 does not.
* PPPK above ``LMS_PPPK_MAX_JP`` (24) are counted in ``pppk_above_max``: a ceiling on what the
  employer provides, flagged but never cut.
* Share: reached / headcount x 100, rounded half-up to 2 decimals, over the people a target
  applies to.

The counting runs in one SQL statement (GROUP BY unit and ASN type over people joined to
their yearly total) and the page of people below target, alphabetical with their JP so far,
in a second; Python only rolls the per-unit figures up the unit tree, which has hundreds of
rows, not people.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import UUID

import anyio.to_thread

from lms.auth.caller import Caller
from lms.competencies.compliance_xlsx import summary_csv, workbook
from lms.competencies.report_schemas import (
    BelowTarget,
    ComplianceReport,
    GroupCompliance,
    JpTargets,
    UnitCompliance,
)
from lms.competencies.scope import UnitScope, kop_lines, report_scope
from lms.competencies.skm import round_half_up
from lms.competencies.totals import to_jp
from lms.config import Settings
from lms.people.nip import format_nip
from lms.people.tables import Person, Unit
from lms.shared.indonesian import full_name
from lms.shared.letterhead import LetterheadSource
from lms.shared.values import cents

XLSX_ALL_ROWS = 1_000_000

# Why these shapes (measured on SQLite with 100,000 people x 10 entries, see
# tests/benchmarks/bench_compliance.py and docs/BENCHMARKS.md):
#
# * The casts on ``p.unit`` keep SQLite from walking ``person`` through its unit index (a
#   random row fetch per person): it scans the table once instead.
# * SQLite has no hash join. For a small scope each person's total is one lookup through the
#   ``person`` index of ``jp_year_total`` (``year + 0`` keeps the planner off the ``year``
#   index, which would scan a whole year per person when statistics are stale). For a large
#   share of the city the year's totals are read once into a materialised CTE that SQLite
#   probes through an in-memory automatic index, a third cheaper than 100,000 index lookups.
# * The page of people below target is a second statement ordered by name: it walks the name
#   index and stops after the page instead of sorting everyone short of target.
#
# The same text is valid PostgreSQL (which plans hash joins either way); placeholders are
# Piccolo's ``{}``.
_SCOPE = (
    "p.asn_type IN ('pns', 'pppk') "
    "AND CAST(p.unit AS TEXT) IN (SELECT CAST(u.id AS TEXT) FROM unit u WHERE u.path LIKE {})"
)
_JP = "ROUND(COALESCE(t.jp, 0), 2)"
_TARGET = "CASE p.asn_type WHEN 'pns' THEN CAST({} AS NUMERIC) ELSE CAST({} AS NUMERIC) END"
_COUNTS = f"""
SELECT CAST(p.unit AS TEXT) AS unit_id, p.asn_type AS asn_type, COUNT(*) AS headcount,
       SUM(CASE WHEN {_JP} >= {_TARGET} THEN 1 ELSE 0 END) AS reached,
       SUM(CASE WHEN p.asn_type = 'pppk' AND {_JP} > CAST({{}} AS NUMERIC) THEN 1 ELSE 0 END)
           AS above_max,
       SUM({_JP}) AS jp
"""
_COUNTS_BY_LOOKUP = f"""{_COUNTS}
FROM person p LEFT JOIN jp_year_total t ON t.person = p.id AND t.year + 0 = {{}}
WHERE {_SCOPE}
GROUP BY CAST(p.unit AS TEXT), p.asn_type
"""
_COUNTS_BY_HASH = f"""
WITH totals AS MATERIALIZED (
    SELECT CAST(y.person AS TEXT) AS person_id, y.jp AS jp
    FROM jp_year_total y WHERE y.year + 0 = {{}}
){_COUNTS}
FROM person p LEFT JOIN totals t ON t.person_id = CAST(p.id AS TEXT)
WHERE {_SCOPE}
GROUP BY CAST(p.unit AS TEXT), p.asn_type
"""
_BELOW = f"""
SELECT p.id AS person_id, p.nip AS nip, p.name AS name, p.front_title AS front_title,
       p.back_title AS back_title, p.jabatan AS jabatan, p.asn_type AS asn_type,
       CAST(p.unit AS TEXT) AS unit_id, {_JP} AS jp
FROM person p LEFT JOIN jp_year_total t ON t.person = p.id AND t.year + 0 = {{}}
WHERE {_SCOPE} AND {_JP} < {_TARGET}
ORDER BY p.name, p.id LIMIT {{}} OFFSET {{}}
"""


class _Counts:
    """Running sums of one unit (own people plus every unit below)."""

    __slots__ = ("headcount", "reached", "jp", "above_max")

    def __init__(self) -> None:
        self.headcount = {"pns": 0, "pppk": 0}
        self.reached = {"pns": 0, "pppk": 0}
        self.jp = {"pns": Decimal(0), "pppk": Decimal(0)}
        self.above_max = 0


def _share(reached: int, headcount: int) -> Decimal | None:
    return cents(round_half_up(Decimal(reached * 100) / headcount, 2)) if headcount else None


def _jp_or_none(value: int | None) -> Decimal | None:
    return cents(value) if value is not None else None


class ComplianceService:
    """Builds the compliance report and its spreadsheet."""

    def __init__(self, settings: Settings, letterhead: LetterheadSource | None = None) -> None:
        self.settings = settings
        self.letterhead = letterhead

    @property
    def targets(self) -> JpTargets:
        """The JP rules from the settings."""
        s = self.settings
        return JpTargets(
            pns_min_jp=cents(s.pns_min_jp),
            pppk_min_jp=_jp_or_none(s.pppk_min_jp),
            pppk_max_jp=_jp_or_none(s.pppk_max_jp),
        )

    def _group(self, counts: _Counts, asn_type: str) -> GroupCompliance:
        headcount = counts.headcount[asn_type]
        judged = asn_type == "pns" or self.settings.pppk_min_jp is not None
        reached = counts.reached[asn_type] if judged else None
        return GroupCompliance(
            headcount=headcount,
            reached=reached,
            below=headcount - reached if reached is not None else None,
            share_percent=_share(reached, headcount) if reached is not None else None,
            jp_total=cents(counts.jp[asn_type]),
        )

    def _unit(self, unit: dict[str, Any], counts: _Counts, depth: int) -> UnitCompliance:
        pns, pppk = self._group(counts, "pns"), self._group(counts, "pppk")
        judged_headcount = pns.headcount + (pppk.headcount if pppk.reached is not None else 0)
        reached = (pns.reached or 0) + (pppk.reached or 0)
        return UnitCompliance(
            unit_id=unit["id"],
            code=unit["code"],
            name=unit["name"],
            parent_id=unit["parent_id"],
            depth=depth,
            pns=pns,
            pppk=pppk,
            all=GroupCompliance(
                headcount=pns.headcount + pppk.headcount,
                reached=reached,
                below=judged_headcount - reached,
                share_percent=_share(reached, judged_headcount),
                jp_total=pns.jp_total + pppk.jp_total,
            ),
            pppk_above_max=counts.above_max,
        )

    async def report(
        self,
        caller: Caller,
        *,
        year: int,
        unit_id: UUID | None,
        below_target_limit: int = 100,
        below_target_offset: int = 0,
        by_hash: bool | None = None,
    ) -> ComplianceReport:
        """The report for ``year`` over ``unit_id`` and below (default: the caller's unit).

        ``by_hash`` picks the join (see the comment on the SQL); by default the materialised
        totals are used when the scope holds at least a third of all units. Both give the
        same figures.

        Raises:
            NotFound: the unit is unknown or outside the caller's scope.
        """
        scope = await report_scope(caller, unit_id)
        units = await (
            Unit.select(Unit.id, Unit.code, Unit.name, Unit.parent.as_alias("parent_id"), Unit.path)
            .where(Unit.path.like(scope.prefix + "%"))
            .order_by(Unit.name)
        )
        s = self.settings
        pns = Decimal(s.pns_min_jp)
        pppk = None if s.pppk_min_jp is None else Decimal(s.pppk_min_jp)
        pppk_max = None if s.pppk_max_jp is None else Decimal(s.pppk_max_jp)
        prefix = scope.prefix + "%"
        if by_hash is None:
            by_hash = len(units) * 3 >= await Unit.count()
        if by_hash:
            rows = await Person.raw(_COUNTS_BY_HASH, year, pns, pppk, pppk_max, prefix)
        else:
            rows = await Person.raw(_COUNTS_BY_LOOKUP, pns, pppk, pppk_max, year, prefix)
        below_rows = await Person.raw(
            _BELOW, year, prefix, pns, pppk, below_target_limit, below_target_offset
        )
        by_id = {str(u["id"]): u for u in units}
        counts = {key: _Counts() for key in by_id}
        total = _Counts()
        for row in rows:
            if row["unit_id"] not in by_id:
                continue
            path_ids = by_id[row["unit_id"]]["path"].strip("/").split("/")
            for target in [total, *(counts[i] for i in path_ids if i in counts)]:
                target.headcount[row["asn_type"]] += int(row["headcount"])
                target.reached[row["asn_type"]] += int(row["reached"] or 0)
                target.jp[row["asn_type"]] += to_jp(row["jp"] or 0)
                target.above_max += int(row["above_max"] or 0)
        ordered = _tree_order(units, scope)
        summary_unit = (
            by_id[str(scope.unit_id)]
            if scope.unit_id
            else {"id": None, "code": "", "name": scope.name, "parent_id": None}
        )
        summary = self._unit(summary_unit, total, 0)
        names = {k: v["name"] for k, v in by_id.items()}
        return ComplianceReport(
            year=year,
            targets=self.targets,
            summary=summary,
            units=[self._unit(u, counts[str(u["id"])], depth) for u, depth in ordered],
            below_target=[self._below(row, names) for row in below_rows],
            below_target_total=summary.all.below or 0,
            below_target_limit=below_target_limit,
            below_target_offset=below_target_offset,
        )

    def _below(self, row: dict[str, Any], unit_names: dict[str, str]) -> BelowTarget:
        target = self.settings.pns_min_jp if row["asn_type"] == "pns" else self.settings.pppk_min_jp
        jp = to_jp(row["jp"] or 0)
        return BelowTarget(
            person_id=row["person_id"],
            nip=row["nip"],
            nip_display=format_nip(row["nip"], row["asn_type"]),
            name=full_name(row["name"], row["front_title"], row["back_title"]),
            asn_type=row["asn_type"],
            jabatan=row["jabatan"],
            unit_id=UUID(row["unit_id"]),
            unit_name=unit_names.get(row["unit_id"], ""),
            jp=cents(jp),
            target_jp=cents(target or 0),
            shortfall_jp=cents(Decimal(target or 0) - jp),
        )

    async def csv(self, caller: Caller, *, year: int, unit_id: UUID | None) -> bytes:
        """The per-unit summary as CSV (``;``, UTF-8 with BOM)."""
        report = await self.report(caller, year=year, unit_id=unit_id, below_target_limit=0)
        return summary_csv(report)

    async def xlsx(self, caller: Caller, *, year: int, unit_id: UUID | None) -> bytes:
        """The report as an Excel workbook: a summary sheet and every person below target."""
        report = await self.report(
            caller, year=year, unit_id=unit_id, below_target_limit=XLSX_ALL_ROWS
        )
        kop = await kop_lines(await report_scope(caller, unit_id), self.letterhead)
        return await anyio.to_thread.run_sync(workbook, report, kop)


def _tree_order(units: list[dict[str, Any]], scope: UnitScope) -> list[tuple[dict[str, Any], int]]:
    """Units depth-first, children by name, with their depth below the report's unit."""
    ids = {u["id"] for u in units}
    children: dict[Any, list[dict[str, Any]]] = {}
    roots = []
    for unit in units:  # already sorted by name
        if unit["id"] == scope.unit_id or unit["parent_id"] not in ids:
            roots.append(unit)
        else:
            children.setdefault(unit["parent_id"], []).append(unit)
    out: list[tuple[dict[str, Any], int]] = []
    stack = [(u, 0) for u in reversed(roots)]
    while stack:
        unit, depth = stack.pop()
        out.append((unit, depth))
        stack.extend((c, depth + 1) for c in reversed(children.get(unit["id"], [])))
    return out

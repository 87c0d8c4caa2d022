"""The training-impact report: a unit's service quality (SKM) period by period, beside how
many of its staff had finished service-excellence training by the end of each period.

Definitions (also printed on the report):

* **Service-excellence training** (pelatihan pelayanan prima): an approved ledger entry — a
  passed session or training done elsewhere — that develops a competency of the framework
  tied to U6 (kompetensi pelaksana) or U7 (perilaku pelaksana), or whose title contains
  "pelayanan prima".
* **Trained staff by a period**: distinct people of the unit and its sub-units with such an
  entry that ended on or before the period's last day. People are counted in the unit they
  belong to now. ``None`` when the period has no known end date.
* **Staff**: everyone of the unit and below now (PNS, PPPK and non-ASN front-office staff).

The surveys are the unit's own (not its sub-units'); the change compares the first period
with the last.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from lms.auth.caller import Caller
from lms.competencies.chart import COLORS, element_chart
from lms.competencies.framework import service_competency_codes
from lms.competencies.pdf import render_pdf
from lms.competencies.report_schemas import ImpactChange, ImpactPeriod, TrainingImpactReport
from lms.competencies.scope import report_scope
from lms.competencies.skm import round_half_up
from lms.competencies.survey_rows import SURVEY_COLUMNS, survey_read
from lms.competencies.tables import LearningRecord, SkmSurvey
from lms.config import Settings
from lms.people.database import like_literal
from lms.people.tables import Person
from lms.shared.errors import BadRequest
from lms.shared.indonesian import format_date
from lms.shared.values import cents, ten_thousandths

TITLE_MARK = "pelayanan prima"
DEFINITION = (
    "Pelatihan pelayanan prima: catatan pembelajaran yang disetujui (sesi yang lulus atau "
    "pelatihan di luar) yang mengembangkan kompetensi terkait unsur U6 (kompetensi pelaksana) "
    'atau U7 (perilaku pelaksana), atau yang judulnya memuat "pelayanan prima". Pegawai '
    "terlatih pada suatu periode: pegawai unit ini dan unit di bawahnya yang menyelesaikan "
    "pelatihan tersebut paling lambat pada akhir periode."
)


def _number(value: Any) -> Decimal:
    return Decimal(str(value))


async def _trained(prefix: str, until: dt.date, codes: list[str]) -> int:
    """Distinct people of the scope with a service-excellence entry ended by ``until``."""
    code_tests = "".join(" OR CAST(lr.competency_codes AS TEXT) LIKE {} ESCAPE '\\'" for _ in codes)
    rows = await LearningRecord.raw(
        "SELECT COUNT(DISTINCT lr.person) AS trained FROM learning_record lr "
        "JOIN person p ON p.id = lr.person JOIN unit u ON u.id = p.unit "
        "WHERE u.path LIKE {} AND lr.status = 'approved' AND lr.end_date <= {} "
        f"AND (LOWER(lr.title) LIKE {{}}{code_tests})",
        prefix + "%",
        until,
        f"%{TITLE_MARK}%",
        *('%"' + like_literal(code) + '"%' for code in codes),
    )
    return int(rows[0]["trained"]) if rows else 0


class ImpactService:
    """Builds the training-impact report and its PDF."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    async def report(self, caller: Caller, unit_id: UUID | None) -> TrainingImpactReport:
        """The report for a unit (default: the caller's unit).

        Raises:
            NotFound: the unit is unknown or outside the caller's scope (or an admin without
                a unit did not name one).
        """
        scope = await report_scope(caller, unit_id)
        if scope.unit_id is None:
            raise BadRequest("unit_id wajib diisi")
        rows = await (
            SkmSurvey.select(*SURVEY_COLUMNS)
            .where(SkmSurvey.unit == scope.unit_id)
            .output(load_json=True)
        )
        surveys = sorted(
            (survey_read(r) for r in rows), key=lambda s: (s.period_start or dt.date.max, s.period)
        )
        codes = await service_competency_codes()
        staff = await Person.count().where(Person.unit.path.like(scope.prefix + "%"))
        periods = []
        for survey in surveys:
            trained = (
                await _trained(scope.prefix, survey.period_end, codes)
                if survey.period_end
                else None
            )
            elements = {e.code: e for e in survey.elements}
            periods.append(
                ImpactPeriod(
                    period=survey.period,
                    period_start=survey.period_start,
                    period_end=survey.period_end,
                    respondents=survey.respondents,
                    ikm=survey.ikm,
                    category=survey.category,
                    category_label=survey.category_label,
                    u6_nrr=elements["U6"].nrr,
                    u6_ikm=elements["U6"].ikm,
                    u7_nrr=elements["U7"].nrr,
                    u7_ikm=elements["U7"].ikm,
                    elements=survey.elements,
                    staff=staff,
                    trained_staff=trained,
                    trained_share_percent=(
                        cents(round_half_up(Decimal(trained * 100) / staff, 2))
                        if trained is not None and staff
                        else None
                    ),
                    sample=survey.sample,
                )
            )
        return TrainingImpactReport(
            unit_id=scope.unit_id,
            unit_code=scope.code,
            unit_name=scope.name,
            training_definition=DEFINITION,
            service_competency_codes=codes,
            periods=periods,
            change=_change(periods),
        )

    async def pdf(self, caller: Caller, unit_id: UUID | None) -> bytes:
        """The report as a one-page PDF with a bar chart of the elements per period."""
        report = await self.report(caller, unit_id)
        chart = element_chart(
            [p.period for p in report.periods],
            [{e.code: float(e.ikm) for e in p.elements} for p in report.periods],
        )
        return await render_pdf(
            "impact.html",
            {
                "r": report,
                "chart": chart,
                "colors": COLORS,
                "printed": format_date(dt.datetime.now(ZoneInfo(self.settings.timezone)).date()),
            },
        )


def _change(periods: list[ImpactPeriod]) -> ImpactChange | None:
    if len(periods) < 2:
        return None
    first, last = periods[0], periods[-1]
    trained = (
        last.trained_staff - first.trained_staff
        if last.trained_staff is not None and first.trained_staff is not None
        else None
    )
    return ImpactChange(
        from_period=first.period,
        to_period=last.period,
        ikm_change=cents(_number(last.ikm) - _number(first.ikm)),
        u6_nrr_change=ten_thousandths(_number(last.u6_nrr) - _number(first.u6_nrr)),
        u7_nrr_change=ten_thousandths(_number(last.u7_nrr) - _number(first.u7_nrr)),
        trained_staff_change=trained,
    )

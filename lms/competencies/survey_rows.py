"""Reading stored SKM surveys, and the dates a period name stands for.

The period's dates come from its name when it follows a common pattern — ``2025`` (year),
``2025-S1``/``2025-S2`` (semester), ``2025-Q3``/``2025-TW3`` (quarter, triwulan), ``2025-07``
(month); :mod:`lms.competencies.surveys` falls back to the answer dates otherwise.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from typing import Any

from lms.competencies.report_schemas import SkmElementScore, SkmSurveyRead
from lms.competencies.skm import CATEGORY_LABELS, ELEMENT_CODES, ELEMENTS, sample_check
from lms.competencies.tables import SkmSurvey
from lms.shared.values import cents, ten_thousandths

_YEAR = re.compile(r"^(\d{4})$")
_SEMESTER = re.compile(r"^(\d{4})[-/ ]?S(?:EMESTER)?[-_ ]?([12])$", re.IGNORECASE)
_QUARTER = re.compile(r"^(\d{4})[-/ ]?(?:Q|TW)[-_ ]?([1-4])$", re.IGNORECASE)
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def period_bounds(period: str) -> tuple[dt.date, dt.date] | None:
    """First and last day of a period named like ``2025``, ``2025-S1``, ``2025-TW3``, ``2025-07``.

    Returns ``None`` for any other name (and for year 0, which has no calendar).
    """
    try:
        return _bounds(period.strip())
    except ValueError:
        return None


def _bounds(text: str) -> tuple[dt.date, dt.date] | None:
    if m := _YEAR.match(text):
        year = int(m.group(1))
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    if m := _SEMESTER.match(text):
        year, half = int(m.group(1)), int(m.group(2))
        return (
            (dt.date(year, 1, 1), dt.date(year, 6, 30))
            if half == 1
            else (
                dt.date(year, 7, 1),
                dt.date(year, 12, 31),
            )
        )
    if m := _QUARTER.match(text):
        year, quarter = int(m.group(1)), int(m.group(2))
        first, last = 3 * quarter - 2, 3 * quarter
        return dt.date(year, first, 1), dt.date(year, last, calendar.monthrange(year, last)[1])
    if (m := _MONTH.match(text)) and 1 <= int(m.group(2)) <= 12:
        year, month = int(m.group(1)), int(m.group(2))
        return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])
    return None


def survey_read(row: dict[str, Any]) -> SkmSurveyRead:
    """A stored survey (selected with ``load_json`` and its unit's code and name)."""
    means = row["element_means"] or {}
    category = row["category"]
    return SkmSurveyRead(
        id=row["id"],
        unit_id=row["unit"],
        unit_code=row["unit_code"],
        unit_name=row["unit_name"],
        period=row["period"],
        period_start=row["period_start"],
        period_end=row["period_end"],
        respondents=row["respondents"],
        elements=[
            SkmElementScore(
                code=code,
                name=ELEMENTS[code],
                answered=int(means.get(code, {}).get("answered", 0)),
                nrr=ten_thousandths(means.get(code, {}).get("nrr", 0)),
                ikm=cents(means.get(code, {}).get("ikm", 0)),
            )
            for code in ELEMENT_CODES
        ],
        skm=ten_thousandths(row["skm"]),
        ikm=cents(row["ikm"]),
        category=category,
        category_label=CATEGORY_LABELS.get(category, ""),
        created_at=row["created_at"],
        sample=sample_check(row["respondents"], row["unit_population"]),
    )


SURVEY_COLUMNS: tuple[Any, ...] = (
    SkmSurvey.all_columns(),
    SkmSurvey.unit.code.as_alias("unit_code"),
    SkmSurvey.unit.name.as_alias("unit_name"),
    SkmSurvey.unit.skm_population.as_alias("unit_population"),
)

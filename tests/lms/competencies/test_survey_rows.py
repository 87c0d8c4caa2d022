"""The dates a survey period name stands for."""

from __future__ import annotations

import datetime as dt

import pytest

from lms.competencies.survey_rows import period_bounds


@pytest.mark.parametrize(
    ("period", "start", "end"),
    [
        ("2025", dt.date(2025, 1, 1), dt.date(2025, 12, 31)),
        ("2025-S1", dt.date(2025, 1, 1), dt.date(2025, 6, 30)),
        ("2025 semester 2", dt.date(2025, 7, 1), dt.date(2025, 12, 31)),
        ("2024-Q1", dt.date(2024, 1, 1), dt.date(2024, 3, 31)),
        ("2026-TW3", dt.date(2026, 7, 1), dt.date(2026, 9, 30)),
        ("2024-02", dt.date(2024, 2, 1), dt.date(2024, 2, 29)),
    ],
)
def test_named_periods(period, start, end):
    assert period_bounds(period) == (start, end)


@pytest.mark.parametrize("period", ["Survei Juli", "2025-13", "0000-S1", "2025-S3", "25-S1"])
def test_other_names_have_no_dates(period):
    assert period_bounds(period) is None

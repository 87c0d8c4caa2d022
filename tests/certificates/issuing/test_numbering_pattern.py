import datetime as dt

import pytest

from certificates.issuing.numbering_pattern import (
    DEFAULT_PATTERN,
    PatternError,
    check_pattern,
    format_number,
)

DAY = dt.date(2026, 11, 22)


def test_format_number_fills_the_pattern():
    assert format_number("{seq:03d}/PP/DPMPTSP/{month_roman}/{year}", seq=1, issued_on=DAY) == (
        "001/PP/DPMPTSP/XI/2026"
    )
    assert (
        format_number(
            DEFAULT_PATTERN, seq=27, issued_on=DAY, course_code="PP", unit_code="DPMPTSP-PPJ"
        )
        == "027/PP/DPMPTSP-PPJ/XI/2026"
    )
    assert format_number("{year}.{month:02d}.{seq}", seq=1234, issued_on=dt.date(2026, 3, 1)) == (
        "2026.03.1234"
    )


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("PP/{month_roman}/{year}", "harus memuat {seq}"),
        ("{seq}/{nama}", "tidak dikenal"),
        ("{seq.__class__}", "tidak dikenal"),
        ("{seq[0]}", "tidak dikenal"),
        ("{seq!r}", "tidak diizinkan"),
        ("{seq:>{year}}", "tidak diizinkan"),
        ("{seq:x}", "tidak didukung"),
        ("{seq}/{unit_code:03d}", "tidak boleh"),
        ("{seq", "tidak valid"),
        ("", "harus diisi"),
    ],
)
def test_bad_patterns_are_refused(pattern, message):
    with pytest.raises(PatternError, match=message):
        check_pattern(pattern)


def test_seq_starts_at_one():
    with pytest.raises(ValueError):
        format_number(DEFAULT_PATTERN, seq=0, issued_on=DAY)

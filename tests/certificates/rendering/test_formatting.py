"""JP as certificates print it. Dates, months, NIP groups and pangkat come from the shared
helpers and are tested with them (tests/lms/shared/test_indonesian.py, tests/lms/people/)."""

from decimal import Decimal

import pytest

from certificates.rendering.formatting import format_jp, terbilang


@pytest.mark.parametrize(
    ("number", "words"),
    [
        (0, "nol"),
        (1, "satu"),
        (10, "sepuluh"),
        (11, "sebelas"),
        (12, "dua belas"),
        (19, "sembilan belas"),
        (20, "dua puluh"),
        (24, "dua puluh empat"),
        (32, "tiga puluh dua"),
        (100, "seratus"),
        (111, "seratus sebelas"),
        (288, "dua ratus delapan puluh delapan"),
        (1000, "seribu"),
        (1945, "seribu sembilan ratus empat puluh lima"),
        (2026, "dua ribu dua puluh enam"),
        (100_000, "seratus ribu"),
        (1_000_000, "satu juta"),
        (2_500_000, "dua juta lima ratus ribu"),
        (1_000_000_000, "satu miliar"),
        (Decimal("7.5"), "tujuh koma lima"),
        ("1.25", "satu koma dua lima"),
        (Decimal("24.0"), "dua puluh empat"),
    ],
)
def test_terbilang(number, words):
    assert terbilang(number) == words


def test_terbilang_rejects_negative():
    with pytest.raises(ValueError):
        terbilang(-1)


def test_format_jp_uses_decimal_comma():
    assert format_jp(24) == "24"
    assert format_jp(Decimal("7.5")) == "7,5"
    assert format_jp(Decimal("30.00")) == "30"

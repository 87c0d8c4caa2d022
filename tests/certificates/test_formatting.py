import datetime as dt
from decimal import Decimal

import pytest

from certificates.formatting import (
    format_date,
    format_date_range,
    format_jp,
    format_nip,
    month_roman,
    pangkat_golongan,
    place_and_date,
    terbilang,
)


def test_format_date_uses_our_month_names():
    assert format_date(dt.date(2026, 11, 22)) == "22 November 2026"
    assert format_date(dt.date(2026, 2, 1)) == "1 Februari 2026"
    assert format_date(dt.date(2026, 8, 17)) == "17 Agustus 2026"
    assert format_date(dt.date(2026, 12, 31)) == "31 Desember 2026"


def test_place_and_date_is_the_signing_line():
    assert place_and_date("Padang Panjang", dt.date(2026, 11, 22)) == (
        "Padang Panjang, 22 November 2026"
    )


def test_date_range_shares_month_and_year():
    assert format_date_range(dt.date(2026, 11, 20), dt.date(2026, 11, 22)) == (
        "20\u201322 November 2026"
    )
    assert format_date_range(dt.date(2026, 11, 30), dt.date(2026, 12, 2)) == (
        "30 November \u2013 2 Desember 2026"
    )
    assert format_date_range(dt.date(2026, 12, 30), dt.date(2027, 1, 2)) == (
        "30 Desember 2026 \u2013 2 Januari 2027"
    )
    assert format_date_range(dt.date(2026, 5, 4), dt.date(2026, 5, 4)) == "4 Mei 2026"


def test_date_range_rejects_end_before_start():
    with pytest.raises(ValueError):
        format_date_range(dt.date(2026, 5, 4), dt.date(2026, 5, 3))


def test_month_roman():
    assert [month_roman(m) for m in (1, 4, 9, 11, 12)] == ["I", "IV", "IX", "XI", "XII"]
    with pytest.raises(ValueError):
        month_roman(13)


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


def test_format_nip_groups_pns_and_pppk():
    assert format_nip("198609262015051001") == "19860926 201505 1 001"
    assert format_nip("198604272022211011", "pppk") == "19860427 2022 21 1 011"
    with pytest.raises(ValueError):
        format_nip("12345")


def test_pangkat_golongan():
    assert pangkat_golongan("III/b") == "Penata Muda Tingkat I, III/b"
    assert pangkat_golongan("IV/e") == "Pembina Utama, IV/e"
    assert pangkat_golongan("IX") == "IX"
    assert pangkat_golongan(None) is None


def test_format_jp_uses_decimal_comma():
    assert format_jp(24) == "24"
    assert format_jp(Decimal("7.5")) == "7,5"
    assert format_jp(Decimal("30.00")) == "30"

from datetime import UTC, date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from lms.shared.indonesian import (
    MONTHS,
    format_date,
    format_date_range,
    format_day_date,
    format_decimal_id,
    format_place_date,
    format_time,
    format_time_range,
    full_name,
    month_roman,
    parse_date,
    terbilang,
    timezone_label,
)


def test_month_table_is_our_own_indonesian_names():
    assert MONTHS == (
        "Januari",
        "Februari",
        "Maret",
        "April",
        "Mei",
        "Juni",
        "Juli",
        "Agustus",
        "September",
        "Oktober",
        "November",
        "Desember",
    )


def test_format_date_and_place_date_as_printed_on_certificates():
    assert format_date(date(2026, 11, 22)) == "22 November 2026"
    assert format_date(date(2026, 12, 1)) == "1 Desember 2026"
    assert format_date(datetime(2026, 2, 3, 10, 0)) == "3 Februari 2026"
    assert format_place_date("Padang Panjang", date(2026, 11, 22)) == (
        "Padang Panjang, 22 November 2026"
    )
    assert (
        format_place_date("  Padang   Panjang ", date(2026, 5, 1)) == "Padang Panjang, 1 Mei 2026"
    )
    assert format_day_date(date(2026, 11, 22)) == "Minggu, 22 November 2026"
    assert format_day_date(date(2026, 11, 27)) == "Jumat, 27 November 2026"


def test_format_date_range_repeats_only_what_changes():
    assert format_date_range(date(2026, 11, 22), date(2026, 11, 22)) == "22 November 2026"
    assert format_date_range(date(2026, 11, 20), date(2026, 11, 22)) == "20–22 November 2026"
    assert format_date_range(date(2026, 11, 30), date(2026, 12, 2)) == (
        "30 November – 2 Desember 2026"
    )
    assert format_date_range(date(2026, 12, 30), date(2027, 1, 2)) == (
        "30 Desember 2026 – 2 Januari 2027"
    )
    with pytest.raises(ValueError, match="sebelum"):
        format_date_range(date(2026, 11, 22), date(2026, 11, 21))


def test_month_roman_for_letter_numbers():
    assert [month_roman(m) for m in range(1, 13)] == [
        "I",
        "II",
        "III",
        "IV",
        "V",
        "VI",
        "VII",
        "VIII",
        "IX",
        "X",
        "XI",
        "XII",
    ]
    for bad in (0, 13):
        with pytest.raises(ValueError):
            month_roman(bad)


@pytest.mark.parametrize(
    ("n", "words"),
    [
        (0, "nol"),
        (1, "satu"),
        (10, "sepuluh"),
        (11, "sebelas"),
        (12, "dua belas"),
        (19, "sembilan belas"),
        (20, "dua puluh"),
        (24, "dua puluh empat"),
        (99, "sembilan puluh sembilan"),
        (100, "seratus"),
        (111, "seratus sebelas"),
        (245, "dua ratus empat puluh lima"),
        (1000, "seribu"),
        (1001, "seribu satu"),
        (1945, "seribu sembilan ratus empat puluh lima"),
        (2026, "dua ribu dua puluh enam"),
        (11000, "sebelas ribu"),
        (100000, "seratus ribu"),
        (101000, "seratus satu ribu"),
        (1000000, "satu juta"),
        (7000000, "tujuh juta"),
        (1001000, "satu juta seribu"),
        (2500000, "dua juta lima ratus ribu"),
        (1000000000, "satu miliar"),
        (3000000000000, "tiga triliun"),
        (-5, "minus lima"),
    ],
)
def test_terbilang(n, words):
    assert terbilang(n) == words


def test_terbilang_decimal_reads_digits_after_koma():
    assert terbilang(Decimal("80.5")) == "delapan puluh koma lima"
    assert terbilang(Decimal("88.31")) == "delapan puluh delapan koma tiga satu"
    assert terbilang(Decimal("24")) == "dua puluh empat"
    with pytest.raises(ValueError):
        terbilang(80.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        terbilang(True)


def test_timezone_label_comes_from_the_offset():
    at = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)
    assert timezone_label("Asia/Jakarta", at) == "WIB"
    assert timezone_label("Asia/Pontianak", at) == "WIB"
    assert timezone_label("Asia/Makassar", at) == "WITA"
    assert timezone_label("Asia/Jayapura", at) == "WIT"
    assert timezone_label(ZoneInfo("Asia/Makassar")) == "WITA"
    assert timezone_label("UTC", at) == "UTC+0"
    assert timezone_label("Asia/Kolkata", at) == "UTC+5:30"
    with pytest.raises(ValueError, match="tidak dikenal"):
        timezone_label("Asia/Atlantis", at)


def test_format_time_converts_to_the_session_zone():
    at = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)
    assert format_time(at, "Asia/Jakarta") == "pukul 09.00 WIB"
    assert format_time(at, "Asia/Makassar") == "pukul 10.00 WITA"
    assert format_time(at, "Asia/Jayapura") == "pukul 11.00 WIT"
    assert format_time(datetime(2026, 11, 22, 13, 30), "Asia/Jakarta") == "pukul 13.30 WIB"
    assert format_time(time(8, 5), "Asia/Jakarta") == "pukul 08.05 WIB"
    assert (
        format_time_range(
            datetime(2026, 11, 22, 1, 0, tzinfo=UTC),
            datetime(2026, 11, 22, 9, 0, tzinfo=UTC),
            "Asia/Jakarta",
        )
        == "pukul 08.00–16.00 WIB"
    )


def test_full_name_with_titles():
    assert full_name("Siti Nurhaliza", "Dr. Ir.", "M.Si.") == "Dr. Ir. Siti Nurhaliza, M.Si."
    assert full_name("Afrizal", None, "S.Sos.") == "Afrizal, S.Sos."
    assert full_name("Yenni Marlina", "", "S.E., M.M.") == "Yenni Marlina, S.E., M.M."
    assert full_name("Lely Suryati", "Dra.", None) == "Dra. Lely Suryati"
    assert full_name("Nofriadi") == "Nofriadi"
    assert full_name("  Budi   Santoso ", "   ", "  ") == "Budi Santoso"
    assert full_name("Ratna", " dr. ", ", Sp.A.") == "dr. Ratna, Sp.A."


def test_format_decimal_id_uses_the_decimal_comma_and_rounds_half_up():
    assert format_decimal_id(Decimal("80.5")) == "80,50"
    assert format_decimal_id(80.505) == "80,51"
    assert format_decimal_id(Decimal("80.504")) == "80,50"
    assert format_decimal_id(Decimal("77.2222"), 2) == "77,22"
    assert format_decimal_id(100) == "100,00"
    assert format_decimal_id(Decimal("88.5"), 0) == "89"
    assert format_decimal_id(Decimal("1234567.891")) == "1.234.567,89"
    assert format_decimal_id(Decimal("1234.5"), grouping=False) == "1234,50"
    assert format_decimal_id(Decimal("-1.005")) == "-1,01"
    with pytest.raises(ValueError):
        format_decimal_id("abc")


def test_parse_date_reads_iso_day_first_and_month_names():
    expected = date(2026, 11, 22)
    for text in (
        "2026-11-22",
        "2026-11-22 00:00:00",
        "22/11/2026",
        "22-11-2026",
        "22.11.2026",
        "22 November 2026",
        "22 Nov 2026",
        "22 nopember 2026",
    ):
        assert parse_date(text) == expected, text
    assert parse_date("03/04/2026") == date(2026, 4, 3)
    for bad in ("31/02/2026", "2026-13-01", "besok", "", "22 Foo 2026"):
        with pytest.raises(ValueError, match="tidak valid"):
            parse_date(bad)

import csv
from datetime import date

import pytest

from lms.people.nip import (
    InvalidNip,
    birth_date_from_nip,
    format_nip,
    mask_nip,
    normalize_nip,
    sex_from_nip,
    validate_nip,
)
from tests.conftest import SHARED_DATA

TODAY = date(2026, 11, 23)


def test_normalize_nip_strips_what_people_and_excel_add():
    assert normalize_nip("19860926 201505 1 001") == "198609262015051001"
    assert normalize_nip(" 19860926.201505.1.001 ") == "198609262015051001"
    assert normalize_nip("19860926-201505-1-001") == "198609262015051001"
    assert normalize_nip("19860926\u00a0201505\u00a01\u00a0001") == "198609262015051001"
    assert normalize_nip("198609082018111001.0") == "198609082018111001"
    assert normalize_nip("'198609082018111001") == "198609082018111001"
    assert normalize_nip(198609082018111001) == "198609082018111001"
    assert normalize_nip(None) == ""
    assert normalize_nip("   ") == ""
    # Anything else is left for validate_nip to explain.
    assert normalize_nip("19860926A01505") == "19860926A01505"


# "1,98609E+17" is what Indonesian-locale Excel writes into a CSV for such a cell.
@pytest.mark.parametrize("raw", [1.98609082018111e17, "1.98609082018111E+17", "1,98609E+17"])
def test_normalize_nip_refuses_numbers_excel_already_rounded(raw):
    with pytest.raises(InvalidNip, match="tersimpan sebagai angka di Excel") as info:
        normalize_nip(raw)
    assert "ubah format kolom NIP menjadi Teks" in str(info.value)


def test_every_nip_of_the_sample_participant_list_is_valid_for_its_type():
    with open(SHARED_DATA / "peserta_pelayanan_prima_angkatan_1.csv", encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f, delimiter=";"))
    assert len(rows) == 27
    for row in rows:
        assert validate_nip(row["NIP"], row["Jenis ASN"].lower(), today=TODAY) == [], row["NIP"]


def test_pns_nip_rules():
    assert validate_nip("198609262015051001", "pns", today=TODAY) == []
    assert validate_nip("19860926201505100", "pns", today=TODAY) == [
        "NIP harus 18 digit, bukan 17 digit ('19860926201505100')"
    ]
    assert validate_nip("19860926 201505 1 001", "pns", today=TODAY) == [
        "NIP hanya boleh berisi angka ('19860926 201505 1 001')"
    ]
    assert validate_nip("", "pns", today=TODAY) == ["NIP wajib diisi untuk PNS"]
    assert validate_nip(None, "pns", today=TODAY) == ["NIP wajib diisi untuk PNS"]
    assert validate_nip("198602302015051001", "pns", today=TODAY) == [
        "Tanggal lahir pada NIP (19860230) bukan tanggal yang sah"
    ]
    assert validate_nip("193912312015051001", "pns", today=TODAY) == [
        "Tahun lahir pada NIP (1939) harus antara 1940 dan 2026"
    ]
    assert validate_nip("198609262015131001", "pns", today=TODAY) == [
        "Bulan TMT CPNS pada NIP (13) harus 01–12"
    ]
    assert validate_nip("198609262015001001", "pns", today=TODAY) == [
        "Bulan TMT CPNS pada NIP (00) harus 01–12"
    ]
    assert validate_nip("198609262015053001", "pns", today=TODAY) == [
        "Digit jenis kelamin pada NIP (3) harus 1 atau 2"
    ]
    assert validate_nip("198609262015051000", "pns", today=TODAY) == [
        "Nomor urut pada NIP tidak boleh 000"
    ]
    assert validate_nip("198609262000051001", "pns", today=TODAY) == [
        "TMT CPNS pada NIP (2000-05) terlalu dekat dengan tahun lahir (1986)"
    ]
    # Birth year + 15 is the earliest accepted TMT year.
    assert validate_nip("198609262001051001", "pns", today=TODAY) == []
    assert validate_nip("198609262028011001", "pns", today=TODAY) == [
        "Tahun TMT CPNS pada NIP (2028) belum terjadi"
    ]
    assert validate_nip("198609262027011001", "pns", today=TODAY) == []
    # Several problems are all reported.
    assert validate_nip("198613262015133000", "pns", today=TODAY) == [
        "Tanggal lahir pada NIP (19861326) bukan tanggal yang sah",
        "Bulan TMT CPNS pada NIP (13) harus 01–12",
        "Digit jenis kelamin pada NIP (3) harus 1 atau 2",
        "Nomor urut pada NIP tidak boleh 000",
    ]


def test_ni_pppk_is_not_rejected_by_the_pns_month_rule():
    assert validate_nip("198604272022211011", "pppk", today=TODAY) == []
    assert validate_nip("198604272022211011", "pns", today=TODAY) == [
        "Bulan TMT CPNS pada NIP (21) harus 01–12"
    ]


def test_pppk_rules():
    assert validate_nip("", "pppk", today=TODAY) == ["NI PPPK wajib diisi untuk PPPK"]
    assert validate_nip("198604272018211011", "pppk", today=TODAY) == [
        "Tahun pengangkatan pada NI PPPK (2018) harus antara 2019 dan 2027"
    ]
    assert validate_nip("198604272028211011", "pppk", today=TODAY) == [
        "Tahun pengangkatan pada NI PPPK (2028) harus antara 2019 dan 2027"
    ]
    assert validate_nip("198604272019991011", "pppk", today=TODAY) == []
    assert validate_nip("198604272022213011", "pppk", today=TODAY) == [
        "Digit jenis kelamin pada NI PPPK (3) harus 1 atau 2"
    ]
    assert validate_nip("198613272022211011", "pppk", today=TODAY) == [
        "Tanggal lahir pada NI PPPK (19861327) bukan tanggal yang sah"
    ]
    assert validate_nip("201004272022211011", "pppk", today=TODAY) == [
        "Tahun pengangkatan pada NI PPPK (2022) terlalu dekat dengan tahun lahir (2010)"
    ]
    assert validate_nip("19860427202221101", "pppk", today=TODAY) == [
        "NI PPPK harus 18 digit, bukan 17 digit ('19860427202221101')"
    ]


def test_non_asn_nip_is_optional_but_must_be_18_digits_when_given():
    assert validate_nip("", "non_asn", today=TODAY) == []
    assert validate_nip(None, "non_asn", today=TODAY) == []
    assert validate_nip("123456789012345678", "non_asn", today=TODAY) == []
    assert validate_nip("12345", "non_asn", today=TODAY) == [
        "NIP harus 18 digit, bukan 5 digit ('12345')"
    ]


def test_format_and_mask():
    assert format_nip("198609262015051001", "pns") == "19860926 201505 1 001"
    assert format_nip("198604272022211011", "pppk") == "19860427 2022 21 1 011"
    assert format_nip("198609262015051001") == "19860926 201505 1 001"
    # Without a type, a non-month in digits 13-14 can only be PPPK.
    assert format_nip("198604272022211011") == "19860427 2022 21 1 011"
    assert format_nip("198910142023122008", "pppk") == "19891014 2023 12 2 008"
    assert format_nip("12345") == "12345"
    assert format_nip(None) == ""
    assert mask_nip("198609262015051001") == "1986**** ****** * 001"
    assert mask_nip("198604272022211011", "pppk") == "1986**** **** ** * 011"
    assert mask_nip("12345") == "**345"
    assert mask_nip("") == ""


def test_sex_and_birth_date_from_nip():
    assert sex_from_nip("198609262015051001") == "male"
    assert sex_from_nip("198001062013082008") == "female"
    assert sex_from_nip("198604272022211011") == "male"
    assert sex_from_nip("198609262015053001") is None
    assert sex_from_nip("123") is None
    assert birth_date_from_nip("198609262015051001") == date(1986, 9, 26)
    assert birth_date_from_nip("198604272022211011") == date(1986, 4, 27)
    assert birth_date_from_nip("198602302015051001") is None
    assert birth_date_from_nip(None) is None

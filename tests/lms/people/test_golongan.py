import pytest

from lms.people.golongan import (
    PNS_GOLONGAN,
    PPPK_GOLONGAN,
    InvalidGolongan,
    golongan_rank,
    normalize_golongan,
    pangkat_golongan_display,
    pangkat_name,
)


def test_tables_match_the_civil_service_ladder():
    assert list(PNS_GOLONGAN) == [
        "I/a", "I/b", "I/c", "I/d",
        "II/a", "II/b", "II/c", "II/d",
        "III/a", "III/b", "III/c", "III/d",
        "IV/a", "IV/b", "IV/c", "IV/d", "IV/e",
    ]  # fmt: skip
    assert PNS_GOLONGAN["I/a"] == "Juru Muda"
    assert PNS_GOLONGAN["II/b"] == "Pengatur Muda Tingkat I"
    assert PNS_GOLONGAN["III/d"] == "Penata Tingkat I"
    assert PNS_GOLONGAN["IV/c"] == "Pembina Utama Muda"
    assert PNS_GOLONGAN["IV/d"] == "Pembina Utama Madya"
    assert PNS_GOLONGAN["IV/e"] == "Pembina Utama"
    assert len(PPPK_GOLONGAN) == 17
    assert PPPK_GOLONGAN[8] == "IX" and PPPK_GOLONGAN[-1] == "XVII"


@pytest.mark.parametrize(
    "raw",
    ["III/d", "III-d", "IIId", "3d", "iii/d", "III / D", "3/d", "III.d", "Gol. III/d",
     "Golongan III/d", "Penata Tingkat I, III/d", "Penata Tk. I (III/d)"],
)  # fmt: skip
def test_pns_spellings(raw):
    assert normalize_golongan(raw, "pns") == "III/d"


def test_every_pns_golongan_roundtrips():
    for golongan in PNS_GOLONGAN:
        assert normalize_golongan(golongan, "pns") == golongan
        assert normalize_golongan(golongan.lower().replace("/", ""), "pns") == golongan
    assert normalize_golongan("4e", "pns") == "IV/e"
    assert normalize_golongan("1A", "pns") == "I/a"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("IX", "IX"),
        ("ix", "IX"),
        ("9", "IX"),
        (9, "IX"),
        ("Gol IX", "IX"),
        ("XVII", "XVII"),
        ("17", "XVII"),
        ("1", "I"),
        (" v ", "V"),
    ],
)
def test_pppk_spellings(raw, expected):
    assert normalize_golongan(raw, "pppk") == expected


def test_empty_values_mean_not_given():
    for raw in (None, "", "  ", "-", "–"):
        assert normalize_golongan(raw, "pns") == ""
        assert normalize_golongan(raw, "pppk") == ""
        assert normalize_golongan(raw, "non_asn") == ""


def test_errors_are_indonesian_and_specific():
    pns_hint = "golongan PNS ditulis I/a sampai IV/e"
    pppk_hint = "golongan PPPK ditulis I sampai XVII"
    cases = [
        ("III/f", "pns", "Golongan 'III/f' tidak dikenal; " + pns_hint),
        ("I/e", "pns", "Golongan 'I/e' tidak dikenal; " + pns_hint),
        ("5a", "pns", "Golongan '5a' tidak dikenal; " + pns_hint),
        ("IX", "pns", "Golongan 'IX' adalah golongan PPPK; " + pns_hint),
        ("III/d", "pppk", "Golongan 'III/d' adalah golongan PNS; " + pppk_hint),
        ("XVIII", "pppk", "Golongan 'XVIII' tidak dikenal; " + pppk_hint),
        ("18", "pppk", "Golongan '18' tidak dikenal; " + pppk_hint),
        ("0", "pppk", "Golongan '0' tidak dikenal; " + pppk_hint),
        ("II/a", "non_asn", "Non ASN tidak memiliki golongan (tertulis 'II/a')"),
        ("III", "pns", "Golongan 'III' tidak lengkap; tulis beserta ruangnya, misalnya III/a"),
        ("3", "pns", "Golongan '3' tidak lengkap; tulis beserta ruangnya, misalnya III/a"),
    ]  # fmt: skip
    for raw, asn_type, message in cases:
        with pytest.raises(InvalidGolongan) as info:
            normalize_golongan(raw, asn_type)
        assert str(info.value) == message


def test_pangkat_and_certificate_display():
    assert pangkat_name("III/d") == "Penata Tingkat I"
    assert pangkat_name("IX") is None
    assert pangkat_name(None) is None
    assert pangkat_golongan_display("III/d", "pns") == "Penata Tingkat I, III/d"
    assert pangkat_golongan_display("IV/a", "pns") == "Pembina, IV/a"
    assert pangkat_golongan_display("IX", "pppk") == "IX"
    assert pangkat_golongan_display("", "pns") == ""
    assert pangkat_golongan_display(None, "pppk") == ""
    assert pangkat_golongan_display("II/a", "non_asn") == ""


def test_golongan_rank_orders_grades():
    assert golongan_rank("I/a", "pns") == 1
    assert golongan_rank("III/d", "pns") == 12
    assert golongan_rank("IV/e", "pns") == 17
    assert golongan_rank("IX", "pppk") == 9
    with pytest.raises(InvalidGolongan):
        golongan_rank("iii/d", "pns")

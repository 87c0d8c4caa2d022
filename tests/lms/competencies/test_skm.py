import csv
import math
from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest

from lms.competencies.skm import (
    CATEGORY_LABELS,
    ELEMENTS,
    SkmError,
    SkmRowError,
    category_for,
    compute_ikm,
    ombudsman_zone,
    parse_skm_csv,
    round_half_up,
)
from lms.shared.tabular import MissingColumns
from tests.conftest import SHARED_DATA

SAMPLE = SHARED_DATA / "skm_dpmptsp_2025_2026.csv"
CODES = [f"U{i}" for i in range(1, 10)]


def independent_ikm(rows: list[list[int]]) -> Decimal:
    """IKM the long way: per-element means as fractions, 1/9 weights, x25, half-up."""
    total = Fraction(0)
    for column in range(9):
        answers = [row[column] for row in rows]
        total += Fraction(sum(answers), len(answers)) / 9
    ikm = total * 25
    return Decimal(math.floor(ikm * 100 + Fraction(1, 2))) / 100


def sample_by_period() -> dict[str, list[list[int]]]:
    periods: dict[str, list[list[int]]] = {}
    with open(SAMPLE, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            periods.setdefault(row["period"], []).append([int(row[c]) for c in CODES])
    return periods


def test_the_nine_elements_of_permenpanrb_14_2017():
    assert list(ELEMENTS) == CODES
    assert ELEMENTS["U6"] == "Kompetensi Pelaksana"
    assert ELEMENTS["U7"] == "Perilaku Pelaksana"
    assert ELEMENTS["U9"] == "Penanganan Pengaduan, Saran dan Masukan"


def test_sample_file_ikm_per_period_matches_an_independent_computation():
    parsed = parse_skm_csv(SAMPLE.read_bytes())
    assert parsed.errors == []
    assert parsed.unit_code == "DPMPTSP-PPJ"
    assert list(parsed.periods) == ["2025-S1", "2026-S1"]
    expected = sample_by_period()
    assert parsed.periods == expected

    before = compute_ikm(parsed.periods["2025-S1"])
    after = compute_ikm(parsed.periods["2026-S1"])
    assert before.ikm == independent_ikm(expected["2025-S1"]) == Decimal("77.22")
    assert after.ikm == independent_ikm(expected["2026-S1"]) == Decimal("80.42")
    assert (before.category, before.category_label) == ("B", "Baik")
    assert (after.category, after.category_label) == ("B", "Baik")
    assert before.respondents == after.respondents == 60
    assert before.answered == dict.fromkeys(CODES, 60)
    # 1668 answer points over 540 answers: 1668 / 60 / 9 = 3.0889 on the 1-4 scale.
    assert before.skm == Decimal("3.0889")
    assert after.skm == Decimal("3.2167")
    # The elements training aims at moved most: U6 178 -> 203 points, U7 186 -> 211.
    assert before.nrr["U6"] == Decimal("2.9667") and after.nrr["U6"] == Decimal("3.3833")
    assert before.nrr["U7"] == Decimal("3.1000") and after.nrr["U7"] == Decimal("3.5167")
    assert before.element_ikm["U6"] == Decimal("74.17")
    assert after.element_ikm["U7"] == Decimal("87.92")
    assert str(before.nrr["U9"]) == "3.0000"


def test_sample_rows_keep_respondent_service_and_date():
    parsed = parse_skm_csv(SAMPLE.read_bytes())
    first = parsed.responses[0]
    assert first.row_number == 2
    assert first.respondent == "1"
    assert first.unit_code == "DPMPTSP-PPJ"
    assert first.period == "2025-S1"
    assert first.service == "Izin Praktik"
    assert first.answered_on == date(2025, 5, 19)
    assert first.answers == [3, 3, 3, 3, 3, 4, 4, 3, 3]
    assert parsed.responses[-1].row_number == 121


def test_weight_is_exactly_one_ninth():
    perfect = compute_ikm([[4] * 9] * 7)
    assert perfect.ikm == Decimal("100.00")
    assert perfect.skm == Decimal("4.0000")
    assert (perfect.category, perfect.category_label) == ("A", "Sangat Baik")
    worst = compute_ikm([[1] * 9])
    assert worst.ikm == Decimal("25.00")
    assert (worst.category, worst.category_label) == ("D", "Tidak Baik")


def test_unanswered_elements_are_left_out_of_that_elements_mean_only():
    result = compute_ikm([[4, 4, 4, 4, 4, 4, 4, 4, 4], [2, None, 2, 2, 2, 2, 2, 2, 2]])
    assert result.respondents == 2
    assert result.answered["U2"] == 1
    assert result.nrr["U2"] == Decimal("4.0000")
    assert result.nrr["U1"] == Decimal("3.0000")
    # (8 x 3 + 4) / 9 x 25 = 77.777... -> 77.78
    assert result.ikm == Decimal("77.78")
    assert result.category == "B"


def test_compute_ikm_rejects_bad_input():
    with pytest.raises(SkmError, match="Belum ada responden"):
        compute_ikm([])
    with pytest.raises(SkmError, match="9 jawaban, bukan 8"):
        compute_ikm([[4] * 8])
    with pytest.raises(SkmError, match="U3 responden ke-1 bernilai 5"):
        compute_ikm([[4, 4, 5, 4, 4, 4, 4, 4, 4]])
    with pytest.raises(SkmError, match="U1 responden ke-2 bernilai 0"):
        compute_ikm([[4] * 9, [0, 4, 4, 4, 4, 4, 4, 4, 4]])
    with pytest.raises(SkmError, match="tidak menjawab satu unsur pun"):
        compute_ikm([[None] * 9])
    with pytest.raises(SkmError, match="Unsur U4 tidak dijawab"):
        compute_ikm([[4, 4, 4, None, 4, 4, 4, 4, 4]])
    with pytest.raises(SkmError, match="harus angka"):
        compute_ikm([[4.0] * 9])  # type: ignore[list-item]


@pytest.mark.parametrize(
    ("ikm", "category"),
    [
        ("100", "A"),
        ("88.31", "A"),
        ("88.30", "B"),
        ("88.305", "A"),
        ("88.3049", "B"),
        ("76.61", "B"),
        ("76.60", "C"),
        ("76.605", "B"),
        ("65.00", "C"),
        ("64.995", "C"),
        ("64.99", "D"),
        ("25", "D"),
    ],
)
def test_category_boundaries_on_the_ikm_rounded_to_two_decimals(ikm, category):
    assert category_for(Decimal(ikm)) == category


def test_category_for_exact_fractions():
    assert category_for(Fraction(26497, 300)) == "A"  # 88.3233...
    assert category_for(Fraction(8830, 100)) == "B"
    assert CATEGORY_LABELS == {
        "A": "Sangat Baik",
        "B": "Baik",
        "C": "Kurang Baik",
        "D": "Tidak Baik",
    }


def test_round_half_up_is_exact():
    assert round_half_up(Fraction(1, 8), 2) == Decimal("0.13")
    assert round_half_up(Fraction(-1, 8), 2) == Decimal("-0.13")
    assert round_half_up(Fraction(2, 3), 4) == Decimal("0.6667")
    assert str(round_half_up(100, 2)) == "100.00"


@pytest.mark.parametrize(
    ("score", "zone"),
    [
        ("100", "green"),
        ("81.00", "green"),
        ("80.99", "yellow"),
        ("80.995", "green"),
        ("51.00", "yellow"),
        ("50.99", "red"),
        ("0", "red"),
    ],
)
def test_ombudsman_zones(score, zone):
    assert ombudsman_zone(Decimal(score)) == zone


def test_ombudsman_zone_out_of_range():
    with pytest.raises(ValueError):
        ombudsman_zone(Decimal("100.01"))
    with pytest.raises(ValueError):
        ombudsman_zone(Decimal("-1"))


def test_parse_reports_bad_rows_with_their_row_numbers():
    data = (
        b"respondent;unit_code;periode;layanan;tanggal;U1;U2;U3;U4;U5;U6;U7;U8;U9\r\n"
        b"1;DPMPTSP-PPJ;2026-S1;Izin Usaha;19/05/2026;4;4;4;4;4;4;4;4;4\r\n"
        b"2;DPMPTSP-PPJ;2026-S1;Izin Usaha;2026-05-20;4;5;4;4;baik;4;4;4;4\r\n"
        b"3;DPMPTSP-PPJ;2026-S1;Izin Usaha;2026-05-21;3;3;;3;3;3;3;3;3\r\n"
        b"4;DPMPTSP-PPJ;;Izin Usaha;2026-05-21;3;3;3;3;3;3;3;3;3\r\n"
        b"5;DPMPTSP-PPJ;2026-S1;Izin Usaha;31/02/2026;3;3;3;3;3;3;3;3;3\r\n"
        b"6;DPMPTSP-BKT;2026-S1;Izin Usaha;2026-05-22;3;3;3;3;3;3;3;3;3\r\n"
        b"7;DPMPTSP-PPJ;2026-S1;Izin Usaha;;;;;;;;;;\r\n"
        b"8;DPMPTSP-PPJ;2026-S1;Izin Usaha;;3.0;3;3;3;3;3;3;3;3\r\n"
    )
    parsed = parse_skm_csv(data)
    assert [r.row_number for r in parsed.responses] == [2, 4]
    assert parsed.responses[0].answered_on == date(2026, 5, 19)
    assert parsed.periods == {
        "2026-S1": [[4, 4, 4, 4, 4, 4, 4, 4, 4], [3, 3, None, 3, 3, 3, 3, 3, 3]],
    }
    hint = "jawaban harus angka 1–4 atau dikosongkan"
    assert parsed.errors == [
        SkmRowError(3, [f"U2 bernilai '5'; {hint}", f"U5 bernilai 'baik'; {hint}"]),
        SkmRowError(5, ["Periode wajib diisi"]),
        SkmRowError(
            6,
            ["Tanggal '31/02/2026' tidak valid; gunakan format 2026-11-22 atau 22/11/2026"],
        ),
        SkmRowError(
            7,
            ["Kode unit 'DPMPTSP-BKT' berbeda dengan 'DPMPTSP-PPJ'; satu berkas untuk satu unit"],
        ),
        SkmRowError(8, ["Tidak ada jawaban U1–U9"]),
        SkmRowError(9, [f"U1 bernilai '3.0'; {hint}"]),
    ]


def test_parse_requires_period_and_all_nine_elements():
    with pytest.raises(MissingColumns) as info:
        parse_skm_csv(b"respondent,U1,U2,U3,U4,U5,U6,U7,U8\n1,4,4,4,4,4,4,4,4\n")
    assert info.value.missing == ["period", "U9"]
    assert str(info.value) == "Kolom wajib tidak ditemukan: period, U9"


# --- sample size (PermenPANRB 14/2017, Krejcie-Morgan) ---------------------------------------


def test_minimum_sample_follows_the_krejcie_morgan_table():
    from lms.competencies.skm import KREJCIE_MORGAN, minimum_sample

    assert [minimum_sample(n) for n in (1, 5, 10, 100, 101, 110, 1000, 1_000_000, 5_000_000)] == [
        1, 5, 10, 80, 86, 86, 278, 384, 384
    ]  # fmt: skip
    # Every row is the published formula, rounded: chi-square 3.841, p = 0.5, d = 0.05.
    for population, sample in KREJCIE_MORGAN[:-1]:
        exact = 3.841 * population * 0.25 / (0.0025 * (population - 1) + 3.841 * 0.25)
        assert abs(exact - sample) <= 0.5 + 1e-9, population


def test_sample_check_says_whether_the_sample_suffices():
    from lms.competencies.skm import sample_check

    low = sample_check(1, 100)
    assert (low.minimum, low.sufficient) == (80, False)
    assert low.message.startswith("Sampel belum memenuhi: 1 responden, minimum 80")
    assert sample_check(80, 100).sufficient is True
    unknown = sample_check(1, None)
    assert (unknown.minimum, unknown.sufficient) == (None, None)
    assert "populasi penerima layanan unit belum diatur" in unknown.message

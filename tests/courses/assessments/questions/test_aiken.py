"""Aiken reader and writer."""

from decimal import Decimal

import pytest

from courses.assessments.questions.aiken import parse_aiken, to_aiken
from courses.assessments.questions.authoring import make_options
from courses.assessments.questions.gift import parse_gift
from courses.assessments.questions.model import MultipleChoice, SingleChoice

SAMPLE = """\
Undang-undang yang mengatur pelayanan publik adalah
A. UU Nomor 5 Tahun 2014
B. UU Nomor 25 Tahun 2009
C. UU Nomor 14 Tahun 2008
D. UU Nomor 23 Tahun 2014
ANSWER: B

Jika nilai IKM sebuah unit 90,00,
mutu pelayanannya adalah
A) A (Sangat Baik)
B) B (Baik)
C) C (Kurang Baik)
ANSWER: A
Frekuensi minimal SKM adalah
A. setiap bulan
B. satu kali dalam setahun
ANSWER: B
"""


def test_sample_reads_every_question() -> None:
    result = parse_aiken(SAMPLE)

    assert result.errors == []
    assert [p.line for p in result.questions] == [1, 8, 14]
    first, second, third = (p.question for p in result.questions)
    assert isinstance(first, SingleChoice)
    assert first.title == first.text == "Undang-undang yang mengatur pelayanan publik adalah"
    assert first.text_format == "plain"
    assert [(o.text, o.weight) for o in first.options] == [
        ("UU Nomor 5 Tahun 2014", Decimal(0)),
        ("UU Nomor 25 Tahun 2009", Decimal(100)),
        ("UU Nomor 14 Tahun 2008", Decimal(0)),
        ("UU Nomor 23 Tahun 2014", Decimal(0)),
    ]
    assert second.text == "Jika nilai IKM sebuah unit 90,00,\nmutu pelayanannya adalah"
    assert [(o.text, o.weight) for o in second.options] == [
        ("A (Sangat Baik)", Decimal(100)),
        ("B (Baik)", Decimal(0)),
        ("C (Kurang Baik)", Decimal(0)),
    ]
    assert [o.weight for o in third.options] == [Decimal(0), Decimal(100)]


def test_broken_questions_report_lines_and_the_rest_imports() -> None:
    source = """\
A. pilihan tanpa soal
ANSWER: A

Soal tanpa baris jawaban
A. satu
B. dua

Soal dengan huruf jawaban yang tidak ada
A. satu
B. dua
ANSWER: E

Soal dengan satu pilihan
A. satu
ANSWER: A

Soal baik
A. ya
B. tidak
ANSWER: a

Soal dengan huruf ganda
A. satu
A. dua
ANSWER: A

ANSWER: B

Soal terakhir tanpa ANSWER
A. x
B. y
"""

    result = parse_aiken(source)

    assert [(p.line, p.question.title) for p in result.questions] == [(17, "Soal baik")]
    assert [(e.line, e.message) for e in result.errors] == [
        (1, "Pilihan jawaban tanpa teks soal di atasnya."),
        (4, "Soal tidak diakhiri baris 'ANSWER: <huruf>'."),
        (8, "Jawaban 'E' tidak ada di antara pilihan A, B."),
        (13, "Soal Aiken membutuhkan paling sedikit 2 pilihan jawaban."),
        (22, "Huruf pilihan A dipakai lebih dari sekali."),
        (27, "Baris ANSWER tanpa soal dan pilihan jawaban."),
        (29, "Soal tidak diakhiri baris 'ANSWER: <huruf>'."),
    ]
    assert result.errors[1].snippet == "Soal tanpa baris jawaban A. satu B. dua"


def test_export_and_round_trip() -> None:
    questions = [p.question for p in parse_aiken(SAMPLE).questions]

    written = to_aiken(questions)

    assert written.startswith(
        "Undang-undang yang mengatur pelayanan publik adalah\n"
        "A. UU Nomor 5 Tahun 2014\n"
        "B. UU Nomor 25 Tahun 2009\n"
        "C. UU Nomor 14 Tahun 2008\n"
        "D. UU Nomor 23 Tahun 2014\n"
        "ANSWER: B\n"
        "\n"
        "Jika nilai IKM sebuah unit 90,00,\n"
        "mutu pelayanannya adalah\n"
        "A. A (Sangat Baik)\n"
    )
    assert [p.question for p in parse_aiken(written).questions] == questions


def test_export_of_gift_single_choice_drops_feedback() -> None:
    bank = parse_gift("::UU::Undang-undang pelayanan publik? {=UU 25/2009#Benar ~UU 5/2014}")

    assert to_aiken([bank.questions[0].question]) == (
        "Undang-undang pelayanan publik?\nA. UU 25/2009\nB. UU 5/2014\nANSWER: A\n"
    )


def test_export_refuses_what_aiken_cannot_hold() -> None:
    partial = SingleChoice(
        title="Sebagian",
        text="Pilih",
        options=make_options([("a", Decimal(100), ""), ("b", Decimal(50), "")]),
    )
    several = MultipleChoice(
        title="Beberapa",
        text="Pilih",
        options=make_options([("a", Decimal(50), ""), ("b", Decimal(50), "")]),
    )
    lookalike = SingleChoice(
        title="Mirip",
        text="Perhatikan:\nA. ini bukan pilihan",
        options=make_options([("a", Decimal(100), ""), ("b", Decimal(0), "")]),
    )

    with pytest.raises(ValueError, match="harus tepat satu jawaban 100% dan lainnya 0%"):
        to_aiken([partial])
    with pytest.raises(ValueError, match="Aiken hanya memuat soal pilihan tunggal"):
        to_aiken([several])
    with pytest.raises(ValueError, match="menyerupai pilihan/ANSWER"):
        to_aiken([lookalike])

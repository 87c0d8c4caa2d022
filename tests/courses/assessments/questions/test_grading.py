"""Exact grading, type by type."""

from decimal import Decimal
from fractions import Fraction

import msgspec
import pytest

from courses.assessments.questions.authoring import make_matching, make_options
from courses.assessments.questions.gift import parse_gift
from courses.assessments.questions.grading import (
    EssayResponse,
    GradeOutcome,
    MatchingResponse,
    MultipleChoiceResponse,
    NumericalResponse,
    Response,
    ShortAnswerResponse,
    SingleChoiceResponse,
    TrueFalseResponse,
    credit,
    grade,
    grade_manually,
    normalize_answer,
    round_points,
)
from courses.assessments.questions.model import (
    AcceptedAnswer,
    Description,
    Matching,
    MultipleChoice,
    Numerical,
    NumericAnswer,
    Question,
    ShortAnswer,
    SingleChoice,
)
from tests.conftest import SHARED_DATA

BANK = parse_gift((SHARED_DATA / "bank_soal_pelayanan_prima.gift").read_bytes())
BY_LINE = {parsed.line: parsed.question for parsed in BANK.questions}


def outcome(points: str, max_points: str = "1", correct: bool | None = False) -> GradeOutcome:
    return GradeOutcome(
        points_awarded=Decimal(points),
        max_points=Decimal(max_points),
        needs_manual=False,
        correct=correct,
    )


def option_id(question: Question, text_start: str) -> str:
    assert isinstance(question, SingleChoice | MultipleChoice)
    [found] = [o.id for o in question.options if o.text.startswith(text_start)]
    return found


def test_single_choice_gives_the_chosen_weight() -> None:
    question = BY_LINE[6]

    right = grade(question, SingleChoiceResponse(option_id=option_id(question, "UU Nomor 25")))
    wrong = grade(question, SingleChoiceResponse(option_id=option_id(question, "UU Nomor 5 ")))

    assert right == outcome("1.00", correct=True)
    assert wrong == outcome("0.00")
    assert right.points_awarded.as_tuple().exponent == -2


def test_single_choice_partial_and_negative_weights() -> None:
    question = SingleChoice(
        title="t",
        text="x",
        options=make_options(
            [("a", Decimal(100), ""), ("b", Decimal(50), ""), ("c", Decimal(-50), "")]
        ),
    )

    assert grade(question, SingleChoiceResponse(option_id="b"), Decimal(3)) == outcome("1.50", "3")
    assert grade(question, SingleChoiceResponse(option_id="c"), Decimal(3)) == outcome("0.00", "3")


def test_multiple_choice_three_thirds_make_full_marks_exactly() -> None:
    question = BY_LINE[37]
    a, b, c = (option_id(question, start) for start in ("Memahami", "Ramah", "Melakukan"))

    assert grade(question, MultipleChoiceResponse(option_ids=(a, b, c))) == outcome(
        "1.00", correct=True
    )
    assert grade(question, MultipleChoiceResponse(option_ids=(a, b))) == outcome("0.67")
    assert grade(question, MultipleChoiceResponse(option_ids=(a,)), Decimal(100)) == outcome(
        "33.33", "100"
    )
    assert credit(question, MultipleChoiceResponse(option_ids=(a, b))) == Fraction(6666666, 10**7)


def test_multiple_choice_negative_weights_clamp_at_zero() -> None:
    question = BY_LINE[37]
    a = option_id(question, "Memahami")
    bad1, bad2 = option_id(question, "Mendahulukan"), option_id(question, "Meminta")

    assert grade(question, MultipleChoiceResponse(option_ids=(a, bad1))) == outcome("0.00")
    assert grade(question, MultipleChoiceResponse(option_ids=(bad1, bad2))) == outcome("0.00")
    assert grade(question, MultipleChoiceResponse(option_ids=())) == outcome("0.00")


def test_multiple_choice_sum_over_100_clamps_at_full_marks() -> None:
    question = MultipleChoice(
        title="t",
        text="x",
        options=make_options([("a", Decimal(70), ""), ("b", Decimal(70), "")]),
    )

    result = grade(question, MultipleChoiceResponse(option_ids=("a", "b", "a")), Decimal(2))

    assert result == outcome("2.00", "2", correct=True)


def test_three_times_33_33333_on_a_large_scale_rounds_half_up_at_the_end() -> None:
    question = MultipleChoice(
        title="t",
        text="x",
        options=make_options([(t, Decimal("33.33333"), "") for t in "abc"]),
    )

    result = grade(question, MultipleChoiceResponse(option_ids=("a", "b", "c")), Decimal(1000))

    # 99.99999 % of 1000 points = 999.9999 -> 1000.00; the percentage rounds to 100.00 %.
    assert result == outcome("1000.00", "1000", correct=True)


def test_true_false() -> None:
    question = BY_LINE[15]  # {F}

    assert grade(question, TrueFalseResponse(value=False)) == outcome("1.00", correct=True)
    assert grade(question, TrueFalseResponse(value=True)) == outcome("0.00")


def test_short_answer_ignores_case_and_spaces() -> None:
    question = BY_LINE[45]  # melayani

    for typed in ("melayani", "  MELAYANI ", "Melayani\t"):
        assert grade(question, ShortAnswerResponse(text=typed)) == outcome("1.00", correct=True)
    assert grade(question, ShortAnswerResponse(text="dilayani")) == outcome("0.00")
    assert grade(question, ShortAnswerResponse(text="")) == outcome("0.00")


def test_short_answer_best_weight_and_inner_spaces() -> None:
    question = ShortAnswer(
        title="t",
        text="Kota?",
        answers=(
            AcceptedAnswer(text="Padang Panjang"),
            AcceptedAnswer(text="Padang", weight=Decimal(25)),
            AcceptedAnswer(text="padang  panjang", weight=Decimal(40)),
        ),
    )

    assert grade(question, ShortAnswerResponse(text="padang   PANJANG")) == outcome(
        "1.00", correct=True
    )
    assert grade(question, ShortAnswerResponse(text=" padang ")) == outcome("0.25")
    assert normalize_answer("  Ibu\u00a0Kota\n ") == "ibu kota"


def test_numerical_tolerance_is_inclusive_and_decimal_comma_accepted() -> None:
    question = BY_LINE[26]  # 80 ± 0.01

    for typed in ("80", "80,01", "79.99", "80,0100", " 79,99 "):
        assert grade(question, NumericalResponse(value=typed)) == outcome("1.00", correct=True)
    for typed in ("80,011", "79.989", "8001"):
        assert grade(question, NumericalResponse(value=typed)) == outcome("0.00")


def test_numerical_boundary_with_tolerance_half_a_hundredth() -> None:
    question = BY_LINE[88]  # 76.61 ± 0.005

    assert grade(question, NumericalResponse(value="76,605")).correct is True
    assert grade(question, NumericalResponse(value="76,615")).correct is True
    assert grade(question, NumericalResponse(value="76,6049")).correct is False


def test_numerical_ranges_and_best_weight() -> None:
    question = Numerical(
        title="t",
        text="x",
        answers=(
            NumericAnswer(value=Decimal("1822"), weight=Decimal(100)),
            NumericAnswer(minimum=Decimal("1820"), maximum=Decimal("1824"), weight=Decimal(50)),
        ),
    )

    assert grade(question, NumericalResponse(value="1822")) == outcome("1.00", correct=True)
    assert grade(question, NumericalResponse(value="1824")) == outcome("0.50")
    assert grade(question, NumericalResponse(value="1.820,0")) == outcome("0.50")
    assert grade(question, NumericalResponse(value="1825")) == outcome("0.00")


def test_numerical_response_must_be_a_number() -> None:
    with pytest.raises(ValueError, match="'delapan puluh' bukan angka yang valid"):
        NumericalResponse(value="delapan puluh")
    with pytest.raises(msgspec.ValidationError, match="bukan angka"):
        msgspec.json.decode(b'{"type": "numerical", "value": "1,2,3"}', type=Response)


def test_matching_partial_credit() -> None:
    question = BY_LINE[56]
    assert isinstance(question, Matching)
    right = {item.id: item.choice_id for item in question.items}
    half = {**right, "1": right["2"], "2": right["1"]}

    assert grade(question, MatchingResponse(matches=right)) == outcome("1.00", correct=True)
    assert grade(question, MatchingResponse(matches=half)) == outcome("0.50")
    assert grade(question, MatchingResponse(matches={"3": right["3"]}), Decimal(3)) == outcome(
        "0.75", "3"
    )


def test_matching_thirds_are_exact() -> None:
    items, choices = make_matching([("a", "1"), ("b", "2"), ("c", "3")])
    question = Matching(title="t", text="x", items=items, choices=choices)
    one = {items[0].id: items[0].choice_id}

    assert grade(question, MatchingResponse(matches=one), Decimal(2)) == outcome("0.67", "2")
    assert credit(question, MatchingResponse(matches=one)) == Fraction(1, 3)


def test_essay_needs_a_trainer_unless_blank() -> None:
    question = BY_LINE[106]

    assert grade(question, EssayResponse(text="Antrean daring dan survei bulanan.")) == (
        GradeOutcome(
            points_awarded=Decimal("0.00"), max_points=Decimal(1), needs_manual=True, correct=None
        )
    )
    assert grade(question, EssayResponse(text="   ")) == outcome("0.00")
    assert grade_manually(Decimal(5), Decimal("3.5")) == outcome("3.50", "5")
    with pytest.raises(ValueError, match="melebihi poin maksimum"):
        grade_manually(Decimal(5), Decimal("5.5"))


def test_unanswered_and_description() -> None:
    description = Description(title="d", text="Bagian II")

    assert grade(BY_LINE[6], None) == outcome("0.00")
    assert grade(description, None) == GradeOutcome(
        points_awarded=Decimal("0.00"), max_points=Decimal(0), needs_manual=False, correct=None
    )
    with pytest.raises(ValueError, match="Deskripsi tidak menerima jawaban"):
        grade(description, EssayResponse(text="x"))


def test_unknown_ids_and_wrong_response_types_are_value_errors() -> None:
    single, multiple, matching = BY_LINE[6], BY_LINE[37], BY_LINE[56]

    with pytest.raises(ValueError, match="Pilihan 'z' tidak ada pada soal ini."):
        grade(single, SingleChoiceResponse(option_id="z"))
    with pytest.raises(ValueError, match="Pilihan 'q' tidak ada pada soal ini."):
        grade(multiple, MultipleChoiceResponse(option_ids=("a", "q")))
    with pytest.raises(ValueError, match="Pasangan '9' tidak ada pada soal ini."):
        grade(matching, MatchingResponse(matches={"9": "a"}))
    with pytest.raises(ValueError, match="Pilihan jawaban 'x' tidak ada pada soal ini."):
        grade(matching, MatchingResponse(matches={"1": "x"}))
    with pytest.raises(
        ValueError,
        match="Jawaban bertipe 'true_false' tidak cocok dengan soal bertipe 'single_choice'.",
    ):
        grade(single, TrueFalseResponse(value=True))


def test_points_must_have_two_decimals_at_most() -> None:
    with pytest.raises(ValueError, match="paling banyak 2 angka desimal"):
        grade(BY_LINE[6], None, Decimal("0.333"))
    with pytest.raises(ValueError, match="Poin harus"):
        grade(BY_LINE[6], None, Decimal("-1"))


def test_responses_decode_from_json() -> None:
    decoded = msgspec.json.decode(
        b'[{"type": "single_choice", "option_id": "b"},'
        b' {"type": "multiple_choice", "option_ids": ["a", "c"]},'
        b' {"type": "matching", "matches": {"1": "a"}}]',
        type=list[Response],
    )

    assert decoded == [
        SingleChoiceResponse(option_id="b"),
        MultipleChoiceResponse(option_ids=("a", "c")),
        MatchingResponse(matches={"1": "a"}),
    ]
    with pytest.raises(msgspec.ValidationError, match="unknown field `correct`"):
        msgspec.json.decode(
            b'{"type": "true_false", "value": true, "correct": true}', type=Response
        )


def test_round_points_is_half_up() -> None:
    assert round_points(Fraction(5, 1000)) == Decimal("0.01")
    assert round_points(Fraction(4999, 1000000)) == Decimal("0.00")
    assert round_points(Fraction(0)) == Decimal("0.00")

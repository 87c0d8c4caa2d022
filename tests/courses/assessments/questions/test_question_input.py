"""Writing a question by hand: the API body and its conversion."""

from decimal import Decimal

import msgspec
import pytest

from courses.assessments.questions.inputs import QuestionInput, build_question
from courses.assessments.questions.model import (
    ChoiceOption,
    Description,
    Essay,
    MatchChoice,
    Matching,
    MatchItem,
    MultipleChoice,
    Numerical,
    NumericAnswer,
    ShortAnswer,
    SingleChoice,
    TrueFalse,
)


def decode(body: str) -> QuestionInput:
    return msgspec.json.decode(body.encode(), type=QuestionInput)  # type: ignore[arg-type]


def test_single_choice_by_hand() -> None:
    data = decode(
        '{"type": "single_choice", "text": " Konsep A3 terdiri atas ", '
        '"category": "Pelayanan Prima/Sikap", "points": "2.5", "competency_code": "PP-01",'
        ' "options": [{"text": "Attitude, Attention, Action", "weight": 100, '
        '"feedback": "Benar"}, {"text": "Accuracy, Ability, Accountability"}]}'
    )

    question = build_question(data)

    assert question == SingleChoice(
        title="Konsep A3 terdiri atas",
        text="Konsep A3 terdiri atas",
        category=("Pelayanan Prima", "Sikap"),
        points=Decimal("2.5"),
        competency_code="PP-01",
        options=(
            ChoiceOption(
                id="b", text="Attitude, Attention, Action", weight=Decimal(100), feedback="Benar"
            ),
            ChoiceOption(id="a", text="Accuracy, Ability, Accountability"),
        ),
    )


def test_every_type_by_hand() -> None:
    bodies = [
        '{"type": "multiple_choice", "title": "Dua benar", "text": "Pilih", "category": ["A"],'
        ' "options": [{"text": "x", "weight": "50"}, {"text": "y", "weight": "50"},'
        ' {"text": "z", "weight": "-100"}]}',
        '{"type": "true_false", "text": "SKM wajib tiap tahun.", "correct": true,'
        ' "feedback_false": "Wajib paling sedikit sekali setahun."}',
        '{"type": "short_answer", "text": "Semboyan: harus _____.",'
        ' "answers": [{"text": "melayani"}, {"text": "mengabdi", "weight": "50"}]}',
        '{"type": "numerical", "text": "IKM?", "answers": [{"value": "80", "tolerance": "0.01"},'
        ' {"minimum": "79", "maximum": "81", "weight": 50}]}',
        '{"type": "matching", "text": "Pasangkan", "pairs": [{"prompt": "U6", "answer":'
        ' "Kompetensi pelaksana"}, {"prompt": "U7", "answer": "Perilaku pelaksana"}],'
        ' "distractors": ["Biaya/tarif"]}',
        '{"type": "essay", "text": "Refleksi", "points": 10}',
        '{"type": "description", "text": "Bagian II"}',
    ]

    built = [build_question(decode(body)) for body in bodies]

    assert [type(q) for q in built] == [
        MultipleChoice,
        TrueFalse,
        ShortAnswer,
        Numerical,
        Matching,
        Essay,
        Description,
    ]
    assert built[0].title == "Dua benar" and built[0].category == ("A",)
    assert built[1] == TrueFalse(
        title="SKM wajib tiap tahun.",
        text="SKM wajib tiap tahun.",
        correct=True,
        feedback_false="Wajib paling sedikit sekali setahun.",
    )
    assert built[3].answers == (  # type: ignore[union-attr]
        NumericAnswer(value=Decimal("80"), tolerance=Decimal("0.01")),
        NumericAnswer(minimum=Decimal(79), maximum=Decimal(81), weight=Decimal(50)),
    )
    matching = built[4]
    assert isinstance(matching, Matching)
    assert matching.items == (
        MatchItem(id="1", text="U6", choice_id="b"),
        MatchItem(id="2", text="U7", choice_id="c"),
    )
    assert matching.choices == (
        MatchChoice(id="a", text="Biaya/tarif"),
        MatchChoice(id="b", text="Kompetensi pelaksana"),
        MatchChoice(id="c", text="Perilaku pelaksana"),
    )
    assert built[5].points == Decimal(10)
    assert built[6].points == Decimal(0)


def test_input_is_strict() -> None:
    with pytest.raises(msgspec.ValidationError, match="unknown field `id`"):
        decode(
            '{"type": "single_choice", "text": "x", "options": '
            '[{"id": "a", "text": "p"}, {"text": "q"}]}'
        )
    with pytest.raises(msgspec.ValidationError, match="Invalid value 'ranking'"):
        decode('{"type": "ranking", "text": "x"}')
    with pytest.raises(msgspec.ValidationError, match="length >= 2"):
        decode('{"type": "single_choice", "text": "x", "options": [{"text": "p"}]}')
    with pytest.raises(msgspec.ValidationError, match="nilai atau rentang"):
        decode('{"type": "numerical", "text": "x", "answers": [{"weight": 100}]}')


def test_rules_of_the_model_apply() -> None:
    data = decode(
        '{"type": "single_choice", "text": "x", "options": '
        '[{"text": "p", "weight": 50}, {"text": "q"}]}'
    )

    with pytest.raises(ValueError, match="satu pilihan bernilai 100%"):
        build_question(data)

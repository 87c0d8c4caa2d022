"""Question model: validation, ids, JSON shape and what a participant may see."""

import re
from decimal import Decimal
from typing import Any

import msgspec
import pytest

from courses.assessments.questions.authoring import (
    assign_choice_ids,
    category_path,
    default_title,
    letter_id,
    make_matching,
    make_options,
    parse_category,
)
from courses.assessments.questions.gift import parse_gift
from courses.assessments.questions.model import (
    AcceptedAnswer,
    ChoiceOption,
    Description,
    Essay,
    Matching,
    MultipleChoice,
    Numerical,
    NumericAnswer,
    Question,
    QuestionBase,
    ShortAnswer,
    SingleChoice,
    TrueFalse,
    participant_view,
)
from tests.conftest import SHARED_DATA

DATA = SHARED_DATA


def sample_questions() -> list[QuestionBase]:
    parsed = [
        p.question
        for name in ("moodle_gift_examples.txt", "bank_soal_pelayanan_prima.gift")
        for p in parse_gift((DATA / name).read_bytes()).questions
    ]
    items, choices = make_matching([("Senin", "hari kerja"), ("Minggu", "hari libur")], ["cuti"])
    extra: list[QuestionBase] = [
        Matching(
            title="m",
            text="Pasangkan",
            items=items,
            choices=choices,
            general_feedback="Rahasia umum",
        ),
        Numerical(
            title="n",
            text="Berapa?",
            other_feedback="Rahasia lain",
            answers=(NumericAnswer(minimum=Decimal(1), maximum=Decimal(2), feedback="Rahasia"),),
        ),
        Description(title="d", text="Bagian II"),
    ]
    return parsed + extra


FORBIDDEN_KEY = re.compile(
    r"weight|correct|feedback|answer|tolerance|minimum|maximum|value|fraction|score|right|"
    r"key|choice_id|title|category|points",
    re.IGNORECASE,
)


def walk(node: Any, path: str = "$") -> list[tuple[str, Any]]:
    """Every (path, leaf) of a JSON-like value, failing on a forbidden key or leaf type."""
    if isinstance(node, dict):
        leaves = []
        for key, child in node.items():
            assert not FORBIDDEN_KEY.search(key), f"{path}.{key} must not reach a participant"
            leaves += walk(child, f"{path}.{key}")
        return leaves
    if isinstance(node, list):
        return [leaf for i, child in enumerate(node) for leaf in walk(child, f"{path}[{i}]")]
    assert isinstance(node, str), f"{path} is {type(node).__name__}: only text may reach them"
    return [(path, node)]


def secrets(question: QuestionBase) -> set[str]:
    """Texts that would tell a participant the answer or how they did."""
    found = {question.general_feedback, question.title} - {"", question.text}
    if isinstance(question, SingleChoice | MultipleChoice):
        found |= {o.feedback for o in question.options}
    if isinstance(question, TrueFalse):
        found |= {question.feedback_true, question.feedback_false}
    if isinstance(question, ShortAnswer):
        found |= {a.text for a in question.answers} | {a.feedback for a in question.answers}
    if isinstance(question, Numerical):
        found |= {a.feedback for a in question.answers} | {question.other_feedback}
    return found - {""}


@pytest.mark.parametrize("seed", [None, 7, "attempt-1:question-9"])
def test_participant_view_carries_no_answer_key(seed: int | str | None) -> None:
    for question in sample_questions():
        view = participant_view(question, shuffle_seed=seed)  # type: ignore[arg-type]

        leaves = walk(view)
        texts = {text for _, text in leaves}
        leaked = {s for s in secrets(question) if s in texts and s not in _visible(question)}
        assert leaked == set(), (question.title, leaked)
        assert set(view) <= {"type", "text", "text_format", "options", "items", "choices"}
        for entry in view.get("options", []) + view.get("items", []) + view.get("choices", []):
            assert set(entry) == {"id", "text"}
        assert msgspec.json.decode(msgspec.json.encode(view)) == view


def _visible(question: QuestionBase) -> set[str]:
    """Texts the participant must see anyway (an option may equal a feedback text)."""
    shown = {question.text}
    if isinstance(question, SingleChoice | MultipleChoice):
        shown |= {o.text for o in question.options}
    if isinstance(question, Matching):
        shown |= {i.text for i in question.items} | {c.text for c in question.choices}
    return shown


def test_participant_view_shapes() -> None:
    bank = {
        p.line: p.question
        for p in parse_gift((DATA / "bank_soal_pelayanan_prima.gift").read_bytes()).questions
    }

    assert participant_view(bank[15]) == {
        "type": "true_false",
        "text": "Standar pelayanan cukup disimpan sebagai dokumen internal dan tidak perlu "
        "dipublikasikan kepada masyarakat.",
        "text_format": "moodle",
    }
    assert participant_view(bank[81]) == {
        "type": "single_choice",
        "text": "Unit pelayanan dengan nilai IKM 90,00 memperoleh mutu pelayanan",
        "text_format": "moodle",
        "options": [
            {"id": "a", "text": "A (Sangat Baik)"},
            {"id": "b", "text": "B (Baik)"},
            {"id": "c", "text": "C (Kurang Baik)"},
            {"id": "d", "text": "D (Tidak Baik)"},
        ],
    }
    matching = participant_view(bank[56])
    assert [item["text"] for item in matching["items"]] == [
        "Berorientasi Pelayanan",
        "Akuntabel",
        "Kompeten",
        "Harmonis",
    ]
    assert [item["id"] for item in matching["items"]] == ["1", "2", "3", "4"]
    assert [c["id"] for c in matching["choices"]] == ["a", "b", "c", "d"]


def test_shuffle_is_deterministic_per_seed_and_keeps_ids() -> None:
    bank = {
        p.line: p.question
        for p in parse_gift((DATA / "bank_soal_pelayanan_prima.gift").read_bytes()).questions
    }
    question = bank[37]
    assert isinstance(question, MultipleChoice)

    first = participant_view(question, shuffle_seed="attempt-1")
    again = participant_view(question, shuffle_seed="attempt-1")
    orders = {
        tuple(o["id"] for o in participant_view(question, shuffle_seed=seed)["options"])
        for seed in range(20)
    }

    assert first == again
    assert sorted(o["id"] for o in first["options"]) == ["a", "b", "c", "d", "e"]
    assert len(orders) > 1
    assert {o["id"]: o["text"] for o in first["options"]} == {
        o.id: o.text for o in question.options
    }


def test_option_ids_follow_the_alphabet_not_the_file_order() -> None:
    bank = parse_gift((DATA / "bank_soal_pelayanan_prima.gift").read_bytes())
    right_answer_ids = [
        next(o.id for o in p.question.options if o.weight == 100)
        for p in bank.questions
        if isinstance(p.question, SingleChoice)
    ]

    # Every single-choice question of the bank lists its right answer first; the ids do not.
    assert right_answer_ids == ["c", "c", "d", "b", "b", "a", "a", "d", "b", "d"]
    assert assign_choice_ids(["beta", "Alpha", "gamma", "alpha"]) == ["c", "a", "d", "b"]
    assert [letter_id(i) for i in (0, 25, 26, 27, 51, 52)] == ["a", "z", "aa", "ab", "az", "ba"]


def test_questions_round_trip_through_json_as_a_tagged_union() -> None:
    questions = sample_questions()

    encoded = msgspec.json.encode(questions)
    decoded = msgspec.json.decode(encoded, type=list[Question])

    assert decoded == questions
    first = msgspec.json.decode(encoded)[0]
    assert first["type"] == "single_choice"
    assert first["points"] == "1"
    assert first["options"][2] == {"id": "c", "text": "no one", "weight": "100", "feedback": ""}


def test_decoding_checks_the_rules() -> None:
    payload = {
        "type": "single_choice",
        "title": "t",
        "text": "x",
        "options": [{"id": "a", "text": "p", "weight": "50"}, {"id": "b", "text": "q"}],
    }

    with pytest.raises(msgspec.ValidationError, match="satu pilihan bernilai 100%"):
        msgspec.convert(payload, Question)
    with pytest.raises(msgspec.ValidationError, match="Object contains unknown field `secret`"):
        msgspec.convert({**payload, "secret": 1}, Question)
    with pytest.raises(msgspec.ValidationError, match="Bobot harus berupa angka"):
        msgspec.json.decode(
            b'{"type": "multiple_choice", "title": "t", "text": "x", "options": ['
            b'{"id": "a", "text": "p", "weight": "NaN"}, {"id": "b", "text": "q"}]}',
            type=Question,
        )


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (
            lambda: SingleChoice(
                title="t", text="x", options=make_options([("a", Decimal(100), "")])
            ),
            "paling sedikit 2 pilihan",
        ),
        (
            lambda: SingleChoice(
                title="t",
                text="x",
                options=(
                    ChoiceOption(id="a", text="p", weight=Decimal(100)),
                    ChoiceOption(id="a", text="q"),
                ),
            ),
            "Id pilihan tidak boleh kembar",
        ),
        (
            lambda: MultipleChoice(
                title="t",
                text="x",
                options=make_options([("a", Decimal(0), ""), ("b", Decimal(-10), "")]),
            ),
            "pilihan bernilai positif",
        ),
        (
            lambda: MultipleChoice(
                title="t",
                text="x",
                options=make_options([("a", Decimal(101), ""), ("b", Decimal(0), "")]),
            ),
            "antara -100% dan 100%",
        ),
        (lambda: ShortAnswer(title="t", text="x", answers=()), "paling sedikit satu jawaban"),
        (
            lambda: ShortAnswer(title="t", text="x", answers=(AcceptedAnswer(text=" "),)),
            "tidak boleh kosong",
        ),
        (
            lambda: ShortAnswer(
                title="t", text="x", answers=(AcceptedAnswer(text="a", weight=Decimal(0)),)
            ),
            "lebih dari 0%",
        ),
        (lambda: NumericAnswer(value=Decimal(1), tolerance=Decimal(-1)), "tidak boleh negatif"),
        (lambda: NumericAnswer(value=Decimal(1), minimum=Decimal(0)), "tidak keduanya"),
        (lambda: NumericAnswer(), "nilai atau rentang"),
        (lambda: Essay(title=" ", text="x"), "Judul soal wajib diisi"),
        (lambda: Essay(title="t", text="x", points=Decimal("1.005")), "2 angka desimal"),
        (lambda: Essay(title="t", text="x", category=("A", " B")), "Setiap bagian kategori"),
        (lambda: Essay(title="t", text="x", category=("A/",)), "Setiap bagian kategori"),
        (lambda: Description(title="t", text="x", points=Decimal(1)), "tidak memiliki nilai"),
        (
            lambda: Matching(
                title="t",
                text="x",
                items=make_matching([("a", "1")])[0],
                choices=make_matching([("a", "1")])[1],
            ),
            "paling sedikit 2 pasangan",
        ),
    ],
)
def test_model_rules(build: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build()


def test_categories() -> None:
    assert parse_category("Pelayanan Prima / Dasar  Hukum") == ("Pelayanan Prima", "Dasar Hukum")
    assert parse_category("A//B/C") == ("A/B", "C")
    assert parse_category(["A", " ", "B "]) == ("A", "B")
    assert category_path(("A/B", "C")) == "A//B/C"
    assert parse_category(category_path(("A/B", "C"))) == ("A/B", "C")


def test_default_title() -> None:
    assert default_title("<p>Apa   itu <b>SKM</b>?</p>") == "Apa itu SKM?"
    assert default_title("") == "Soal"
    assert default_title("x" * 100) == "x" * 80 + "..."

"""GIFT writer: what it writes reads back as the same questions."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from courses.assessments.questions.authoring import make_matching, make_options
from courses.assessments.questions.gift import parse_gift, to_gift
from courses.assessments.questions.gift_export import escape
from courses.assessments.questions.model import (
    BLANK,
    AcceptedAnswer,
    Description,
    Essay,
    Matching,
    MultipleChoice,
    Numerical,
    NumericAnswer,
    QuestionBase,
    ShortAnswer,
    SingleChoice,
    TrueFalse,
)
from tests.conftest import SHARED_DATA

DATA = SHARED_DATA


def reread(questions: list[QuestionBase]) -> list[QuestionBase]:
    result = parse_gift(to_gift(questions))
    assert result.errors == []
    return [parsed.question for parsed in result.questions]


@pytest.mark.parametrize("name", ["moodle_gift_examples.txt", "bank_soal_pelayanan_prima.gift"])
def test_round_trip_of_the_sample_files(name: str) -> None:
    first = parse_gift((DATA / name).read_bytes())
    questions = [parsed.question for parsed in first.questions]

    again = parse_gift(to_gift(questions))

    assert again.errors == []
    assert [parsed.question for parsed in again.questions] == questions
    assert [parsed.category for parsed in again.questions] == [
        parsed.category for parsed in first.questions
    ]


def test_bank_export_text() -> None:
    bank = parse_gift((DATA / "bank_soal_pelayanan_prima.gift").read_bytes())
    by_line = {parsed.line: parsed.question for parsed in bank.questions}

    written = to_gift([by_line[6], by_line[15], by_line[26], by_line[37], by_line[45]])

    assert written == (
        "$CATEGORY: Pelayanan Prima/Dasar Hukum\n"
        "\n"
        "::UU Pelayanan Publik::Undang-undang yang mengatur pelayanan publik di Indonesia "
        "adalah {\n"
        "\t=UU Nomor 25 Tahun 2009#Benar. UU 25/2009 tentang Pelayanan Publik.\n"
        "\t~UU Nomor 5 Tahun 2014#UU 5/2014 mengatur ASN dan sudah diganti UU 20/2023.\n"
        "\t~UU Nomor 14 Tahun 2008#UU 14/2008 mengatur keterbukaan informasi publik.\n"
        "\t~UU Nomor 23 Tahun 2014#UU 23/2014 mengatur pemerintahan daerah.\n"
        "}\n"
        "\n"
        "::Standar pelayanan wajib dipublikasikan::Standar pelayanan cukup disimpan sebagai "
        "dokumen internal dan tidak perlu dipublikasikan kepada masyarakat. {FALSE#Standar "
        "pelayanan wajib dipublikasikan agar masyarakat mengetahui hak dan kewajibannya.}\n"
        "\n"
        "::Konversi IKM::Jika nilai SKM tertimbang sebuah unit adalah 3,2 (skala 1–4), berapakah "
        "nilai IKM-nya pada skala 25–100? {#80:0.01}\n"
        "\n"
        "$CATEGORY: Pelayanan Prima/Sikap dan Perilaku\n"
        "\n"
        '::Berorientasi Pelayanan::Perilaku mana saja yang termasuk nilai "Berorientasi '
        'Pelayanan" dalam BerAKHLAK? (pilih semua yang benar) {\n'
        "\t~%33.33333%Memahami dan memenuhi kebutuhan masyarakat\n"
        "\t~%33.33333%Ramah, cekatan, solutif, dan dapat diandalkan\n"
        "\t~%33.33334%Melakukan perbaikan tiada henti\n"
        "\t~%-50%Mendahulukan keluarga dan kerabat dalam antrean\n"
        "\t~%-50%Meminta imbalan agar berkas diproses lebih cepat\n"
        "}\n"
        "\n"
        '::Semboyan abdi negara::Lengkapi semboyan\\: "Bukan meminta dilayani, tetapi harus {\n'
        "\t=melayani\n"
        '}."\n'
    )


def common(**fields: object) -> dict[str, object]:
    return {"title": "Judul", "text": "Teks", **fields}


def test_all_full_credit_single_choice_stays_single_choice() -> None:
    question = SingleChoice(
        **common(),
        options=make_options([("ya", Decimal(100), ""), ("benar", Decimal(100), "")]),
    )

    written = to_gift([question])

    assert "\t=ya\n\t~%100%benar\n" in written
    assert reread([question]) == [question]


def test_texts_starting_with_percent_or_bracket_keep_their_meaning() -> None:
    question = MultipleChoice(
        **common(text="[catatan] pilih", text_format="moodle"),
        options=make_options(
            [("%50% diskon", Decimal(0), "[x] umpan"), ("%10%", Decimal(100), "")]
        ),
    )
    answer = ShortAnswer(
        **common(),
        answers=(AcceptedAnswer(text="%5%"), AcceptedAnswer(text="x", weight=Decimal(50))),
    )

    assert reread([question, answer]) == [question, answer]


def test_descriptions_essays_and_general_feedback() -> None:
    questions = [
        Description(**common(text="Bagian {B}: sikap\\perilaku", text_format="html")),
        Essay(**common(text="Jelaskan _____ dengan contoh.", general_feedback="Rubrik # 1")),
        TrueFalse(**common(), correct=True, feedback_true="", feedback_false="Keliru"),
        TrueFalse(**common(), correct=False, feedback_true="", feedback_false="Tepat"),
    ]

    assert to_gift(questions[:1]) == "::Judul::[html]Bagian \\{B\\}\\: sikap\\\\perilaku\n"
    assert reread(questions) == questions


def test_numerical_with_several_answers_and_other_feedback() -> None:
    question = Numerical(
        **common(general_feedback="Lihat modul 2."),
        answers=(
            NumericAnswer(value=Decimal("80"), tolerance=Decimal("0.5"), feedback="Tepat"),
            NumericAnswer(minimum=Decimal("-1"), maximum=Decimal("100"), weight=Decimal("12.5")),
        ),
        other_feedback="Hitung ulang.",
    )

    assert to_gift([question]) == (
        "::Judul::Teks {#\n"
        "\t=80:0.5#Tepat\n"
        "\t=%12.5%-1..100\n"
        "\t~#Hitung ulang.\n"
        "\t####Lihat modul 2.\n"
        "}\n"
    )
    assert reread([question]) == [question]


def test_matching_with_distractor() -> None:
    items, choices = make_matching([("Senin", "kerja"), ("Minggu", "libur")], ["cuti"])
    question = Matching(**common(), items=items, choices=choices)

    assert to_gift([question]) == (
        "::Judul::Teks {\n\t=Senin -> kerja\n\t=Minggu -> libur\n\t= -> cuti\n}\n"
    )
    assert reread([question]) == [question]


def test_what_gift_cannot_express_is_refused() -> None:
    items, choices = make_matching([("a -> b", "1"), ("c", "2")])
    matching = Matching(**common(), items=items, choices=choices)
    short = ShortAnswer(**common(), answers=(AcceptedAnswer(text="x -> y"),))

    with pytest.raises(ValueError, match="pasangan menjodohkan tidak boleh memuat '->'"):
        to_gift([matching])
    with pytest.raises(ValueError, match="jawaban isian singkat tidak boleh memuat '->'"):
        to_gift([short])


def test_escape() -> None:
    assert escape("a\\b~c=d#e{f}g:h\ni") == "a\\\\b\\~c\\=d\\#e\\{f\\}g\\:h\\ni"


def test_empty_export() -> None:
    assert to_gift([]) == ""


# Property: any question the model allows, with texts full of GIFT's control characters,
# comes back unchanged.

TOKENS = [
    "a",
    "b",
    "Z",
    "1",
    " ",
    "  ",
    "\n",
    "~",
    "=",
    "#",
    "{",
    "}",
    ":",
    "\\",
    "\\n",
    "%",
    "[",
    "]",
    "[html]",
    "-",
    ">",
    "->",
    "_",
    BLANK,
    "####",
    "::",
    "//",
    "..",
    "T",
    "é",
    "/",
]


def texts(*, single_line: bool = False, no_arrow: bool = False) -> st.SearchStrategy[str]:
    def clean(text: str) -> str:
        if single_line:
            text = " ".join(text.split())
        return text.strip()

    strategy = st.lists(st.sampled_from(TOKENS), min_size=1, max_size=8).map("".join).map(clean)
    return strategy.filter(lambda t: bool(t) and not (no_arrow and "->" in t))


feedback = st.one_of(st.just(""), texts())
weights = st.decimals(min_value=-100, max_value=100, places=5, allow_nan=False)
positive = st.decimals(min_value=Decimal("0.00001"), max_value=100, places=5, allow_nan=False)
numbers = st.decimals(min_value=-(10**6), max_value=10**6, places=4, allow_nan=False)
categories = st.lists(
    texts(single_line=True).map(lambda t: t.strip(" /")).filter(bool), max_size=3
).map(tuple)


@st.composite
def questions(draw: st.DrawFn) -> QuestionBase:
    base = {
        "title": draw(texts(single_line=True)),
        "text": draw(texts()),
        "text_format": draw(st.sampled_from(["moodle", "html", "markdown", "plain"])),
        "category": draw(categories),
        "general_feedback": draw(feedback),
    }
    kind = draw(st.sampled_from(["sc", "mc", "tf", "sa", "num", "match", "essay", "desc"]))
    if kind in ("sc", "mc"):
        specs = draw(st.lists(st.tuples(texts(), weights, feedback), min_size=2, max_size=5))
        if kind == "sc":
            specs[0] = (specs[0][0], Decimal(100), specs[0][2])
            return SingleChoice(**base, options=make_options(specs))
        specs[0] = (specs[0][0], draw(positive), specs[0][2])
        return MultipleChoice(**base, options=make_options(specs))
    if kind == "tf":
        return TrueFalse(
            **base,
            correct=draw(st.booleans()),
            feedback_true=draw(feedback),
            feedback_false=draw(feedback),
        )
    if kind == "sa":
        answers = draw(
            st.lists(
                st.builds(
                    AcceptedAnswer,
                    text=texts(no_arrow=True),
                    weight=positive,
                    feedback=st.one_of(st.just(""), texts(no_arrow=True)),
                ),
                min_size=1,
                max_size=4,
            )
        )
        return ShortAnswer(**base, answers=tuple(answers))
    if kind == "num":
        answers = []
        for low, high, tolerance, weight, note in draw(
            st.lists(
                st.tuples(
                    numbers,
                    numbers,
                    st.decimals(min_value=0, max_value=5, places=3),
                    positive,
                    feedback,
                ),
                min_size=1,
                max_size=3,
            )
        ):
            if draw(st.booleans()):
                answers.append(
                    NumericAnswer(value=low, tolerance=tolerance, weight=weight, feedback=note)
                )
            else:
                answers.append(
                    NumericAnswer(
                        minimum=min(low, high), maximum=max(low, high), weight=weight, feedback=note
                    )
                )
        return Numerical(**base, answers=tuple(answers), other_feedback=draw(feedback))
    if kind == "match":
        prompts = draw(st.lists(texts(no_arrow=True), min_size=2, max_size=4))
        answers = draw(st.lists(texts(), min_size=len(prompts), max_size=len(prompts)))
        extra = draw(st.lists(texts(), max_size=2))
        items, choices = make_matching(list(zip(prompts, answers, strict=True)), extra)
        return Matching(**base, items=items, choices=choices)
    if kind == "essay":
        return Essay(**base)
    return Description(**{**base, "general_feedback": ""})


@settings(max_examples=200, deadline=None, database=None)
@given(st.lists(questions(), min_size=1, max_size=4))
def test_round_trip_property(generated: list[QuestionBase]) -> None:
    assert reread(generated) == generated

"""The question model: every question type as a frozen msgspec Struct, no database.

A question is one member of the tagged union ``Question`` (``{"type": "single_choice", ...}``).
It is what the GIFT and Aiken readers produce, what the bank stores as its payload and what
``courses.assessments.questions.grading`` grades against. What a participant may see of it comes
only
from ``participant_view``.

Numbers: weights (percent, e.g. ``Decimal("33.33333")`` or ``Decimal("-50")``), points and
numerical answers are ``decimal.Decimal``. msgspec writes a Decimal to JSON as a string
(``"33.33333"``) and reads it from a string or a JSON number without going through a float, so
a payload never drifts. Points have at most 2 decimals (the ``Numeric(7, 2)`` column).

Ids: participants answer by option id, never by text or correctness. Choice option ids are
letters given in alphabetical order of the option texts (``authoring.assign_choice_ids``), not
in file order, because authors habitually write the right answer first: an id in file order
(``"a"``) would tell the participant which option that was.
"""

import random
from collections.abc import Sequence
from decimal import Decimal
from typing import Annotated, Any, Literal

import msgspec

from courses.assessments.questions.numeric import require_finite

TextFormat = Literal["moodle", "html", "markdown", "plain"]
TEXT_FORMATS: tuple[str, ...] = ("moodle", "html", "markdown", "plain")
BLANK = "_____"
"""Where the answer goes in a "missing word" question (Moodle's marker)."""

DEFAULT_POINTS = Decimal("1")
HUNDRED = Decimal(100)
MAX_POINTS = Decimal("99999.99")

Title = Annotated[str, msgspec.Meta(min_length=1, max_length=255)]
ItemId = Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9]{1,8}$")]
Weight = Decimal
"""A percentage of the question's points; may be negative for a wrong choice."""


class _Item(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Base of the parts of a question: frozen (payloads are values) and strict on input."""


class ChoiceOption(_Item, frozen=True):
    """One option of a single- or multiple-choice question."""

    id: ItemId
    text: str
    weight: Weight = Decimal(0)
    feedback: str = ""


class AcceptedAnswer(_Item, frozen=True):
    """One accepted short answer; compared case- and space-insensitively."""

    text: str
    weight: Weight = HUNDRED
    feedback: str = ""


class NumericAnswer(_Item, frozen=True):
    """One accepted numerical answer: ``value ± tolerance`` or ``minimum..maximum``, inclusive."""

    value: Decimal | None = None
    tolerance: Decimal = Decimal(0)
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    weight: Weight = HUNDRED
    feedback: str = ""

    def __post_init__(self) -> None:
        if self.value is None:
            if self.minimum is None or self.maximum is None:
                raise ValueError(
                    "Jawaban numerik membutuhkan nilai atau rentang minimum..maksimum."
                )
            require_finite(self.minimum, "Batas bawah")
            require_finite(self.maximum, "Batas atas")
            if self.minimum > self.maximum:
                raise ValueError("Batas bawah rentang lebih besar daripada batas atas.")
            if self.tolerance != 0:
                raise ValueError("Rentang minimum..maksimum tidak memakai toleransi.")
        else:
            if self.minimum is not None or self.maximum is not None:
                raise ValueError("Jawaban numerik memakai nilai atau rentang, tidak keduanya.")
            require_finite(self.value, "Nilai jawaban")
        require_finite(self.tolerance, "Toleransi")
        if self.tolerance < 0:
            raise ValueError("Toleransi tidak boleh negatif.")

    def accepts(self, number: Decimal) -> bool:
        """Whether ``number`` is within this answer (boundaries included)."""
        if self.value is not None:
            return abs(number - self.value) <= self.tolerance
        assert self.minimum is not None and self.maximum is not None
        return self.minimum <= number <= self.maximum


class MatchItem(_Item, frozen=True):
    """A left-hand item of a matching question and the id of its right-hand choice."""

    id: ItemId
    text: str
    choice_id: ItemId


class MatchChoice(_Item, frozen=True):
    """A right-hand choice of a matching question (the answer of an item or a distractor)."""

    id: ItemId
    text: str


class QuestionBase(_Item, frozen=True, tag_field="type"):
    """Fields every question type has. ``category`` is the path in the bank, top first."""

    title: Title
    text: str
    text_format: TextFormat = "moodle"
    category: tuple[str, ...] = ()
    general_feedback: str = ""
    points: Decimal = DEFAULT_POINTS
    competency_code: str | None = None

    def __post_init__(self) -> None:
        if not self.title.strip() or "\n" in self.title or len(self.title) > 255:
            raise ValueError("Judul soal wajib diisi, satu baris, paling banyak 255 karakter.")
        if self.text_format not in TEXT_FORMATS:
            raise ValueError(f"Format teks '{self.text_format}' tidak dikenal.")
        for part in self.category:
            # parse_category("A/B") must give the same parts back: words single-spaced, and
            # no "/" at either end, where it would be read as a separator.
            if not part or part != " ".join(part.split()) or part[0] == "/" or part[-1] == "/":
                raise ValueError(
                    "Setiap bagian kategori harus berisi teks satu baris yang tidak diawali "
                    "atau diakhiri '/'."
                )
        check_points(self.points)


class SingleChoice(QuestionBase, frozen=True, tag="single_choice", kw_only=True):
    """Pick one option; the option's weight is the credit (an option of 100 % is required)."""

    options: tuple[ChoiceOption, ...]

    def __post_init__(self) -> None:
        super().__post_init__()
        _check_options(self.options)
        if not any(option.weight == HUNDRED for option in self.options):
            raise ValueError("Soal pilihan tunggal membutuhkan satu pilihan bernilai 100%.")


class MultipleChoice(QuestionBase, frozen=True, tag="multiple_choice", kw_only=True):
    """Pick any options; credit is the sum of their weights, kept within 0–100 %."""

    options: tuple[ChoiceOption, ...]

    def __post_init__(self) -> None:
        super().__post_init__()
        _check_options(self.options)
        if not any(option.weight > 0 for option in self.options):
            raise ValueError("Soal pilihan ganda kompleks membutuhkan pilihan bernilai positif.")


class TrueFalse(QuestionBase, frozen=True, tag="true_false", kw_only=True):
    """A statement that is true or false; feedback is per answer the participant gives."""

    correct: bool
    feedback_true: str = ""
    feedback_false: str = ""


class ShortAnswer(QuestionBase, frozen=True, tag="short_answer", kw_only=True):
    """Type a word or phrase; the best matching accepted answer gives the credit."""

    answers: tuple[AcceptedAnswer, ...]

    def __post_init__(self) -> None:
        super().__post_init__()
        if not self.answers:
            raise ValueError("Soal isian singkat membutuhkan paling sedikit satu jawaban.")
        for answer in self.answers:
            if not answer.text.strip():
                raise ValueError("Jawaban isian singkat tidak boleh kosong.")
        _check_answer_weights([answer.weight for answer in self.answers])


class Numerical(QuestionBase, frozen=True, tag="numerical", kw_only=True):
    """Type a number; the best accepted answer containing it gives the credit.

    ``other_feedback`` is shown for any other number (GIFT's ``~#feedback``).
    """

    answers: tuple[NumericAnswer, ...]
    other_feedback: str = ""

    def __post_init__(self) -> None:
        super().__post_init__()
        if not self.answers:
            raise ValueError("Soal numerik membutuhkan paling sedikit satu jawaban.")
        _check_answer_weights([answer.weight for answer in self.answers])


class Matching(QuestionBase, frozen=True, tag="matching", kw_only=True):
    """Match each item to a choice; choices no item points at are distractors."""

    items: tuple[MatchItem, ...]
    choices: tuple[MatchChoice, ...]

    def __post_init__(self) -> None:
        super().__post_init__()
        if len(self.items) < 2:
            raise ValueError("Soal menjodohkan membutuhkan paling sedikit 2 pasangan.")
        _check_unique([item.id for item in self.items], "pasangan")
        _check_unique([choice.id for choice in self.choices], "pilihan jawaban")
        if len({choice.text for choice in self.choices}) != len(self.choices):
            raise ValueError("Teks pilihan jawaban menjodohkan tidak boleh kembar.")
        known = {choice.id for choice in self.choices}
        for item in self.items:
            if not item.text.strip() or item.choice_id not in known:
                raise ValueError("Setiap pasangan membutuhkan teks dan jawaban yang ada.")
        for choice in self.choices:
            if not choice.text.strip():
                raise ValueError("Pilihan jawaban menjodohkan tidak boleh kosong.")

    def distractors(self) -> tuple[MatchChoice, ...]:
        """Choices that are no item's answer."""
        used = {item.choice_id for item in self.items}
        return tuple(choice for choice in self.choices if choice.id not in used)


class Essay(QuestionBase, frozen=True, tag="essay", kw_only=True):
    """Free text graded by a trainer."""


class Description(QuestionBase, frozen=True, tag="description", kw_only=True):
    """Text between questions (GIFT text without braces); never graded, worth 0 points."""

    points: Decimal = Decimal(0)

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.points != 0:
            raise ValueError("Deskripsi tidak memiliki nilai poin.")


Question = (
    SingleChoice
    | MultipleChoice
    | TrueFalse
    | ShortAnswer
    | Numerical
    | Matching
    | Essay
    | Description
)
QUESTION_TYPES: tuple[type[QuestionBase], ...] = (
    SingleChoice,
    MultipleChoice,
    TrueFalse,
    ShortAnswer,
    Numerical,
    Matching,
    Essay,
    Description,
)


def question_type(question: QuestionBase) -> str:
    """The tag of ``question`` (``"single_choice"``, ...), as stored in its ``type`` field."""
    return str(type(question).__struct_config__.tag)


def check_points(points: Decimal) -> None:
    """Raise ``ValueError`` unless ``points`` is 0–99999.99 with at most 2 decimals."""
    require_finite(points, "Poin")
    if points < 0 or points > MAX_POINTS or points != points.quantize(Decimal("0.01")):
        raise ValueError("Poin harus 0 sampai 99999,99 dengan paling banyak 2 angka desimal.")


def _check_unique(ids: Sequence[str], what: str) -> None:
    if len(set(ids)) != len(ids):
        raise ValueError(f"Id {what} tidak boleh kembar.")


def _check_options(options: Sequence[ChoiceOption]) -> None:
    if len(options) < 2:
        raise ValueError("Soal pilihan membutuhkan paling sedikit 2 pilihan jawaban.")
    _check_unique([option.id for option in options], "pilihan")
    for option in options:
        require_finite(option.weight, "Bobot")
        if not option.text.strip():
            raise ValueError("Teks pilihan jawaban tidak boleh kosong.")
        if not -HUNDRED <= option.weight <= HUNDRED:
            raise ValueError("Bobot pilihan harus antara -100% dan 100%.")


def _check_answer_weights(weights: Sequence[Decimal]) -> None:
    for weight in weights:
        require_finite(weight, "Bobot")
        if not 0 <= weight <= HUNDRED:
            raise ValueError("Bobot jawaban harus antara 0% dan 100%.")
    if not any(weight > 0 for weight in weights):
        raise ValueError("Paling sedikit satu jawaban harus bernilai lebih dari 0%.")


def participant_view(question: Question, shuffle_seed: int | str | None = None) -> dict[str, Any]:
    """What a participant may see of ``question`` while answering it.

    Only the type, the text and its format, and for choice and matching questions the ids and
    texts to pick from. Never a weight, correctness, feedback, accepted answer, tolerance, nor
    the title (titles often name the answer) or the category.

    Args:
        question: any question.
        shuffle_seed: when given, options (and matching choices) are shuffled with a
            ``random.Random`` seeded by it, so one attempt sees one stable order. Matching
            items keep their order, as in Moodle; their ids reveal nothing.

    Returns:
        A JSON-ready dict.
    """
    rng = random.Random(shuffle_seed) if shuffle_seed is not None else None
    view: dict[str, Any] = {
        "type": question_type(question),
        "text": question.text,
        "text_format": question.text_format,
    }
    if isinstance(question, SingleChoice | MultipleChoice):
        view["options"] = _shuffled([{"id": o.id, "text": o.text} for o in question.options], rng)
    elif isinstance(question, Matching):
        view["items"] = [{"id": item.id, "text": item.text} for item in question.items]
        view["choices"] = _shuffled([{"id": c.id, "text": c.text} for c in question.choices], rng)
    return view


def _shuffled(entries: list[dict[str, str]], rng: random.Random | None) -> list[dict[str, str]]:
    if rng is not None:
        rng.shuffle(entries)
    return entries

"""The assessments demo: the Indonesian bank, a pre-test and a post-test with 27 real attempts.

Runs after ``courses.demo.seed`` (which leaves ``ctx["session_id"]``, ``ctx["people"]``,
``ctx["units"]`` and ``ctx["users"]``) and before the results demo. Everything goes through
the services the API uses, so grading is the real grading:

* the bank "Bank Soal Pelayanan Prima" of DPMPTSP, imported from the GIFT file bundled in
  ``demo_data/`` (a copy of the shared sample; the demo never reads outside the package), each
  question tagged with the competency it tests;
* a pre-test (18 November 2026, 07.30–08.00 WIB) and a post-test (20 November 2026,
  15.00–15.30 WIB) on the same 15 auto-graded questions, 5 per category;
* a submitted attempt of each of the 27 participants on both, answered by a seeded simulation
  (each person has an ability that grows between the tests, each question a difficulty), so
  every run gives the same figures: about 55 % on the pre-test and 80 % on the post-test, with
  a few participants who do not improve;
* an open practice quiz (random questions by category) without attempts, for the README
  walkthrough to take as the ``participant`` user.

The simulated participants other than the demo ``participant`` have no login; their attempts
are recorded in the audit log under ``simulasi-demo``. It leaves ``ctx["bank_id"]``,
``ctx["pre_test_id"]``, ``ctx["post_test_id"]`` and ``ctx["practice_quiz_id"]``.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

import msgspec

from courses.assessments.attempts.service import AttemptService
from courses.assessments.questions.banks import BankService
from courses.assessments.questions.gift import parse_gift
from courses.assessments.questions.grading import Response
from courses.assessments.questions.import_result import ImportResult, ParsedQuestion
from courses.assessments.questions.model import (
    Matching,
    MultipleChoice,
    Numerical,
    Question,
    ShortAnswer,
    SingleChoice,
    TrueFalse,
)
from courses.assessments.questions.schemas import BankCreate, QuizCreate, QuizKind, QuizUpdate
from courses.assessments.questions.store import decode
from courses.assessments.quizzes.service import QuizService
from courses.tables import Attempt, AttemptAnswer
from courses.tables import Question as QuestionRow
from lms.auth.caller import Caller
from lms.people.tables import Unit

BANK_FILE = Path(__file__).parent / "demo_data" / "bank_soal_pelayanan_prima.gift"
WIB = dt.timezone(dt.timedelta(hours=7))

COMPETENCIES = {
    "UU Pelayanan Publik": "PP-03",
    "Maklumat": "PP-04",
    "Standar pelayanan wajib dipublikasikan": "PP-03",
    "Jumlah unsur SKM": "PP-03",
    "Frekuensi SKM": "PP-03",
    "Konversi IKM": "PP-03",
    "Konsep A3": "PP-02",
    "Berorientasi Pelayanan": "PP-01",
    "Semboyan abdi negara": "PP-01",
    "Pemohon marah": "PP-02",
    "Persyaratan tambahan": "PP-06",
    "Pasangan nilai dan perilaku": "PP-01",
    "Gratis": "PP-06",
    "Unsur SKM kompetensi": "PP-03",
    "Unsur SKM perilaku": "PP-02",
    "Mutu A": "PP-05",
    "Batas mutu B": "PP-05",
    "Lama layanan": "PP-04",
    "Saluran pengaduan": "PP-05",
    "Ombudsman zona hijau": "PP-05",
    "Refleksi": "PP-02",
    "Antrean": "PP-08",
    "Inovasi": "PP-07",
}
"""Question title → competency code of the framework (``PP-01`` … ``PP-08``)."""

TEST_QUESTIONS = (
    "UU Pelayanan Publik",
    "Maklumat",
    "Standar pelayanan wajib dipublikasikan",
    "Jumlah unsur SKM",
    "Frekuensi SKM",
    "Konsep A3",
    "Berorientasi Pelayanan",
    "Semboyan abdi negara",
    "Pemohon marah",
    "Pasangan nilai dan perilaku",
    "Unsur SKM kompetensi",
    "Mutu A",
    "Batas mutu B",
    "Lama layanan",
    "Saluran pengaduan",
)
"""The 15 questions of both tests: 5 per category, every auto-graded type."""

TESTS: dict[QuizKind, tuple[dt.datetime, str]] = {
    "pre_test": (dt.datetime(2026, 11, 18, 7, 30, tzinfo=WIB), "Pre-test Pelayanan Prima"),
    "post_test": (dt.datetime(2026, 11, 20, 15, 0, tzinfo=WIB), "Post-test Pelayanan Prima"),
}
WINDOW = dt.timedelta(minutes=30)
TIME_LIMIT_MINUTES = 20
NOT_IMPROVING = (6, 19)
"""Participants (file order) whose post-test is no better than their pre-test."""


def _tagged(parsed: ImportResult) -> ImportResult:
    """The parsed bank with each question's competency code set."""
    items = [
        ParsedQuestion(
            line=item.line,
            category=item.category,
            question=msgspec.structs.replace(
                item.question, competency_code=COMPETENCIES.get(item.question.title)
            ),
        )
        for item in parsed.questions
    ]
    return ImportResult(questions=items, errors=list(parsed.errors))


def right_response(question: Question) -> dict[str, Any]:
    """A full-marks answer."""
    if isinstance(question, SingleChoice):
        return {"type": "single_choice", "option_id": _best(question.options).id}
    if isinstance(question, MultipleChoice):
        ids = [o.id for o in question.options if o.weight > 0]
        return {"type": "multiple_choice", "option_ids": ids}
    if isinstance(question, TrueFalse):
        return {"type": "true_false", "value": question.correct}
    if isinstance(question, ShortAnswer):
        return {"type": "short_answer", "text": _best(question.answers).text.lower()}
    if isinstance(question, Numerical):
        best = _best(question.answers)
        return {
            "type": "numerical",
            "value": str(best.value if best.value is not None else best.minimum).replace(".", ","),
        }
    if isinstance(question, Matching):
        return {"type": "matching", "matches": {i.id: i.choice_id for i in question.items}}
    raise ValueError(type(question).__name__)


def wrong_response(question: Question, rng: random.Random) -> dict[str, Any]:
    """A plausible mistake: a distractor, half of a matching, a near miss."""
    if isinstance(question, SingleChoice):
        wrong = [o for o in question.options if o.weight < 100]
        return {"type": "single_choice", "option_id": rng.choice(wrong).id}
    if isinstance(question, MultipleChoice):
        positive = [o.id for o in question.options if o.weight > 0]
        negative = [o.id for o in question.options if o.weight < 0]
        chosen = rng.sample(positive, 2) + ([rng.choice(negative)] if rng.random() < 0.5 else [])
        return {"type": "multiple_choice", "option_ids": chosen}
    if isinstance(question, TrueFalse):
        return {"type": "true_false", "value": not question.correct}
    if isinstance(question, ShortAnswer):
        return {"type": "short_answer", "text": rng.choice(["dilayani", "bekerja", "7 hari"])}
    if isinstance(question, Numerical):
        best = _best(question.answers)
        value = best.value if best.value is not None else best.maximum
        assert value is not None
        return {"type": "numerical", "value": str(value + Decimal(rng.choice([-5, 3, 10])))}
    if isinstance(question, Matching):
        items = list(question.items)
        matches = {i.id: i.choice_id for i in items}
        first, second = rng.sample(items, 2)
        matches[first.id], matches[second.id] = second.choice_id, first.choice_id
        return {"type": "matching", "matches": matches}
    raise ValueError(type(question).__name__)


def _best(entries: Any) -> Any:
    return max(entries, key=lambda entry: entry.weight)


def abilities(index: int) -> tuple[float, float]:
    """The chance a participant answers an average question right, before and after."""
    rng = random.Random(f"prima-demo-kemampuan-{index}")
    before = min(0.85, max(0.25, rng.gauss(0.47, 0.12)))
    gain = -rng.uniform(0.0, 0.08) if index in NOT_IMPROVING else rng.uniform(0.24, 0.46)
    return before, min(0.97, max(0.2, before + gain))


def difficulty(title: str) -> float:
    """A question's offset from the average chance (harder questions are negative)."""
    return random.Random(f"prima-demo-kesulitan-{title}").uniform(-0.18, 0.14)


async def _organizer(ctx: dict[str, Any]) -> Caller:
    unit_id = ctx["units"]["DPMPTSP-PPJ"]
    unit = await Unit.select(Unit.path).where(Unit.id == unit_id).first()
    return Caller(
        user_id=ctx["users"]["organizer"],
        username="organizer",
        role="organizer",
        unit_id=unit_id,
        unit_path=unit["path"] if unit else "",
    )


def _participant(ctx: dict[str, Any], index: int, person_id: UUID) -> Caller:
    if index == 0:
        return Caller(
            user_id=ctx["users"]["participant"],
            username="participant",
            role="participant",
            person_id=person_id,
        )
    return Caller(
        user_id=uuid5(NAMESPACE_URL, f"prima-demo:{person_id}"),
        username="simulasi-demo",
        role="participant",
        person_id=person_id,
    )


async def _take(
    attempts: AttemptService,
    caller: Caller,
    quiz_id: UUID,
    chance: float,
    questions: dict[UUID, tuple[str, Question]],
    rng: random.Random,
) -> UUID:
    """Start, answer (each question right with probability ``chance`` + its difficulty
    offset) and submit one attempt."""
    attempt, _ = await attempts.start(caller, quiz_id)
    # Answered in the bank's order, not the attempt's shuffled one, so the seeded choices (and
    # so every figure of the demo) are the same on every run.
    for question_id, (title, question) in questions.items():
        right = rng.random() < chance + difficulty(title)
        body = right_response(question) if right else wrong_response(question, rng)
        await attempts.save_answer(caller, attempt.id, question_id, msgspec.convert(body, Response))
    await attempts.submit(caller, attempt.id)
    return attempt.id


async def _backdate(attempt_id: UUID, started: dt.datetime, minutes: int) -> None:
    """Put a simulated attempt on the test's day: started, answered over ``minutes``, sent."""
    submitted = started + dt.timedelta(minutes=minutes)
    await Attempt.update(
        {
            Attempt.started_at: started,
            Attempt.deadline: started + dt.timedelta(minutes=TIME_LIMIT_MINUTES),
            Attempt.submitted_at: submitted,
        }
    ).where(Attempt.id == attempt_id)
    await AttemptAnswer.update({AttemptAnswer.saved_at: submitted}).where(
        AttemptAnswer.attempt == attempt_id
    )


async def seed(ctx: dict[str, Any]) -> None:
    """Import the bank, create the tests, simulate the 27 participants' attempts."""
    organizer = await _organizer(ctx)
    session_id: UUID = ctx["session_id"]
    banks = BankService()
    bank = await banks.create(
        organizer,
        BankCreate(
            name="Bank Soal Pelayanan Prima",
            description="Soal pre-test dan post-test Pelatihan Pelayanan Prima (GIFT).",
            unit_id=ctx["units"]["DPMPTSP-PPJ"],
        ),
    )
    await banks.import_questions(organizer, bank.id, _tagged(parse_gift(BANK_FILE.read_bytes())))
    rows = await QuestionRow.select(QuestionRow.id, QuestionRow.title, QuestionRow.payload).where(
        QuestionRow.bank == bank.id
    )
    by_title = {row["title"]: row for row in rows}
    questions = {
        by_title[title]["id"]: (title, decode(by_title[title]["payload"]))
        for title in TEST_QUESTIONS
    }
    selection = list(questions)

    quizzes = QuizService()
    attempts = AttemptService()
    people: list[UUID] = list(ctx["people"])
    quiz_ids: dict[str, UUID] = {}
    for kind, (opens, title) in TESTS.items():
        quiz = await quizzes.create(
            organizer,
            session_id,
            QuizCreate(
                kind=kind,
                title=title,
                selection=selection,
                pass_mark=Decimal(70),
                time_limit_minutes=TIME_LIMIT_MINUTES,
            ),
        )
        quiz_ids[kind] = quiz.id
        for index, person_id in enumerate(people):
            before, after = abilities(index)
            rng = random.Random(f"prima-demo-{kind}-{index}")
            attempt_id = await _take(
                attempts,
                _participant(ctx, index, person_id),
                quiz.id,
                before if kind == "pre_test" else after,
                questions,
                rng,
            )
            started = opens + dt.timedelta(minutes=2, seconds=rng.randint(0, 240))
            await _backdate(attempt_id, started, rng.randint(9, 18))
        await quizzes.update(
            organizer, quiz.id, QuizUpdate(opens_at=opens, closes_at=opens + WINDOW)
        )

    practice = await quizzes.create(
        organizer,
        session_id,
        msgspec.convert(
            {
                "kind": "quiz",
                "title": "Kuis Latihan Pelayanan Prima",
                "selection": {
                    "random": [
                        {"category": "Pelayanan Prima/Sikap dan Perilaku", "count": 3},
                        {"category": "Pelayanan Prima/Pengaduan dan Mutu", "count": 2},
                    ]
                },
                "time_limit_minutes": 15,
                "attempts_allowed": 0,
                "review": {"after_submit": "correct", "after_close": "correct"},
            },
            QuizCreate,
        ),
    )
    ctx["bank_id"] = bank.id
    ctx["pre_test_id"] = quiz_ids["pre_test"]
    ctx["post_test_id"] = quiz_ids["post_test"]
    ctx["practice_quiz_id"] = practice.id

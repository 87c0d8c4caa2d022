"""Item analysis of a quiz (classical test theory): pure computation, then the database loader.

Per question, over the participants whose counted attempt contained it:

* **difficulty** p = mean of the share of the question's points each earned (for right/wrong
  items, the share who got it right);
* **discrimination** D = p in the upper group − p in the lower group. Participants are ranked by
  the attempt's percentage, highest first; ties are broken by person id (ascending UUID text),
  so the same data always gives the same groups. Each group holds
  ``round_half_up(0.27 × n)`` participants (at least 1); with fewer than 2 participants there
  are no groups and D is ``None``. p of a group is over its members who saw the question;
* **point-biserial** r = Pearson correlation of the item score (points) with the rest score
  (the attempt's total points minus this item), so an item is not correlated with itself;
  ``None`` when either side does not vary;
* **option counts**: how many chose each option (multiple choice counts every ticked option).

Per quiz: n, mean, median, sample SD (n − 1), minimum and maximum of the attempts'
percentages, and Cronbach's alpha (KR-20 for right/wrong items) with population variances,
given only when every participant answered the same set of questions.

Arithmetic is exact (``fractions.Fraction``) and rounded once at the end: half away from zero
to 4 decimals for indices, 2 for percentages; square roots are taken at 50 significant digits.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction
from typing import Any
from uuid import UUID

import msgspec

from courses.assessments import question_store
from courses.assessments import selection as selection_rules
from courses.assessments.questions import MultipleChoice, SingleChoice, TrueFalse, question_type
from courses.assessments.report_schemas import ItemStats, OptionCount, QuizAnalysis, QuizStats
from courses.assessments.scoring import FINISHED, close_overdue, decode_response, order_of
from courses.assessments.tables import Attempt, AttemptAnswer, Quiz
from courses.assessments.tables import Question as QuestionRow
from courses.delivery.access import get_session_for_staff
from lms.auth.caller import Caller
from lms.shared.errors import NotFound

GROUP_SHARE = Fraction(27, 100)


class OptionInfo(msgspec.Struct, frozen=True, kw_only=True):
    """An option participants can pick (choice options; ``true``/``false``)."""

    id: str
    text: str


class ItemInfo(msgspec.Struct, frozen=True, kw_only=True):
    """A question as the analysis needs it."""

    question_id: UUID
    title: str
    type: str
    competency_code: str = ""
    options: tuple[OptionInfo, ...] = ()


class ItemScore(msgspec.Struct, frozen=True, kw_only=True):
    """One question of one attempt: points earned (0 when unanswered) out of its maximum."""

    points: Decimal
    max_points: Decimal
    response: dict[str, Any] | None = None


class ScoredAttempt(msgspec.Struct, frozen=True, kw_only=True):
    """The counted attempt of one participant: every question it contained."""

    person_id: UUID
    items: dict[UUID, ItemScore]

    @property
    def total(self) -> Fraction:
        """Points earned."""
        return sum((Fraction(item.points) for item in self.items.values()), Fraction(0))

    @property
    def max_total(self) -> Fraction:
        """Points available."""
        return sum((Fraction(item.max_points) for item in self.items.values()), Fraction(0))

    @property
    def percent(self) -> Fraction:
        """Points earned as a percentage of the points available (0 when none are)."""
        available = self.max_total
        return self.total * 100 / available if available else Fraction(0)


# --- exact statistics ------------------------------------------------------------------------


def round_fraction(value: Fraction, places: int) -> Decimal:
    """``value`` rounded half away from zero to ``places`` decimals, exactly."""
    scale = 10**places
    magnitude = math.floor(abs(value) * scale + Fraction(1, 2))
    return Decimal(-magnitude if value < 0 else magnitude).scaleb(-places)


def sqrt_rounded(value: Fraction, places: int) -> Decimal:
    """The square root of a non-negative ``value``, rounded half-up to ``places`` decimals."""
    with localcontext() as ctx:
        ctx.prec = 50
        root = (Decimal(value.numerator) / Decimal(value.denominator)).sqrt()
        return root.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def mean(values: Sequence[Fraction]) -> Fraction:
    """The arithmetic mean (of at least one value)."""
    return sum(values, Fraction(0)) / len(values)


def median(values: Sequence[Fraction]) -> Fraction:
    """The middle value, or the mean of the two middle ones (of at least one value)."""
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def variance(values: Sequence[Fraction], *, sample: bool = False) -> Fraction:
    """Population variance, or the sample variance (n − 1) when ``sample``."""
    centre = mean(values)
    squares = sum(((v - centre) ** 2 for v in values), Fraction(0))
    return squares / (len(values) - 1 if sample else len(values))


def correlation(xs: Sequence[Fraction], ys: Sequence[Fraction]) -> Decimal | None:
    """Pearson's r to 4 decimals; ``None`` for fewer than 2 pairs or a constant side."""
    if len(xs) < 2:
        return None
    mx, my = mean(xs), mean(ys)
    cov = sum(((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)), Fraction(0))
    sxx = sum(((x - mx) ** 2 for x in xs), Fraction(0))
    syy = sum(((y - my) ** 2 for y in ys), Fraction(0))
    if sxx == 0 or syy == 0:
        return None
    magnitude = sqrt_rounded(cov * cov / (sxx * syy), 4)
    return -magnitude if cov < 0 else magnitude


def group_size(n: int) -> int:
    """Members of each of the upper and lower groups: 27 % of ``n`` rounded half-up, ≥ 1."""
    if n < 2:
        return 0
    return max(1, math.floor(GROUP_SHARE * n + Fraction(1, 2)))


def rank(attempts: Iterable[ScoredAttempt]) -> list[ScoredAttempt]:
    """Highest percentage first; ties by person id so the order is always the same."""
    return sorted(attempts, key=lambda a: (-a.percent, str(a.person_id)))


def cronbach_alpha(attempts: Sequence[ScoredAttempt]) -> Decimal | None:
    """Cronbach's alpha of a test everyone answered in full (same question set).

    ``None`` with fewer than 2 participants or questions, different question sets, or no
    variance in the total.
    """
    if len(attempts) < 2:
        return None
    questions = set(attempts[0].items)
    if len(questions) < 2 or any(set(a.items) != questions for a in attempts):
        return None
    totals = [a.total for a in attempts]
    total_variance = variance(totals)
    if total_variance == 0:
        return None
    item_variance = sum(
        (variance([Fraction(a.items[q].points) for a in attempts]) for q in questions),
        Fraction(0),
    )
    k = len(questions)
    return round_fraction(Fraction(k, k - 1) * (1 - item_variance / total_variance), 4)


def quiz_stats(attempts: Sequence[ScoredAttempt]) -> QuizStats:
    """The distribution of the percentages and the reliability of the test."""
    percents = [a.percent for a in attempts]
    n = len(percents)
    if not n:
        return QuizStats(
            n=0,
            mean=None,
            median=None,
            sd=None,
            minimum=None,
            maximum=None,
            cronbach_alpha=None,
            group_size=0,
        )
    return QuizStats(
        n=n,
        mean=round_fraction(mean(percents), 2),
        median=round_fraction(median(percents), 2),
        sd=sqrt_rounded(variance(percents, sample=True), 2) if n > 1 else None,
        minimum=round_fraction(min(percents), 2),
        maximum=round_fraction(max(percents), 2),
        cronbach_alpha=cronbach_alpha(attempts),
        group_size=group_size(n),
    )


def _share(item: ItemScore) -> Fraction:
    return Fraction(item.points) / Fraction(item.max_points) if item.max_points else Fraction(0)


def _group_p(group: Sequence[ScoredAttempt], question_id: UUID) -> Fraction | None:
    shares = [_share(a.items[question_id]) for a in group if question_id in a.items]
    return mean(shares) if shares else None


def _chosen(response: dict[str, Any] | None) -> list[str]:
    if not response:
        return []
    if "option_id" in response:
        return [str(response["option_id"])]
    if "option_ids" in response:
        return [str(option) for option in response["option_ids"] or []]
    if response.get("type") == "true_false" and "value" in response:
        return ["true" if response["value"] else "false"]
    return []


def item_stats(
    number: int, item: ItemInfo, ranked: Sequence[ScoredAttempt], size: int
) -> ItemStats:
    """The statistics of one question over ranked attempts (see the module docstring)."""
    seen = [a for a in ranked if item.question_id in a.items]
    scores = [a.items[item.question_id] for a in seen]
    counts = {option.id: 0 for option in item.options}
    for score in scores:
        for option_id in _chosen(score.response):
            if option_id in counts:
                counts[option_id] += 1
    discrimination = None
    if size:
        upper = _group_p(ranked[:size], item.question_id)
        lower = _group_p(ranked[-size:], item.question_id)
        if upper is not None and lower is not None:
            discrimination = round_fraction(upper - lower, 4)
    points = [Fraction(s.points) for s in scores]
    rest = [a.total - p for a, p in zip(seen, points, strict=True)]
    return ItemStats(
        question_id=item.question_id,
        number=number,
        title=item.title,
        type=item.type,
        competency_code=item.competency_code,
        n=len(seen),
        answered=sum(1 for s in scores if s.response is not None),
        difficulty=round_fraction(mean([_share(s) for s in scores]), 4) if scores else None,
        discrimination=discrimination,
        point_biserial=correlation(points, rest),
        options=[
            OptionCount(id=option.id, text=option.text, count=counts[option.id])
            for option in item.options
        ],
    )


def analyse(
    items: Sequence[ItemInfo], attempts: Sequence[ScoredAttempt]
) -> tuple[QuizStats, list[ItemStats]]:
    """Quiz-level figures and one ``ItemStats`` per question, in the order of ``items``."""
    ranked = rank(attempts)
    size = group_size(len(ranked))
    return quiz_stats(ranked), [
        item_stats(number, item, ranked, size) for number, item in enumerate(items, start=1)
    ]


# --- loading from the database ---------------------------------------------------------------

ATTEMPT_RULES = {
    "highest": "highest",
    "first": "first",
    "last": "last",
    "average": "first",
}
"""Which finished attempt of each participant is analysed, by the quiz's grading method: the
one the method grades by; for ``average`` the first, because every participant must count
once and a first attempt is not yet shaped by practice on the same questions."""


def pick_attempt(method: str, attempts: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The counted attempt among one participant's finished attempts (ordered by number);
    ``highest`` takes the earliest of equal percentages."""
    rule = ATTEMPT_RULES.get(method, "first")
    if rule == "last":
        return attempts[-1]
    if rule == "highest":
        best = max(question_store.cents(a["percent"] or 0) for a in attempts)
        return next(a for a in attempts if question_store.cents(a["percent"] or 0) == best)
    return attempts[0]


def item_info(stored: question_store.StoredQuestion, title: str) -> ItemInfo:
    """What the analysis shows of a question, with its options (true/false: Benar, Salah)."""
    question = stored.question
    options: tuple[OptionInfo, ...] = ()
    if isinstance(question, SingleChoice | MultipleChoice):
        options = tuple(OptionInfo(id=o.id, text=o.text) for o in question.options)
    elif isinstance(question, TrueFalse):
        options = (OptionInfo(id="true", text="Benar"), OptionInfo(id="false", text="Salah"))
    return ItemInfo(
        question_id=stored.id,
        title=title,
        type=question_type(question),
        competency_code=question.competency_code or "",
        options=options,
    )


class CountedAttempts(msgspec.Struct, frozen=True, kw_only=True):
    """A quiz's counted attempts with the questions they contain (in quiz order)."""

    items: list[ItemInfo]
    attempts: list[ScoredAttempt]


async def counted_attempts(quiz: dict[str, Any]) -> CountedAttempts:
    """One finished attempt per participant (``pick_attempt``), scored per question.

    Overdue attempts are closed first, as for grades. An essay still waiting for a trainer
    counts 0, as in the attempt's score.
    """
    await close_overdue(quiz["id"])
    rows = await (
        Attempt.select(Attempt.id, Attempt.person, Attempt.percent, Attempt.question_order)
        .where((Attempt.quiz == quiz["id"]) & (Attempt.status == FINISHED))
        .order_by(Attempt.number)
    )
    by_person: dict[UUID, list[dict[str, Any]]] = {}
    for row in rows:
        by_person.setdefault(row["person"], []).append(row)
    chosen = [pick_attempt(quiz["grading_method"], group) for group in by_person.values()]
    orders = {row["id"]: order_of(row) for row in chosen}
    wanted = {q for order in orders.values() for q in order}
    selection = selection_rules.from_stored(quiz["selection"])
    if isinstance(selection, list):
        wanted |= {str(q) for q in selection}
    questions = await question_store.load_questions(wanted)
    answers: dict[UUID, dict[str, dict[str, Any]]] = {row["id"]: {} for row in chosen}
    if chosen:
        for saved in await AttemptAnswer.select(
            AttemptAnswer.attempt,
            AttemptAnswer.question,
            AttemptAnswer.response,
            AttemptAnswer.points,
        ).where(AttemptAnswer.attempt.is_in([row["id"] for row in chosen])):
            answers[saved["attempt"]][str(saved["question"])] = saved
    attempts = []
    for row in chosen:
        scores: dict[UUID, ItemScore] = {}
        for question_id in orders[row["id"]]:
            stored = questions.get(UUID(question_id))
            if stored is None:
                continue
            answer = answers[row["id"]].get(question_id)
            response = decode_response(answer["response"]) if answer else None
            points = answer["points"] if answer and answer["points"] is not None else 0
            scores[stored.id] = ItemScore(
                points=question_store.cents(points),
                max_points=stored.points,
                response=msgspec.to_builtins(response) if response is not None else None,
            )
        attempts.append(ScoredAttempt(person_id=row["person"], items=scores))
    titles = await _titles(list(questions))
    order = [UUID(str(q)) for q in selection] if isinstance(selection, list) else []
    seen = {q for a in attempts for q in a.items}
    order += sorted(seen - set(order), key=lambda q: (titles.get(q, ""), str(q)))
    items = [item_info(questions[q], titles.get(q, "")) for q in order if q in questions]
    return CountedAttempts(items=items, attempts=attempts)


async def _titles(question_ids: list[UUID]) -> dict[UUID, str]:
    if not question_ids:
        return {}
    rows = await QuestionRow.select(QuestionRow.id, QuestionRow.title).where(
        QuestionRow.id.is_in(question_ids)
    )
    return {row["id"]: row["title"] for row in rows}


async def load_staff_quiz(caller: Caller, quiz_id: UUID) -> dict[str, Any]:
    """The quiz if the caller runs its session (organizer in scope, session trainer).

    Raises:
        NotFound: unknown quiz, or not the caller's session.
    """
    quiz = await Quiz.select(*Quiz.all_columns()).where(Quiz.id == quiz_id).first()
    if quiz is None:
        raise NotFound("Kuis tidak ditemukan.")
    try:
        await get_session_for_staff(caller, quiz["session"])
    except NotFound:
        raise NotFound("Kuis tidak ditemukan.") from None
    return quiz


class ItemAnalysisService:
    """``GET /api/v1/quizzes/{id}/analysis``."""

    async def analysis(self, caller: Caller, quiz_id: UUID) -> QuizAnalysis:
        """Item analysis of a quiz's counted attempts."""
        quiz = await load_staff_quiz(caller, quiz_id)
        data = await counted_attempts(quiz)
        stats, items = analyse(data.items, data.attempts)
        return QuizAnalysis(
            quiz_id=quiz["id"],
            session_id=quiz["session"],
            kind=quiz["kind"],
            title=quiz["title"],
            grading_method=quiz["grading_method"],
            attempt_rule=ATTEMPT_RULES.get(quiz["grading_method"], "first"),
            stats=stats,
            items=items,
        )

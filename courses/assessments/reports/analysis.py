"""Item analysis of a quiz (classical test theory): the statistics, and the service that runs
them on the counted attempts (``counted_attempts``).

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

Arithmetic is exact (``exact_stats``) and rounded once at the end: half away from zero to 4
decimals for indices, 2 for percentages.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any
from uuid import UUID

from courses.assessments.attempts.counted import (
    ATTEMPT_RULES,
    ItemInfo,
    ItemScore,
    ScoredAttempt,
    counted_attempts,
)
from courses.assessments.reports.exact_stats import (
    correlation,
    mean,
    median,
    round_fraction,
    sqrt_rounded,
    variance,
)
from courses.assessments.reports.schemas import ItemStats, OptionCount, QuizAnalysis, QuizStats
from courses.delivery.sessions.access import get_session_for_staff
from courses.tables import Quiz
from lms.auth.caller import Caller
from lms.shared.errors import NotFound

GROUP_SHARE = Fraction(27, 100)


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

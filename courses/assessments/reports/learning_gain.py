"""Learning gain of a session (Kirkpatrick level 2): the pre-test against the post-test.

Per participant, with ``pre`` and ``post`` each quiz's grade by its own grading method (percent,
2 decimals):

* gain = post − pre (exact);
* normalized gain g = (post − pre) / (100 − pre), 4 decimals half away from zero; ``None`` when
  pre = 100 (nothing left to gain) or either test is missing.

Per session, over the *paired* participants (both tests taken): mean pre, mean post, mean and
median gain (2 decimals), how many improved / stayed the same / declined, the mean of the
individual g (participants with pre = 100 left out), and Hake's class-average
g = (mean post − mean pre) / (100 − mean pre), computed from the exact means.

Per competency tag (``Question.competency_code``): the share of the tagged questions' points
earned on each test, pooled over the participants' counted attempts (the attempt the item
analysis counts), so parallel forms compare tag by tag even when their questions differ.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any
from uuid import UUID

from courses.assessments.attempts.counted import CountedAttempts, counted_attempts
from courses.assessments.attempts.scoring import quiz_grades
from courses.assessments.reports.exact_stats import mean, median, round_fraction
from courses.assessments.reports.schemas import (
    CompetencyGain,
    GainSummary,
    LearningGainReport,
    ParticipantGain,
)
from courses.delivery.enrollment.participants import session_participants
from courses.delivery.sessions.access import get_session_for_staff
from courses.tables import Quiz
from lms.auth.caller import Caller

HUNDRED = Fraction(100)


def gain(pre: Decimal | None, post: Decimal | None) -> Decimal | None:
    """post − pre, or ``None`` when either is missing."""
    return None if pre is None or post is None else post - pre


def normalized_gain(pre: Decimal | None, post: Decimal | None) -> Decimal | None:
    """(post − pre) / (100 − pre) to 4 decimals; ``None`` when pre = 100 or one is missing."""
    exact = _g(pre, post)
    return round_fraction(exact, 4) if exact is not None else None


def _g(pre: Decimal | None, post: Decimal | None) -> Fraction | None:
    if pre is None or post is None or pre == 100:
        return None
    return (Fraction(post) - Fraction(pre)) / (HUNDRED - Fraction(pre))


def summarize(
    pairs: Sequence[tuple[Decimal | None, Decimal | None]], participants: int
) -> GainSummary:
    """The session's figures from each participant's (pre, post)."""
    paired = [
        (Fraction(pre), Fraction(post))
        for pre, post in pairs
        if pre is not None and post is not None
    ]
    if not paired:
        return GainSummary(
            participants=participants,
            paired=0,
            mean_pre=None,
            mean_post=None,
            mean_gain=None,
            median_gain=None,
            improved=0,
            same=0,
            declined=0,
            mean_normalized_gain=None,
            class_normalized_gain=None,
        )
    gains = [post - pre for pre, post in paired]
    individual = [(post - pre) / (HUNDRED - pre) for pre, post in paired if pre != HUNDRED]
    mean_pre = mean([pre for pre, _ in paired])
    mean_post = mean([post for _, post in paired])
    return GainSummary(
        participants=participants,
        paired=len(paired),
        mean_pre=round_fraction(mean_pre, 2),
        mean_post=round_fraction(mean_post, 2),
        mean_gain=round_fraction(mean(gains), 2),
        median_gain=round_fraction(median(gains), 2),
        improved=sum(1 for g in gains if g > 0),
        same=sum(1 for g in gains if g == 0),
        declined=sum(1 for g in gains if g < 0),
        mean_normalized_gain=round_fraction(mean(individual), 4) if individual else None,
        class_normalized_gain=(
            round_fraction((mean_post - mean_pre) / (HUNDRED - mean_pre), 4)
            if mean_pre != HUNDRED
            else None
        ),
    )


def competency_percents(
    data: CountedAttempts, people: set[UUID] | None = None
) -> dict[str, tuple[Fraction | None, int]]:
    """Per competency tag: points earned / points available × 100 over the counted attempts
    (of ``people`` when given), and how many of the quiz's questions carry the tag."""
    tags = {item.question_id: item.competency_code for item in data.items if item.competency_code}
    earned: dict[str, Fraction] = {}
    available: dict[str, Fraction] = {}
    for attempt in data.attempts:
        if people is not None and attempt.person_id not in people:
            continue
        for question_id, score in attempt.items.items():
            tag = tags.get(question_id)
            if tag:
                earned[tag] = earned.get(tag, Fraction(0)) + Fraction(score.points)
                available[tag] = available.get(tag, Fraction(0)) + Fraction(score.max_points)
    counts: dict[str, int] = {}
    for tag in tags.values():
        counts[tag] = counts.get(tag, 0) + 1
    return {
        tag: (earned[tag] * 100 / available[tag] if available.get(tag) else None, count)
        for tag, count in counts.items()
    }


def compare_competencies(
    pre: dict[str, tuple[Fraction | None, int]], post: dict[str, tuple[Fraction | None, int]]
) -> list[CompetencyGain]:
    """Tag by tag, the pre and post percentages (2 decimals) and the change, by tag."""
    rows = []
    for tag in sorted(set(pre) | set(post)):
        pre_percent, pre_items = pre.get(tag, (None, 0))
        post_percent, post_items = post.get(tag, (None, 0))
        rows.append(
            CompetencyGain(
                competency_code=tag,
                pre_percent=round_fraction(pre_percent, 2) if pre_percent is not None else None,
                post_percent=round_fraction(post_percent, 2) if post_percent is not None else None,
                change=(
                    round_fraction(post_percent - pre_percent, 2)
                    if pre_percent is not None and post_percent is not None
                    else None
                ),
                pre_items=pre_items,
                post_items=post_items,
            )
        )
    return rows


async def session_quiz(session_id: UUID, kind: str) -> dict[str, Any] | None:
    """The session's quiz of ``kind`` (``pre_test``/``post_test``: at most one each); the
    earliest created if there were ever several."""
    return await (
        Quiz.select(*Quiz.all_columns())
        .where((Quiz.session == session_id) & (Quiz.kind == kind))
        .order_by(Quiz.created_at)
        .first()
    )


class LearningGainService:
    """``GET /api/v1/sessions/{id}/learning-gain`` for the session's organizers and trainers."""

    async def report(self, caller: Caller, session_id: UUID) -> LearningGainReport:
        """Pre/post per participant, the session's summary and the per-competency comparison.

        A session without a pre- or post-test answers with empty figures (``None``), not an
        error, so the report can be opened before the tests are set.
        """
        await get_session_for_staff(caller, session_id)
        participants = await session_participants(session_id)
        people = {p.person_id for p in participants}
        pre_quiz = await session_quiz(session_id, "pre_test")
        post_quiz = await session_quiz(session_id, "post_test")
        pre_grades = await quiz_grades(pre_quiz["id"]) if pre_quiz else {}
        post_grades = await quiz_grades(post_quiz["id"]) if post_quiz else {}
        rows = []
        for p in participants:
            pre, post = pre_grades.get(p.person_id), post_grades.get(p.person_id)
            rows.append(
                ParticipantGain(
                    person_id=p.person_id,
                    name=p.full_name,
                    nip=p.nip,
                    pre=pre,
                    post=post,
                    gain=gain(pre, post),
                    normalized_gain=normalized_gain(pre, post),
                )
            )
        pre_tags = competency_percents(await counted_attempts(pre_quiz), people) if pre_quiz else {}
        post_tags = (
            competency_percents(await counted_attempts(post_quiz), people) if post_quiz else {}
        )
        return LearningGainReport(
            session_id=session_id,
            pre_test_id=pre_quiz["id"] if pre_quiz else None,
            post_test_id=post_quiz["id"] if post_quiz else None,
            summary=summarize([(r.pre, r.post) for r in rows], len(participants)),
            participants=rows,
            competencies=compare_competencies(pre_tags, post_tags),
        )

"""A trainer's or organizer's mark for one answer, and the attempt re-totalled.

Essays wait for this (their answer has no points until then); any other answer may be marked
over too. The mark is checked against the question's points by ``grading.grade_manually``,
recorded with who gave it and a remark the participant sees at the ``correct`` review level,
and audited with the points before and after.
"""

from __future__ import annotations

from uuid import UUID

from courses.assessments.attempts import events, scoring
from courses.assessments.attempts.access import (
    ATTEMPT_NOT_FOUND,
    QUESTION_NOT_IN_ATTEMPT,
    attempt_view,
    load_attempt,
    reload,
)
from courses.assessments.attempts.schemas import AttemptRead, ManualGrade
from courses.assessments.questions import store as question_store
from courses.assessments.questions.grading import grade_manually
from courses.delivery.sessions.frozen import refuse_if_finalized
from courses.tables import Attempt, AttemptAnswer
from lms.audit import services as audit
from lms.auth.caller import Caller
from lms.shared.errors import Conflict, NotFound, RuleViolation
from lms.shared.values import utcnow


async def grade_answer(
    caller: Caller, attempt_id: UUID, question_id: UUID, data: ManualGrade
) -> AttemptRead:
    """A trainer's or organizer's mark for one answer (an essay, or an override); the
    attempt's score is re-totalled.

    Raises:
        NotFound: not an attempt of a session the caller runs, or a question not in it.
        Conflict: the attempt is still in progress, or the session's results are finalized
            (a changed mark would change the post-test but not the frozen result).
        RuleViolation: points outside 0..the question's points, or nothing was answered.
    """
    attempt, quiz, session, staff = await load_attempt(caller, attempt_id)
    if not staff:
        raise NotFound(ATTEMPT_NOT_FOUND)
    refuse_if_finalized(session, "nilai jawaban kuis tidak dapat diubah")
    now = utcnow()
    if scoring.is_overdue(attempt, now):
        await scoring.close_if_overdue(attempt_id, now)
        attempt = await reload(attempt_id)
    if attempt["status"] != scoring.FINISHED:
        raise Conflict("Percobaan ini belum dikumpulkan; nilai diberikan setelah dikumpulkan.")
    if str(question_id) not in scoring.order_of(attempt):
        raise NotFound(QUESTION_NOT_IN_ATTEMPT)
    stored = await question_store.load_question(question_id)
    if stored is None or stored.type == "description":
        raise RuleViolation("Soal ini tidak dinilai.")
    try:
        outcome = grade_manually(stored.points, data.points)
    except ValueError as exc:
        raise RuleViolation(str(exc), errors=[{"field": "points", "message": str(exc)}]) from None
    async with Attempt._meta.db.transaction():
        current = await scoring.lock_attempt(attempt_id)
        assert current is not None
        answer = (
            await AttemptAnswer.select(AttemptAnswer.id, AttemptAnswer.points)
            .where(AttemptAnswer.natural_key == f"{attempt_id}:{question_id}")
            .first()
        )
        if answer is None:
            raise RuleViolation("Peserta tidak menjawab soal ini; nilainya 0.")
        await AttemptAnswer.update(
            {
                AttemptAnswer.points: outcome.points_awarded,
                AttemptAnswer.graded_by: caller.user_id,
                AttemptAnswer.feedback: data.comment.strip(),
            }
        ).where(AttemptAnswer.id == answer["id"])
        await scoring.regrade_totals(current)
        await audit.record(
            caller,
            "attempt.grade",
            "attempt",
            attempt_id,
            f"nilai soal diberikan: {outcome.points_awarded}/{stored.points}",
            {
                "question": question_id,
                "before": answer["points"],
                "after": outcome.points_awarded,
            },
        )
    await events.graded(attempt_id)
    return await attempt_view(await reload(attempt_id), quiz, session, True)

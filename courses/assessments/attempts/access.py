"""Loading an attempt for a caller, and its body for them: shared by every attempt route.

An attempt is visible to its participant and to the staff who run its session (a managing
organizer, a trainer on the agenda); anyone else gets a 404.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from courses.assessments.attempts import scoring
from courses.assessments.attempts import views as attempt_views
from courses.assessments.attempts.schemas import AttemptRead
from courses.assessments.questions import store as question_store
from courses.assessments.quizzes.service import load_quiz
from courses.delivery.sessions.access import SessionRecord, get_session_for_staff
from courses.tables import Attempt, AttemptAnswer
from lms.auth.caller import Caller
from lms.db import fetch_sql
from lms.shared.errors import NotFound
from lms.shared.values import utcnow

ATTEMPT_NOT_FOUND = "Percobaan kuis tidak ditemukan."
QUESTION_NOT_IN_ATTEMPT = "Soal ini tidak ada pada percobaan ini."


async def load_attempt(
    caller: Caller, attempt_id: UUID
) -> tuple[dict[str, Any], dict[str, Any], SessionRecord, bool]:
    """Attempt, quiz, session and whether the caller reads it as staff.

    Raises:
        NotFound: unknown, or neither the caller's own attempt nor one of a session they run
            (organizer in scope, trainer on the agenda).
    """
    attempt = await _attempt_row(attempt_id)
    loaded = await load_quiz(attempt["quiz"]) if attempt else None
    if attempt is None or loaded is None:
        raise NotFound(ATTEMPT_NOT_FOUND)
    quiz, session = loaded
    if caller.is_person(attempt["person"]):
        return attempt, quiz, session, False
    try:
        await get_session_for_staff(caller, session.id)
    except NotFound:
        raise NotFound(ATTEMPT_NOT_FOUND) from None
    return attempt, quiz, session, True


async def _attempt_row(attempt_id: UUID) -> dict[str, Any] | None:
    rows = await fetch_sql(Attempt, "SELECT * FROM attempt WHERE id = {}", str(attempt_id))
    return rows[0] if rows else None


async def reload(attempt_id: UUID) -> dict[str, Any]:
    """The attempt row again, after a change."""
    row = await _attempt_row(attempt_id)
    assert row is not None
    return row


async def attempt_view(
    attempt: dict[str, Any],
    quiz: dict[str, Any],
    session: SessionRecord,
    staff: bool,
    *,
    questions: dict[UUID, question_store.StoredQuestion] | None = None,
    answered: bool = True,
) -> AttemptRead:
    """The body of the attempt for staff, or for its participant as the review policy allows.

    Questions and answers are only read when the body shows them; ``questions`` may be passed
    when already loaded, and ``answered=False`` skips reading answers of a new attempt.
    """
    view = attempt_views.audience(attempt, quiz, utcnow(), staff)
    answers: dict[str, dict[str, Any]] = {}
    if not attempt_views.shows_questions(attempt, view):
        return attempt_views.build(attempt, quiz, session.timezone, {}, answers, view)
    if questions is None:
        questions = await question_store.load_questions(scoring.order_of(attempt))
    if answered:
        rows = await fetch_sql(
            AttemptAnswer, "SELECT * FROM attempt_answer WHERE attempt = {}", str(attempt["id"])
        )
        answers = {str(row["question"]): row for row in rows}
    return attempt_views.build(attempt, quiz, session.timezone, questions, answers, view)

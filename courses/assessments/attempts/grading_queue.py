"""The essay grading queue of a session: submitted essay answers still without a mark.

The trainer's page lists them oldest submission first and marks one at a time through
``manual_grading.grade_answer`` (the same rule as the API's grade route); a mark given through
a session's page must be for an attempt of that session, else 404 like a stranger's attempt.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from uuid import UUID

import msgspec

from courses.assessments.attempts import manual_grading, scoring
from courses.assessments.attempts.access import ATTEMPT_NOT_FOUND
from courses.assessments.attempts.schemas import AttemptRead, ManualGrade
from courses.assessments.questions import store
from courses.assessments.questions.grading import EssayResponse
from courses.delivery.sessions.access import get_session_for_staff
from courses.tables import Attempt, AttemptAnswer, Quiz
from lms.auth.caller import Caller
from lms.shared.errors import NotFound
from lms.shared.indonesian import full_name


class PendingEssay(msgspec.Struct, frozen=True, kw_only=True):
    """One essay answer waiting for a mark."""

    attempt_id: UUID
    question_id: UUID
    person_id: UUID
    participant: str
    quiz_title: str
    attempt_number: int
    submitted_at: dt.datetime | None
    question: str
    question_format: str
    max_points: Decimal
    text: str


async def pending_essays(caller: Caller, session_id: UUID) -> list[PendingEssay]:
    """Submitted essay answers of the session without a mark, oldest submission first.

    Attempts past their deadline are closed first, so their essays join the queue.

    Raises:
        NotFound: the caller does not run the session (managing organizer or its trainer).
    """
    await get_session_for_staff(caller, session_id)
    for quiz in await Quiz.select(Quiz.id).where(Quiz.session == session_id):
        await scoring.close_overdue(quiz["id"])
    rows = await (
        AttemptAnswer.select(
            AttemptAnswer.attempt.as_alias("attempt_id"),
            AttemptAnswer.question.as_alias("question_id"),
            AttemptAnswer.response,
            AttemptAnswer.attempt._.person.as_alias("person_id"),
            AttemptAnswer.attempt._.person._.name.as_alias("name"),
            AttemptAnswer.attempt._.person._.front_title.as_alias("front_title"),
            AttemptAnswer.attempt._.person._.back_title.as_alias("back_title"),
            AttemptAnswer.attempt._.number.as_alias("attempt_number"),
            AttemptAnswer.attempt._.submitted_at.as_alias("submitted_at"),
            AttemptAnswer.attempt._.quiz._.title.as_alias("quiz_title"),
            AttemptAnswer.question._.text.as_alias("question"),
            AttemptAnswer.question._.payload.as_alias("payload"),
            AttemptAnswer.question._.points.as_alias("max_points"),
        )
        .where(
            (AttemptAnswer.attempt._.quiz._.session == session_id)
            & (AttemptAnswer.attempt._.status == scoring.FINISHED)
            & (AttemptAnswer.question._.type == "essay")
            & AttemptAnswer.points.is_null()
        )
        .order_by(AttemptAnswer.attempt._.submitted_at)
        .order_by(AttemptAnswer.attempt._.person._.name)
    )
    queue = []
    for row in rows:
        response = scoring.decode_response(row["response"])
        queue.append(
            PendingEssay(
                attempt_id=row["attempt_id"],
                question_id=row["question_id"],
                person_id=row["person_id"],
                participant=full_name(row["name"], row["front_title"], row["back_title"]),
                quiz_title=row["quiz_title"],
                attempt_number=row["attempt_number"],
                submitted_at=row["submitted_at"],
                question=row["question"],
                question_format=store.decode(row["payload"]).text_format,
                max_points=Decimal(row["max_points"]).quantize(Decimal("0.01")),
                text=response.text if isinstance(response, EssayResponse) else "",
            )
        )
    return queue


async def grade_in_session(
    caller: Caller, session_id: UUID, attempt_id: UUID, question_id: UUID, data: ManualGrade
) -> AttemptRead:
    """Mark one answer of an attempt of this session (see ``manual_grading.grade_answer``).

    Raises:
        NotFound: the attempt is not one of this session's, or the caller does not run it.
    """
    await get_session_for_staff(caller, session_id)
    of_session = await Attempt.exists().where(
        (Attempt.id == attempt_id) & (Attempt.quiz._.session == session_id)
    )
    if not of_session:
        raise NotFound(ATTEMPT_NOT_FOUND)
    return await manual_grading.grade_answer(caller, attempt_id, question_id, data)

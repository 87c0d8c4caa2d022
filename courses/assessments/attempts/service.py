"""Attempts: start, read and submit (autosave and manual marks live in their own modules).

Rules the server keeps, whatever the client does:

* Only a participant with a confirmed place in the session starts an attempt, within the
  quiz's window, up to ``attempts_allowed`` (0: unlimited). Starting while an attempt is in
  progress gives that attempt back instead of a new one (a reload, a second tab).
* The deadline is ``started_at + time_limit``, never later than the quiz's ``closes_at``.
  A save after it answers 409 and closes the attempt, graded with what was saved; any read of
  an overdue attempt closes it the same way (nothing has to run at the deadline itself).
* An autosave is committed before the answer goes out (``courses.assessments.attempts.autosave``).
* Submitting, closing and grading lock the attempt row (``scoring.lock_attempt``), and an
  autosave only writes while the attempt is in progress, so an answer is either counted in
  the grade or refused (409), never saved after it silently.
* Submitting twice gives the same result.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID, uuid4

import msgspec

from courses.assessments.attempts import autosave, events, manual_grading, scoring
from courses.assessments.attempts.access import (
    ATTEMPT_NOT_FOUND,
    attempt_view,
    load_attempt,
    reload,
)
from courses.assessments.attempts.schemas import AnswerBody, AnswerSaved, AttemptRead, ManualGrade
from courses.assessments.questions import store as question_store
from courses.assessments.quizzes import selection as selection_rules
from courses.assessments.quizzes.service import QUIZ_NOT_FOUND, is_enrolled, load_quiz
from courses.assessments.quizzes.times import deadline_for, to_local
from courses.delivery.sessions.access import SessionRecord, may_see
from courses.delivery.sessions.frozen import refuse_if_finalized
from courses.tables import Attempt, Enrollment
from lms.audit import services as audit
from lms.auth.caller import Caller
from lms.db import fetch_sql
from lms.db.dialect import is_unique_violation
from lms.shared.errors import Conflict, Forbidden, NotFound, RuleViolation
from lms.shared.indonesian import format_date, format_time
from lms.shared.values import utcnow


def _when(moment: dt.datetime, tz: str) -> str:
    local = to_local(moment, tz)
    assert local is not None
    return f"{format_date(local.date())} {format_time(local, tz)}"


async def _told_why(caller: Caller, session: SessionRecord) -> bool:
    """Whether a caller without a confirmed place learns why (403) rather than 404.

    Staff who see the session are told. A participant is told only while they are still in
    its queue: one who withdrew, or never enrolled, is answered like a stranger (the quiz is no
    longer theirs, and a 403 would confirm it exists).
    """
    if caller.role != "participant":
        return await may_see(caller, session)
    return caller.person_id is not None and await Enrollment.exists().where(
        (Enrollment.session == session.id)
        & (Enrollment.person == caller.person_id)
        & (Enrollment.status != "withdrawn")
    )


class AttemptService:
    """Attempts of quizzes."""

    # -- start ---------------------------------------------------------------------------------

    async def start(self, caller: Caller, quiz_id: UUID) -> tuple[AttemptRead, bool]:
        """Start (or resume) the caller's attempt; returns it and whether it is new.

        Raises:
            NotFound: unknown quiz, a session the caller cannot see, or a participant with no
                place in it (never enrolled, or withdrawn).
            Forbidden: staff who see the session, or a participant still waiting for a place
                (waitlisted), who holds no confirmed place in it.
            RuleViolation: outside the quiz's window, a cancelled session, or no questions to
                draw.
            Conflict: every allowed attempt is used.
        """
        loaded = await load_quiz(quiz_id)
        if loaded is None:
            raise NotFound(QUIZ_NOT_FOUND)
        quiz, session = loaded
        person_id = caller.person_id
        if person_id is None or not await is_enrolled(session.id, person_id):
            # Who is told why; anyone else cannot tell the quiz exists.
            if not await _told_why(caller, session):
                raise NotFound(QUIZ_NOT_FOUND)
            raise Forbidden(
                "Hanya peserta terdaftar (terkonfirmasi) pada sesi ini yang dapat mengerjakan kuis."
            )
        if session.status == "cancelled":
            raise RuleViolation("Sesi ini dibatalkan; kuisnya tidak dapat dikerjakan.")
        refuse_if_finalized(session, "kuis tidak dapat dikerjakan lagi")
        now = utcnow()
        tz = session.timezone
        if quiz["opens_at"] is not None and now < quiz["opens_at"]:
            raise RuleViolation(f"Kuis belum dibuka. Kuis dibuka {_when(quiz['opens_at'], tz)}.")
        if quiz["closes_at"] is not None and now >= quiz["closes_at"]:
            raise RuleViolation(f"Kuis sudah ditutup {_when(quiz['closes_at'], tz)}.")
        resumed = await self._in_progress(quiz_id, person_id, now)
        if resumed is not None:
            return await attempt_view(resumed, quiz, session, False), False
        attempt_id = uuid4()
        order = await selection_rules.draw(
            selection_rules.from_stored(quiz["selection"]),
            session.unit_path,
            str(attempt_id),
            quiz["shuffle_questions"],
        )
        try:
            async with Attempt._meta.db.transaction():
                counted = await fetch_sql(
                    Attempt,
                    "SELECT count(*) AS n FROM attempt WHERE quiz = {} AND person = {}",
                    quiz_id,
                    person_id,
                )
                number = int(counted[0]["n"]) + 1
                allowed = quiz["attempts_allowed"]
                if allowed and number > allowed:
                    raise Conflict(f"Batas percobaan kuis ini ({allowed} kali) sudah tercapai.")
                await Attempt.insert(
                    Attempt(
                        id=attempt_id,
                        quiz=quiz_id,
                        person=person_id,
                        number=number,
                        status=scoring.IN_PROGRESS,
                        started_at=now,
                        deadline=deadline_for(now, quiz["time_limit_minutes"], quiz["closes_at"]),
                        question_order=msgspec.json.encode(order).decode(),
                        needs_grading=False,
                        natural_key=f"{quiz_id}:{person_id}:{number}",
                    )
                )
                await audit.record(
                    caller,
                    "attempt.start",
                    "attempt",
                    attempt_id,
                    f"percobaan ke-{number} {quiz['title']}",
                    {"quiz": quiz_id, "questions": len(order)},
                )
        except Exception as exc:
            if not is_unique_violation(exc):
                raise
            # A concurrent start of the same participant won: answer with its attempt.
            resumed = await self._in_progress(quiz_id, person_id, now)
            if resumed is None:
                raise Conflict("Percobaan kuis sedang dimulai; coba lagi.") from None
            return await attempt_view(resumed, quiz, session, False), False
        created = await reload(attempt_id)
        questions = await question_store.load_questions(order)
        body = await attempt_view(
            created, quiz, session, False, questions=questions, answered=False
        )
        return body, True

    async def _in_progress(
        self, quiz_id: UUID, person_id: UUID, now: dt.datetime
    ) -> dict[str, Any] | None:
        """The person's attempt in progress (overdue ones are closed first)."""
        rows = await fetch_sql(
            Attempt,
            "SELECT * FROM attempt WHERE quiz = {} AND person = {} AND status = {}",
            quiz_id,
            person_id,
            scoring.IN_PROGRESS,
        )
        for row in rows:
            if scoring.is_overdue(row, now):
                await scoring.close_if_overdue(row["id"], now)
            else:
                return row
        return None

    # -- read ----------------------------------------------------------------------------------

    async def get(self, caller: Caller, attempt_id: UUID) -> AttemptRead:
        """An attempt as the caller may see it (closing it first if its deadline passed)."""
        attempt, quiz, session, staff = await load_attempt(caller, attempt_id)
        if scoring.is_overdue(attempt, utcnow()):
            await scoring.close_if_overdue(attempt_id, utcnow())
            attempt = await reload(attempt_id)
        return await attempt_view(attempt, quiz, session, staff)

    # -- submit --------------------------------------------------------------------------------

    async def submit(self, caller: Caller, attempt_id: UUID) -> AttemptRead:
        """Finish the caller's attempt and grade it; submitting again gives the same result."""
        attempt, quiz, session, staff = await load_attempt(caller, attempt_id)
        if staff:
            raise NotFound(ATTEMPT_NOT_FOUND)
        if attempt["status"] == scoring.IN_PROGRESS:
            refuse_if_finalized(session, "percobaan kuis tidak dapat dikumpulkan lagi")
            now = utcnow()
            questions = await question_store.load_questions(scoring.order_of(attempt))
            finished = False
            async with Attempt._meta.db.transaction():
                current = await scoring.lock_attempt(attempt_id)
                if current is not None and current["status"] == scoring.IN_PROGRESS:
                    await scoring.finish(
                        current,
                        caller,
                        now,
                        by_deadline=scoring.is_overdue(current, now),
                        questions=questions,
                    )
                    finished = True
            if finished:
                await events.graded(attempt_id)
            attempt = await reload(attempt_id)
            return await attempt_view(attempt, quiz, session, False, questions=questions)
        return await attempt_view(attempt, quiz, session, False)

    async def save_answer(
        self, caller: Caller, attempt_id: UUID, question_id: UUID, response: AnswerBody
    ) -> AnswerSaved:
        """Autosave one answer (see ``courses.assessments.attempts.autosave``)."""
        return await autosave.save_answer(caller, attempt_id, question_id, response)

    async def grade_answer(
        self, caller: Caller, attempt_id: UUID, question_id: UUID, data: ManualGrade
    ) -> AttemptRead:
        """Mark one answer by hand (see ``courses.assessments.attempts.manual_grading``)."""
        return await manual_grading.grade_answer(caller, attempt_id, question_id, data)

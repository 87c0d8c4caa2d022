"""Autosave: one answer of an attempt in progress, durable before the response goes out.

The write is one statement (``save_if_in_progress``): an upsert on the answer's natural key
that only happens while the attempt is in progress. SQLite in WAL mode has the commit in its
log file when the statement returns (our engine runs it in autocommit on the writer), and
PostgreSQL has flushed it; either way a server killed right after the 200 still has the
answer. Checks that need no lock (ownership, the question belongs to the attempt, the answer's
shape and option ids) run before, on the read connections.

Autosaves are not written to the audit log: the answer row itself keeps when it was saved,
and a quiz of 500 people would add 10,000 entries; starting, submitting, closing and marking
an attempt are audited.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID, uuid4

import msgspec

from courses.assessments.attempts import scoring
from courses.assessments.attempts.access import ATTEMPT_NOT_FOUND, QUESTION_NOT_IN_ATTEMPT
from courses.assessments.attempts.schemas import AnswerBody, AnswerSaved
from courses.assessments.questions import store as question_store
from courses.assessments.questions.grading import validate_response
from courses.delivery.sessions.frozen import finalized_conflict
from courses.tables import Attempt, AttemptAnswer
from lms.auth.caller import Caller
from lms.db import fetch_sql
from lms.db.dialect import is_postgres
from lms.shared.errors import BadRequest, Conflict, NotFound
from lms.shared.values import cents, utcnow

# The reads of an autosave are plain SQL: building them as Piccolo selects cost more CPU than
# running them (measured: ~2 ms of query building per select on this 2-core machine under load).
_ATTEMPT_SQL = (
    "SELECT a.id, a.person, a.status, a.deadline, a.question_order, q.session AS session_id, "
    "s.finalized_at FROM attempt a JOIN quiz q ON q.id = a.quiz "
    "JOIN course_session s ON s.id = q.session WHERE a.id = {}"
)
_QUESTION_SQL = "SELECT points, payload FROM bank_question WHERE id = {}"
_UPSERT = """
INSERT INTO attempt_answer
    (id, attempt, question, response, saved_at, points, graded_by, feedback, natural_key)
SELECT {}%(uuid)s, {}%(uuid)s, {}%(uuid)s, {}%(json)s, {}%(time)s, NULL, NULL, '', {}
WHERE EXISTS (
    SELECT 1 FROM attempt WHERE id = {}%(uuid)s AND status = 'in_progress'%(lock)s
)
ON CONFLICT (natural_key) DO UPDATE SET response = excluded.response, saved_at = excluded.saved_at
RETURNING id
"""
_UPSERT_SQL = {
    "sqlite": _UPSERT % {"uuid": "", "json": "", "time": "", "lock": ""},
    "postgres": _UPSERT
    % {"uuid": "::uuid", "json": "::json", "time": "::timestamptz", "lock": " FOR SHARE"},
}


async def save_if_in_progress(
    attempt_id: UUID, question_id: UUID, payload: str, now: dt.datetime
) -> bool:
    """Upsert one answer in a single statement, only while the attempt is in progress.

    One statement, committed when it returns (autocommit), so an autosave costs one trip to
    the writer. It is atomic against submit and close: on SQLite every write runs alone; on
    PostgreSQL the ``FOR SHARE`` lock waits for a submit holding the attempt ``FOR UPDATE``
    and then sees it submitted. Returns False when the attempt was not in progress.
    """
    engine = "postgres" if is_postgres(AttemptAnswer) else "sqlite"
    rows = await fetch_sql(
        AttemptAnswer,
        _UPSERT_SQL[engine],
        str(uuid4()),
        str(attempt_id),
        str(question_id),
        payload,
        now,
        f"{attempt_id}:{question_id}",
        str(attempt_id),
    )
    return bool(rows)


async def save_answer(
    caller: Caller, attempt_id: UUID, question_id: UUID, response: AnswerBody
) -> AnswerSaved:
    """Store the caller's answer to one question of their attempt, durably.

    Raises:
        NotFound: not the caller's attempt, or the question is not in it.
        BadRequest: the answer does not fit the question (type, unknown option).
        Conflict: the attempt is submitted, or its deadline has passed (it is then closed
            and graded with what was saved before).
    """
    rows = await fetch_sql(Attempt, _ATTEMPT_SQL, str(attempt_id))
    attempt = rows[0] if rows else None
    if attempt is None or not caller.is_person(attempt["person"]):
        raise NotFound(ATTEMPT_NOT_FOUND)
    key = str(question_id)
    if key not in scoring.order_of(attempt):
        raise NotFound(QUESTION_NOT_IN_ATTEMPT)
    if attempt["finalized_at"] is not None:
        raise finalized_conflict(attempt["session_id"], "jawaban kuis tidak dapat disimpan lagi")
    now = utcnow()
    await refuse_if_closed(attempt, now)
    rows = await fetch_sql(AttemptAnswer, _QUESTION_SQL, str(question_id))
    if not rows:
        raise NotFound(QUESTION_NOT_IN_ATTEMPT)
    stored = question_store.StoredQuestion(
        id=question_id,
        points=cents(rows[0]["points"]),
        question=question_store.decode(rows[0]["payload"]),
    )
    try:
        validate_response(stored.question, response)
    except ValueError as exc:
        raise BadRequest(str(exc), errors=[{"field": "body", "message": str(exc)}]) from None
    payload = msgspec.json.encode(response).decode()
    if not await save_if_in_progress(attempt_id, question_id, payload, now):
        current = (
            await Attempt.select(Attempt.id, Attempt.status, Attempt.deadline)
            .where(Attempt.id == attempt_id)
            .first()
        )
        if current is None:
            raise NotFound(ATTEMPT_NOT_FOUND)
        await refuse_if_closed(current, now)
        raise Conflict("Percobaan ini sudah dikumpulkan; jawaban tidak dapat diubah.")
    return AnswerSaved(question_id=question_id, saved_at=now)


async def refuse_if_closed(attempt: dict[str, Any], now: dt.datetime) -> None:
    """409 for a submitted attempt, or for one past its deadline (closed here first)."""
    if attempt["status"] != scoring.IN_PROGRESS:
        raise Conflict("Percobaan ini sudah dikumpulkan; jawaban tidak dapat diubah.")
    if scoring.is_overdue(attempt, now):
        await scoring.close_if_overdue(attempt["id"], now)
        raise Conflict(
            "Batas waktu pengerjaan sudah lewat; jawaban ini tidak disimpan. Percobaan "
            "ditutup dan dinilai dengan jawaban yang tersimpan sebelumnya."
        )

"""Quizzes of a session: pre-test, post-test and other quizzes with their rules.

Who: organizers (and admins) of the session's unit create and change quizzes; the session's
trainers and HR read them with their selection; a participant reads them only when confirmed
in the session, without the selection and with their own attempts. Anyone else gets a 404.

Times: ``opens_at``/``closes_at`` without an offset are local times of the session's time zone
(``Asia/Makassar`` for a session in Makassar); they are stored in UTC and answered in the
session's zone. A session has at most one pre-test and one post-test (the learning-gain report
pairs them), and any number of other quizzes. Once an attempt exists, the questions of a quiz
no longer change (the pre/post comparison and the item analysis rest on them).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from uuid import UUID, uuid4

import msgspec

from courses.assessments.questions.schemas import (
    KIND_TITLES,
    AttemptSummary,
    QuizCreate,
    QuizRead,
    QuizUpdate,
)
from courses.assessments.quizzes import review as review_policy
from courses.assessments.quizzes import selection as selection_rules
from courses.assessments.quizzes.times import deadline_for, is_open, to_local, to_utc
from courses.delivery.enrollment.participants import PARTICIPATING
from courses.delivery.sessions.access import (
    SessionRecord,
    get_managed_session,
    get_visible_session,
    load_session,
)
from courses.tables import Attempt, CourseSession, Enrollment, Quiz
from lms.audit import services as audit
from lms.auth.caller import Caller
from lms.db import fetch_sql
from lms.db.locks import lock_row
from lms.shared.errors import Conflict, NotFound, RuleViolation
from lms.shared.schemas import Page
from lms.shared.values import cents, utcnow, wall_clock

QUIZ_NOT_FOUND = "Kuis tidak ditemukan."
SINGLE_KINDS = ("pre_test", "post_test")
# Plain SQL (checked on every quiz start): the statuses are our own constants, not input.
_ENROLLED_SQL = (
    "SELECT 1 AS one FROM enrollment WHERE session = {} AND person = {} AND status IN ("
    + ", ".join(f"'{status}'" for status in PARTICIPATING)
    + ") LIMIT 1"
)


async def is_enrolled(session_id: UUID, person_id: UUID | None) -> bool:
    """True when the person holds a confirmed (or completed) place in the session."""
    if person_id is None:
        return False
    rows = await fetch_sql(Enrollment, _ENROLLED_SQL, session_id, person_id)
    return bool(rows)


def is_staff(caller: Caller) -> bool:
    """Staff see quizzes with their selection and every attempt (after the session check)."""
    return caller.role in ("admin", "organizer", "hr", "trainer")


async def load_quiz(quiz_id: UUID) -> tuple[dict[str, Any], SessionRecord] | None:
    """The quiz row and its session, whoever asks (no scope check)."""
    # Plain SQL: attempts load their quiz on every start, read and submit, and a Piccolo
    # select costs more to build than to run.
    rows = await fetch_sql(Quiz, "SELECT * FROM quiz WHERE id = {}", str(quiz_id))
    if not rows:
        return None
    row = rows[0]
    session = await load_session(row["session"])
    if session is None:
        return None
    return row, session


class QuizService:
    """Quizzes of sessions."""

    async def _visible(self, caller: Caller, session_id: UUID) -> SessionRecord:
        session = await get_visible_session(caller, session_id)
        if not is_staff(caller) and not await is_enrolled(session_id, caller.person_id):
            raise NotFound(QUIZ_NOT_FOUND)
        return session

    async def read(self, caller: Caller, row: dict[str, Any], session: SessionRecord) -> QuizRead:
        """A quiz row as the caller may see it."""
        tz = session.timezone
        selection = selection_rules.from_stored(row["selection"])
        mine: list[AttemptSummary] = []
        staff = is_staff(caller)
        if not staff and caller.person_id is not None:
            mine = await self._my_attempts(row, caller.person_id, tz)
        return QuizRead(
            id=row["id"],
            session_id=row["session"],
            kind=row["kind"],
            title=row["title"],
            selection=selection if staff else None,
            question_count=selection_rules.question_count(selection),
            shuffle_questions=row["shuffle_questions"],
            shuffle_options=row["shuffle_options"],
            opens_at=to_local(row["opens_at"], tz),
            closes_at=to_local(row["closes_at"], tz),
            opens_at_local=wall_clock(row["opens_at"], tz),
            closes_at_local=wall_clock(row["closes_at"], tz),
            time_limit_minutes=row["time_limit_minutes"],
            attempts_allowed=row["attempts_allowed"],
            grading_method=row["grading_method"],
            pass_mark=cents(row["pass_mark"]),
            review=review_policy.policy(row["review"]),
            is_open=is_open(row, utcnow()),
            created_at=row["created_at"],
            my_attempts=mine,
        )

    async def _my_attempts(
        self, row: dict[str, Any], person_id: UUID, tz: str
    ) -> list[AttemptSummary]:
        attempts = (
            await Attempt.select(*Attempt.all_columns())
            .where((Attempt.quiz == row["id"]) & (Attempt.person == person_id))
            .order_by(Attempt.number)
        )
        level = review_policy.level(review_policy.policy(row["review"]), row["closes_at"], utcnow())
        return [
            AttemptSummary(
                id=a["id"],
                number=a["number"],
                status=a["status"],
                started_at=to_local(a["started_at"], tz),  # type: ignore[arg-type]
                deadline=to_local(a["deadline"], tz),
                deadline_local=wall_clock(a["deadline"], tz),
                submitted_at=to_local(a["submitted_at"], tz),
                percent=cents(a["percent"])
                if a["percent"] is not None and review_policy.shows(level, "score")
                else msgspec.UNSET,
            )
            for a in attempts
        ]

    async def list(self, caller: Caller, session_id: UUID) -> Page[QuizRead]:
        """The session's quizzes, pre-test first."""
        session = await self._visible(caller, session_id)
        rows = await Quiz.select(*Quiz.all_columns()).where(Quiz.session == session_id)
        order = {"pre_test": 0, "post_test": 1, "quiz": 2}
        rows.sort(key=lambda r: (order.get(r["kind"], 3), r["created_at"]))
        items = [await self.read(caller, row, session) for row in rows]
        return Page(items=items, total=len(items))

    async def get(self, caller: Caller, quiz_id: UUID) -> QuizRead:
        """One quiz the caller may see."""
        loaded = await load_quiz(quiz_id)
        if loaded is None:
            raise NotFound(QUIZ_NOT_FOUND)
        row, session = loaded
        try:
            await self._visible(caller, session.id)
        except NotFound:
            raise NotFound(QUIZ_NOT_FOUND) from None
        return await self.read(caller, row, session)

    async def create(self, caller: Caller, session_id: UUID, data: QuizCreate) -> QuizRead:
        """A new quiz of a session the caller manages."""
        session = await get_managed_session(caller, session_id)
        opens = to_utc(data.opens_at, session.timezone)
        closes = to_utc(data.closes_at, session.timezone)
        _check_window(opens, closes)
        await selection_rules.check(caller, session.unit_path, data.selection)
        quiz_id = uuid4()
        async with Quiz._meta.db.transaction():
            await lock_row(CourseSession, session_id)
            await _check_kind(session_id, data.kind, None)
            await Quiz.insert(
                Quiz(
                    id=quiz_id,
                    session=session_id,
                    kind=data.kind,
                    title=data.title.strip() or KIND_TITLES[data.kind],
                    selection=json.dumps(selection_rules.to_stored(data.selection)),
                    shuffle_questions=data.shuffle_questions,
                    shuffle_options=data.shuffle_options,
                    opens_at=opens,
                    closes_at=closes,
                    time_limit_minutes=data.time_limit_minutes,
                    attempts_allowed=data.attempts_allowed,
                    grading_method=data.grading_method,
                    pass_mark=data.pass_mark,
                    review=json.dumps(msgspec.to_builtins(data.review)),
                    created_at=utcnow(),
                )
            )
            await audit.record(
                caller,
                "quiz.create",
                "quiz",
                quiz_id,
                f"{data.kind} untuk sesi {session.name}",
                {"session": session_id, "kind": data.kind},
            )
        return await self.get(caller, quiz_id)

    async def update(self, caller: Caller, quiz_id: UUID, data: QuizUpdate) -> QuizRead:
        """Change a quiz's rules; its questions only while nobody has started it."""
        loaded = await load_quiz(quiz_id)
        if loaded is None:
            raise NotFound(QUIZ_NOT_FOUND)
        row, _ = loaded
        try:
            session = await get_managed_session(caller, row["session"])
        except NotFound:
            raise NotFound(QUIZ_NOT_FOUND) from None
        tz = session.timezone
        changes = {
            field: getattr(data, field)
            for field in data.__struct_fields__
            if getattr(data, field) is not msgspec.UNSET
        }
        values: dict[Any, Any] = {}
        opens = to_utc(changes["opens_at"], tz) if "opens_at" in changes else row["opens_at"]
        closes = to_utc(changes["closes_at"], tz) if "closes_at" in changes else row["closes_at"]
        _check_window(opens, closes)
        if "opens_at" in changes:
            values[Quiz.opens_at] = opens
        if "closes_at" in changes:
            values[Quiz.closes_at] = closes
        if "selection" in changes:
            await selection_rules.check(caller, session.unit_path, data.selection)  # type: ignore[arg-type]
            values[Quiz.selection] = json.dumps(selection_rules.to_stored(changes["selection"]))
        if "review" in changes:
            values[Quiz.review] = json.dumps(msgspec.to_builtins(changes["review"]))
        if "title" in changes:
            values[Quiz.title] = (
                changes["title"].strip() or KIND_TITLES[changes.get("kind", row["kind"])]
            )
        for field in (
            "kind",
            "shuffle_questions",
            "shuffle_options",
            "time_limit_minutes",
            "attempts_allowed",
            "grading_method",
            "pass_mark",
        ):
            if field in changes:
                values[getattr(Quiz, field)] = changes[field]
        async with Quiz._meta.db.transaction():
            await lock_row(CourseSession, session.id)
            if "kind" in changes and changes["kind"] != row["kind"]:
                await _check_kind(session.id, changes["kind"], quiz_id)
            if "selection" in changes and await Attempt.exists().where(Attempt.quiz == quiz_id):
                raise Conflict(
                    "Kuis ini sudah dikerjakan peserta; soalnya tidak dapat diubah lagi."
                )
            if values:
                await Quiz.update(values).where(Quiz.id == quiz_id)
            if "closes_at" in changes or "time_limit_minutes" in changes:
                await _move_deadlines(
                    quiz_id,
                    changes.get("time_limit_minutes", row["time_limit_minutes"]),
                    closes,
                )
            await audit.record(
                caller,
                "quiz.update",
                "quiz",
                quiz_id,
                f"ubah {', '.join(sorted(changes)) or 'tidak ada'}",
                msgspec.to_builtins(changes),
            )
        return await self.get(caller, quiz_id)


async def _move_deadlines(
    quiz_id: UUID, time_limit_minutes: int | None, closes: dt.datetime | None
) -> None:
    """Attempts in progress follow a changed time limit or closing time."""
    rows = await Attempt.select(Attempt.id, Attempt.started_at, Attempt.deadline).where(
        (Attempt.quiz == quiz_id) & (Attempt.status == "in_progress")
    )
    for attempt in rows:
        deadline = deadline_for(attempt["started_at"], time_limit_minutes, closes)
        if deadline != attempt["deadline"]:
            await Attempt.update({Attempt.deadline: deadline}).where(Attempt.id == attempt["id"])


def _check_window(opens: dt.datetime | None, closes: dt.datetime | None) -> None:
    if opens is not None and closes is not None and closes <= opens:
        raise RuleViolation(
            "Waktu tutup kuis harus setelah waktu buka.",
            errors=[{"field": "closes_at", "message": "harus setelah opens_at"}],
        )


async def _check_kind(session_id: UUID, kind: str, quiz_id: UUID | None) -> None:
    """A session has at most one pre-test and one post-test."""
    if kind not in SINGLE_KINDS:
        return
    where = (Quiz.session == session_id) & (Quiz.kind == kind)
    if quiz_id is not None:
        where = where & (Quiz.id != quiz_id)
    if await Quiz.exists().where(where):
        raise Conflict(f"Sesi ini sudah memiliki {KIND_TITLES[kind]}.")

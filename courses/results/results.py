"""Reading results (live until finalized, frozen rows after) and entering component scores.

The frozen rows are written by ``finalize`` and read through ``stored_results``.

Live computation: the session's participants (confirmed and completed enrollments), each
with the course's weighted components — ``attendance`` from the delivery attendance rule,
``post_test`` the session's post-test grade by the quiz's grading method, and every other
component (``trainer_assessment``, ``assignment``, ``project``) from the scores trainers and
organizers enter here — scored by ``courses.results.scoring``.

Who reads: organizers and HR of the session's unit and the session's trainers see everyone; a
participant sees only their own line (``mine=true`` gives any caller just their own).
Who enters component scores: the session's organizers and trainers, until the results are
finalized (then 409: corrections are amendments).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from courses.assessments.attempts.scoring import quiz_grades
from courses.assessments.reports.learning_gain import session_quiz
from courses.catalogue.schemas import CourseRules
from courses.catalogue.services import session_rules
from courses.delivery.attendance.service import attendance_percentages
from courses.delivery.enrollment.participants import Participant, session_participants
from courses.delivery.sessions.access import (
    SessionRecord,
    get_session_for_staff,
    get_visible_session,
    is_session_trainer,
)
from courses.results.schemas import (
    ComponentScoreInput,
    ComponentScoreRead,
    ResultRead,
    ResultRules,
    SessionResults,
)
from courses.results.scoring import Computed, ScoreRules, compute
from courses.results.stored_results import stored_results
from courses.tables import ComponentScore, CourseSession
from lms.audit import services as audit
from lms.auth.caller import Caller
from lms.db.locks import lock_row
from lms.shared.errors import Conflict, RuleViolation
from lms.shared.letterhead import LetterheadSource
from lms.shared.values import cents

COMPUTED_COMPONENTS = ("attendance", "post_test")
"""Components that come from the delivery and assessment records, never typed in."""

FROZEN = "Hasil sesi ini sudah difinalisasi; koreksi dilakukan melalui amandemen."


def score_rules(rules: CourseRules) -> ScoreRules:
    """The scoring part of a course's rules."""
    return ScoreRules(
        weights=rules.weights,
        pass_mark=rules.pass_mark,
        min_attendance=rules.min_attendance,
        predikat_bands=rules.predikat_bands,
    )


def rules_read(rules: CourseRules) -> ResultRules:
    """The rules as results show them."""
    return ResultRules(
        course_id=rules.course_id,
        course_version=rules.version,
        pass_mark=rules.pass_mark,
        min_attendance=rules.min_attendance,
        weights=dict(rules.weights),
        predikat_bands=list(rules.predikat_bands),
        total_jp=rules.total_jp,
    )


def component_key(session_id: UUID, person_id: UUID, component: str) -> str:
    """The unique ``ComponentScore.natural_key``."""
    return f"{session_id}:{person_id}:{component}"


async def entered_scores(session_id: UUID) -> dict[UUID, dict[str, Decimal]]:
    """Hand-entered component scores of a session, by person."""
    rows = await ComponentScore.select(
        ComponentScore.person, ComponentScore.component, ComponentScore.score
    ).where(ComponentScore.session == session_id)
    scores: dict[UUID, dict[str, Decimal]] = {}
    for row in rows:
        value = cents(row["score"])
        scores.setdefault(row["person"], {})[row["component"]] = value
    return scores


async def compute_session(
    session_id: UUID, rules: CourseRules
) -> list[tuple[Participant, Computed]]:
    """Every participant's live result under ``rules``, in enrollment order."""
    participants = await session_participants(session_id)
    attendance = await attendance_percentages(session_id)
    post_test: dict[UUID, Decimal] = {}
    if "post_test" in rules.weights:
        quiz = await session_quiz(session_id, "post_test")
        post_test = await quiz_grades(quiz["id"]) if quiz else {}
    entered = await entered_scores(session_id)
    scoring = score_rules(rules)
    results = []
    for p in participants:
        scores: dict[str, Decimal | None] = {
            name: value
            for name, value in entered.get(p.person_id, {}).items()
            if name not in COMPUTED_COMPONENTS
        }
        scores["post_test"] = post_test.get(p.person_id)
        results.append((p, compute(scoring, scores, attendance.get(p.person_id))))
    return results


def _read_live(p: Participant, c: Computed) -> ResultRead:
    return ResultRead(
        person_id=p.person_id,
        name=p.full_name,
        nip=p.nip,
        components=c.components,
        attendance_percent=c.attendance_percent,
        final_score=c.final_score,
        passed=c.passed,
        predikat=c.predikat,
        missing=c.missing,
        finalized_at=None,
    )


async def _sees_everyone(caller: Caller, session: SessionRecord) -> bool:
    if caller.sees_unit(session.unit_path):
        return True
    return caller.role == "trainer" and await is_session_trainer(caller, session.id)


class ResultService:
    """Results of a session and its hand-entered component scores; ``letterhead`` heads the
    rekap nilai workbook with the office's kop (issuer profile)."""

    def __init__(self, letterhead: LetterheadSource | None = None) -> None:
        self.letterhead = letterhead

    async def results(
        self, caller: Caller, session_id: UUID, *, mine: bool = False
    ) -> SessionResults:
        """Everyone's results for staff; the caller's own line for a participant or ``mine``."""
        session = await get_visible_session(caller, session_id)
        only: UUID | None = None
        if mine or not await _sees_everyone(caller, session):
            if caller.person_id is None:
                only = UUID(int=0)  # no person: nothing of one's own to show
            else:
                only = caller.person_id
        rules = await session_rules(session_id)
        if session.finalized_at is not None:
            items = await stored_results(session_id, only)
        else:
            items = [
                _read_live(p, c)
                for p, c in await compute_session(session_id, rules)
                if only is None or p.person_id == only
            ]
        return SessionResults(
            session_id=session_id,
            finalized=session.finalized_at is not None,
            finalized_at=session.finalized_at,
            rules=rules_read(rules),
            items=items,
            total=len(items),
            passed=sum(1 for item in items if item.passed),
        )

    async def component_scores(self, caller: Caller, session_id: UUID) -> list[ComponentScoreRead]:
        """Every hand-entered score of the session (organizers and trainers)."""
        await get_session_for_staff(caller, session_id)
        rows = await (
            ComponentScore.select(
                ComponentScore.person.as_alias("person_id"),
                ComponentScore.component,
                ComponentScore.score,
                ComponentScore.entered_by,
                ComponentScore.entered_at,
            )
            .where(ComponentScore.session == session_id)
            .order_by(ComponentScore.natural_key)
        )
        return [ComponentScoreRead(**{**row, "score": cents(row["score"])}) for row in rows]

    async def set_component_scores(
        self, caller: Caller, session_id: UUID, scores: list[ComponentScoreInput]
    ) -> list[ComponentScoreRead]:
        """Create or change hand-entered scores, all or nothing.

        Raises:
            Conflict: the results are finalized.
            RuleViolation: a component the course does not weigh or that is computed
                (attendance, post-test), a person who is not a participant, or the same
                person and component twice (each listed in ``errors``).
        """
        session = await get_session_for_staff(caller, session_id)
        if session.finalized_at is not None:
            raise Conflict(FROZEN)
        rules = await session_rules(session_id)
        people = {p.person_id for p in await session_participants(session_id)}
        errors: list[dict[str, Any]] = []
        seen: set[tuple[UUID, str]] = set()
        for index, item in enumerate(scores):
            if item.component in COMPUTED_COMPONENTS:
                errors.append({"field": f"[{index}].component", "message": "dihitung otomatis"})
            elif item.component not in rules.weights:
                errors.append(
                    {"field": f"[{index}].component", "message": "tidak dinilai pada pelatihan ini"}
                )
            if item.person_id not in people:
                errors.append({"field": f"[{index}].person_id", "message": "bukan peserta sesi"})
            if (item.person_id, item.component) in seen:
                errors.append({"field": f"[{index}]", "message": "ganda dalam permintaan ini"})
            seen.add((item.person_id, item.component))
        if errors:
            raise RuleViolation("Nilai komponen tidak dapat disimpan.", errors=errors)
        now = dt.datetime.now(dt.UTC)
        async with ComponentScore._meta.db.transaction():
            await lock_row(CourseSession, session_id)
            frozen = (
                await CourseSession.select(CourseSession.finalized_at)
                .where(CourseSession.id == session_id)
                .first()
            )
            if frozen is None or frozen["finalized_at"] is not None:
                raise Conflict(FROZEN)
            for item in scores:
                await _upsert(caller, session_id, item, now)
        return [
            ComponentScoreRead(
                person_id=item.person_id,
                component=item.component,
                score=cents(item.score),
                entered_by=caller.user_id,
                entered_at=now,
            )
            for item in scores
        ]


async def _upsert(
    caller: Caller, session_id: UUID, item: ComponentScoreInput, now: dt.datetime
) -> None:
    key = component_key(session_id, item.person_id, item.component)
    existing = (
        await ComponentScore.select(ComponentScore.id, ComponentScore.score)
        .where(ComponentScore.natural_key == key)
        .first()
    )
    if existing is None:
        score_id = uuid4()
        await ComponentScore.insert(
            ComponentScore(
                id=score_id,
                session=session_id,
                person=item.person_id,
                component=item.component,
                score=item.score,
                entered_by=caller.user_id,
                entered_at=now,
                natural_key=key,
            )
        )
        before = None
    else:
        score_id = existing["id"]
        before = cents(existing["score"])
        await ComponentScore.update(
            {
                ComponentScore.score: item.score,
                ComponentScore.entered_by: caller.user_id,
                ComponentScore.entered_at: now,
            }
        ).where(ComponentScore.id == score_id)
    await audit.record(
        caller,
        "component_score.set",
        "component_score",
        score_id,
        f"{item.component} = {item.score}",
        {
            "session_id": session_id,
            "person_id": item.person_id,
            "component": item.component,
            "before": before,
            "after": item.score,
        },
    )

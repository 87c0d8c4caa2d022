"""The finalize checklist: is a session ready to have its results frozen?

Finalize once ran on day 1 of a two-day session, with an essay ungraded and nine people
without a post-test: it froze zeros, credited JP and let certificates print the wrong dates.
Finalize now requires every item below (``GET .../results/readiness`` shows them); an organizer
who must finalize anyway gives a written reason, which is audited with the open items.

1. ``session_ended``: the session's last day is over in its own time zone.
2. ``essays_graded``: no submitted attempt of the session's quizzes waits for manual grading.
3. ``post_tests``: when the course weighs the post-test, every participant has a submitted
   post-test attempt, or is excused: beforehand, one by one (``courses.results.excusals``,
   listed in the check's ``excused`` with the reason), or in the finalize request.
4. ``attendance``: every participant has a mark (any status) for every session day.
5. ``rules``: the course's pass mark is the start of a predikat band (a course saved before
   that was refused could pass someone with a failing predikat; fix the course first).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from uuid import UUID

from courses.assessments.attempts.scoring import FINISHED
from courses.catalogue.rules import pass_mark_problem
from courses.catalogue.services import session_rules
from courses.delivery.attendance.service import session_marks
from courses.delivery.enrollment.participants import Participant, session_participants
from courses.delivery.sessions.access import SessionRecord, get_managed_session
from courses.delivery.sessions.frozen import has_ended, local_today
from courses.results.excusals import stored_excusals
from courses.results.schemas import Readiness, ReadinessCheck, ReadinessPerson
from courses.tables import Attempt, Quiz
from lms.auth.caller import Caller
from lms.shared.indonesian import format_date, timezone_label

LABELS = {
    "session_ended": "Sesi sudah berakhir",
    "essays_graded": "Semua jawaban esai sudah dinilai",
    "post_tests": "Post-test lengkap atau peserta dibebaskan",
    "attendance": "Presensi tercatat untuk setiap hari",
    "rules": "Batas lulus sesuai dengan predikat",
}


def _person(p: Participant, days: list[dt.date] | None = None) -> ReadinessPerson:
    return ReadinessPerson(person_id=p.person_id, name=p.full_name, days=days or [])


def _ended(session: SessionRecord, now: dt.datetime) -> ReadinessCheck:
    zone = timezone_label(session.timezone, now)
    ok = has_ended(session, now)
    last = format_date(session.end_date)
    detail = (
        f"Hari terakhir sesi ({last}) sudah lewat."
        if ok
        else f"Sesi baru berakhir setelah {last} ({zone}); hari ini "
        f"{format_date(local_today(session, now))}."
    )
    return ReadinessCheck(code="session_ended", label=LABELS["session_ended"], ok=ok, detail=detail)


async def _essays(session: SessionRecord, people: dict[UUID, Participant]) -> ReadinessCheck:
    rows = await (
        Attempt.select(Attempt.person)
        .where(
            Attempt.quiz.is_in(Quiz.select(Quiz.id).where(Quiz.session == session.id))
            & (Attempt.status == FINISHED)
            & (Attempt.needs_grading.eq(True))
        )
        .order_by(Attempt.person)
    )
    waiting = list(dict.fromkeys(row["person"] for row in rows if row["person"] in people))
    detail = (
        "Tidak ada jawaban esai yang menunggu penilaian."
        if not waiting
        else f"{len(waiting)} peserta masih memiliki jawaban esai yang belum dinilai."
    )
    return ReadinessCheck(
        code="essays_graded",
        label=LABELS["essays_graded"],
        ok=not waiting,
        detail=detail,
        people=[_person(people[p]) for p in waiting],
    )


async def _post_tests(
    session: SessionRecord, people: dict[UUID, Participant], excused: Mapping[UUID, str]
) -> ReadinessCheck:
    rules = await session_rules(session.id)
    if "post_test" not in rules.weights:
        return ReadinessCheck(
            code="post_tests",
            label=LABELS["post_tests"],
            ok=True,
            detail="Pelatihan ini tidak menilai post-test.",
        )
    quiz = await (
        Quiz.select(Quiz.id)
        .where((Quiz.session == session.id) & (Quiz.kind == "post_test"))
        .order_by(Quiz.created_at)
        .first()
    )
    done: set[UUID] = set()
    if quiz is not None:
        rows = await Attempt.select(Attempt.person).where(
            (Attempt.quiz == quiz["id"]) & (Attempt.status == FINISHED)
        )
        done = {row["person"] for row in rows}
    missing = [p for p in people.values() if p.person_id not in done and p.person_id not in excused]
    waived = [
        ReadinessPerson(person_id=p.person_id, name=p.full_name, reason=excused[p.person_id])
        for p in people.values()
        if p.person_id not in done and p.person_id in excused
    ]
    if quiz is None:
        detail = "Sesi ini belum memiliki post-test."
    elif missing:
        detail = (
            f"{len(missing)} peserta belum mengumpulkan post-test; tunggu, atau bebaskan mereka "
            "satu per satu dengan alasan tertulis."
        )
    elif waived:
        detail = (
            f"Setiap peserta sudah mengumpulkan post-test atau dibebaskan ({len(waived)} "
            "dibebaskan)."
        )
    else:
        detail = "Setiap peserta sudah mengumpulkan post-test."
    return ReadinessCheck(
        code="post_tests",
        label=LABELS["post_tests"],
        ok=not missing and (quiz is not None or not people),
        detail=detail,
        people=[_person(p) for p in missing],
        excused=waived,
    )


async def _attendance(session: SessionRecord, people: dict[UUID, Participant]) -> ReadinessCheck:
    marks = await session_marks(session.id)
    gaps = []
    for p in people.values():
        days = [day for day in session.days if (p.person_id, day) not in marks]
        if days:
            gaps.append(_person(p, days))
    detail = (
        "Presensi setiap peserta tercatat untuk setiap hari sesi."
        if not gaps
        else f"{len(gaps)} peserta belum memiliki catatan presensi untuk satu hari atau lebih."
    )
    return ReadinessCheck(
        code="attendance", label=LABELS["attendance"], ok=not gaps, detail=detail, people=gaps
    )


async def _rules(session: SessionRecord) -> ReadinessCheck:
    rules = await session_rules(session.id)
    problem = pass_mark_problem(rules.pass_mark, list(rules.predikat_bands))
    return ReadinessCheck(
        code="rules",
        label=LABELS["rules"],
        ok=problem is None,
        detail=problem or "Batas lulus adalah awal salah satu predikat.",
    )


async def readiness_of(
    session: SessionRecord,
    *,
    excused: Mapping[UUID, str] | None = None,
    now: dt.datetime | None = None,
) -> Readiness:
    """Every checklist item of ``session`` (no scope check: callers check first).

    ``excused`` (a finalize request's, person → reason) adds to the excusals stored before.
    """
    moment = now or dt.datetime.now(dt.UTC)
    people = {p.person_id: p for p in await session_participants(session.id)}
    reasons = {**await stored_excusals(session.id), **(excused or {})}
    checks = [
        _ended(session, moment),
        await _essays(session, people),
        await _post_tests(session, people, reasons),
        await _attendance(session, people),
        await _rules(session),
    ]
    return Readiness(
        session_id=session.id,
        finalized=session.finalized_at is not None,
        ready=all(check.ok for check in checks),
        checks=checks,
    )


class ReadinessService:
    """``GET /api/v1/sessions/{id}/results/readiness`` for the session's organizers."""

    async def readiness(self, caller: Caller, session_id: UUID) -> Readiness:
        """The checklist finalize enforces."""
        return await readiness_of(await get_managed_session(caller, session_id))

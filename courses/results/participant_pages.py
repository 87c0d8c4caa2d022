"""A participant's session page and their results.

``/saya/sesi/{id}`` gathers what a participant needs on the day: the agenda, the check-in
form (and the days already recorded), the quizzes with their attempts, the evaluation, and
the result so far. It lives here because only ``results`` may read delivery, assessments and
results together (see the import order); each part comes from the service the API uses.
``/saya/hasil`` lists the result of every session of the caller.

Object rule: a session is shown only to a participant who holds a place in it (not
withdrawn); anyone else gets a 404, as for a session that does not exist.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from litestar import Request, get
from litestar.di import NamedDependency
from litestar.enums import MediaType
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from courses.assessments.attempts.participant_pages import KIND_LABELS, number, when
from courses.assessments.quizzes.service import QuizService
from courses.assessments.reports.evaluations import EvaluationService, target_key
from courses.delivery.agenda.service import AgendaService
from courses.delivery.attendance.checkin import CheckinService
from courses.delivery.enrollment.schemas import MyEnrollment
from courses.delivery.enrollment.service import EnrollmentService
from courses.delivery.sessions.access import get_visible_session
from courses.results.results import ResultService
from courses.results.schemas import ResultRead
from lms.shared.errors import DomainError
from lms.shared.indonesian import format_date_range, format_day_date, format_time_range
from lms.web.session import PageCaller
from lms.web.shell import page_guard

PageRequest = Request[Any, Any, Any]
COMPONENT_LABELS = {
    "attendance": "Kehadiran",
    "post_test": "Post-test",
    "trainer_assessment": "Penilaian narasumber",
    "assignment": "Tugas",
    "project": "Proyek",
}
MARK_LABELS = {"present": "hadir", "late": "terlambat", "excused": "izin", "absent": "tidak hadir"}
_MESSAGES = {
    "hadir": ("ok", "Kehadiran Anda hari ini sudah tercatat. Terima kasih."),
    "sudah-hadir": ("ok", "Kehadiran Anda hari ini sudah tercatat sebelumnya."),
    "evaluasi": ("ok", "Terima kasih, evaluasi Anda sudah terkirim."),
}


def result_view(result: ResultRead | None, finalized: bool) -> dict[str, Any] | None:
    """A result as the pages print it."""
    if result is None:
        return None
    return {
        "final": number(result.final_score),
        "predikat": result.predikat,
        "passed": result.passed,
        "attendance": number(result.attendance_percent),
        "components": [
            {
                "label": COMPONENT_LABELS.get(k, k),
                "value": number(v),
                "percent": k == "attendance" and v is not None,
            }
            for k, v in result.components.items()
        ],
        "has_attendance": "attendance" in result.components,
        "missing": [COMPONENT_LABELS.get(k, k) for k in result.missing],
        "finalized": finalized,
    }


async def my_result(service: ResultService, caller: PageCaller, session_id: UUID) -> Any:
    """My result line in a session, and whether it is final."""
    results = await service.results(caller, session_id, mine=True)
    mine = next((r for r in results.items if caller.is_person(r.person_id)), None)
    return result_view(mine, results.finalized)


def _dates(item: MyEnrollment) -> str:
    return format_date_range(item.start_date, item.end_date)


@get(
    "/saya/sesi/{session_id:uuid}",
    operation_id="mySessionPage",
    media_type=MediaType.HTML,
    guards=[page_guard()],
)
async def session_page(
    request: PageRequest,
    session_id: FromPath[UUID],
    enrollment_service: NamedDependency[EnrollmentService],
    agenda_service: NamedDependency[AgendaService],
    checkin_service: NamedDependency[CheckinService],
    quiz_service: NamedDependency[QuizService],
    evaluation_service: NamedDependency[EvaluationService],
    result_service: NamedDependency[ResultService],
    pesan: FromQuery[str | None] = None,
) -> Template:
    """Agenda, check-in, quizzes, evaluation and my result of one of my sessions."""
    user: PageCaller = request.user
    mine = await enrollment_service.my_enrollment(user, session_id)
    agenda = await agenda_service.get(user, session_id)
    session = await get_visible_session(user, session_id)
    zone = ZoneInfo(session.timezone)
    days: dict[dt.date, list[dict[str, Any]]] = {}
    for item in agenda.items:
        days.setdefault(item.day, []).append(
            {
                "time": format_time_range(item.starts_at, item.ends_at, zone),
                "title": item.title or item.module_title,
                "trainer": item.trainer_name,
                "room": item.room,
            }
        )
    marks = await checkin_service.my_marks(user, session_id)
    confirmed = mine.status == "confirmed"
    quizzes: list[dict[str, Any]] = []
    evaluation: dict[str, Any] | None = None
    if mine.status in ("confirmed", "completed"):
        for quiz in (await quiz_service.list(user, session_id)).items:
            last = quiz.my_attempts[-1] if quiz.my_attempts else None
            quizzes.append(
                {
                    "id": quiz.id,
                    "title": quiz.title,
                    "kind": KIND_LABELS.get(quiz.kind, "Kuis"),
                    "is_open": quiz.is_open,
                    "closes": when(quiz.closes_at),
                    "in_progress": last is not None and last.status == "in_progress",
                    "done": last is not None and last.status != "in_progress",
                    "percent": number(last.percent)
                    if last is not None and isinstance(last.percent, Decimal)
                    else None,
                }
            )
        try:
            form = await evaluation_service.form(user, session_id)
        except DomainError:
            form = None
        if form is not None:
            targets = 1 + len(form.trainers)
            done = [t for t in form.submitted if t == target_key(None) or t.startswith("trainer:")]
            evaluation = {"total": targets, "done": len(done)}
    today = dt.datetime.now(zone).date()
    kind, text = _MESSAGES.get(pesan or "", (None, None))
    return Template(
        "results/session.html",
        context={
            "session_id": session_id,
            "title": mine.course_title,
            "name": mine.session_name,
            "dates": _dates(mine),
            "status": mine.status,
            "confirmed": confirmed,
            "days": [
                {
                    "label": format_day_date(day),
                    "items": items,
                    "mark": MARK_LABELS.get(marks.get(day, ""), ""),
                }
                for day, items in sorted(days.items())
            ],
            "marks": [
                {"day": format_day_date(day), "status": MARK_LABELS.get(status, status)}
                for day, status in sorted(marks.items())
            ],
            "today_marked": today in marks,
            "checkin_today": confirmed and today in session.days and today not in marks,
            "quizzes": quizzes,
            "evaluation": evaluation,
            "result": await my_result(result_service, user, session_id)
            if mine.status in ("confirmed", "completed")
            else None,
            "message": text,
            "message_kind": kind,
        },
        media_type=MediaType.HTML,
    )


@get("/saya/hasil", operation_id="myResultsPage", media_type=MediaType.HTML, guards=[page_guard()])
async def results_page(
    request: PageRequest,
    enrollment_service: NamedDependency[EnrollmentService],
    result_service: NamedDependency[ResultService],
) -> Template:
    """My result in every session I took part in, newest first."""
    user: PageCaller = request.user
    rows = []
    for item in await enrollment_service.mine(user):
        if item.status not in ("confirmed", "completed"):
            continue
        rows.append(
            {
                "session_id": item.session_id,
                "title": item.course_title,
                "name": item.session_name,
                "dates": _dates(item),
                "result": await my_result(result_service, user, item.session_id),
            }
        )
    return Template("results/results.html", context={"rows": rows}, media_type=MediaType.HTML)


PAGES = [session_page, results_page]

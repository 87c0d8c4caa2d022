"""What an instructor may place in an LMS course by Deep Linking: for every session they may
see, its page, its pre- and post-test (gradable: a line item each) and its evaluation form."""

from __future__ import annotations

from courses.delivery.sessions.service import SessionService
from courses.tables import Quiz
from lms.auth.caller import Caller
from lms.lti.deep_linking import ContentItem

_QUIZ_KINDS = {"pre_test": "Pre-test", "post_test": "Post-test"}


async def placeable(caller: Caller) -> list[ContentItem]:
    """The caller's sessions (their scope: organizer's units, trainer's agenda), newest first."""
    if caller.role not in ("admin", "organizer", "trainer"):
        return []
    page = await SessionService().list(caller, limit=50, offset=0)
    sessions = page.items
    if not sessions:
        return []
    quizzes = await Quiz.select(Quiz.id, Quiz.session, Quiz.kind, Quiz.title).where(
        Quiz.session.is_in([s.id for s in sessions])
    )
    items: list[ContentItem] = []
    for session in sessions:
        label = f"{session.course_title} {session.name}".strip()
        base = {"session_id": str(session.id)}
        items.append(
            ContentItem(
                key=f"session:{session.id}",
                title=label,
                kind="session",
                custom={"prima_kind": "session", **base},
                text=f"Agenda, presensi dan hasil {label}",
            )
        )
        for quiz in quizzes:
            if quiz["session"] != session.id or quiz["kind"] not in _QUIZ_KINDS:
                continue
            items.append(
                ContentItem(
                    key=f"quiz:{quiz['id']}",
                    title=f"{_QUIZ_KINDS[quiz['kind']]}: {quiz['title']} ({session.name})",
                    kind=quiz["kind"],
                    custom={"prima_kind": "quiz", "quiz_id": str(quiz["id"]), **base},
                    gradable=True,
                )
            )
        items.append(
            ContentItem(
                key=f"evaluation:{session.id}",
                title=f"Evaluasi penyelenggaraan: {label}",
                kind="evaluation",
                custom={"prima_kind": "evaluation", **base},
            )
        )
    return items

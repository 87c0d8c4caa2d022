"""The organizer's page of a session's scores on their way to LMS gradebooks
(``/kelola/sesi/{id}/lms``): the status line, one row per delivery (final or quiz) with its
status, tries and the platform's last answer, and "Kirim ulang", which queues every score the
LMS does not have yet (the ``lti.scores`` job with backoff).

It calls ``score_statuses`` and ``resend`` as the API does; a session the organizer does not
manage is a 404 page.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.enums import MediaType
from litestar.params import FromPath
from litestar.response import Redirect, Template

from courses.delivery.sessions.access import get_managed_session
from courses.delivery.sessions.pages import session_heading
from courses.lti.status import resend, score_statuses
from lms.config import Settings
from lms.web.shell import page_guard

PageRequest = Request[Any, Any, Any]
STATUS_LABELS = {"pending": "menunggu", "sent": "terkirim", "failed": "gagal"}


@get(
    "/kelola/sesi/{session_id:uuid}/lms",
    operation_id="organizerLtiScoresPage",
    media_type=MediaType.HTML,
    guards=[page_guard("organizer")],
)
async def lti_scores_page(request: PageRequest, session_id: FromPath[UUID]) -> Template:
    """Every score delivery of the session, the failed ones with the platform's reason."""
    session = await get_managed_session(request.user, session_id)
    report = await score_statuses(request.user, session_id)
    return Template(
        "lti/scores.html",
        context={
            "s": session_heading(session),
            "report": report,
            "line": report.line,
            "labels": STATUS_LABELS,
            "unsent": report.pending + report.failed,
        },
        media_type=MediaType.HTML,
    )


@post(
    "/kelola/sesi/{session_id:uuid}/lms/kirim-ulang",
    operation_id="organizerLtiScoresRetryPage",
    media_type=MediaType.HTML,
    guards=[page_guard("organizer")],
)
async def lti_scores_retry(
    request: PageRequest, session_id: FromPath[UUID], settings: NamedDependency[Settings]
) -> Redirect:
    """Queue every score not sent yet and come back to the list with a message."""
    job_id = await resend(request.user, session_id, settings)
    message = "semua" if job_id is None else "dikirim"
    return Redirect(f"/kelola/sesi/{session_id}/lms?pesan={message}", status_code=303)


PAGES = [lti_scores_page, lti_scores_retry]

"""An organizer's results pages of a session: the "siap finalisasi" checklist with the
finalize form, and the results table with its rekap downloads.

They call ``ReadinessService``, ``FinalizeService`` and ``ResultService`` as the API does.
Finalize needs every checklist item resolved; an organizer who must finalize anyway ticks
each open item and writes one reason (at least 10 characters), which the service keeps in
the audit log with the open items (``override_reason``). A participant who will not hand in
the post-test is excused beforehand, one by one with a reason (``ExcusalService``): the
checklist then lists them as excused instead of waiting for them.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.enums import MediaType
from litestar.params import FromPath
from litestar.response import Redirect, Response, Template

from courses.delivery.sessions.access import get_managed_session
from courses.delivery.sessions.pages import session_heading
from courses.results.excusals import ExcusalService
from courses.results.finalize import FinalizeService
from courses.results.readiness import ReadinessService
from courses.results.recap import results_recap
from courses.results.results import ResultService
from courses.results.schemas import ExcusalCreate, FinalizeRequest, Readiness
from lms.shared.errors import DomainError, NotFound, RuleViolation
from lms.shared.indonesian import format_date
from lms.shared.responses import attachment
from lms.shared.tabular import FileFormat
from lms.web.form_input import GENERAL, domain_errors, form_values, to_struct
from lms.web.shell import page_guard

PageRequest = Request[Any, Any, Any]
COMPONENT_LABELS = {
    "attendance": "Kehadiran",
    "pre_test": "Pre-test",
    "post_test": "Post-test",
    "trainer_assessment": "Penilaian narasumber",
    "assignment": "Tugas",
    "project": "Proyek",
}
NEED_ACK = "Centang setiap butir yang belum terpenuhi untuk menyatakan Anda sudah memeriksanya."
NEED_REASON = "Tulis alasan finalisasi (paling sedikit 10 karakter); alasan dicatat di log audit."


def _checklist(
    s: dict[str, Any],
    readiness: Readiness,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    failed_for: str = "",
) -> Template:
    checks = [
        {
            "code": c.code,
            "label": c.label,
            "ok": c.ok,
            "detail": c.detail,
            "people": [
                {
                    "id": str(p.person_id),
                    "name": p.name,
                    "days": ", ".join(format_date(d) for d in p.days),
                }
                for p in c.people
            ],
            "excused": [
                {"id": str(p.person_id), "name": p.name, "reason": p.reason} for p in c.excused
            ],
        }
        for c in readiness.checks
    ]
    return Template(
        "results/finalize.html",
        context={
            "s": s,
            "checks": checks,
            "open": [c for c in checks if not c["ok"]],
            "ready": readiness.ready,
            "finalized": readiness.finalized,
            "errors": errors or {},
            "values": values or {},
            "general": GENERAL,
            "failed_for": failed_for,
        },
        media_type=MediaType.HTML,
        status_code=422 if errors else 200,
    )


@get(
    "/kelola/sesi/{session_id:uuid}/finalisasi",
    operation_id="organizerFinalizePage",
    media_type=MediaType.HTML,
    guards=[page_guard("organizer")],
)
async def finalize_page(
    request: PageRequest,
    session_id: FromPath[UUID],
    readiness_service: NamedDependency[ReadinessService],
) -> Template:
    """The checklist (session ended, essays graded, post-tests, attendance) and the form."""
    session = await get_managed_session(request.user, session_id)
    readiness = await readiness_service.readiness(request.user, session_id)
    return _checklist(session_heading(session), readiness)


@post(
    "/kelola/sesi/{session_id:uuid}/finalisasi",
    operation_id="organizerFinalizeSubmitPage",
    media_type=MediaType.HTML,
    guards=[page_guard("organizer")],
)
async def finalize_submit(
    request: PageRequest,
    session_id: FromPath[UUID],
    readiness_service: NamedDependency[ReadinessService],
    finalize_service: NamedDependency[FinalizeService],
) -> Redirect | Template:
    """Finalize; with open items only when each is ticked and a reason is written."""
    session = await get_managed_session(request.user, session_id)
    readiness = await readiness_service.readiness(request.user, session_id)
    values = await form_values(request)
    open_codes = [c.code for c in readiness.checks if not c.ok]
    errors: dict[str, str] = {}
    data: FinalizeRequest | None = FinalizeRequest()
    if open_codes:
        if any(f"ack_{code}" not in values for code in open_codes):
            errors["ack"] = NEED_ACK
        data, problems = to_struct(
            {"override_reason": values.get("override_reason", "")}, FinalizeRequest
        )
        if problems or data is None or data.override_reason is None:
            errors["override_reason"] = NEED_REASON
    if errors or data is None:
        return _checklist(session_heading(session), readiness, errors, values)
    try:
        await finalize_service.finalize(request.user, session_id, data)
    except RuleViolation as exc:
        # The checklist changed between the page and the click: show it again, as it is now.
        fresh = await readiness_service.readiness(request.user, session_id)
        return _checklist(session_heading(session), fresh, {GENERAL: exc.detail}, values)
    return Redirect(f"/kelola/sesi/{session_id}/hasil?pesan=final", status_code=303)


@post(
    "/kelola/sesi/{session_id:uuid}/finalisasi/bebas/{person_id:uuid}",
    operation_id="organizerExcusePostTestPage",
    media_type=MediaType.HTML,
    guards=[page_guard("organizer")],
)
async def excuse_post_test(
    request: PageRequest,
    session_id: FromPath[UUID],
    person_id: FromPath[UUID],
    readiness_service: NamedDependency[ReadinessService],
    excusal_service: NamedDependency[ExcusalService],
) -> Redirect | Template:
    """Excuse one participant from the missing post-test with a written reason (audited)."""
    session = await get_managed_session(request.user, session_id)
    values = await form_values(request)
    submitted = {"reason": values.get("reason", "")}
    data, errors = to_struct(submitted, ExcusalCreate)
    if data is not None:
        try:
            await excusal_service.excuse(request.user, session_id, person_id, data)
        except NotFound:
            raise
        except DomainError as exc:
            errors = domain_errors(exc)
        else:
            return Redirect(f"/kelola/sesi/{session_id}/finalisasi?pesan=bebas", status_code=303)
    readiness = await readiness_service.readiness(request.user, session_id)
    shown = {f"excuse_{k}": v for k, v in errors.items()}
    return _checklist(
        session_heading(session),
        readiness,
        shown,
        {"excuse_reason": submitted["reason"]},
        failed_for=str(person_id),
    )


@post(
    "/kelola/sesi/{session_id:uuid}/finalisasi/bebas/{person_id:uuid}/batal",
    operation_id="organizerWithdrawExcusalPage",
    media_type=MediaType.HTML,
    guards=[page_guard("organizer")],
)
async def withdraw_excusal(
    request: PageRequest,
    session_id: FromPath[UUID],
    person_id: FromPath[UUID],
    excusal_service: NamedDependency[ExcusalService],
) -> Redirect:
    """Take an excusal back: the checklist waits for the person's post-test again."""
    await excusal_service.withdraw(request.user, session_id, person_id)
    return Redirect(f"/kelola/sesi/{session_id}/finalisasi?pesan=bebas-batal", status_code=303)


@get(
    "/kelola/sesi/{session_id:uuid}/hasil",
    operation_id="organizerResultsPage",
    media_type=MediaType.HTML,
    guards=[page_guard("organizer")],
)
async def results_page(
    request: PageRequest,
    session_id: FromPath[UUID],
    result_service: NamedDependency[ResultService],
) -> Template:
    """Every participant's components, attendance, final score, predikat and pass."""
    session = await get_managed_session(request.user, session_id)
    results = await result_service.results(request.user, session_id)
    components = [c for c in results.rules.weights if c != "attendance"]
    return Template(
        "results/organizer_results.html",
        context={
            "s": session_heading(session),
            "results": results,
            "components": [(c, COMPONENT_LABELS.get(c, c)) for c in components],
        },
        media_type=MediaType.HTML,
    )


@get(
    "/kelola/sesi/{session_id:uuid}/hasil/rekap",
    operation_id="organizerResultsRecapPage",
    guards=[page_guard("organizer")],
)
async def results_download(
    request: PageRequest,
    session_id: FromPath[UUID],
    result_service: NamedDependency[ResultService],
) -> Response[bytes]:
    """The rekap nilai as XLSX (``?format=xlsx``, default) or CSV (``?format=csv``)."""
    await get_managed_session(request.user, session_id)
    output: FileFormat = "csv" if request.query_params.get("format") == "csv" else "xlsx"
    content, media_type, filename = await results_recap(
        result_service, request.user, session_id, output
    )
    return attachment(content, media_type, filename)


PAGES = [
    finalize_page,
    finalize_submit,
    excuse_post_test,
    withdraw_excusal,
    results_page,
    results_download,
]

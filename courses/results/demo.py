"""The results demo: trainer marks for the demo session, then finalize it.

Runs after the assessment demo (which leaves the pre- and post-test attempts of the 27
participants). It reads ``ctx["session_id"]`` and ``ctx["users"]["organizer"]``, enters a
trainer assessment for every participant from a fixed list (so every run gives the same
figures), and finalizes the session through the same services the API uses: results frozen
with the course rules, enrollments completed, passed participants' JP credited to the ledger.
With the delivery demo's attendance, the participants who missed days fail on the minimum
attendance while the others pass with varied predikat. It leaves ``ctx["results"]`` (counts)
for the certificates demo.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import UUID

from courses.catalogue.services import session_rules
from courses.delivery.enrollment.participants import session_participants
from courses.results.finalize import FinalizeService
from courses.results.readiness import ReadinessService
from courses.results.results import ResultService
from courses.results.schemas import ComponentScoreInput, FinalizeRequest, PostTestExcuse
from lms.auth.caller import Caller
from lms.auth.tables import User

TRAINER_MARKS = (
    "88",
    "92",
    "79",
    "85",
    "95",
    "82",
    "90",
    "76",
    "87",
    "93",
    "84",
    "81",
    "89",
    "78",
    "91",
    "86",
    "80",
    "94",
    "83",
    "77",
    "90",
    "85",
    "88",
    "79",
    "92",
    "86",
    "81",
)
"""The trainer's assessment of each participant, in enrollment order (27 values, 76–95)."""


async def organizer_caller(user_id: UUID) -> Caller:
    """The demo organizer as a request would see them."""
    row = await (
        User.select(User.id, User.username, User.role, User.person, User.unit, User.unit.path)
        .where(User.id == user_id)
        .first()
    )
    if row is None:
        raise LookupError(f"demo user {user_id} is missing")
    return Caller(
        user_id=row["id"],
        username=row["username"],
        role=row["role"],
        unit_id=row["unit"],
        unit_path=row["unit.path"] or "",
        person_id=row["person"],
    )


async def seed(ctx: dict[str, Any]) -> None:
    """Enter the trainer marks and finalize the demo session (see the module docstring)."""
    session_id = ctx.get("session_id")
    if session_id is None:
        return
    session_id = UUID(str(session_id))
    caller = await organizer_caller(UUID(str(ctx["users"]["organizer"])))
    rules = await session_rules(session_id)
    marked = [
        name for name in ("trainer_assessment", "assignment", "project") if name in rules.weights
    ]
    participants = await session_participants(session_id)
    scores = [
        ComponentScoreInput(
            person_id=p.person_id,
            component=component,
            score=Decimal(TRAINER_MARKS[index % len(TRAINER_MARKS)]),
        )
        for index, p in enumerate(participants)
        for component in marked
    ]
    if scores:
        await ResultService().set_component_scores(caller, session_id, scores)
    # The demo's absentees never took the post-test: excused explicitly, as an organizer
    # would, so the finalize checklist is complete (their post-test counts 0).
    readiness = await ReadinessService().readiness(caller, session_id)
    missing = next(check for check in readiness.checks if check.code == "post_tests").people
    request = FinalizeRequest(
        excused=[
            PostTestExcuse(person_id=p.person_id, reason="Tidak hadir pada hari post-test")
            for p in missing
        ]
    )
    report = await FinalizeService().finalize(caller, session_id, request)
    ctx["results"] = {
        "finalized_at": report.finalized_at,
        "passed": report.passed,
        "failed": report.failed,
    }

"""The stored ``Result`` rows of a finalized session, and reading them back.

Finalizing (``finalize``) writes these rows with their rules snapshot; from then on results,
amendments and certificates read them instead of computing live (``results``). The helpers
that make a stored row read the same on SQLite and PostgreSQL live here too.
"""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

import msgspec

from courses.results.schemas import Amendment, PassedResult, ResultRead
from courses.tables import Result
from lms.shared.indonesian import full_name
from lms.shared.values import cents


def load_json(value: Any) -> Any:
    """A JSON column's value as Python data (Piccolo gives the text on both engines)."""
    return json.loads(value) if isinstance(value, str) else value


def result_key(session_id: UUID, person_id: UUID) -> str:
    """The unique ``Result.natural_key``."""
    return f"{session_id}:{person_id}"


def read_row(row: dict[str, Any]) -> ResultRead:
    """A stored ``Result`` row (selected with the person's name, titles and NIP)."""
    components = {
        name: cents(value) if value is not None else None
        for name, value in (load_json(row["components"]) or {}).items()
    }
    return ResultRead(
        person_id=row["person"],
        name=full_name(row["name"], row["front_title"], row["back_title"]),
        nip=row["nip"],
        components=components,
        attendance_percent=cents(row["attendance_percent"]),
        final_score=cents(row["final_score"]),
        passed=row["passed"],
        predikat=row["predikat"],
        missing=[name for name, value in components.items() if value is None],
        finalized_at=row["finalized_at"],
        amendments=msgspec.convert(load_json(row["amendments"]) or [], list[Amendment]),
    )


RESULT_COLUMNS = (
    *Result.all_columns(),
    Result.person.name.as_alias("name"),
    Result.person.front_title.as_alias("front_title"),
    Result.person.back_title.as_alias("back_title"),
    Result.person.nip.as_alias("nip"),
)


async def stored_results(session_id: UUID, person_id: UUID | None = None) -> list[ResultRead]:
    """The frozen results of a finalized session, by name."""
    where: Any = Result.session == session_id
    if person_id is not None:
        where = where & (Result.person == person_id)
    rows = await Result.select(*RESULT_COLUMNS).where(where).order_by(Result.person.name)
    return [read_row(row) for row in rows]


async def passed_results(session_id: UUID) -> list[PassedResult]:
    """The passed participants of a finalized session (empty until it is finalized), for
    certificates: person, final score, predikat and attendance, by name."""
    rows = await (
        Result.select(Result.person, Result.final_score, Result.predikat, Result.attendance_percent)
        .where(
            (Result.session == session_id)
            & (Result.passed == True)  # noqa: E712 (Piccolo builds SQL from ==)
            & Result.finalized_at.is_not_null()
        )
        .order_by(Result.person.name)
    )
    return [
        PassedResult(
            person_id=row["person"],
            final_score=cents(row["final_score"]),
            predikat=row["predikat"],
            attendance_percent=cents(row["attendance_percent"]),
        )
        for row in rows
    ]

"""Each person's approved JP per year, kept beside the ledger for the compliance report.

Every ledger change calls :func:`refresh_year_total` for the years it touched, inside its own
transaction (after :func:`lms.competencies.scope.lock_person`), so the total commits or rolls
back with the change. The total is summed here with ``Decimal`` from the ledger rows — a
person has a handful of entries a year — so it is exact on SQLite too, where the ledger's
``Numeric`` column is stored as a float. :func:`rebuild_year_totals` recomputes the table
from the ledger in one statement (after a bulk load, or to check it).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from uuid import UUID

from lms.competencies.tables import JpYearTotal, LearningRecord
from lms.shared.values import CENT


def to_jp(value: Decimal | int | float | str) -> Decimal:
    """A JP amount as the ledger keeps it: ``Decimal`` rounded half-up to 2 decimals."""
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def year_key(person_id: UUID | str, year: int) -> str:
    """The primary key of a person-year total (``<person id>:<year>``)."""
    return f"{person_id}:{year}"


async def refresh_year_total(person_id: UUID, year: int) -> Decimal:
    """Recompute one person's approved JP for one year and store it; returns the total."""
    rows = await LearningRecord.select(LearningRecord.jp).where(
        (LearningRecord.person == person_id)
        & (LearningRecord.year == year)
        & (LearningRecord.status == "approved")
    )
    total = sum((to_jp(row["jp"]) for row in rows), Decimal("0.00"))
    key = year_key(person_id, year)
    await JpYearTotal.delete().where(JpYearTotal.natural_key == key)
    if rows:
        await JpYearTotal.insert(
            JpYearTotal(natural_key=key, person=person_id, year=year, jp=total)
        )
    return total


async def rebuild_year_totals() -> None:
    """Recompute every person-year total from the approved ledger entries (one statement)."""
    async with JpYearTotal._meta.db.transaction():
        await JpYearTotal.delete(force=True)
        await JpYearTotal.raw(
            "INSERT INTO jp_year_total (natural_key, person, year, jp) "
            "SELECT CAST(person AS TEXT) || ':' || CAST(year AS TEXT), person, year, "
            "ROUND(SUM(jp), 2) FROM learning_record WHERE status = 'approved' "
            "GROUP BY person, year"
        )

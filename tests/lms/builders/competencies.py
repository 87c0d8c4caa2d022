"""Builders shared by the competency tests: ledger entries written the way courses writes them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from uuid import UUID, uuid4

from lms.competencies.ledger import credit_session

MARCH = (dt.date(2026, 3, 2), dt.date(2026, 3, 4))


async def credit(
    person_id: UUID,
    jp: str | int | Decimal,
    *,
    start: dt.date = MARCH[0],
    end: dt.date = MARCH[1],
    session_id: UUID | None = None,
    title: str = "Pelatihan Pelayanan Prima Angkatan I",
    codes: Iterable[str] = (),
    jenis_diklat: int = 3,
) -> UUID:
    """Credit a passed session to a person; returns the ledger entry id."""
    return await credit_session(
        person_id=person_id,
        session_id=session_id or uuid4(),
        title=title,
        organizer="DPMPTSP Kota Padang Panjang",
        jenis_diklat=jenis_diklat,
        klasikal=True,
        start_date=start,
        end_date=end,
        jp=jp,
        competency_codes=codes,
        actor=None,
    )

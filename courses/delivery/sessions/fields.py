"""Field types and checks shared by the request and response bodies of delivery.

Times travel as RFC 3339 with an offset; requests must carry one (``tz=True``) because a naive
"08:00" means different instants in WIB and WITA. Responses give agenda times in the session's
own time zone. Decimals (JP, percentages) travel as strings, as in the catalogue.

The bodies themselves live with their concept: ``trainer_schemas``, ``session_schemas``,
``agenda_schemas``, ``enrollment_schemas`` and ``attendance_schemas``.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec

AwareDateTime = Annotated[dt.datetime, msgspec.Meta(tz=True)]
SessionDateTime = Annotated[
    dt.datetime,
    msgspec.Meta(
        description=(
            "RFC 3339 dengan zona (2026-11-18T08:00:00+07:00) atau waktu setempat sesi tanpa "
            "zona (2026-11-18T08:00:00)"
        )
    ),
]
"""A time in a session: with an offset, or without one meaning the session's own time zone
(an organizer in Jayapura types 08:00 and means 08:00 WIT)."""
ShortText = Annotated[str, msgspec.Meta(max_length=255)]
LongText = Annotated[str, msgspec.Meta(max_length=500)]

YEARS = range(1970, 2200)
"""Years a session, agenda item or enrollment window may fall in (far-off years would overflow
when converted between time zones, and are typing mistakes anyway)."""


def check_year(value: dt.date | dt.datetime | None, field: str) -> None:
    """Raise ``ValueError`` when a date or instant lies outside :data:`YEARS`."""
    if value is not None and value.year not in YEARS:
        raise ValueError(f"{field}: tahun harus antara {YEARS.start} dan {YEARS.stop - 1}")

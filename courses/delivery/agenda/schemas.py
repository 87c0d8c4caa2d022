"""Request and response bodies of a session's agenda: its items, the JP check, and a trainer's
own agenda.

Requests carry times with an offset, or without one as the session's wall clock; responses
give instants in UTC with ``Z`` and the session's wall clock in ``*_local`` (people read
``08:00``, not ``01:00Z``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated
from uuid import UUID

import msgspec

from courses.delivery.sessions.fields import SessionDateTime, ShortText, check_year
from lms.shared.schemas import Input, Output

RoomText = Annotated[str, msgspec.Meta(max_length=128)]

MAX_AGENDA_ITEM = dt.timedelta(hours=24)


class AgendaItemCreate(Input):
    """A block of the agenda. Items with a module count towards the JP delivered; items
    without one (opening, break, closing) need a ``title``. Times without an offset are the
    session's local time; ``starts_at`` and ``ends_at`` are written in the same form."""

    starts_at: SessionDateTime
    ends_at: SessionDateTime
    module_id: UUID | None = None
    trainer_id: UUID | None = None
    room: RoomText = ""
    title: ShortText = ""

    def __post_init__(self) -> None:
        check_year(self.starts_at, "starts_at")
        check_year(self.ends_at, "ends_at")
        if (self.starts_at.tzinfo is None) != (self.ends_at.tzinfo is None):
            raise ValueError(
                "ends_at: tulis starts_at dan ends_at dalam bentuk yang sama (keduanya dengan "
                "zona waktu, atau keduanya waktu setempat sesi tanpa zona)"
            )
        if self.ends_at <= self.starts_at:
            raise ValueError("ends_at: harus setelah starts_at")
        if self.ends_at - self.starts_at > MAX_AGENDA_ITEM:
            raise ValueError("ends_at: satu acara paling lama 24 jam")
        if self.module_id is None and not self.title.strip():
            raise ValueError("title: wajib untuk acara tanpa modul")


class AgendaItemUpdate(Input):
    """A partial edit of an agenda item (clashes are checked again)."""

    starts_at: SessionDateTime | msgspec.UnsetType = msgspec.UNSET
    ends_at: SessionDateTime | msgspec.UnsetType = msgspec.UNSET
    module_id: UUID | None | msgspec.UnsetType = msgspec.UNSET
    trainer_id: UUID | None | msgspec.UnsetType = msgspec.UNSET
    room: RoomText | msgspec.UnsetType = msgspec.UNSET
    title: ShortText | msgspec.UnsetType = msgspec.UNSET

    def __post_init__(self) -> None:
        for field in ("starts_at", "ends_at"):
            value = getattr(self, field)
            if isinstance(value, dt.datetime):
                check_year(value, field)


class AgendaItemRead(Output):
    """An agenda item: ``starts_at``/``ends_at`` in UTC, ``starts_at_local``/``ends_at_local``
    and ``day`` on the session's wall clock."""

    id: UUID
    session_id: UUID
    day: dt.date
    starts_at: dt.datetime
    ends_at: dt.datetime
    starts_at_local: str
    ends_at_local: str
    minutes: int
    module_id: UUID | None
    module_title: str
    trainer_id: UUID | None
    trainer_name: str
    room: str
    title: str


class ModuleJp(Output):
    """A module's JP in the course against the JP its agenda items deliver."""

    module_id: UUID
    title: str
    jp_course: Decimal
    jp_planned: Decimal


class AgendaRead(Output):
    """A session's agenda with the JP check: ``jp_planned`` (minutes of the items with a module,
    converted once) against ``jp_course`` (sum of the course's modules)."""

    items: list[AgendaItemRead]
    jp_planned: Decimal
    jp_course: Decimal
    jp_mismatch: bool
    modules: list[ModuleJp]


class MyAgendaItem(AgendaItemRead):
    """An agenda item of the calling trainer, with where and what."""

    session_name: str
    session_status: str
    course_title: str
    venue: str
    city: str
    timezone: str

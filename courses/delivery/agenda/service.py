"""A session's agenda: items with module, trainer and room, and the JP check.

Every new or moved item is checked for clashes first (``courses.delivery.agenda.clashes``, 409
saying
with what). JP delivered: the minutes of the items that teach a module (opening, breaks and
closing have none) are summed and converted once with ``lms.competencies.jp.minutes_to_jp``;
the agenda reports it against the course's JP, per module and in total.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import msgspec

from courses.delivery.agenda.clashes import check_clashes, when_text
from courses.delivery.agenda.schemas import (
    AgendaItemCreate,
    AgendaItemRead,
    AgendaItemUpdate,
    AgendaRead,
    ModuleJp,
    MyAgendaItem,
)
from courses.delivery.sessions.access import (
    SessionRecord,
    get_managed_session,
    get_visible_session,
    trainer_ids_for,
)
from courses.delivery.trainers.service import trainer_display_name, trainer_visible
from courses.tables import AgendaItem, CourseSession, Module, Trainer
from lms.audit import services as audit
from lms.auth.caller import Caller
from lms.competencies.jp import minutes_to_jp
from lms.db.locks import advisory_lock
from lms.shared.errors import NotFound, RuleViolation
from lms.shared.schemas import Page
from lms.shared.validation import error_text
from lms.shared.values import cents, in_zone, wall_clock

# Agenda writes check clashes across every session (trainers and rooms are shared), so they
# take one advisory lock: two concurrent bookings cannot both see a free slot. Any fixed 64-bit
# key shared by every agenda writer ("AGND").
AGENDA_LOCK_KEY = 0x41474E44

_ITEM_COLUMNS = (
    AgendaItem.id,
    AgendaItem.session.as_alias("session_id"),
    AgendaItem.starts_at,
    AgendaItem.ends_at,
    AgendaItem.module.as_alias("module_id"),
    AgendaItem.module.title.as_alias("module_title"),
    AgendaItem.trainer.as_alias("trainer_id"),
    AgendaItem.trainer.name.as_alias("trainer_plain_name"),
    AgendaItem.trainer.front_title.as_alias("trainer_front_title"),
    AgendaItem.trainer.back_title.as_alias("trainer_back_title"),
    AgendaItem.room,
    AgendaItem.title,
)
_NOT_FOUND = "Acara agenda tidak ditemukan."


def _minutes(starts_at: dt.datetime, ends_at: dt.datetime) -> int:
    return int((ends_at - starts_at).total_seconds() // 60)


def _item_read(row: dict[str, Any], tz_name: str, cls: type = AgendaItemRead, **extra: Any) -> Any:
    zone = ZoneInfo(tz_name)
    starts = row["starts_at"].astimezone(zone)
    ends = row["ends_at"].astimezone(zone)
    item: Any = msgspec.convert(
        {
            **row,
            **extra,
            "starts_at": starts,
            "ends_at": ends,
            "starts_at_local": wall_clock(starts, tz_name),
            "ends_at_local": wall_clock(ends, tz_name),
            "day": starts.date(),
            "minutes": _minutes(starts, ends),
            "module_title": row["module_title"] or "",
            "trainer_name": trainer_display_name(row, "trainer_") if row["trainer_id"] else "",
        },
        cls,
        strict=False,
    )
    # msgspec.convert takes no datetime subclass: the zoned instants go in afterwards.
    item.starts_at, item.ends_at = in_zone(starts, zone), in_zone(ends, zone)
    return item


def _check_editable(session: SessionRecord) -> None:
    if session.status in ("completed", "cancelled") or session.finalized_at is not None:
        raise RuleViolation(f"Agenda sesi berstatus {session.status} tidak dapat diubah.")


def _instant(value: dt.datetime, timezone: str) -> dt.datetime:
    # Whole seconds in UTC: SQLite compares the stored text, which must share one format.
    return _in_session(value, timezone).astimezone(dt.UTC).replace(microsecond=0)


def _in_session(value: dt.datetime, timezone: str) -> dt.datetime:
    """A time without an offset is the session's wall clock (WIB, WITA or WIT)."""
    return value.replace(tzinfo=ZoneInfo(timezone)) if value.tzinfo is None else value


class AgendaService:
    """Agenda items of sessions, and a trainer's own agenda.

    Args:
        jp_minutes: Minutes in one JP (``LMS_JP_MINUTES``, default 45).
    """

    def __init__(self, jp_minutes: int = 45) -> None:
        self.jp_minutes = jp_minutes

    async def get(self, caller: Caller, session_id: UUID) -> AgendaRead:
        """A visible session's agenda with JP planned against the course's JP."""
        session = await get_visible_session(caller, session_id)
        rows = await (
            AgendaItem.select(*_ITEM_COLUMNS)
            .where(AgendaItem.session == session.id)
            .order_by(AgendaItem.starts_at)
        )
        items: list[AgendaItemRead] = [_item_read(row, session.timezone) for row in rows]
        modules = await (
            Module.select(Module.id, Module.title, Module.jp)
            .where(Module.course == session.course_id)
            .order_by(Module.position)
        )
        minutes: dict[UUID, int] = {}
        for item in items:
            if item.module_id is not None:
                minutes[item.module_id] = minutes.get(item.module_id, 0) + item.minutes
        jp_course = sum((cents(m["jp"]) for m in modules), Decimal("0.00"))
        jp_planned = minutes_to_jp(sum(minutes.values()), self.jp_minutes)
        return AgendaRead(
            items=items,
            jp_planned=jp_planned,
            jp_course=jp_course,
            jp_mismatch=jp_planned != jp_course,
            modules=[
                ModuleJp(
                    module_id=m["id"],
                    title=m["title"],
                    jp_course=cents(m["jp"]),
                    jp_planned=minutes_to_jp(minutes.get(m["id"], 0), self.jp_minutes),
                )
                for m in modules
            ],
        )

    async def _check_refs(
        self,
        caller: Caller,
        session: SessionRecord,
        module_id: UUID | None,
        trainer_id: UUID | None,
    ) -> None:
        if module_id is not None and not await Module.exists().where(
            (Module.id == module_id) & (Module.course == session.course_id)
        ):
            raise RuleViolation(
                "Modul tidak termasuk pelatihan sesi ini.",
                errors=[{"field": "module_id", "message": "bukan modul pelatihan ini"}],
            )
        if trainer_id is not None:
            row = (
                await Trainer.select(
                    Trainer.unit.as_alias("unit_id"), Trainer.unit.path.as_alias("unit_path")
                )
                .where(Trainer.id == trainer_id)
                .first()
            )
            if row is None or not trainer_visible(caller, row):
                raise RuleViolation(
                    "Narasumber tidak ditemukan.",
                    errors=[{"field": "trainer_id", "message": "tidak ditemukan"}],
                )

    async def _item(self, session: SessionRecord, item_id: UUID) -> AgendaItemRead:
        row = (
            await AgendaItem.select(*_ITEM_COLUMNS)
            .where((AgendaItem.id == item_id) & (AgendaItem.session == session.id))
            .first()
        )
        if row is None:
            raise NotFound(_NOT_FOUND)
        return _item_read(row, session.timezone)

    async def create(
        self, caller: Caller, session_id: UUID, data: AgendaItemCreate
    ) -> AgendaItemRead:
        """Add an item; 409 on a clash, 422 on a module or trainer that does not fit."""
        session = await get_managed_session(caller, session_id)
        _check_editable(session)
        await self._check_refs(caller, session, data.module_id, data.trainer_id)
        starts = _instant(data.starts_at, session.timezone)
        ends = _instant(data.ends_at, session.timezone)
        item_id = uuid4()
        async with AgendaItem._meta.db.transaction():
            await advisory_lock(CourseSession, AGENDA_LOCK_KEY)
            await check_clashes(session, starts, ends, data.trainer_id, data.room, None)
            await AgendaItem.insert(
                AgendaItem(
                    id=item_id,
                    session=session.id,
                    starts_at=starts,
                    ends_at=ends,
                    module=data.module_id,
                    trainer=data.trainer_id,
                    room=data.room,
                    title=data.title,
                )
            )
            await audit.record(
                caller,
                "agenda.create",
                "agenda_item",
                item_id,
                f"{session.name}: {when_text(starts, ends, session.timezone)}",
                {
                    "session_id": session.id,
                    "module_id": data.module_id,
                    "trainer_id": data.trainer_id,
                    "room": data.room,
                },
            )
        return await self._item(session, item_id)

    async def update(
        self, caller: Caller, session_id: UUID, item_id: UUID, data: AgendaItemUpdate
    ) -> AgendaItemRead:
        """Move or change an item; clashes are checked again, ignoring the item itself."""
        session = await get_managed_session(caller, session_id)
        _check_editable(session)
        current = (
            await AgendaItem.select()
            .where((AgendaItem.id == item_id) & (AgendaItem.session == session.id))
            .first()
        )
        if current is None:
            raise NotFound(_NOT_FOUND)
        merged = {
            "starts_at": current["starts_at"],
            "ends_at": current["ends_at"],
            "module_id": current["module"],
            "trainer_id": current["trainer"],
            "room": current["room"],
            "title": current["title"],
        }
        changes = {
            field: getattr(data, field)
            for field in AgendaItemUpdate.__struct_fields__
            if getattr(data, field) is not msgspec.UNSET
        }
        for field in ("starts_at", "ends_at"):  # the stored time has an offset: so must these
            if isinstance(changes.get(field), dt.datetime):
                changes[field] = _in_session(changes[field], session.timezone)
        merged.update(changes)
        try:
            checked = msgspec.convert(merged, AgendaItemCreate, strict=False)
        except msgspec.ValidationError as exc:
            raise RuleViolation(
                f"Acara agenda tidak valid: {error_text(exc, AgendaItemCreate)}"
            ) from None
        await self._check_refs(caller, session, checked.module_id, checked.trainer_id)
        starts = _instant(checked.starts_at, session.timezone)
        ends = _instant(checked.ends_at, session.timezone)
        async with AgendaItem._meta.db.transaction():
            await advisory_lock(CourseSession, AGENDA_LOCK_KEY)
            await check_clashes(session, starts, ends, checked.trainer_id, checked.room, item_id)
            await AgendaItem.update(
                {
                    AgendaItem.starts_at: starts,
                    AgendaItem.ends_at: ends,
                    AgendaItem.module: checked.module_id,
                    AgendaItem.trainer: checked.trainer_id,
                    AgendaItem.room: checked.room,
                    AgendaItem.title: checked.title,
                }
            ).where(AgendaItem.id == item_id)
            await audit.record(
                caller, "agenda.update", "agenda_item", item_id, f"{session.name}: diubah", changes
            )
        return await self._item(session, item_id)

    async def delete(self, caller: Caller, session_id: UUID, item_id: UUID) -> None:
        """Remove an item from the agenda."""
        session = await get_managed_session(caller, session_id)
        _check_editable(session)
        item = await self._item(session, item_id)
        async with AgendaItem._meta.db.transaction():
            await AgendaItem.delete().where(AgendaItem.id == item_id)
            await audit.record(
                caller,
                "agenda.delete",
                "agenda_item",
                item_id,
                f"{session.name}: {item.title or item.module_title} dihapus",
                {"starts_at": item.starts_at, "ends_at": item.ends_at},
            )

    async def mine(
        self,
        caller: Caller,
        *,
        date_from: dt.date | None = None,
        date_to: dt.date | None = None,
        limit: int = 200,
        offset: int = 0,
    ) -> Page[MyAgendaItem]:
        """The calling trainer's items in sessions that are not cancelled, earliest first.

        ``date_from`` / ``date_to`` filter on the session's dates (inclusive).
        """
        trainer_ids = await trainer_ids_for(caller)
        if not trainer_ids:
            return Page(items=[], total=0)
        where = AgendaItem.trainer.is_in(trainer_ids) & (AgendaItem.session.status != "cancelled")
        if date_from is not None:
            where = where & (AgendaItem.session.end_date >= date_from)
        if date_to is not None:
            where = where & (AgendaItem.session.start_date <= date_to)
        rows = await (
            AgendaItem.select(
                *_ITEM_COLUMNS,
                AgendaItem.session.name.as_alias("session_name"),
                AgendaItem.session.status.as_alias("session_status"),
                AgendaItem.session.course.title.as_alias("course_title"),  # type: ignore[union-attr]
                AgendaItem.session.venue.as_alias("venue"),
                AgendaItem.session.city.as_alias("city"),
                AgendaItem.session.timezone.as_alias("timezone"),
            )
            .where(where)
            .order_by(AgendaItem.starts_at)
            .limit(limit)
            .offset(offset)
        )
        total = await AgendaItem.count().where(where)
        return Page(
            items=[_item_read(row, row["timezone"], MyAgendaItem) for row in rows], total=total
        )

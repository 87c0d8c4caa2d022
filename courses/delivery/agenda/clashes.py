"""Agenda clashes: each answers 409 and says with what.

* **outside the session**: an item must start and end on the session's days, read in the
  session's own time zone (a 23:30 UTC start is the next morning in WIB);
* **trainer**: a trainer cannot be in two places at once, across every session that is not
  cancelled; trainer records of the same person count as the same trainer;
* **room**: the same room of the same venue (compared without case and extra spaces; an item
  without a room books the venue itself) cannot hold two items at once. Online sessions
  (no venue, no room) never clash on rooms.

Intervals are half-open: an item ending at 10:00 does not clash with one starting at 10:00.
"""

from __future__ import annotations

import datetime as dt
from uuid import UUID
from zoneinfo import ZoneInfo

from courses.delivery.sessions.access import SessionRecord
from courses.delivery.trainers.service import trainer_display_name
from courses.tables import AgendaItem, Trainer
from lms.shared.errors import Conflict
from lms.shared.indonesian import format_date_range, format_day_date, format_time_range


def _place_key(text: str) -> str:
    return " ".join(text.split()).casefold()


def when_text(starts: dt.datetime, ends: dt.datetime, tz_name: str) -> str:
    """``Rabu, 18 November 2026 pukul 08.00–12.00 WIB`` in the session's zone."""
    local = starts.astimezone(ZoneInfo(tz_name))
    return f"{format_day_date(local)} {format_time_range(starts, ends, tz_name)}"


async def check_clashes(
    session: SessionRecord,
    starts: dt.datetime,
    ends: dt.datetime,
    trainer_id: UUID | None,
    room: str,
    exclude: UUID | None,
) -> None:
    """Raise 409 naming the first clash (see the module docstring).

    Args:
        session: The session the item belongs to.
        starts, ends: The item's instants (UTC, whole seconds).
        trainer_id: The item's trainer, if any.
        room: The item's room (may be empty).
        exclude: The item itself when it is being moved.

    Raises:
        Conflict: with ``clash.kind`` ``outside_session``, ``trainer`` or ``room``.
    """
    zone = ZoneInfo(session.timezone)
    first_day = starts.astimezone(zone).date()
    last_day = (ends - dt.timedelta(microseconds=1)).astimezone(zone).date()
    if first_day < session.start_date or last_day > session.end_date:
        raise Conflict(
            f"Acara pada {when_text(starts, ends, session.timezone)} berada di luar tanggal sesi "
            f"({format_date_range(session.start_date, session.end_date)}).",
            extra={"clash": {"kind": "outside_session"}},
        )
    overlapping = (
        (AgendaItem.starts_at < ends)
        & (AgendaItem.ends_at > starts)
        & (AgendaItem.session.status != "cancelled")
    )
    if exclude is not None:
        overlapping = overlapping & (AgendaItem.id != exclude)
    columns = (
        AgendaItem.id,
        AgendaItem.starts_at,
        AgendaItem.ends_at,
        AgendaItem.room,
        AgendaItem.session.as_alias("session_id"),
        AgendaItem.session.name.as_alias("session_name"),
        AgendaItem.session.venue.as_alias("venue"),
        AgendaItem.session.timezone.as_alias("timezone"),
        AgendaItem.session.course.title.as_alias("course_title"),  # type: ignore[union-attr]
    )
    if trainer_id is not None:
        trainer = (
            await Trainer.select(
                Trainer.person, Trainer.name, Trainer.front_title, Trainer.back_title
            )
            .where(Trainer.id == trainer_id)
            .first()
        )
        same = Trainer.id == trainer_id
        if trainer is not None and trainer["person"] is not None:
            same = same | (Trainer.person == trainer["person"])
        trainer_ids = [row["id"] for row in await Trainer.select(Trainer.id).where(same)]
        busy = await (
            AgendaItem.select(*columns)
            .where(overlapping & AgendaItem.trainer.is_in(trainer_ids))
            .order_by(AgendaItem.starts_at)
            .first()
        )
        if busy is not None and trainer is not None:
            raise Conflict(
                f"Narasumber {trainer_display_name(trainer)} sudah dijadwalkan di "
                f"{busy['session_name']} ({busy['course_title']}) pada "
                f"{when_text(busy['starts_at'], busy['ends_at'], busy['timezone'])}.",
                extra={
                    "clash": {
                        "kind": "trainer",
                        "agenda_item_id": str(busy["id"]),
                        "session_id": str(busy["session_id"]),
                    }
                },
            )
    venue_key, room_key = _place_key(session.venue), _place_key(room)
    if not venue_key and not room_key:
        return
    for other in (
        await AgendaItem.select(*columns).where(overlapping).order_by(AgendaItem.starts_at)
    ):
        if _place_key(other["venue"] or "") == venue_key and _place_key(other["room"]) == room_key:
            place = (
                f"{room} di {session.venue}" if room and session.venue else room or session.venue
            )
            raise Conflict(
                f"Ruang {place} sudah dipakai {other['session_name']} "
                f"({other['course_title']}) pada "
                f"{when_text(other['starts_at'], other['ends_at'], other['timezone'])}.",
                extra={
                    "clash": {
                        "kind": "room",
                        "agenda_item_id": str(other["id"]),
                        "session_id": str(other["session_id"]),
                    }
                },
            )

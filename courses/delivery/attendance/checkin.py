"""Participant check-in with a rotating six-digit code shown by the trainer.

The code is ``HOTP``-style: HMAC-SHA256 over the session id and the number of the current
period (``PERIOD_SECONDS`` long, counted from the Unix epoch), under a key derived from the
server secret, truncated to six digits. It changes every period, so a photo of yesterday's (or
of the last quarter-hour's) code fails; the code of the previous period is still accepted so a
participant who typed it just before it rotated is not turned away. Codes differ per session.

A participant checks in once per session day (409 for the second time that day), only on a
day of the session in the session's time zone, and only with a confirmed place. A check-in
more than ``LATE_AFTER`` after the day's first agenda item began is recorded as ``late``.
Wrong codes are limited per participant and session (``MAX_WRONG_CODES`` per
``WRONG_CODE_WINDOW`` seconds; then 429), so six digits cannot be guessed through the API.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

from courses.delivery.attendance.schemas import CheckinCode, CheckinRead
from courses.delivery.attendance.service import check_markable, mark_key
from courses.delivery.sessions.access import get_session_for_staff, get_visible_session
from courses.tables import AgendaItem, AttendanceMark, Enrollment
from lms.audit import services as audit
from lms.auth.caller import Caller
from lms.db.dialect import is_unique_violation
from lms.shared.errors import Conflict, RuleViolation
from lms.shared.indonesian import format_date_range, format_day_date
from lms.shared.ratelimit import Limit
from lms.shared.values import in_zone, wall_clock
from lms.shared.values import utcnow as now  # a module name: tests move the clock

PERIOD_SECONDS = 90
"""How long one code is shown; it is accepted for one more period."""

LATE_AFTER = dt.timedelta(minutes=15)
"""Grace after the day's first agenda item begins before a check-in counts as late."""

MAX_WRONG_CODES = 10
WRONG_CODE_WINDOW = 300
WRONG_CODES_MESSAGE = "Terlalu banyak kode salah; tunggu beberapa menit lalu coba lagi."


def _key(secret: str) -> bytes:
    return hmac.new(secret.encode(), b"prima-checkin-v1", hashlib.sha256).digest()


def period_of(at: dt.datetime) -> int:
    """The number of the code period an instant falls in."""
    return int(at.timestamp()) // PERIOD_SECONDS


def code_for(secret: str, session_id: UUID, period: int) -> str:
    """The six-digit code of a session in one period."""
    digest = hmac.new(_key(secret), f"{session_id}:{period}".encode(), hashlib.sha256).digest()
    offset = digest[-1] & 0x0F
    number = int.from_bytes(digest[offset : offset + 4], "big") & 0x7FFFFFFF
    return f"{number % 1_000_000:06d}"


def verify_code(secret: str, session_id: UUID, code: str, at: dt.datetime) -> bool:
    """True when ``code`` is the session's code of the period of ``at`` or the one before."""
    period = period_of(at)
    return any(
        hmac.compare_digest(code, code_for(secret, session_id, p)) for p in (period, period - 1)
    )


class CheckinService:
    """Shows the current code to staff and records participants' check-ins.

    Args:
        secret: The server secret (``LMS_SECRET_KEY``); codes are derived from it.
        limiter: Counts wrong codes per participant and session (``MAX_WRONG_CODES`` per
            ``WRONG_CODE_WINDOW``); each code takes a place before it is checked, and a right
            one gives it back.
    """

    def __init__(self, secret: str, limiter: Limit | None = None) -> None:
        self.secret = secret
        self.limiter = limiter

    async def current_code(self, caller: Caller, session_id: UUID) -> CheckinCode:
        """The code to show now (organizers and the session's trainers)."""
        session = await get_session_for_staff(caller, session_id)
        at = now()
        period = period_of(at)
        start = dt.datetime.fromtimestamp(period * PERIOD_SECONDS, dt.UTC)
        zone = ZoneInfo(session.timezone)
        return CheckinCode(
            code=code_for(self.secret, session.id, period),
            valid_from=in_zone(start, zone),  # type: ignore[arg-type]
            valid_until=in_zone(start + dt.timedelta(seconds=PERIOD_SECONDS), zone),  # type: ignore[arg-type]
            valid_until_local=wall_clock(
                start + dt.timedelta(seconds=PERIOD_SECONDS), session.timezone
            ),
            period_seconds=PERIOD_SECONDS,
        )

    async def check_in(self, caller: Caller, session_id: UUID, code: str) -> CheckinRead:
        """Record the caller's attendance for today.

        Raises:
            RuleViolation: not a session day, no confirmed place, or a wrong or expired code.
            Conflict: already recorded for today.
            TooManyRequests: too many wrong codes lately.
        """
        if caller.person_id is None:
            raise RuleViolation("Akun Anda belum ditautkan ke data pegawai.")
        session = await get_visible_session(caller, session_id)
        check_markable(session)
        enrollment = (
            await Enrollment.select(Enrollment.status)
            .where((Enrollment.session == session.id) & (Enrollment.person == caller.person_id))
            .first()
        )
        if enrollment is None or enrollment["status"] != "confirmed":
            raise RuleViolation("Anda tidak memiliki tempat terkonfirmasi di sesi ini.")
        at = now()
        zone = ZoneInfo(session.timezone)
        today = at.astimezone(zone).date()
        if today not in session.days:
            raise RuleViolation(
                f"Presensi mandiri hanya pada hari sesi "
                f"({format_date_range(session.start_date, session.end_date)}); hari ini "
                f"{format_day_date(today)}."
            )
        limit_key = f"{session.id}:{caller.person_id}"
        if self.limiter is not None:
            await self.limiter.acquire(limit_key)
        if not verify_code(self.secret, session.id, code, at):
            raise RuleViolation(
                "Kode presensi salah atau sudah kedaluwarsa; minta kode terbaru dari narasumber.",
                errors=[{"field": "code", "message": "tidak berlaku"}],
            )
        if self.limiter is not None:
            await self.limiter.release(limit_key)
        status = await self._status_for(session.id, today, zone, at)
        key = mark_key(session.id, caller.person_id, today)
        if await AttendanceMark.exists().where(AttendanceMark.natural_key == key):
            raise Conflict(f"Kehadiran Anda pada {format_day_date(today)} sudah tercatat.")
        mark_id = uuid4()
        try:
            async with AttendanceMark._meta.db.transaction():
                await AttendanceMark.insert(
                    AttendanceMark(
                        id=mark_id,
                        session=session.id,
                        person=caller.person_id,
                        day=today,
                        status=status,
                        method="checkin",
                        marked_by=caller.user_id,
                        marked_at=at,
                        natural_key=key,
                    )
                )
                await audit.record(
                    caller,
                    "attendance.checkin",
                    "session",
                    session.id,
                    f"{session.name}: presensi mandiri {today.isoformat()} ({status})",
                    {"person_id": caller.person_id, "day": today.isoformat(), "status": status},
                )
        except Exception as exc:
            if is_unique_violation(exc):
                raise Conflict(
                    f"Kehadiran Anda pada {format_day_date(today)} sudah tercatat."
                ) from None
            raise
        return CheckinRead(person_id=caller.person_id, day=today, status=status, checked_in_at=at)

    async def my_marks(self, caller: Caller, session_id: UUID) -> dict[dt.date, str]:
        """The caller's own attendance in a session they see: status by day."""
        if caller.person_id is None:
            return {}
        session = await get_visible_session(caller, session_id)
        rows = await AttendanceMark.select(AttendanceMark.day, AttendanceMark.status).where(
            (AttendanceMark.session == session.id) & (AttendanceMark.person == caller.person_id)
        )
        return {row["day"]: row["status"] for row in rows}

    async def _status_for(
        self, session_id: UUID, day: dt.date, zone: ZoneInfo, at: dt.datetime
    ) -> str:
        day_start = dt.datetime.combine(day, dt.time(0), zone).astimezone(dt.UTC)
        first = await (
            AgendaItem.select(AgendaItem.starts_at)
            .where(
                (AgendaItem.session == session_id)
                & (AgendaItem.starts_at >= day_start)
                & (AgendaItem.starts_at < day_start + dt.timedelta(days=1))
            )
            .order_by(AgendaItem.starts_at)
            .first()
        )
        if first is not None and at > first["starts_at"] + LATE_AFTER:
            return "late"
        return "present"

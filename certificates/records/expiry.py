"""The expiring list: valid certificates whose validity ends soon, for recertification planning.

A reading of certificates, not a change of their status (expiry is never written: see
``certificates.records.service.effective_status``), so it is apart from the trust operations; it is
served with them (``TrustService.expiring``, ``GET /api/v1/certificates/expiring``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

import msgspec

from certificates.records.schemas import ExpiringItem
from certificates.records.service import today_in
from certificates.tables import Certificate
from lms.auth.caller import Caller
from lms.shared.schemas import Page


class _ExpiringSnapshot(msgspec.Struct):
    class _Holder(msgspec.Struct):
        name_with_titles: str
        nip_display: str | None = None

    holder: _Holder
    course_title: str


_EXPIRING_DECODER = msgspec.json.Decoder(_ExpiringSnapshot)


async def expiring_certificates(
    caller: Caller, *, base_url: str, timezone: str, days: int, limit: int, offset: int
) -> Page[ExpiringItem]:
    """Valid certificates whose last valid day falls within ``days`` from today.

    Holders who already hold a newer valid certificate of the same course (recertified)
    are left out. Soonest first; limited to the caller's unit scope.

    Args:
        base_url: ``LMS_PUBLIC_BASE_URL`` without a trailing slash, for the verify links.
        timezone: ``LMS_TIMEZONE``: "today" is the date there.
    """
    today = today_in(timezone)
    until = today + dt.timedelta(days=days)
    where = [
        "c.status = 'valid'",
        "c.valid_until IS NOT NULL",
        "c.valid_until >= {}",
        "c.valid_until <= {}",
        "NOT EXISTS (SELECT 1 FROM certificate r WHERE r.person_id = c.person_id"
        " AND r.course_id = c.course_id AND r.status = 'valid' AND r.id <> c.id"
        " AND (r.valid_until IS NULL OR r.valid_until > c.valid_until))",
    ]
    args: list[Any] = [today, until]
    if not caller.is_admin:
        if not caller.unit_path:
            return Page(items=[], total=0)
        where.append("c.unit_path LIKE {}")
        args.append(caller.unit_path + "%")
    condition = " AND ".join(where)
    counted = await Certificate.raw(
        f"SELECT COUNT(*) AS n FROM certificate c WHERE {condition}", *args
    )
    rows = await Certificate.raw(
        "SELECT c.id, c.number, c.code, c.person_id, c.course_id, c.session_id,"
        f" c.valid_until, c.snapshot FROM certificate c WHERE {condition}"
        " ORDER BY c.valid_until, c.number LIMIT {} OFFSET {}",
        *args,
        limit,
        offset,
    )
    items = []
    for row in rows:
        snapshot = _EXPIRING_DECODER.decode(
            row["snapshot"]
            if isinstance(row["snapshot"], (str, bytes))
            else msgspec.json.encode(row["snapshot"])
        )
        valid_until = row["valid_until"]
        if not isinstance(valid_until, dt.date):
            valid_until = dt.date.fromisoformat(str(valid_until))
        items.append(
            ExpiringItem(
                certificate_id=_uuid(row["id"]),
                number=row["number"],
                person_id=_uuid(row["person_id"]),
                holder_name=snapshot.holder.name_with_titles,
                nip=snapshot.holder.nip_display,
                course_id=_uuid(row["course_id"]),
                course=snapshot.course_title,
                session_id=_uuid(row["session_id"]),
                valid_until=valid_until,
                days_left=(valid_until - today).days,
                verify_url=f"{base_url}/verify/{row['code']}",
            )
        )
    return Page(items=items, total=int(counted[0]["n"]))


def _uuid(value: Any) -> UUID:
    return value if isinstance(value, UUID) else UUID(str(value))

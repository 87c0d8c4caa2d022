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
from lms.audit import services as audit
from lms.audit.tables import AuditEntry
from lms.auth.caller import Caller
from lms.jobs import runner
from lms.jobs.scheduled import scheduled
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


REMINDER = "certificate.expiry_reminder"
_PAGE = 500


@scheduled("expiry_reminders", "0 6 * * *")
async def remind_expiring(ctx: runner.JobContext) -> dict[str, Any]:
    """The scheduled reminder: each certificate entering the last ``LMS_EXPIRY_REMINDER_DAYS``
    of its validity (no newer valid one of the course) gets one ``certificate.expiry_reminder``
    audit entry, once; HR finds them in the certificate's history and in the expiring list. The
    job's result counts them and lists their numbers (the first 100)."""
    settings = ctx.settings
    system = Caller(user_id=UUID(int=0), username="system", role="admin")
    found: list[ExpiringItem] = []
    offset = 0
    while True:
        page = await expiring_certificates(
            system,
            base_url=settings.public_base_url.rstrip("/"),
            timezone=settings.timezone,
            days=settings.expiry_reminder_days,
            limit=_PAGE,
            offset=offset,
        )
        found.extend(page.items)
        offset += _PAGE
        if offset >= page.total:
            break
    reminded: set[str] = set()
    for start in range(0, len(found), _PAGE):
        ids = [str(item.certificate_id) for item in found[start : start + _PAGE]]
        rows = await AuditEntry.select(AuditEntry.object_id).where(
            (AuditEntry.action == REMINDER) & AuditEntry.object_id.is_in(ids)
        )
        reminded.update(row["object_id"] for row in rows)
    new = [item for item in found if str(item.certificate_id) not in reminded]
    await ctx.set_total(len(new))
    for done, item in enumerate(new, 1):
        await audit.record(
            None,
            REMINDER,
            "certificate",
            item.certificate_id,
            f"Sertifikat {item.number} atas nama {item.holder_name} ({item.course}) berlaku"
            f" sampai {item.valid_until.isoformat()} ({item.days_left} hari lagi); perlu"
            " sertifikasi ulang.",
            {"valid_until": item.valid_until.isoformat(), "person_id": str(item.person_id)},
        )
        if done % 100 == 0:
            await ctx.progress(done)
    await ctx.progress(len(new))
    return {"reminded": len(new), "numbers": [item.number for item in new[:100]]}

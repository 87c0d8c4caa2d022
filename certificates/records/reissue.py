"""The steps of a re-issue around ``issue_one``: may it be re-issued, which row is the new one,
linking the two, and voiding a duplicate.

``TrustService.reissue`` (``certificates.records.trust``) runs them in order: the new certificate is
issued first (rendering takes seconds and must not hold a transaction), then, in one short
transaction that locks the old row again, the two are linked both ways, or, if another request
changed the old one meanwhile, ours is withdrawn. Apart from the trust service so the steps,
which each touch both rows, read in one place.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any
from uuid import UUID

from certificates.tables import Certificate
from lms.audit import services as audit
from lms.auth.caller import Caller
from lms.shared.errors import Conflict, RuleViolation

IssueOne = Callable[..., Awaitable[Any]]
"""``certificates.issuing.service.issue_one(*, settings, session_id, person_id, actor,
supersedes=None, ...)``."""


def default_issue_one() -> IssueOne:
    """``certificates.issuing.service.issue_one``, looked up at each re-issue (a test may replace
    it)."""
    # Imported when first needed: issuing pulls in the renderer, trust must not.
    from certificates.issuing.service import issue_one

    return issue_one


def new_certificate_id(result: Any) -> UUID | None:
    """The new certificate's id from whatever ``issue_one`` returns (id, row or struct)."""
    if isinstance(result, UUID):
        return result
    if isinstance(result, dict):
        value = result.get("id") or result.get("certificate_id")
    else:
        value = getattr(result, "id", None) or getattr(result, "certificate_id", None)
    if isinstance(value, UUID):
        return value
    return UUID(str(value)) if value else None


def check_reissuable(row: dict[str, Any]) -> None:
    """Refuse a revoked or already superseded certificate.

    Raises:
        RuleViolation: revoked (reinstate it first).
        Conflict: already superseded (re-issue the newest one).
    """
    if row["status"] == "revoked":
        raise RuleViolation(
            "Sertifikat yang dicabut tidak dapat diterbitkan ulang; pulihkan terlebih dahulu"
        )
    if row["status"] == "superseded" or row["superseded_by"] is not None:
        raise Conflict("Sertifikat ini sudah diganti; terbitkan ulang sertifikat penggantinya")


async def successor_id(certificate_id: UUID) -> UUID | None:
    """The newest certificate that supersedes this one, if ``issue_one`` did not say."""
    row = await (
        Certificate.select(Certificate.id)
        .where(Certificate.supersedes == certificate_id)
        .order_by(Certificate.issued_at, ascending=False)
        .first()
    )
    return row["id"] if row else None


async def link_reissue(
    caller: Caller, old: dict[str, Any], new: dict[str, Any], reason: str
) -> None:
    """Mark the old certificate superseded by the new one (both directions) and audit."""
    certificate_id = old["id"]
    new_id = new["id"]
    await Certificate.update(
        {Certificate.status: "superseded", Certificate.superseded_by: new_id}
    ).where(Certificate.id == certificate_id)
    await Certificate.update({Certificate.supersedes: certificate_id}).where(
        Certificate.id == new_id
    )
    await audit.record(
        caller,
        "certificate.reissue",
        "certificate",
        certificate_id,
        f"{old['number']} diganti oleh {new['number']}: {reason}",
        {
            "status": [old["status"], "superseded"],
            "superseded_by": str(new_id),
            "reason": reason,
        },
    )
    await audit.record(
        caller,
        "certificate.reissued_from",
        "certificate",
        new_id,
        f"{new['number']} menggantikan {old['number']}: {reason}",
        {"supersedes": str(certificate_id), "reason": reason},
    )


async def withdraw_duplicate(caller: Caller, new_id: UUID) -> None:
    """Another request changed the old certificate while ours was issued: void ours.

    The new row stays (numbers are gap-free and never reused), revoked with the reason.
    """
    at = dt.datetime.now(dt.UTC)
    await Certificate.update(
        {
            Certificate.status: "revoked",
            Certificate.revoked_at: at,
            Certificate.revocation: {
                "category": "lainnya",
                "reason": "Penerbitan ulang ganda dibatalkan",
                "at": at.isoformat(),
                "by": str(caller.user_id),
                "by_name": caller.username,
                "history": [],
            },
        }
    ).where(Certificate.id == new_id)
    await audit.record(
        caller,
        "certificate.revoke",
        "certificate",
        new_id,
        "Penerbitan ulang ganda dibatalkan",
        {"status": ["valid", "revoked"], "category": "lainnya"},
    )

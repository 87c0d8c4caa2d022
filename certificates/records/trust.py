"""Keeping a certificate's status true: revocation, reinstatement, re-issue, expiry planning.

A certificate row is never deleted or rewritten: a revocation keeps it with a reason (category
and text) and takes its JP out of the holder's ledger; an admin can reinstate it, which restores
the JP. A re-issue (after the holder's name, titles, NIP or golongan were corrected on the
person record) issues a new certificate with a new number and code from the current data, and
links the two both ways (``supersedes`` / ``superseded_by``). Every change is audited in the
same transaction, so verification sees the new status as soon as the request answers.

Who may: revoke and re-issue, an organizer whose unit scope covers the issuing unit (or an
admin); reinstate, an admin only. Certificates out of the caller's scope answer 404.

The request and answer bodies are in ``certificates.records.schemas``, the steps of a re-issue in
``certificates.records.reissue`` and the expiring list in ``certificates.records.expiry``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from uuid import UUID

import msgspec

from certificates.records.expiry import expiring_certificates
from certificates.records.reissue import (
    IssueOne,
    check_reissuable,
    default_issue_one,
    link_reissue,
    new_certificate_id,
    successor_id,
    withdraw_duplicate,
)
from certificates.records.schemas import (
    REVOCATION_CATEGORIES,
    CertificateTrustRead,
    ChainLink,
    ExpiringItem,
    ReasonRequest,
    ReissueRead,
    RevocationDetail,
    RevokeRequest,
)
from certificates.records.service import effective_status, today_in
from certificates.tables import Certificate
from lms.audit import services as audit
from lms.auth.caller import Caller
from lms.competencies import ledger
from lms.config import Settings
from lms.db.locks import lock_row
from lms.shared.errors import Conflict, NotFound, RuleViolation
from lms.shared.schemas import Page
from lms.shared.values import utcnow

_COLUMNS = (
    Certificate.id,
    Certificate.number,
    Certificate.code,
    Certificate.status,
    Certificate.session_id,
    Certificate.person_id,
    Certificate.unit_path,
    Certificate.valid_until,
    Certificate.revoked_at,
    Certificate.revocation,
    Certificate.supersedes,
    Certificate.superseded_by,
)


def _json(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    if not value:
        return {}
    decoded = msgspec.json.decode(value)
    return decoded if isinstance(decoded, dict) else {}


class TrustService:
    """Revocation, reinstatement, re-issue and the expiring list.

    Args:
        settings: the app's: ``public_base_url`` for verify links in answers, ``timezone`` (the
            date in it decides expiry), and what a re-issue renders and stores with.
        issue_one: issues one certificate (default: ``certificates.issuing.service.issue_one``).
    """

    def __init__(self, settings: Settings, issue_one: IssueOne | None = None) -> None:
        self.settings = settings
        self.base_url = settings.public_base_url.rstrip("/")
        self.timezone = settings.timezone
        self._issue_one = issue_one

    # -- reading ------------------------------------------------------------------------------

    async def _row(self, certificate_id: UUID, *, lock: bool = False) -> dict[str, Any] | None:
        if lock:
            await lock_row(Certificate, certificate_id)
        return await Certificate.select(*_COLUMNS).where(Certificate.id == certificate_id).first()

    async def _visible(
        self, caller: Caller, certificate_id: UUID, *, lock: bool = False
    ) -> dict[str, Any]:
        row = await self._row(certificate_id, lock=lock)
        if row is None or not caller.sees_unit(row["unit_path"]):
            raise NotFound("Sertifikat tidak ditemukan")
        return row

    async def read(self, certificate_id: UUID) -> CertificateTrustRead:
        """The certificate's trust fields with both ends of its chain."""
        row = await self._row(certificate_id)
        if row is None:
            raise NotFound("Sertifikat tidak ditemukan")
        return await self._trust_read(row)

    async def _link(self, certificate_id: UUID | None) -> ChainLink | None:
        if certificate_id is None:
            return None
        row = await (
            Certificate.select(Certificate.id, Certificate.number, Certificate.code)
            .where(Certificate.id == certificate_id)
            .first()
        )
        if row is None:
            return None
        return ChainLink(
            id=row["id"], number=row["number"], verify_url=f"{self.base_url}/verify/{row['code']}"
        )

    async def _trust_read(self, row: dict[str, Any]) -> CertificateTrustRead:
        status = effective_status(row["status"], row["valid_until"], today_in(self.timezone))
        revocation = None
        if row["status"] == "revoked":
            stored = _json(row["revocation"])
            category = str(stored.get("category") or "lainnya")
            labels = REVOCATION_CATEGORIES.get(category, REVOCATION_CATEGORIES["lainnya"])
            revocation = RevocationDetail(
                category=category,
                category_label=labels["id"],
                reason=str(stored.get("reason") or ""),
                at=row["revoked_at"],
                by=stored.get("by_name"),
            )
        return CertificateTrustRead(
            id=row["id"],
            number=row["number"],
            status=status,
            verify_url=f"{self.base_url}/verify/{row['code']}",
            valid_until=row["valid_until"],
            revocation=revocation,
            supersedes=await self._link(row["supersedes"]),
            superseded_by=await self._link(row["superseded_by"]),
        )

    # -- revocation ---------------------------------------------------------------------------

    async def revoke(
        self, caller: Caller, certificate_id: UUID, data: RevokeRequest
    ) -> CertificateTrustRead:
        """Revoke a valid (or expired) certificate and take its JP out of the ledger.

        Raises:
            NotFound: unknown, or outside the caller's scope.
            Conflict: already revoked.
            RuleViolation: already superseded (revoke its successor instead).
        """
        async with Certificate._meta.db.transaction():
            row = await self._visible(caller, certificate_id, lock=True)
            if row["status"] == "revoked":
                raise Conflict("Sertifikat ini sudah dicabut")
            if row["status"] == "superseded":
                raise RuleViolation(
                    "Sertifikat ini sudah diganti oleh penerbitan ulang; cabut sertifikat "
                    "penggantinya"
                )
            at = utcnow()
            previous = _json(row["revocation"])
            revocation = {
                "category": data.category,
                "reason": data.reason,
                "at": at.isoformat(),
                "by": str(caller.user_id),
                "by_name": caller.username,
                "history": previous.get("history", []),
            }
            await Certificate.update(
                {
                    Certificate.status: "revoked",
                    Certificate.revoked_at: at,
                    Certificate.revocation: revocation,
                }
            ).where(Certificate.id == certificate_id)
            credit = await self._ledger(
                ledger.revoke_session_credit,
                row,
                caller,
                f"Sertifikat {row['number']} dicabut: {data.reason}",
            )
            await audit.record(
                caller,
                "certificate.revoke",
                "certificate",
                certificate_id,
                f"{row['number']} dicabut ({data.category}): {data.reason}",
                {
                    "status": [row["status"], "revoked"],
                    "category": data.category,
                    "reason": data.reason,
                    "ledger_record": credit,
                },
            )
        return await self.read(certificate_id)

    async def reinstate(
        self, caller: Caller, certificate_id: UUID, data: ReasonRequest
    ) -> CertificateTrustRead:
        """Make a revoked certificate valid again (admins) and restore its JP.

        Raises:
            NotFound: unknown certificate.
            Conflict: not revoked, or the holder meanwhile got another valid certificate of the
                same session (reinstating would make two).
        """
        async with Certificate._meta.db.transaction():
            row = await self._visible(caller, certificate_id, lock=True)
            if row["status"] != "revoked":
                raise Conflict("Hanya sertifikat yang dicabut yang dapat dipulihkan")
            other = await (
                Certificate.select(Certificate.number)
                .where(
                    (Certificate.session_id == row["session_id"])
                    & (Certificate.person_id == row["person_id"])
                    & (Certificate.status == "valid")
                    & (Certificate.id != certificate_id)
                )
                .first()
            )
            if other is not None:
                raise Conflict(
                    f"Peserta sudah memegang sertifikat sah lain untuk sesi ini "
                    f"({other['number']}); sertifikat ini tidak dapat dipulihkan"
                )
            stored = _json(row["revocation"])
            ended = {key: stored.get(key) for key in ("category", "reason", "at", "by", "by_name")}
            ended.update(
                reinstated_at=utcnow().isoformat(),
                reinstated_by=caller.username,
                reinstate_reason=data.reason,
            )
            await Certificate.update(
                {
                    Certificate.status: "valid",
                    Certificate.revoked_at: None,
                    Certificate.revocation: {"history": [*stored.get("history", []), ended]},
                }
            ).where(Certificate.id == certificate_id)
            credit = await self._ledger(
                ledger.restore_session_credit,
                row,
                caller,
                f"Sertifikat {row['number']} dipulihkan: {data.reason}",
            )
            await audit.record(
                caller,
                "certificate.reinstate",
                "certificate",
                certificate_id,
                f"{row['number']} dipulihkan: {data.reason}",
                {"status": ["revoked", "valid"], "reason": data.reason, "ledger_record": credit},
            )
        return await self.read(certificate_id)

    @staticmethod
    async def _ledger(
        change: Callable[..., Awaitable[UUID]], row: dict[str, Any], caller: Caller, reason: str
    ) -> str | None:
        """Apply a ledger change for the certificate's session credit; ``None`` if there is none.

        A certificate without a ledger entry (issued before the ledger existed, or its credit
        removed) is still revoked or reinstated: the certificate is the record that matters.
        """
        try:
            record_id = await change(
                person_id=row["person_id"],
                session_id=row["session_id"],
                reason=reason,
                actor=caller,
            )
        except NotFound:
            return None
        return str(record_id)

    # -- re-issue -----------------------------------------------------------------------------

    async def reissue(
        self, caller: Caller, certificate_id: UUID, data: ReasonRequest
    ) -> ReissueRead:
        """Issue a corrected certificate from current data that supersedes this one.

        Corrections (name, titles, NIP, golongan, jabatan) are made on the person record first;
        the new snapshot is taken from it, with a new number and code.

        Raises:
            NotFound: unknown, or outside the caller's scope.
            Conflict: already superseded (re-issue the newest one), or a concurrent re-issue won.
            RuleViolation: revoked (reinstate it first).
        """
        row = await self._visible(caller, certificate_id)
        check_reissuable(row)
        issue_one = self._issue_one or default_issue_one()
        result = await issue_one(
            settings=self.settings,
            session_id=row["session_id"],
            person_id=row["person_id"],
            actor=caller,
            supersedes=certificate_id,
        )
        new_id = new_certificate_id(result) or await successor_id(certificate_id)
        if new_id is None:
            raise RuleViolation("Sertifikat pengganti tidak dapat diterbitkan")
        async with Certificate._meta.db.transaction():
            old = await self._visible(caller, certificate_id, lock=True)
            lost = old["superseded_by"] not in (None, new_id) or old["status"] == "revoked"
            if lost:
                await withdraw_duplicate(caller, new_id)
            else:
                new = await self._row(new_id)
                if new is None:
                    raise RuleViolation("Sertifikat pengganti tidak ditemukan")
                await link_reissue(caller, old, new, data.reason)
        if lost:
            raise Conflict(
                f"Sertifikat {old['number']} diubah oleh permintaan lain selama penerbitan "
                "ulang; sertifikat pengganti yang baru dibatalkan"
            )
        return ReissueRead(
            certificate=await self.read(new_id), previous=await self.read(certificate_id)
        )

    # -- expiry -------------------------------------------------------------------------------

    async def expiring(
        self, caller: Caller, *, days: int, limit: int, offset: int
    ) -> Page[ExpiringItem]:
        """Valid certificates whose last valid day falls within ``days`` from today (see
        ``certificates.records.expiry.expiring_certificates``)."""
        return await expiring_certificates(
            caller,
            base_url=self.base_url,
            timezone=self.timezone,
            days=days,
            limit=limit,
            offset=offset,
        )

"""Keeping a certificate's status true: revocation, reinstatement, re-issue, expiry planning.

A certificate row is never deleted or rewritten: a revocation keeps it with a reason (category
and text) and takes its JP out of the holder's ledger; an admin can reinstate it, which restores
the JP. A re-issue (after the holder's name, titles, NIP or golongan were corrected on the
person record) issues a new certificate with a new number and code from the current data, and
links the two both ways (``supersedes`` / ``superseded_by``). Every change is audited in the
same transaction, so verification sees the new status as soon as the request answers.

Who may: revoke and re-issue, an organizer whose unit scope covers the issuing unit (or an
admin); reinstate, an admin only. Certificates out of the caller's scope answer 404.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec

from certificates.tables import Certificate
from certificates.verification import (
    REVOCATION_CATEGORIES,
    Status,
    effective_status,
    today_in,
)
from lms.audit import services as audit
from lms.auth.caller import Caller
from lms.competencies import ledger
from lms.shared.errors import Conflict, NotFound, RuleViolation
from lms.shared.schemas import Input, Output, Page

RevocationCategory = Literal[
    "salah_data", "tidak_memenuhi_syarat", "pelanggaran", "permintaan_peserta", "lainnya"
]
Reason = Annotated[str, msgspec.Meta(min_length=3, max_length=1000)]

IssueOne = Callable[..., Awaitable[Any]]
"""``certificates.issuing.issue_one(*, session_id, person_id, actor, supersedes=None, ...)``."""


class RevokeRequest(Input):
    """Why a certificate is revoked: a public category and a text only staff see."""

    category: RevocationCategory
    reason: Reason


class ReasonRequest(Input):
    """Why (reinstatement, re-issue): kept in the audit log."""

    reason: Reason


class ChainLink(Output):
    """The other end of a re-issue."""

    id: UUID
    number: str
    verify_url: str


class RevocationDetail(Output):
    """A revocation as staff see it (with the free text)."""

    category: str
    category_label: str
    reason: str
    at: dt.datetime | None
    by: str | None


class CertificateTrustRead(Output):
    """A certificate's status after a trust operation."""

    id: UUID
    number: str
    status: Status
    verify_url: str
    valid_until: dt.date | None
    revocation: RevocationDetail | None
    supersedes: ChainLink | None
    superseded_by: ChainLink | None


class ReissueRead(Output):
    """The new certificate and the one it replaces."""

    certificate: CertificateTrustRead
    previous: CertificateTrustRead


class ExpiringItem(Output):
    """A certificate whose validity ends soon, with no newer valid one of the same course."""

    certificate_id: UUID
    number: str
    person_id: UUID
    holder_name: str
    nip: str | None
    course_id: UUID
    course: str
    session_id: UUID
    valid_until: dt.date
    days_left: int
    verify_url: str


class _ExpiringSnapshot(msgspec.Struct):
    class _Holder(msgspec.Struct):
        name_with_titles: str
        nip_display: str | None = None

    holder: _Holder
    course_title: str


_EXPIRING_DECODER = msgspec.json.Decoder(_ExpiringSnapshot)
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


def _default_issue_one() -> IssueOne:
    # Imported when first needed: issuing pulls in the renderer, trust must not.
    from certificates.issuing import issue_one

    return issue_one


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _is_postgres() -> bool:
    return Certificate._meta.db.engine_type == "postgres"


def _json(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    if not value:
        return {}
    decoded = msgspec.json.decode(value)
    return decoded if isinstance(decoded, dict) else {}


def _new_id(result: Any) -> UUID | None:
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


class TrustService:
    """Revocation, reinstatement, re-issue and the expiring list.

    Args:
        public_base_url: ``LMS_PUBLIC_BASE_URL``, for verify links in answers.
        timezone: ``LMS_TIMEZONE``: the date in it decides expiry.
        issue_one: issues one certificate (default: ``certificates.issuing.issue_one``).
    """

    def __init__(
        self,
        public_base_url: str,
        timezone: str = "Asia/Jakarta",
        issue_one: IssueOne | None = None,
    ) -> None:
        self.base_url = public_base_url.rstrip("/")
        self.timezone = timezone
        self._issue_one = issue_one

    # -- reading ------------------------------------------------------------------------------

    async def _row(self, certificate_id: UUID, *, lock: bool = False) -> dict[str, Any] | None:
        if lock and _is_postgres():
            await Certificate.raw(
                "SELECT id FROM certificate WHERE id = {} FOR UPDATE", certificate_id
            )
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
            at = _now()
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
                reinstated_at=_now().isoformat(),
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
        self._check_reissuable(row)
        issue_one = self._issue_one or _default_issue_one()
        result = await issue_one(
            session_id=row["session_id"],
            person_id=row["person_id"],
            actor=caller,
            supersedes=certificate_id,
        )
        new_id = _new_id(result) or await self._successor_id(certificate_id)
        if new_id is None:
            raise RuleViolation("Sertifikat pengganti tidak dapat diterbitkan")
        async with Certificate._meta.db.transaction():
            old = await self._visible(caller, certificate_id, lock=True)
            lost = old["superseded_by"] not in (None, new_id) or old["status"] == "revoked"
            if lost:
                await self._withdraw_duplicate(caller, new_id)
            else:
                await self._link_reissue(caller, old, new_id, data.reason)
        if lost:
            raise Conflict(
                f"Sertifikat {old['number']} diubah oleh permintaan lain selama penerbitan "
                "ulang; sertifikat pengganti yang baru dibatalkan"
            )
        return ReissueRead(
            certificate=await self.read(new_id), previous=await self.read(certificate_id)
        )

    async def _link_reissue(
        self, caller: Caller, old: dict[str, Any], new_id: UUID, reason: str
    ) -> None:
        """Mark the old certificate superseded by the new one (both directions) and audit."""
        certificate_id = old["id"]
        new = await self._row(new_id)
        if new is None:
            raise RuleViolation("Sertifikat pengganti tidak ditemukan")
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

    @staticmethod
    def _check_reissuable(row: dict[str, Any]) -> None:
        if row["status"] == "revoked":
            raise RuleViolation(
                "Sertifikat yang dicabut tidak dapat diterbitkan ulang; pulihkan terlebih dahulu"
            )
        if row["status"] == "superseded" or row["superseded_by"] is not None:
            raise Conflict("Sertifikat ini sudah diganti; terbitkan ulang sertifikat penggantinya")

    async def _successor_id(self, certificate_id: UUID) -> UUID | None:
        row = await (
            Certificate.select(Certificate.id)
            .where(Certificate.supersedes == certificate_id)
            .order_by(Certificate.issued_at, ascending=False)
            .first()
        )
        return row["id"] if row else None

    async def _withdraw_duplicate(self, caller: Caller, new_id: UUID) -> None:
        """Another request changed the old certificate while ours was issued: void ours.

        The new row stays (numbers are gap-free and never reused), revoked with the reason.
        """
        at = _now()
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

    # -- expiry -------------------------------------------------------------------------------

    async def expiring(
        self, caller: Caller, *, days: int, limit: int, offset: int
    ) -> Page[ExpiringItem]:
        """Valid certificates whose last valid day falls within ``days`` from today.

        Holders who already hold a newer valid certificate of the same course (recertified)
        are left out. Soonest first; limited to the caller's unit scope.
        """
        today = today_in(self.timezone)
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
                    verify_url=f"{self.base_url}/verify/{row['code']}",
                )
            )
        return Page(items=items, total=int(counted[0]["n"]))


def _uuid(value: Any) -> UUID:
    return value if isinstance(value, UUID) else UUID(str(value))

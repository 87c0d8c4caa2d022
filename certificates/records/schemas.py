"""The bodies of the trust operations: revoke, reinstate and re-issue requests, a certificate's
trust fields with both ends of its re-issue chain, and the expiring list's items.

Separate from ``certificates.records.trust`` (the operations) so that the controllers and the
expiring list (``certificates.records.expiry``) share them without importing the services.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal
from uuid import UUID

import msgspec

from certificates.issuing.schemas import Status
from lms.shared.schemas import Input, Output

RevocationCategory = Literal[
    "salah_data", "tidak_memenuhi_syarat", "pelanggaran", "permintaan_peserta", "lainnya"
]
Reason = Annotated[str, msgspec.Meta(min_length=3, max_length=1000)]

#: Why a certificate was revoked: the category is public, the free text is not.
REVOCATION_CATEGORIES: dict[str, dict[str, str]] = {
    "salah_data": {"id": "Kesalahan data", "en": "Incorrect data"},
    "tidak_memenuhi_syarat": {"id": "Tidak memenuhi syarat", "en": "Requirements not met"},
    "pelanggaran": {"id": "Pelanggaran", "en": "Violation"},
    "permintaan_peserta": {"id": "Permintaan peserta", "en": "At the holder's request"},
    "lainnya": {"id": "Lainnya", "en": "Other"},
}


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


STATUS_LABELS: dict[str, dict[str, str]] = {
    "id": {
        "valid": "SAH",
        "expired": "KEDALUWARSA",
        "revoked": "DICABUT",
        "superseded": "DIGANTI",
    },
    "en": {
        "valid": "VALID",
        "expired": "EXPIRED",
        "revoked": "REVOKED",
        "superseded": "SUPERSEDED",
    },
}
"""What a status is called on the public page and in exports, per language."""

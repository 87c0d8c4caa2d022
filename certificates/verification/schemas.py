"""The bodies of the verification API: the public answer, HR's batch request and rows, and the
status labels they print (the revocation categories are ``certificates.records.schemas``).

Separate from ``certificates.verification.service`` (the lookups) so the page, the controllers, HR's
batch check share the answer types and labels without the hot path
around them. The public answer masks the NIP and gives only the category of a revocation (see
``certificates.verification.service``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from uuid import UUID

from certificates.issuing.schemas import Status
from lms.shared.schemas import Input, Output


class VerifyBatchRequest(Input):
    """``{"items": ["001/PP/DPMPTSP/XI/2026", "K7QM-2XW9-RT4H-BP3N", ...]}``: numbers or codes."""

    items: list[str]


# Answers and snapshot parts are declared ``gc=False``: they never form reference cycles, and
# instances the garbage collector does not track make the busiest public route cheaper.


class HolderView(Output, gc=False):
    """The holder as the public may see them."""

    name: str
    nip: str | None = None


class CertificateLink(Output, gc=False):
    """Another certificate of the same chain (predecessor or successor)."""

    number: str
    verify_url: str


class RevocationView(Output, gc=False):
    """When and why (category only) a certificate was revoked."""

    at: dt.datetime | None
    category: str
    category_label: str


class VerificationRead(Output, gc=False):
    """The public answer of ``GET /api/v1/verify/{code}`` (and the data of the HTML page)."""

    status: Status
    status_label: str
    checked_at: dt.datetime
    number: str
    verify_url: str
    holder: HolderView
    course: str
    session_name: str | None
    start_date: dt.date
    end_date: dt.date
    jp: Decimal
    predikat: str | None
    issuer: str
    place: str | None
    issued_at: dt.datetime
    valid_until: dt.date | None
    superseded_by: CertificateLink | None
    supersedes: CertificateLink | None
    revocation: RevocationView | None


class BatchRow(Output, gc=False):
    """One line of an HR batch check, in the order the numbers or codes were sent."""

    input: str
    found: bool
    status: Status | None = None
    status_label: str | None = None
    certificate_id: UUID | None = None
    number: str | None = None
    verify_url: str | None = None
    holder_name: str | None = None
    nip: str | None = None
    course: str | None = None
    jp: Decimal | None = None
    issued_at: dt.datetime | None = None
    valid_until: dt.date | None = None
    superseded_by: CertificateLink | None = None


class VerifyBatchRead(Output, gc=False):
    """The answer of ``POST /api/v1/verify/batch``."""

    items: list[BatchRow]
    total: int
    found: int
    checked_at: dt.datetime

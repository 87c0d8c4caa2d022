"""Request and response bodies of issuing, downloads, templates and issuer profiles."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec
from litestar.params import QueryParameter

from certificates.rendering.bsre import SignaturePlacement
from lms.jobs.schemas import JobAccepted  # noqa: F401 - the bodies of certificates
from lms.shared.schemas import Input, NonEmptyStr, Output

#: A certificate's status as a reader sees it (``expired`` is computed, never stored: see
#: ``certificates.records.service.effective_status``).
Status = Literal["valid", "expired", "revoked", "superseded"]

YearQuery = Annotated[int | None, QueryParameter(ge=2000, le=2100, description="Issue year")]
StatusQuery = Annotated[Status | None, QueryParameter(description="Current status")]

#: Up to a whole session (and then some) in one request.
PersonIds = Annotated[list[UUID], msgspec.Meta(min_length=1, max_length=5000)]
#: A template's HTML or CSS; real templates are a few KiB.
TemplateText = Annotated[str, msgspec.Meta(max_length=200_000)]
TemplateHtml = Annotated[str, msgspec.Meta(min_length=1, max_length=200_000)]
#: A logo or scanned signature, inline: the only image form a render may use (no file, no URL).
ImageDataUri = Annotated[
    str,
    msgspec.Meta(
        pattern=r"^data:image/(png|jpeg|svg\+xml);base64,[A-Za-z0-9+/=]+$", max_length=1_000_000
    ),
]
Pattern = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
SignerNip = Annotated[str, msgspec.Meta(pattern=r"^([0-9]{18})?$")]
Short = Annotated[str, msgspec.Meta(max_length=128)]


class IssueRequest(Input):
    """``POST /sessions/{id}/certificates``: everyone who passed, or only ``person_ids``."""

    person_ids: PersonIds | None = None


class CertificateLinks(Output):
    """Where to get the certificate's PDF and where its QR code points."""

    self: str
    pdf: str
    verify: str


class CertificateListItem(Output):
    """A certificate in a list (without the full snapshot)."""

    id: UUID
    number: str
    code: str
    status: str
    holder_name: str
    course_title: str
    session_id: UUID
    person_id: UUID
    course_id: UUID
    unit_id: UUID
    year: int
    issued_at: dt.datetime
    valid_until: dt.date | None
    links: CertificateLinks


class SigningCallRead(Output):
    """One call to the BSrE Esign Client for this certificate (the signing log; no secrets).

    ``outcome`` is ``signed``, ``refused`` (BSrE said no, or its PDF failed our check) or
    ``failed`` (timeout, unreachable, server error); ``error_code`` is Prima's code for it
    (docs/SIGNING.md lists them) and ``bsre_code`` BSrE's own ``status_code``.
    """

    at: dt.datetime
    endpoint: str
    attempt: int
    outcome: str
    http_status: int | None
    duration_ms: int
    error_code: str
    bsre_code: int | None


class CertificateRead(Output):
    """One certificate: its status, every printed field (``snapshot``) and links.

    ``status`` is the current one: ``valid``, ``expired`` (past ``valid_until``), ``revoked``
    or ``superseded``.
    """

    id: UUID
    number: str
    code: str
    status: str
    holder_name: str
    course_title: str
    session_id: UUID
    person_id: UUID
    course_id: UUID
    unit_id: UUID
    year: int
    issued_at: dt.datetime
    issued_by: UUID | None
    valid_until: dt.date | None
    pdf_sha256: str
    signed: bool
    supersedes: UUID | None
    superseded_by: UUID | None
    revoked_at: dt.datetime | None
    revocation: dict[str, Any]
    snapshot: dict[str, Any]
    links: CertificateLinks
    signing_log: list[SigningCallRead] = []


class TemplateCreate(Input):
    """A unit's own certificate template: Jinja2 HTML and CSS (see
    ``certificates.rendering.templating``
    for the variables)."""

    name: NonEmptyStr
    html: TemplateHtml
    css: TemplateText = ""
    #: Where a BSrE signature is drawn on its certificates (docs/SIGNING.md); invisible if null.
    signature_placement: SignaturePlacement | None = None


class TemplatePreview(Input):
    """A template to try out on sample data before saving it."""

    html: TemplateHtml
    css: TemplateText = ""


class TemplateSummary(Output):
    """A stored template, without its source."""

    id: UUID
    unit_id: UUID | None
    name: str
    version: int
    created_at: dt.datetime


class TemplateRead(Output):
    """A template with its source (``id`` and ``unit_id`` are null for the built-in one)."""

    id: UUID | None
    unit_id: UUID | None
    name: str
    version: int
    created_at: dt.datetime
    html: str
    css: str
    signature_placement: SignaturePlacement


class IssuerProfileWrite(Input):
    """How a unit issues certificates (``PUT`` replaces every text field).

    ``address``, ``committee_name`` and ``committee_nip`` (the panitia who signs the daftar hadir)
    are printed on the office's paperwork with the logo.

        ``logo`` and ``signature_image`` are ``data:`` URIs (PNG, JPEG or SVG): leave them out to
        keep the current image, send ``null`` to remove it. ``template_id`` null means the built-in
        template.
    """

    number_pattern: Pattern
    organizer_name: NonEmptyStr
    city: Annotated[str, msgspec.Meta(min_length=1, max_length=128)]
    signer_name: NonEmptyStr
    signer_jabatan: NonEmptyStr
    signer_nip: SignerNip = ""
    signer_pangkat: Short = ""
    template_id: UUID | None = None
    logo: ImageDataUri | None | msgspec.UnsetType = msgspec.UNSET
    signature_image: ImageDataUri | None | msgspec.UnsetType = msgspec.UNSET
    address: Annotated[str, msgspec.Meta(max_length=255)] = ""
    committee_name: Short = ""
    committee_nip: SignerNip = ""


class IssuerProfileRead(Output):
    """A unit's issuer profile, with the number its pattern would print today as an example."""

    unit_id: UUID
    number_pattern: str
    example_number: str
    organizer_name: str
    city: str
    signer_name: str
    signer_jabatan: str
    signer_nip: str
    signer_pangkat: str
    template_id: UUID | None
    has_logo: bool
    has_signature_image: bool
    address: str
    committee_name: str
    committee_nip: str
    updated_at: dt.datetime | None
    configured: bool
    """False when the unit has no profile yet (the values shown are the defaults)."""


__all__ = [
    "CertificateLinks",
    "CertificateListItem",
    "CertificateRead",
    "ImageDataUri",
    "IssueRequest",
    "IssuerProfileRead",
    "IssuerProfileWrite",
    "JobAccepted",
    "TemplateCreate",
    "TemplatePreview",
    "TemplateRead",
    "TemplateSummary",
    "StatusQuery",
    "YearQuery",
]

"""Reading issued certificates: who may see which, the current status, lists and details.

Visibility: admins see every certificate; organizers and HR those issued by their unit and the
units below (the session's unit path, kept in the row, so it still works after the session is
deleted); a participant only their own. Anything else is a 404.

A certificate's stored ``status`` is ``valid``, ``revoked`` or ``superseded``; ``expired`` is
read off ``valid_until`` against today's date, so nothing has to run at midnight.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import msgspec

from certificates.issuing.remote_signing import signing_log
from certificates.issuing.schemas import (
    CertificateLinks,
    CertificateListItem,
    CertificateRead,
    Status,
)
from certificates.tables import Certificate
from lms.auth.caller import Caller
from lms.config import Settings
from lms.people.database import contains_text
from lms.shared.errors import NotFound
from lms.shared.letterhead import LetterheadSource
from lms.shared.schemas import Page

NOT_FOUND = "Sertifikat tidak ditemukan."
STATUSES = ("valid", "expired", "revoked", "superseded")


def today_in(timezone: str) -> dt.date:
    """The calendar date now in ``timezone`` (validity ends on a local date, not a UTC one)."""
    return dt.datetime.now(ZoneInfo(timezone)).date()


def today(settings: Settings) -> dt.date:
    """Today in the installation's time zone (what "expired" is judged against)."""
    return today_in(settings.timezone)


def effective_status(stored: str, valid_until: dt.date | None, on: dt.date) -> Status:
    """The status a reader sees: ``expired`` is a ``valid`` certificate past its last day.

    Revoked and superseded are stored (they are decisions); expiry is time passing, so it is
    computed here and never written. ``valid_until`` is the last valid day, inclusive. The
    public verification answers (``certificates.verification.service``) and trust operations use
    this
    same rule.
    """
    if stored == "revoked":
        return "revoked"
    if stored == "superseded":
        return "superseded"
    if valid_until is not None and on > valid_until:
        return "expired"
    return "valid"


def load_json(value: Any) -> dict[str, Any]:
    """A JSON column's value as a dict (Piccolo returns the text)."""
    if isinstance(value, dict):
        return value
    if not value:
        return {}
    loaded = json.loads(value)
    return loaded if isinstance(loaded, dict) else {}


def may_see(caller: Caller, row: dict[str, Any]) -> bool:
    """The visibility rule of the module docstring."""
    if caller.is_admin or caller.is_person(row["person_id"]):
        return True
    return caller.role in ("organizer", "hr") and caller.sees_unit(row["unit_path"])


def scope_filter(caller: Caller) -> Any:
    """A WHERE clause limiting a query to the certificates the caller may see (None: all)."""
    if caller.is_admin:
        return None
    clauses: list[Any] = []
    if caller.role in ("organizer", "hr") and caller.unit_path:
        clauses.append(Certificate.unit_path.like(f"{caller.unit_path}%"))
    if caller.person_id is not None:
        clauses.append(Certificate.person_id == caller.person_id)
    if not clauses:
        return Certificate.id.is_null()  # matches nothing
    where: Any = clauses[0]
    for clause in clauses[1:]:
        where = where | clause
    return where


async def get_visible(caller: Caller, certificate_id: UUID) -> dict[str, Any]:
    """The certificate row if the caller may see it.

    Raises:
        NotFound: unknown, or not visible to the caller.
    """
    row = await Certificate.select().where(Certificate.id == certificate_id).first()
    if row is None or not may_see(caller, row):
        raise NotFound(NOT_FOUND)
    return row


def links(settings: Settings, row: dict[str, Any]) -> CertificateLinks:
    """API links of a certificate and the public URL its QR code points at."""
    base = f"/api/v1/certificates/{row['id']}"
    verify = f"{settings.public_base_url.rstrip('/')}/verify/{row['code']}"
    return CertificateLinks(self=base, pdf=f"{base}/pdf", verify=verify)


def course_title(snapshot: dict[str, Any]) -> str:
    """The course as printed ("Pelatihan Pelayanan Prima Angkatan I")."""
    title = str(snapshot.get("course_title") or "")
    session = snapshot.get("session_name")
    return f"{title} {session}" if session else title


def _listed_fields(
    settings: Settings, row: dict[str, Any], snapshot: dict[str, Any], on: dt.date
) -> dict[str, Any]:
    """The fields a list item and a full read share, from one row and its decoded snapshot."""
    return {
        "id": row["id"],
        "number": row["number"],
        "code": row["code"],
        "status": effective_status(row["status"], row["valid_until"], on),
        "holder_name": row["holder_name"],
        "course_title": course_title(snapshot),
        "session_id": row["session_id"],
        "person_id": row["person_id"],
        "course_id": row["course_id"],
        "unit_id": row["unit_id"],
        "year": row["year"],
        "issued_at": row["issued_at"],
        "valid_until": row["valid_until"],
        "links": links(settings, row),
    }


def to_read(settings: Settings, row: dict[str, Any], on: dt.date) -> CertificateRead:
    """A row as ``CertificateRead``: the list item's fields and the full record."""
    snapshot = load_json(row["snapshot"])
    return CertificateRead(
        **_listed_fields(settings, row, snapshot, on),
        issued_by=row["issued_by"],
        pdf_sha256=row["pdf_sha256"],
        signed=bool(row["signed"]),
        supersedes=row["supersedes"],
        superseded_by=row["superseded_by"],
        revoked_at=row["revoked_at"],
        revocation=load_json(row["revocation"]),
        snapshot=snapshot,
    )


def to_item(settings: Settings, row: dict[str, Any], on: dt.date) -> CertificateListItem:
    """A row as ``CertificateListItem``."""
    return CertificateListItem(**_listed_fields(settings, row, load_json(row["snapshot"]), on))


def status_filter(status: str, on: dt.date) -> Any:
    """WHERE clause for a status as shown (``expired`` and ``valid`` depend on the date)."""
    if status == "expired":
        return (Certificate.status == "valid") & (Certificate.valid_until < on)
    if status == "valid":
        return (Certificate.status == "valid") & (
            Certificate.valid_until.is_null() | (Certificate.valid_until >= on)
        )
    return Certificate.status == status


class CertificateQuery:
    """Filters of ``GET /api/v1/certificates``."""

    def __init__(
        self,
        *,
        session_id: UUID | None = None,
        person_id: UUID | None = None,
        course_id: UUID | None = None,
        year: int | None = None,
        status: str | None = None,
        q: str | None = None,
    ) -> None:
        self.session_id = session_id
        self.person_id = person_id
        self.course_id = course_id
        self.year = year
        self.status = status
        self.q = (q or "").strip()

    def where(self, caller: Caller, on: dt.date) -> list[Any]:
        """The WHERE clauses (AND-ed), the caller's scope first."""
        clauses = []
        scope = scope_filter(caller)
        if scope is not None:
            clauses.append(scope)
        for column, value in (
            (Certificate.session_id, self.session_id),
            (Certificate.person_id, self.person_id),
            (Certificate.course_id, self.course_id),
            (Certificate.year, self.year),
        ):
            if value is not None:
                clauses.append(column == value)
        if self.status:
            clauses.append(status_filter(self.status, on))
        if self.q:
            clauses.append(
                contains_text(Certificate.number, self.q)
                | contains_text(Certificate.holder_name, self.q)
            )
        return clauses


class CertificateRecords:
    """Lists and details of issued certificates, as the caller may see them."""

    def __init__(self, settings: Settings, letterhead: LetterheadSource | None = None) -> None:
        self.settings = settings
        self.letterhead = letterhead

    async def search(
        self, caller: Caller, query: CertificateQuery, *, limit: int = 50, offset: int = 0
    ) -> Page[CertificateListItem]:
        """Newest first (then by number)."""
        on = today(self.settings)
        clauses = query.where(caller, on)
        select = Certificate.select()
        count = Certificate.count()
        for clause in clauses:
            select = select.where(clause)
            count = count.where(clause)
        rows = await (
            select.order_by(Certificate.issued_at, ascending=False)
            .order_by(Certificate.seq, ascending=False)
            .limit(limit)
            .offset(offset)
        )
        return Page(items=[to_item(self.settings, row, on) for row in rows], total=await count)

    async def get(self, caller: Caller, certificate_id: UUID) -> CertificateRead:
        """One certificate with its snapshot.

        Raises:
            NotFound: unknown, or not visible to the caller.
        """
        row = await get_visible(caller, certificate_id)
        read = to_read(self.settings, row, today(self.settings))
        return msgspec.structs.replace(read, signing_log=await signing_log(row["code"]))

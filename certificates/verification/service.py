"""Verification: a certificate's true status now, by code (public), number (HR) or PDF bytes.

A printed certificate cannot change, but its worth can: it may be revoked, replaced by a
corrected re-issue, or pass its ``valid_until``. Whoever checks it (anyone who scans the QR
code, HR of the holder's agency) must see the status as of this request, so nothing here is
cached: each answer is one indexed query on ``certificate.code`` (or ``number`` /
``pdf_sha256``) with the successor and predecessor joined in, and ``expired`` is computed at
read time from the date in the service's time zone (``LMS_TIMEZONE``, Asia/Jakarta by default).

The public answer masks the NIP (``1986**** ****** * 001``) and gives only the category of a
revocation, never its free text: the page is open to anyone holding the code. HR sees the whole
NIP of certificates issued within its unit scope.

The answer types live in ``certificates.verification.schemas``, HR's batch check in
``certificates.verification.batch`` and the expiry rule in ``certificates.records.service``; this
module keeps
the lookups, among them ``json_by_code``, the public API's hot path (tuned with
``tests/benchmarks/bench_verify.py``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import msgspec

from certificates.issuing.codes import lookup_forms
from certificates.issuing.schemas import Status
from certificates.records.schemas import REVOCATION_CATEGORIES, STATUS_LABELS
from certificates.records.service import effective_status
from certificates.tables import Certificate
from certificates.verification.schemas import (
    CertificateLink,
    HolderView,
    RevocationView,
    VerificationRead,
)
from lms.db import fetch_sql
from lms.people.nip import mask_display_nip
from lms.shared.values import cents

_IN_CHUNK = 400  # values per IN (...) list: two lists stay under SQLite's 999 variables

# The snapshot parts and the cached halves of an answer are ``gc=False``, like the answers in
# ``certificates.verification.schemas``: they never form reference cycles, and instances the
# garbage collector does not track make the busiest public route cheaper.


class _HolderPart(msgspec.Struct, gc=False):
    name_with_titles: str
    nip_display: str | None = None


class _SnapshotPart(msgspec.Struct, gc=False):
    """The fields of a stored ``CertificateSnapshot`` that verification shows (others skipped)."""

    holder: _HolderPart
    course_title: str
    organizer_name: str
    start_date: dt.date
    end_date: dt.date
    jp: int | Decimal
    session_name: str | None = None
    place: str | None = None
    predikat: str | None = None


class _Fixed(msgspec.Struct, gc=False):
    """The fields of an answer fixed at issue (number, holder, course, ... as printed)."""

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


class _Current(msgspec.Struct, gc=False):
    """The fields of an answer read at each request (the status and the chain)."""

    status: Status
    status_label: str
    checked_at: dt.datetime
    valid_until: dt.date | None
    superseded_by: CertificateLink | None
    supersedes: CertificateLink | None
    revocation: RevocationView | None


_SNAPSHOT_DECODER = msgspec.json.Decoder(_SnapshotPart)
_ENCODER = msgspec.json.Encoder()
#: The fixed part of each certificate's answer, decoded and encoded once, by certificate id. A
#: snapshot never changes after issue (a correction is a new certificate), so this is safe in
#: any number of workers; the status columns, which can change, are read on every request.
_FIXED: dict[str, tuple[_Fixed, bytes]] = {}
_FIXED_MAX = 50_000
_REVOCATION_DECODER = msgspec.json.Decoder(dict[str, Any])

# One indexed lookup with both ends of a re-issue chain joined in. Timestamps, dates and ids are
# read as text: parsing them here is cheaper than the per-column converters SQLite's driver
# would call, and the text forms (ISO 8601) are the same on SQLite and PostgreSQL.
_CHAIN = """
       n.number AS next_number, n.code AS next_code,
       p.number AS prev_number, p.code AS prev_code
FROM certificate c
LEFT JOIN certificate n ON n.id = c.superseded_by
LEFT JOIN certificate p ON p.id = c.supersedes
"""
_STATUS_COLUMNS = """
SELECT CAST(c.id AS TEXT) AS id, c.status, CAST(c.valid_until AS TEXT) AS valid_until,
       CAST(c.revoked_at AS TEXT) AS revoked_at, c.revocation,"""
#: Everything an answer needs.
_SELECT = (
    _STATUS_COLUMNS
    + """
       c.number, c.code, CAST(c.issued_at AS TEXT) AS issued_at, c.snapshot, c.unit_path,"""
    + _CHAIN
)
#: Only what can change after issue: the public lookup's query once the fixed part is cached
#: (it leaves the snapshot, the largest column, on disk).
_SELECT_STATUS = _STATUS_COLUMNS + _CHAIN
# Whole statements as constants: a string keeps its hash, so the engine's and the driver's
# statement caches find it without hashing ~600 characters again on every lookup.
_BY_CODE = _SELECT + "WHERE c.code = {}"
_STATUS_BY_CODE = _SELECT_STATUS + "WHERE c.code = {}"
_BY_PDF = _SELECT + "WHERE c.pdf_sha256 = {}"
_SELECT_FIXED = """
SELECT CAST(id AS TEXT) AS id, number, code, CAST(issued_at AS TEXT) AS issued_at, snapshot
FROM certificate WHERE id = {}
"""


async def _query(sql: str, *args: Any) -> list[dict[str, Any]]:
    """Run a read on the tables' engine as plain SQL (no query building: the hot path)."""
    return await fetch_sql(Certificate, sql, *args)


def verify_url(base_url: str, code: str) -> str:
    """The public page of a certificate, as its QR code encodes it."""
    return f"{base_url.rstrip('/')}/verify/{code}"


def _as_date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.datetime):
        return value.date()
    return dt.date.fromisoformat(str(value))


def _as_datetime(value: Any) -> dt.datetime | None:
    if value is None:
        return None
    if not isinstance(value, dt.datetime):
        value = dt.datetime.fromisoformat(str(value))
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _json_text(value: Any) -> bytes | str:
    if isinstance(value, (bytes, str)):
        return value
    return msgspec.json.encode(value)


class VerificationService:
    """Answers verification questions; reads only, and never caches a status.

    Args:
        public_base_url: ``LMS_PUBLIC_BASE_URL``, for the verify links of a chain.
        timezone: ``LMS_TIMEZONE``; the date in it decides expiry.
    """

    def __init__(self, public_base_url: str, timezone: str = "Asia/Jakarta") -> None:
        self.base_url = public_base_url.rstrip("/")
        self.timezone = timezone
        self._zone = ZoneInfo(timezone)
        self._today = (dt.date.min, 0.0, 0.0)  # (local date, POSIX times its day starts, ends)

    def today(self) -> dt.date:
        """Today's date in the service's time zone."""
        return self._local_date(dt.datetime.now(dt.UTC))

    def _local_date(self, moment: dt.datetime) -> dt.date:
        """The local date of ``moment``, converted once per local day (not on every lookup)."""
        day, starts, ends = self._today
        stamp = moment.timestamp()
        if not starts <= stamp < ends:
            day = moment.astimezone(self._zone).date()
            start = dt.datetime.combine(day, dt.time(), self._zone)
            end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), self._zone)
            self._today = (day, start.timestamp(), end.timestamp())
        return day

    # -- one certificate ----------------------------------------------------------------------

    async def _row_by_code(self, code: str) -> dict[str, Any] | None:
        if not code or len(code) > 64 or not _is_plain_text(code):
            return None
        for form in lookup_forms(code):
            rows = await _query(_BY_CODE, form)
            if rows:
                return rows[0]
        return None

    async def by_code(self, code: str) -> VerificationRead | None:
        """The public answer for a verification code; ``None`` when no certificate has it."""
        row = await self._row_by_code(code)
        return None if row is None else self.read(row)

    async def json_by_code(self, code: str) -> bytes | None:
        """``by_code`` already encoded as JSON (the public API's hot path).

        The part fixed at issue is decoded and encoded once per certificate (and then not even
        read from the database again); each lookup reads and encodes only the status and the
        chain. Same keys and values as ``VerificationRead``.
        """
        if not code or len(code) > 64 or not _is_plain_text(code):
            return None
        for form in lookup_forms(code):
            rows = await _query(_STATUS_BY_CODE, form)
            if rows:
                break
        else:
            return None
        row = rows[0]
        cached = _FIXED.get(row["id"])
        if cached is None:
            fixed_rows = await _query(_SELECT_FIXED, UUID(row["id"]))
            if not fixed_rows:  # deleted in between
                return None
            cached = self._fixed(fixed_rows[0])
        current_json = _ENCODER.encode(self._current(row, dt.datetime.now(dt.UTC)))
        return b"".join((current_json[:-1], b",", cached[1][1:]))

    async def by_pdf_sha256(self, sha256: str) -> VerificationRead | None:
        """The certificate whose stored PDF has exactly this SHA-256, or ``None``."""
        rows = await _query(_BY_PDF, sha256)
        return self.read(rows[0]) if rows else None

    def read(self, row: dict[str, Any], checked_at: dt.datetime | None = None) -> VerificationRead:
        """Build the public answer from one row of the verification query."""
        fixed, _ = self._fixed(row)
        current = self._current(row, checked_at or dt.datetime.now(dt.UTC))
        return VerificationRead(
            status=current.status,
            status_label=current.status_label,
            checked_at=current.checked_at,
            number=fixed.number,
            verify_url=fixed.verify_url,
            holder=fixed.holder,
            course=fixed.course,
            session_name=fixed.session_name,
            start_date=fixed.start_date,
            end_date=fixed.end_date,
            jp=fixed.jp,
            predikat=fixed.predikat,
            issuer=fixed.issuer,
            place=fixed.place,
            issued_at=fixed.issued_at,
            valid_until=current.valid_until,
            superseded_by=current.superseded_by,
            supersedes=current.supersedes,
            revocation=current.revocation,
        )

    def _fixed(self, row: dict[str, Any]) -> tuple[_Fixed, bytes]:
        key = str(row["id"])
        cached = _FIXED.get(key)
        if cached is not None:
            return cached
        snap = _SNAPSHOT_DECODER.decode(_json_text(row["snapshot"]))
        fixed = _Fixed(
            number=row["number"],
            verify_url=f"{self.base_url}/verify/{row['code']}",
            holder=HolderView(
                name=snap.holder.name_with_titles,
                nip=mask_display_nip(snap.holder.nip_display),
            ),
            course=snap.course_title,
            session_name=snap.session_name,
            start_date=snap.start_date,
            end_date=snap.end_date,
            jp=cents(snap.jp),
            predikat=snap.predikat,
            issuer=snap.organizer_name,
            place=snap.place,
            issued_at=_as_datetime(row["issued_at"]),  # type: ignore[arg-type]
        )
        if len(_FIXED) >= _FIXED_MAX:
            _FIXED.clear()
        cached = _FIXED[key] = (fixed, _ENCODER.encode(fixed))
        return cached

    def _current(self, row: dict[str, Any], checked_at: dt.datetime) -> _Current:
        valid_until = _as_date(row["valid_until"])
        today = self._local_date(checked_at)
        status = effective_status(row["status"], valid_until, today)
        revocation = None
        if status == "revoked":
            stored = _REVOCATION_DECODER.decode(_json_text(row["revocation"] or "{}"))
            category = str(stored.get("category") or "lainnya")
            labels = REVOCATION_CATEGORIES.get(category, REVOCATION_CATEGORIES["lainnya"])
            revocation = RevocationView(
                at=_as_datetime(row["revoked_at"]), category=category, category_label=labels["id"]
            )
        return _Current(
            status=status,
            status_label=STATUS_LABELS["id"][status],
            checked_at=checked_at,
            # A revoked or superseded certificate is valid until no date: printing "Berlaku
            # sampai 20 November 2029" beside DICABUT read as a promise (the row keeps it).
            valid_until=valid_until if status in ("valid", "expired") else None,
            superseded_by=self._link(row["next_number"], row["next_code"]),
            supersedes=self._link(row["prev_number"], row["prev_code"]),
            revocation=revocation,
        )

    def _link(self, number: str | None, code: str | None) -> CertificateLink | None:
        if not number or not code:
            return None
        return CertificateLink(number=number, verify_url=f"{self.base_url}/verify/{code}")

    # -- HR: many at once ---------------------------------------------------------------------

    async def rows_for(self, keys: list[str]) -> list[dict[str, Any]]:
        """The rows of the certificates whose number or code is one of ``keys`` (HR's batch)."""
        rows: list[dict[str, Any]] = []
        for start in range(0, len(keys), _IN_CHUNK):
            chunk = keys[start : start + _IN_CHUNK]
            marks = ", ".join("{}" for _ in chunk)
            rows.extend(
                await _query(
                    _SELECT + f"WHERE c.number IN ({marks}) OR c.code IN ({marks})",
                    *chunk,
                    *chunk,
                )
            )
        return rows


def nip_display(row: dict[str, Any]) -> str | None:
    """The whole NIP as printed (for HR within scope), from the row's snapshot."""
    return _SNAPSHOT_DECODER.decode(_json_text(row["snapshot"])).holder.nip_display


def _is_plain_text(text: str) -> bool:
    """False for control characters and lone surrogates: no number or code holds them, and
    PostgreSQL refuses a NUL in a query parameter (which would be a 500, not a "not found")."""
    return not any(ord(ch) < 32 or 0xD800 <= ord(ch) <= 0xDFFF for ch in text)

"""Issuing, publishing and checking Open Badges credentials of certificates.

- ``credential_for``: the certificate's credential, made and signed on first request (a
  revoked or superseded certificate gets none) and then always the same stored one;
- ``status_list``: the signed Bitstring Status List credential, read from the certificates'
  own ``status`` (so it changes in the very transaction that revokes or re-issues: there is no
  second copy to keep in step), re-signed only when a bit changes;
- ``verify``: an uploaded credential (JSON with its proof, a VC-JWT, or a baked PNG) checked
  for the proof, the issuer's key and its current status.
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import json
import re
import secrets
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import msgspec

from certificates.badges import baking, proofs
from certificates.badges.credential import BadgeFacts, Competence, build
from certificates.badges.keys import BadgeKey, badge_key
from certificates.badges.linkedin import add_to_profile_url
from certificates.badges.schemas import (
    BadgeCheck,
    BadgeFormat,
    BadgeStatus,
    BadgeVerificationRead,
    VerifiedCertificate,
)
from certificates.badges.status_list import LIST_SIZE, REVOKED_STATUSES, status_list_credential
from certificates.issuing.codes import lookup_forms
from certificates.records.service import effective_status, load_json, today
from certificates.tables import BadgeCredential, Certificate
from courses.tables import Course, CourseSession
from lms.competencies.tables import Competency
from lms.config import Settings
from lms.db.dialect import is_unique_violation
from lms.people.tables import Person
from lms.shared.errors import BadRequest, NotFound, RuleViolation
from lms.shared.values import utcnow

NOT_FOUND = "Sertifikat tidak ditemukan"
NO_BADGE = "Sertifikat yang dicabut atau telah diganti tidak diterbitkan sebagai Open Badge"
STATUS_LIST_PATH = "/api/v1/badges/status/1"
_DIGITS = re.compile(r"\D")


@dataclass(frozen=True)
class IssuedBadge:
    """A stored credential with the certificate facts the downloads need."""

    credential: dict[str, Any]
    jwt: str
    number: str
    course_title: str
    organizer_name: str
    jp: str
    predikat: str | None
    code: str
    issued_at: dt.datetime
    valid_until: dt.date | None


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    return Decimal(str(value))


def _date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


class BadgeService:
    """Open Badges for one installation (its key, base URL and time zone)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.base_url = settings.public_base_url.rstrip("/")
        self.status_list_url = self.base_url + STATUS_LIST_PATH
        self._key: BadgeKey | None = None
        self._list_cache: tuple[tuple[int, ...], dict[str, Any]] | None = None
        self._list_lock = asyncio.Lock()

    @property
    def key(self) -> BadgeKey:
        if self._key is None:
            self._key = badge_key(self.settings)
        return self._key

    # -- issuing -------------------------------------------------------------------------------

    async def _facts(self, row: dict[str, Any]) -> BadgeFacts:
        snapshot = load_json(row["snapshot"])
        course = await Course.select().where(Course.id == row["course_id"]).first()
        session = (
            await CourseSession.select(CourseSession.rules)
            .where(CourseSession.id == row["session_id"])
            .first()
        )
        rules = load_json(session["rules"]) if session else {}
        codes: list[str] = list(rules.get("competency_codes") or [])
        for module in rules.get("modules") or []:
            codes.extend(module.get("competency_codes") or [])
        if not codes and course:
            codes = _json_list(course["competency_codes"])
        unique_codes = list(dict.fromkeys(codes))
        competencies = []
        if unique_codes:
            found = {
                c["code"]: c
                for c in await Competency.select().where(Competency.code.is_in(unique_codes))
            }
            competencies = [
                Competence(code, found[code]["name"], found[code]["description"] or "")
                if code in found
                else Competence(code, code)
                for code in unique_codes
            ]
        person = await Person.select(Person.email).where(Person.id == row["person_id"]).first()
        holder = snapshot.get("holder") or {}
        nip = _DIGITS.sub("", str(holder.get("nip_display") or "")) or None
        bands = rules.get("predikat_bands") or []
        return BadgeFacts(
            certificate_id=str(row["id"]),
            number=row["number"],
            course_id=str(row["course_id"]),
            course_code=str(rules.get("code") or (course or {}).get("code") or ""),
            course_title=str(snapshot.get("course_title") or rules.get("title") or ""),
            course_description=str((course or {}).get("description") or ""),
            organizer_name=str(snapshot.get("organizer_name") or ""),
            government_name=str(snapshot.get("government_name") or ""),
            issued_at=row["issued_at"],
            start_date=_date(snapshot["start_date"]),
            end_date=_date(snapshot["end_date"]),
            valid_until=row["valid_until"],
            jp=_decimal(snapshot.get("jp")) or Decimal(0),
            final_score=_decimal(snapshot.get("final_score")),
            predikat=snapshot.get("predikat") or None,
            pass_mark=_decimal(rules.get("pass_mark")),
            min_attendance=_decimal(rules.get("min_attendance")),
            nip=nip,
            email=(person or {}).get("email") or None,
            holder_name=row["holder_name"] or str(holder.get("name_with_titles") or ""),
            competencies=competencies,
            predikat_labels=[str(b.get("label")) for b in bands if b.get("label")],
        )

    async def _issue(self, row: dict[str, Any]) -> dict[str, Any]:
        facts = await self._facts(row)
        for _ in range(20):
            index = secrets.randbelow(LIST_SIZE)
            unsigned = build(
                facts,
                issuer_did=self.key.did,
                base_url=self.base_url,
                status_list_url=self.status_list_url,
                status_index=index,
                zone=self.settings.timezone,
            )
            now = utcnow()
            signed = proofs.add_proof(unsigned, self.key, now)
            token = proofs.sign_jwt(unsigned, self.key)
            try:
                await BadgeCredential.insert(
                    BadgeCredential(
                        id=uuid4(),
                        certificate_id=row["id"],
                        status_index=index,
                        credential=signed,
                        jwt=token,
                        issued_at=now,
                    )
                )
            except Exception as exc:
                if not is_unique_violation(exc):
                    raise
                existing = await self._stored(row["id"])
                if existing is not None:  # another request made it first
                    return existing
                continue  # the index was taken: draw again
            stored = await self._stored(row["id"])
            assert stored is not None
            return stored
        raise RuleViolation("Daftar status Open Badge penuh")  # pragma: no cover

    async def _stored(self, certificate_id: UUID) -> dict[str, Any] | None:
        return await (
            BadgeCredential.select().where(BadgeCredential.certificate_id == certificate_id).first()
        )

    async def credential_for(self, row: dict[str, Any]) -> IssuedBadge:
        """The certificate's credential (made on first request).

        Raises:
            RuleViolation: the certificate is revoked or superseded and has no credential yet.
        """
        stored = await self._stored(row["id"])
        if stored is None:
            if row["status"] in REVOKED_STATUSES:
                raise RuleViolation(NO_BADGE)
            stored = await self._issue(row)
        snapshot = load_json(row["snapshot"])
        jp = snapshot.get("jp")
        return IssuedBadge(
            credential=load_json(stored["credential"]),
            jwt=stored["jwt"],
            number=row["number"],
            course_title=str(snapshot.get("course_title") or ""),
            organizer_name=str(snapshot.get("organizer_name") or ""),
            jp=format(_decimal(jp) or Decimal(0), "f").rstrip("0").rstrip(".") if jp else "0",
            predikat=snapshot.get("predikat") or None,
            code=row["code"],
            issued_at=row["issued_at"],
            valid_until=row["valid_until"],
        )

    async def by_code(self, code: str) -> dict[str, Any]:
        """The certificate row of a verification code (``NotFound`` if none)."""
        for form in lookup_forms(code[:64]):
            row = await Certificate.select().where(Certificate.code == form).first()
            if row is not None:
                return row
        raise NotFound(NOT_FOUND)

    def linkedin(self, row: dict[str, Any]) -> str:
        """LinkedIn's prefilled "add certification" link for a valid certificate.

        Raises:
            RuleViolation: the certificate is revoked, superseded or expired.
        """
        if effective_status(row["status"], row["valid_until"], today(self.settings)) != "valid":
            raise RuleViolation("Hanya sertifikat yang berlaku dapat ditambahkan ke LinkedIn")
        snapshot = load_json(row["snapshot"])
        return add_to_profile_url(
            name=str(snapshot.get("course_title") or ""),
            organization=str(snapshot.get("organizer_name") or ""),
            issued_on=row["issued_at"].astimezone(ZoneInfo(self.settings.timezone)).date(),
            valid_until=row["valid_until"],
            number=row["number"],
            verify_url=f"{self.base_url}/verify/{row['code']}",
        )

    def png(self, badge: IssuedBadge) -> bytes:
        """The badge image with the credential (JSON with its proof) baked in."""
        image = baking.badge_image(
            badge.course_title, badge.jp, badge.organizer_name, badge.predikat
        )
        text = json.dumps(badge.credential, ensure_ascii=False, separators=(",", ":"))
        return baking.bake(image, text)

    # -- the status list -----------------------------------------------------------------------

    async def revoked_indexes(self) -> tuple[int, ...]:
        rows = await BadgeCredential.raw(
            "SELECT b.status_index FROM badge_credential b JOIN certificate c "
            "ON c.id = b.certificate_id WHERE c.status IN ({}, {}) ORDER BY b.status_index",
            *REVOKED_STATUSES,
        )
        return tuple(int(r["status_index"]) for r in rows)

    async def status_list(self) -> dict[str, Any]:
        """The signed status list credential, as the certificates' statuses say now."""
        revoked = await self.revoked_indexes()
        async with self._list_lock:
            if self._list_cache is not None and self._list_cache[0] == revoked:
                return self._list_cache[1]
            unsigned = status_list_credential(self.status_list_url, self.key.did, revoked, utcnow())
            signed = proofs.add_proof(unsigned, self.key, utcnow())
            self._list_cache = (revoked, signed)
            return signed

    # -- verification --------------------------------------------------------------------------

    async def verify(
        self, credential: dict[str, Any] | None, jwt: str | None
    ) -> BadgeVerificationRead:
        """Check an uploaded credential: proof, issuer key, status and validity period."""
        checks: list[BadgeCheck] = []
        key = self.key
        fmt: BadgeFormat
        if jwt is not None:
            fmt = "vc-jwt"
            try:
                header, payload = proofs.verify_jwt(jwt, key.jwk())
            except proofs.ProofError as exc:
                header, payload = _unverified_jwt(jwt)
                checks.append(BadgeCheck("proof", False, str(exc)))
            else:
                checks.append(BadgeCheck("proof", True, "Tanda tangan VC-JWT sah"))
            document = payload
            method = header.get("kid")
            issuer_ok = (
                method == key.verification_method
                and payload.get("iss") == key.did
                and _object_id(payload.get("issuer")) == key.did
            )
        else:
            fmt = "data-integrity"
            document = credential or {}
            proof = document.get("proof")
            if isinstance(proof, list) and len(proof) == 1:
                proof = proof[0]
            method = proof.get("verificationMethod") if isinstance(proof, dict) else None
            try:
                proofs.verify_proof(document, key.public)
            except proofs.ProofError as exc:
                checks.append(BadgeCheck("proof", False, str(exc)))
            else:
                checks.append(BadgeCheck("proof", True, "Bukti eddsa-rdfc-2022 sah"))
            issuer_ok = (
                method == key.verification_method and _object_id(document.get("issuer")) == key.did
            )
            # The proof covers the RDF the JSON expands to, and a member no context defines
            # expands to nothing: such a member would ride along unsigned. Every credential
            # this office issued is on record, so the JSON must be exactly the one issued.
            same = await self._as_issued(document)
            if same is not None:
                checks.append(
                    BadgeCheck(
                        "content",
                        same,
                        "Isi sama dengan yang diterbitkan"
                        if same
                        else "Isi berbeda dari kredensial yang diterbitkan",
                    )
                )
        checks.append(
            BadgeCheck(
                "issuer",
                issuer_ok,
                "Diterbitkan dengan kunci penerbit ini"
                if issuer_ok
                else "Penerbit atau kunci bukan milik penerbit ini",
            )
        )
        types = document.get("type")
        type_ok = isinstance(types, list) and {"VerifiableCredential", "OpenBadgeCredential"} <= {
            t for t in types if isinstance(t, str)
        }
        if not type_ok:
            checks.append(BadgeCheck("type", False, "Bukan OpenBadgeCredential"))
        status, certificate = await self._status_of(document)
        checks.append(
            BadgeCheck(
                "status",
                status == "valid",
                {
                    "valid": "Tidak dicabut",
                    "revoked": "Dicabut oleh penerbit",
                    "superseded": "Diganti dengan sertifikat terbitan ulang",
                    "expired": "Masa berlaku telah berakhir",
                    "not_yet_valid": "Belum berlaku",
                    "unknown": "Tidak tercatat pada daftar status penerbit ini",
                }[status],
            )
        )
        valid = all(c.ok for c in checks)
        return BadgeVerificationRead(
            valid=valid,
            format=fmt,
            status=status,
            checks=checks,
            credential_id=str(document.get("id") or "") or None,
            certificate=certificate,
        )

    async def _as_issued(self, document: dict[str, Any]) -> bool | None:
        """Whether ``document`` is exactly a credential on record (None: none has its id)."""
        value = document.get("id")
        if not isinstance(value, str) or not value.startswith("urn:uuid:"):
            return None
        try:
            certificate_id = UUID(value.removeprefix("urn:uuid:"))
        except ValueError:
            return None
        stored = await self._stored(certificate_id)
        if stored is None:
            return None
        return load_json(stored["credential"]) == document

    async def _status_of(
        self, document: dict[str, Any]
    ) -> tuple[BadgeStatus, VerifiedCertificate | None]:
        entry = document.get("credentialStatus")
        if isinstance(entry, list) and len(entry) == 1:
            entry = entry[0]
        if (
            not isinstance(entry, dict)
            or entry.get("statusListCredential") != self.status_list_url
            or entry.get("statusPurpose") != "revocation"
        ):
            return "unknown", None
        try:
            index = int(str(entry.get("statusListIndex")))
        except ValueError:
            return "unknown", None
        stored = (
            await BadgeCredential.select(BadgeCredential.certificate_id)
            .where(BadgeCredential.status_index == index)
            .first()
        )
        if stored is None:
            return "unknown", None
        row = await Certificate.select().where(Certificate.id == stored["certificate_id"]).first()
        if row is None or document.get("id") != f"urn:uuid:{row['id']}":
            return "unknown", None
        snapshot = load_json(row["snapshot"])
        certificate = VerifiedCertificate(
            number=row["number"],
            holder=row["holder_name"],
            course=str(snapshot.get("course_title") or ""),
            verify_url=f"{self.base_url}/verify/{row['code']}",
        )
        if row["status"] == "revoked":
            return "revoked", certificate
        if row["status"] == "superseded":
            return "superseded", certificate
        now = utcnow()
        starts = _instant(document.get("validFrom"))
        ends = _instant(document.get("validUntil"))
        if starts is not None and now < starts:
            return "not_yet_valid", certificate
        if (ends is not None and now > ends) or effective_status(
            row["status"], row["valid_until"], today(self.settings)
        ) == "expired":
            return "expired", certificate
        return "valid", certificate


def _json_list(value: Any) -> list[str]:
    """A JSON list column's value (Piccolo may return the text)."""
    if isinstance(value, str):
        value = json.loads(value or "[]")
    return [str(v) for v in value] if isinstance(value, list) else []


def _object_id(value: Any) -> Any:
    return value.get("id") if isinstance(value, dict) else value


def _instant(value: Any) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        at = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return at if at.tzinfo else at.replace(tzinfo=dt.UTC)


def _unverified_jwt(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Header and payload of a JWT whose signature failed (for the report only)."""
    parts = token.strip().split(".")
    out: list[dict[str, Any]] = []
    for part in parts[:2]:
        try:
            value = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
        except (ValueError, TypeError):
            value = {}
        out.append(value if isinstance(value, dict) else {})
    while len(out) < 2:
        out.append({})
    return out[0], out[1]


def parse_upload(text: str) -> tuple[dict[str, Any] | None, str | None]:
    """A credential as uploaded: JSON (with its proof) or a compact VC-JWT.

    Raises:
        BadRequest: neither.
    """
    stripped = text.strip()
    if stripped.startswith("{"):
        try:
            value = msgspec.json.decode(stripped.encode())
        except msgspec.DecodeError as exc:
            raise BadRequest("Kredensial bukan JSON yang sah") from exc
        if not isinstance(value, dict):
            raise BadRequest("Kredensial harus objek JSON")
        return value, None
    if re.fullmatch(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+", stripped):
        return None, stripped
    raise BadRequest("Kredensial harus JSON (dengan proof) atau VC-JWT")

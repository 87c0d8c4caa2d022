"""An issued certificate as an ``OpenBadgeCredential`` (Open Badges 3.0 on W3C VC 2.0).

Built once, from the certificate's frozen snapshot and the session's frozen rules, then signed
(``certificates.badges.proofs``) and stored: the credential a holder downloads today is the
one they download next year. What goes where:

- ``issuer``: a ``Profile`` whose id is the office's ``did:web`` (``certificates.badges.keys``),
  named as the certificate prints the organizer;
- ``credentialSubject.achievement``: the course (name, description, the pass rule as
  ``criteria``, JP as ``creditsAvailable``, its competencies as ``alignment``, the two
  ``resultDescription``s: final score 0–100 and predikat);
- ``credentialSubject.identifier``: the holder as IdentityObjects, never in clear: SHA-256 of
  the NIP (18 digits) and of the e-mail, each with its own random salt (``sha256$<hex>``);
- ``credentialSubject.result``: the final score and the predikat; ``creditsEarned``: the JP;
  ``licenseNumber``: the certificate number;
- ``validFrom`` = issue time, ``validUntil`` = the end of the last valid day (if it expires);
- ``credentialStatus``: the certificate's bit in the revocation Bitstring Status List.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from certificates.badges import contexts

SCHEMA_URL = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
)
DEFAULT_PREDIKAT = (
    "Sangat Memuaskan",
    "Memuaskan",
    "Cukup Memuaskan",
    "Kurang Memuaskan",
    "Tidak Memuaskan",
)


@dataclass(frozen=True)
class Competence:
    """A competency the course develops (its code and name in the framework)."""

    code: str
    name: str
    description: str = ""


@dataclass(frozen=True)
class BadgeFacts:
    """Everything a credential says, gathered by the service from the certificate's rows."""

    certificate_id: str
    number: str
    course_id: str
    course_code: str
    course_title: str
    course_description: str
    organizer_name: str
    government_name: str
    issued_at: dt.datetime
    start_date: dt.date
    end_date: dt.date
    valid_until: dt.date | None
    jp: Decimal
    final_score: Decimal | None
    predikat: str | None
    pass_mark: Decimal | None
    min_attendance: Decimal | None
    nip: str | None
    email: str | None
    holder_name: str
    competencies: list[Competence] = field(default_factory=list)
    predikat_labels: list[str] = field(default_factory=list)


def identity_hash(value: str, salt: str) -> str:
    """The spec's IdentityHash: ``sha256$`` + hex SHA-256 of value + salt (UTF-8)."""
    return "sha256$" + hashlib.sha256((value + salt).encode()).hexdigest()


def identity(kind: str, value: str) -> dict[str, Any]:
    """A hashed, salted IdentityObject (a fresh salt for each)."""
    salt = secrets.token_hex(16)
    return {
        "type": "IdentityObject",
        "identityHash": identity_hash(value, salt),
        "identityType": kind,
        "hashed": True,
        "salt": salt,
    }


def normalized_email(email: str) -> str:
    return email.strip().lower()


def _z(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _local_midnight(day: dt.date, zone: str) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0, 0), ZoneInfo(zone))


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def status_entry(status_list_url: str, index: int) -> dict[str, Any]:
    """The ``credentialStatus`` pointing at the certificate's bit."""
    return {
        "id": f"{status_list_url}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": str(index),
        "statusListCredential": status_list_url,
    }


def build(
    facts: BadgeFacts,
    *,
    issuer_did: str,
    base_url: str,
    status_list_url: str,
    status_index: int,
    zone: str,
) -> dict[str, Any]:
    """The unsigned credential for ``facts``."""
    achievement_id = f"urn:uuid:{facts.course_id}"
    score_id = f"{achievement_id}:nilai-akhir"
    predikat_id = f"{achievement_id}:predikat"
    criteria = "Diberikan kepada peserta yang menyelesaikan pelatihan"
    rules = []
    if facts.pass_mark is not None:
        rules.append(f"nilai akhir paling rendah {facts.pass_mark}")
    if facts.min_attendance is not None:
        rules.append(f"kehadiran paling rendah {facts.min_attendance}%")
    if rules:
        criteria += " dengan " + " dan ".join(rules)
    criteria += f" ({_number(facts.jp)} JP)."
    result_descriptions: list[dict[str, Any]] = [
        {
            "id": score_id,
            "type": ["ResultDescription"],
            "name": "Nilai akhir",
            "resultType": "ScaledScore",
            "valueMin": "0",
            "valueMax": "100",
            **({"requiredValue": str(facts.pass_mark)} if facts.pass_mark is not None else {}),
        },
        {
            "id": predikat_id,
            "type": ["ResultDescription"],
            "name": "Predikat",
            "resultType": "ext:Predikat",
            "allowedValue": facts.predikat_labels or list(DEFAULT_PREDIKAT),
        },
    ]
    achievement: dict[str, Any] = {
        "id": achievement_id,
        "type": ["Achievement"],
        "achievementType": "Course",
        "name": facts.course_title,
        "description": facts.course_description
        or f"{facts.course_title}, {_number(facts.jp)} jam pelajaran (JP).",
        "criteria": {"narrative": criteria},
        "creditsAvailable": _number(facts.jp),
        "humanCode": facts.course_code,
        "inLanguage": "id",
        "resultDescription": result_descriptions,
    }
    if facts.competencies:
        achievement["alignment"] = [
            {
                "type": ["Alignment"],
                "targetName": c.name,
                "targetUrl": f"urn:prima:competency:{c.code}",
                "targetCode": c.code,
                "targetType": "ceasn:Competency",
                "targetFramework": "Kerangka kompetensi Prima",
                **({"targetDescription": c.description} if c.description else {}),
            }
            for c in facts.competencies
        ]
    identifiers = []
    if facts.nip:
        identifiers.append(identity("ext:NIP", facts.nip))
    if facts.email:
        identifiers.append(identity("emailAddress", normalized_email(facts.email)))
    if not identifiers:
        identifiers.append(identity("name", facts.holder_name))
    results: list[dict[str, Any]] = []
    if facts.final_score is not None:
        results.append(
            {"type": ["Result"], "resultDescription": score_id, "value": str(facts.final_score)}
        )
    if facts.predikat:
        results.append(
            {
                "type": ["Result"],
                "resultDescription": predikat_id,
                "value": facts.predikat,
                "status": "Completed",
            }
        )
    subject: dict[str, Any] = {
        "type": ["AchievementSubject"],
        "identifier": identifiers,
        "achievement": achievement,
        "activityStartDate": _z(_local_midnight(facts.start_date, zone)),
        "activityEndDate": _z(_local_midnight(facts.end_date + dt.timedelta(days=1), zone)),
        "creditsEarned": _number(facts.jp),
        "licenseNumber": facts.number,
    }
    if results:
        subject["result"] = results
    issuer: dict[str, Any] = {
        "id": issuer_did,
        "type": ["Profile"],
        "name": facts.organizer_name,
        "url": base_url,
    }
    if facts.government_name:
        issuer["description"] = facts.government_name
    credential: dict[str, Any] = {
        "@context": [contexts.VC_V2, contexts.OB_V3],
        "id": f"urn:uuid:{facts.certificate_id}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": facts.course_title,
        "description": f"Sertifikat {facts.number}",
        "issuer": issuer,
        "validFrom": _z(facts.issued_at),
        "credentialSubject": subject,
        "credentialStatus": status_entry(status_list_url, status_index),
        "credentialSchema": [{"id": SCHEMA_URL, "type": "JsonSchema"}],
    }
    if facts.valid_until is not None:
        last = _local_midnight(facts.valid_until + dt.timedelta(days=1), zone)
        credential["validUntil"] = _z(last - dt.timedelta(seconds=1))
    return credential

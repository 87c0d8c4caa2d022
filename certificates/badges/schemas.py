"""What the Open Badges routes read and answer."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec

from lms.shared.schemas import Input, Output


class BadgeCheck(msgspec.Struct, array_like=False):
    """One check of a verification: ``proof``, ``issuer``, ``type`` or ``status``."""

    check: str
    ok: bool
    message: str


class VerifiedCertificate(Output):
    """The certificate a credential stands for, as the issuer's records hold it."""

    number: str
    holder: str
    course: str
    verify_url: str


BadgeFormat = Literal["data-integrity", "vc-jwt"]
BadgeStatus = Literal["valid", "revoked", "superseded", "expired", "not_yet_valid", "unknown"]


class BadgeVerificationRead(Output):
    """The answer of ``POST /api/v1/verify/badge``: valid only when every check passes."""

    valid: bool
    format: BadgeFormat
    status: BadgeStatus
    checks: list[BadgeCheck]
    credential_id: str | None = None
    certificate: VerifiedCertificate | None = None


class BadgeUpload(Input):
    """A credential to check: the JSON credential with its proof, or a compact VC-JWT."""

    credential: (
        Annotated[dict[str, Any], msgspec.Meta(description="OpenBadgeCredential (JSON)")] | None
    ) = None
    jwt: Annotated[str, msgspec.Meta(max_length=262_144, description="VC-JWT (compact)")] | None = (
        None
    )

    def __post_init__(self) -> None:
        if (self.credential is None) == (self.jwt is None):
            raise ValueError("credential: isi salah satu: credential atau jwt")

"""Open Badges routes: the issuer's DID document, the status list, downloads and checks.

- ``GET /.well-known/did.json``: the ``did:web`` document with the badge key (public);
- ``GET /api/v1/badges/status/1``: the signed revocation status list (public, never cached);
- ``GET /api/v1/certificates/{id}/badge?format=json|jwt|png``: the holder's (or organizer's,
  HR's) download;
- ``GET /verify/{code}/badge.json`` and ``/verify/{code}/badge.png``: the same, public by the
  verification code printed on the certificate (rate limited with the verify page), and
  ``/verify/{code}/linkedin``: a redirect to LinkedIn's add-certification form;
- ``POST /api/v1/verify/badge`` (JSON credential or VC-JWT) and ``POST
  /api/v1/verify/badge/png`` (a baked PNG): proof, issuer key and status (public, rate limited).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Annotated, Any, Literal
from uuid import UUID

from litestar import Controller, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, MultipartBody, QueryParameter
from litestar.response import Redirect, Response

from certificates.badges.baking import NotABadge, extract
from certificates.badges.schemas import BadgeUpload, BadgeVerificationRead
from certificates.badges.service import BadgeService, IssuedBadge, parse_upload
from certificates.records.service import get_visible
from lms.auth.caller import CallerRequest
from lms.auth.guards import allow
from lms.shared.errors import BadRequest, PayloadTooLarge
from lms.shared.openapi import problem_responses

NO_STORE = {"Cache-Control": "no-store"}
CREDENTIAL_MEDIA = "application/vc+ld+json"
JWT_MEDIA = "application/vc+jwt"
PNG = "image/png"
MAX_PNG_BYTES = 2 * 1024 * 1024
PUBLIC = {"exclude_from_auth": True}


def _filename(badge: IssuedBadge, extension: str) -> str:
    safe = re.sub(r"[^A-Za-z0-9]+", "-", badge.number).strip("-") or "sertifikat"
    return f"open-badge-{safe}.{extension}"


def badge_response(badge: IssuedBadge, fmt: str, service: BadgeService) -> Response[bytes]:
    """The credential as a download in ``fmt`` (json, jwt or png)."""
    if fmt == "png":
        content, media, ext = service.png(badge), PNG, "png"
    elif fmt == "jwt":
        content, media, ext = badge.jwt.encode(), JWT_MEDIA, "jwt"
    else:
        content = json.dumps(badge.credential, ensure_ascii=False, indent=2).encode()
        media, ext = CREDENTIAL_MEDIA, "json"
    return Response(
        content=content,
        media_type=media,
        headers={
            "Content-Disposition": f'attachment; filename="{_filename(badge, ext)}"',
            **NO_STORE,
        },
    )


class IssuerDidController(Controller):
    """The issuer's DID document (``did:web``)."""

    path = "/.well-known"
    tags = ["open badges"]

    @get(
        "/did.json",
        operation_id="issuerDidDocument",
        security=[],
        opt=PUBLIC,
        media_type="application/did+json",
    )
    async def did(self, badge_service: NamedDependency[BadgeService]) -> Response[dict[str, Any]]:
        """The issuer's DID document: the public Ed25519 key that signs Open Badges."""
        return Response(
            badge_service.key.did_document(),
            media_type="application/did+json",
            headers={"Cache-Control": "public, max-age=300"},
        )


class BadgeStatusController(Controller):
    """The published revocation list."""

    path = "/api/v1/badges"
    tags = ["open badges"]

    @get(
        "/status/1",
        operation_id="badgeStatusList",
        security=[],
        opt=PUBLIC,
        media_type=CREDENTIAL_MEDIA,
    )
    async def status_list(
        self, badge_service: NamedDependency[BadgeService]
    ) -> Response[dict[str, Any]]:
        """The Bitstring Status List credential: bit i set = the badge with index i is revoked."""
        return Response(
            await badge_service.status_list(), media_type=CREDENTIAL_MEDIA, headers=NO_STORE
        )


FormatQuery = Annotated[
    Literal["json", "jwt", "png"],
    QueryParameter(description="json: kredensial dengan proof; jwt: VC-JWT; png: lencana"),
]


class CertificateBadgeController(Controller):
    """A certificate's Open Badge, for whoever may see the certificate."""

    path = "/api/v1/certificates"
    tags = ["open badges"]

    @get(
        "/{certificate_id:uuid}/badge",
        operation_id="downloadCertificateBadge",
        guards=[allow("organizer", "hr", "participant")],
        responses=problem_responses(400, 403, 404, 422),
        media_type=CREDENTIAL_MEDIA,
    )
    async def badge(
        self,
        certificate_id: FromPath[UUID],
        request: CallerRequest,
        badge_service: NamedDependency[BadgeService],
        format: FromQuery[FormatQuery] = "json",
    ) -> Response[bytes]:
        """The certificate as an Open Badges 3.0 credential (JSON, VC-JWT or baked PNG)."""
        row = await get_visible(request.user, certificate_id)
        return badge_response(await badge_service.credential_for(row), format, badge_service)


class PublicBadgeController(Controller):
    """The badge downloads the public verify page offers.

    Page links like the verify page itself (``VerifyPageController``), so not in the API
    document: the API has ``downloadCertificateBadge`` and ``verifyBadge``.
    """

    path = "/verify"
    tags = ["open badges"]
    include_in_schema = False

    @get(
        "/{code:str}/badge.json",
        operation_id="publicBadgeJson",
        security=[],
        responses=problem_responses(400, 404, 422, 429),
        media_type=CREDENTIAL_MEDIA,
    )
    async def json_file(
        self, code: FromPath[str], badge_service: NamedDependency[BadgeService]
    ) -> Response[bytes]:
        """The Open Badges credential of the certificate with this verification code."""
        row = await badge_service.by_code(code)
        return badge_response(await badge_service.credential_for(row), "json", badge_service)

    @get(
        "/{code:str}/badge.png",
        operation_id="publicBadgePng",
        security=[],
        responses=problem_responses(400, 404, 422, 429),
        media_type=PNG,
    )
    async def png_file(
        self, code: FromPath[str], badge_service: NamedDependency[BadgeService]
    ) -> Response[bytes]:
        """The badge image with the credential baked in (OB 3.0 ``openbadgecredential``)."""
        row = await badge_service.by_code(code)
        return badge_response(await badge_service.credential_for(row), "png", badge_service)

    @get(
        "/{code:str}/linkedin",
        operation_id="publicBadgeLinkedIn",
        security=[],
        status_code=303,
        responses=problem_responses(400, 404, 422, 429),
    )
    async def linkedin(
        self, code: FromPath[str], badge_service: NamedDependency[BadgeService]
    ) -> Redirect:
        """To LinkedIn's "add licence or certification" form, filled in for this certificate."""
        row = await badge_service.by_code(code)
        return Redirect(badge_service.linkedin(row), status_code=303, headers=NO_STORE)


@dataclass
class PngUpload:
    """A multipart form with the badge image to check."""

    file: UploadFile


class BadgeVerifyController(Controller):
    """Checking an Open Badges credential this office issued."""

    path = "/api/v1/verify/badge"
    tags = ["open badges"]

    @post(
        "/",
        operation_id="verifyBadge",
        security=[],
        status_code=200,
        responses=problem_responses(400, 429),
    )
    async def verify(
        self, data: JSONBody[BadgeUpload], badge_service: NamedDependency[BadgeService]
    ) -> BadgeVerificationRead:
        """Check a credential (JSON with its proof, or a VC-JWT): proof, issuer key, status.

        ``valid`` is true only when every check passes; a credential with any changed byte
        fails the ``proof`` check.
        """
        return await badge_service.verify(data.credential, data.jwt)

    @post(
        "/png",
        operation_id="verifyBadgePng",
        security=[],
        status_code=200,
        responses=problem_responses(400, 413, 429),
    )
    async def verify_png(
        self,
        data: MultipartBody[PngUpload],
        badge_service: NamedDependency[BadgeService],
    ) -> BadgeVerificationRead:
        """Check a badge image: the credential baked into it, like ``verifyBadge``."""
        content = await data.file.read(MAX_PNG_BYTES + 1)
        if len(content) > MAX_PNG_BYTES:
            raise PayloadTooLarge("Berkas PNG melebihi 2 MB")
        try:
            text = extract(content)
        except NotABadge as exc:
            raise BadRequest(
                "Berkas bukan lencana Open Badges", errors=[{"field": "file", "message": str(exc)}]
            ) from exc
        credential, jwt = parse_upload(text)
        return await badge_service.verify(credential, jwt)

"""LTI Advantage services from the tool's side: OAuth2 service tokens (client credentials with
a signed client assertion, RFC 7523 as the Security Framework section 4.1 requires), Names and
Role Provisioning 2.0 (paged by ``Link: rel="next"``) and Assignment and Grade Services 2.0
scores.

Tokens are cached per platform and scope set until shortly before they expire: a roster sync
of 27 people over two pages and the scores of a session reuse one token.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
from joserfc import jwt

from lms.config import Settings
from lms.lti.keys import tool_keys

NRPS_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
LINEITEM_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
NRPS_MEDIA = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
SCORE_MEDIA = "application/vnd.ims.lis.v1.score+json"
MAX_PAGES = 200
_NEXT = re.compile(r'<([^>]+)>\s*;\s*rel="?next"?')


class ServiceError(Exception):
    """A platform service refused or did not answer (Indonesian message for the organizer)."""


@dataclass
class _Token:
    value: str
    expires_at: float


@dataclass
class ServiceClient:
    """Calls to one installation's platforms (one per process; tokens cached in memory)."""

    settings: Settings
    transport: httpx.AsyncBaseTransport | None = None
    _tokens: dict[tuple[str, str], _Token] = field(default_factory=dict)

    def _client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(timeout=10.0, follow_redirects=False, transport=self.transport)

    def client_assertion(self, platform: dict[str, Any]) -> str:
        """The JWT Prima signs to authenticate to the platform's token endpoint."""
        keys = tool_keys(self.settings)
        now = int(time.time())
        claims = {
            "iss": platform["client_id"],
            "sub": platform["client_id"],
            "aud": platform["auth_token_url"],
            "iat": now,
            "exp": now + 300,
            "jti": uuid.uuid4().hex,
        }
        header = {"alg": "RS256", "kid": keys.signing.kid, "typ": "JWT"}
        return jwt.encode(header, claims, keys.signing)

    async def access_token(self, platform: dict[str, Any], scopes: list[str]) -> str:
        """A bearer token for ``scopes`` (cached until 30 s before it expires)."""
        key = (str(platform["id"]), " ".join(sorted(scopes)))
        cached = self._tokens.get(key)
        if cached and cached.expires_at > time.time() + 30:
            return cached.value
        form = {
            "grant_type": "client_credentials",
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": self.client_assertion(platform),
            "scope": " ".join(scopes),
        }
        try:
            async with self._client() as client:
                resp = await client.post(platform["auth_token_url"], data=form)
        except httpx.HTTPError as exc:
            raise ServiceError("Platform LMS tidak menjawab permintaan token.") from exc
        if resp.status_code != 200:
            raise ServiceError(f"Platform LMS menolak permintaan token ({resp.status_code}).")
        body = resp.json()
        token = _Token(str(body["access_token"]), time.time() + int(body.get("expires_in", 3600)))
        self._tokens[key] = token
        return token.value

    async def members(
        self, platform: dict[str, Any], memberships_url: str
    ) -> AsyncIterator[dict[str, Any]]:
        """Every member of a context, page after page (``Link: rel="next"``)."""
        token = await self.access_token(platform, [NRPS_SCOPE])
        url: str | None = memberships_url
        pages = 0
        async with self._client() as client:
            while url and pages < MAX_PAGES:
                pages += 1
                try:
                    resp = await client.get(
                        url, headers={"Authorization": f"Bearer {token}", "Accept": NRPS_MEDIA}
                    )
                except httpx.HTTPError as exc:
                    raise ServiceError("Daftar anggota kursus LMS tidak dapat diambil.") from exc
                if resp.status_code != 200:
                    raise ServiceError(f"Platform LMS menolak daftar anggota ({resp.status_code}).")
                for member in resp.json().get("members", []):
                    if isinstance(member, dict):
                        yield member
                found = _NEXT.search(resp.headers.get("link", ""))
                url = found.group(1) if found else None

    async def post_score(
        self, platform: dict[str, Any], lineitem_url: str, score: dict[str, Any]
    ) -> None:
        """Send one score to a line item (AGS 2.0 ``{lineitem}/scores``)."""
        token = await self.access_token(platform, [SCORE_SCOPE])
        base, _, query = lineitem_url.partition("?")
        url = base.rstrip("/") + "/scores" + (f"?{query}" if query else "")
        try:
            async with self._client() as client:
                resp = await client.post(
                    url,
                    content=_json(score),
                    headers={"Authorization": f"Bearer {token}", "Content-Type": SCORE_MEDIA},
                )
        except httpx.HTTPError as exc:
            raise ServiceError("Platform LMS tidak menjawab pengiriman nilai.") from exc
        if resp.status_code not in (200, 201, 202, 204):
            raise ServiceError(f"Platform LMS menolak nilai ({resp.status_code}).")


def _json(value: Any) -> bytes:
    import msgspec

    return msgspec.json.encode(value)

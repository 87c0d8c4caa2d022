"""A fake LTI 1.3 platform for the tests, built from the 1EdTech specs (Security Framework 1.0,
LTI Core 1.3, Dynamic Registration 1.0): its own RSA key and JWKS, an OpenID configuration, a
registration endpoint, and an authorization step that signs the id_token a browser posts back
to the tool. It runs as a real HTTP server (aiohttp) on a free port, so Prima fetches its
configuration and keys over HTTP as it would from Moodle.
"""

from __future__ import annotations

import socket
import time
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from aiohttp import web
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class FakePlatform:
    """One LMS: issuer, client, deployment, keys, and what it saw."""

    port: int = field(default_factory=_free_port)
    client_id: str = "prima-client-1"
    deployment_id: str = "deployment-1"
    registration_token: str = "reg-token-xyz"
    key: RSAKey = field(
        default_factory=lambda: RSAKey.generate_key(2048, parameters={"kid": "platform-1"})
    )
    jwks_fetches: int = 0
    registrations: list[dict[str, Any]] = field(default_factory=list)
    tool_jwks: dict[str, Any] = field(default_factory=dict)
    token_requests: list[dict[str, Any]] = field(default_factory=list)
    members: list[dict[str, Any]] = field(default_factory=list)
    page_size: int = 15
    scores: list[dict[str, Any]] = field(default_factory=list)
    fail_scores: bool = False
    score_failures: int = 0  # answer this many score posts with a 500 first
    score_items: list[str] = field(default_factory=list)
    resource_link_id: str = field(default_factory=lambda: f"rl-{uuid.uuid4().hex[:8]}")
    published: list[RSAKey] = field(default_factory=list)
    _runner: web.AppRunner | None = None

    @property
    def issuer(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def openid_configuration_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    async def start(self) -> None:
        self.published = [self.key]
        app = web.Application()
        app.router.add_get("/.well-known/openid-configuration", self._configuration)
        app.router.add_get("/jwks", self._jwks)
        app.router.add_post("/register", self._register)
        app.router.add_post("/token", self._token)
        app.router.add_get("/nrps/members", self._members)
        app.router.add_post("/lineitems/{item}/scores", self._score)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

    async def stop(self) -> None:
        if self._runner:
            await self._runner.cleanup()

    async def _configuration(self, request: web.Request) -> web.Response:
        return web.json_response(
            {
                "issuer": self.issuer,
                "authorization_endpoint": f"{self.issuer}/auth",
                "token_endpoint": f"{self.issuer}/token",
                "jwks_uri": f"{self.issuer}/jwks",
                "registration_endpoint": f"{self.issuer}/register",
                "scopes_supported": ["openid"],
                "response_types_supported": ["id_token"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "https://purl.imsglobal.org/spec/lti-platform-configuration": {
                    "product_family_code": "moodle",
                    "version": "4.5",
                },
            }
        )

    async def _jwks(self, request: web.Request) -> web.Response:
        self.jwks_fetches += 1
        return web.json_response(KeySet(self.published).as_dict(private=False))

    async def _register(self, request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != f"Bearer {self.registration_token}":
            return web.json_response({"error": "invalid_token"}, status=401)
        body = await request.json()
        self.registrations.append(body)
        return web.json_response(
            {
                **body,
                "client_id": self.client_id,
                "https://purl.imsglobal.org/spec/lti-tool-configuration": {
                    **body["https://purl.imsglobal.org/spec/lti-tool-configuration"],
                    "deployment_id": self.deployment_id,
                },
            }
        )

    # -- LTI Advantage services (Security Framework 4.1, NRPS 2.0, AGS 2.0) ----------------

    async def _token(self, request: web.Request) -> web.Response:
        form = dict(await request.post())
        self.token_requests.append(form)
        assertion = str(form.get("client_assertion", ""))
        try:
            token = jwt.decode(assertion, KeySet.import_key_set(self.tool_jwks))
        except Exception:  # noqa: BLE001 - any bad assertion is refused like a platform would
            return web.json_response({"error": "invalid_client"}, status=401)
        claims = token.claims
        if (
            form.get("grant_type") != "client_credentials"
            or claims.get("iss") != self.client_id
            or claims.get("sub") != self.client_id
            or claims.get("aud") != f"{self.issuer}/token"
            or claims.get("exp", 0) < time.time()
        ):
            return web.json_response({"error": "invalid_client"}, status=401)
        return web.json_response(
            {
                "access_token": f"access-{len(self.token_requests)}",
                "token_type": "Bearer",
                "expires_in": 3600,
                "scope": form.get("scope", ""),
            }
        )

    def _authorized(self, request: web.Request) -> bool:
        return request.headers.get("Authorization", "").startswith("Bearer access-")

    async def _members(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return web.json_response({"error": "unauthorized"}, status=401)
        page = int(request.query.get("page", "1"))
        start = (page - 1) * self.page_size
        chunk = self.members[start : start + self.page_size]
        headers = {}
        if start + self.page_size < len(self.members):
            headers["Link"] = f'<{self.issuer}/nrps/members?page={page + 1}>; rel="next"'
        return web.json_response(
            {"id": f"{self.issuer}/nrps/members", "context": {"id": "course-12"}, "members": chunk},
            headers=headers,
        )

    async def _score(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return web.json_response({"error": "unauthorized"}, status=401)
        if request.content_type != "application/vnd.ims.lis.v1.score+json":
            return web.json_response({"error": "media type"}, status=415)
        if self.fail_scores:
            return web.json_response({"error": "unavailable"}, status=503)
        if self.score_failures > 0:
            self.score_failures -= 1
            return web.json_response({"error": "internal"}, status=500)
        self.scores.append(await request.json())
        self.score_items.append(request.match_info["item"])
        return web.Response(status=204)

    # -- the browser's round trip through the platform's auth endpoint --------------------

    def id_token(
        self,
        auth_redirect: str,
        *,
        sub: str = "moodle-user-7",
        roles: tuple[str, ...] = ("http://purl.imsglobal.org/vocab/lis/v2/membership#Learner",),
        nip: str | None = None,
        email: str | None = None,
        key: RSAKey | None = None,
        kid: str | None = None,
        **overrides: Any,
    ) -> tuple[str, str]:
        """What the platform posts back for the auth request ``auth_redirect``:
        (id_token, state). ``overrides`` replace claims (``None`` removes one)."""
        query = {k: v[0] for k, v in parse_qs(urlsplit(auth_redirect).query).items()}
        assert query["response_mode"] == "form_post" and query["scope"] == "openid"
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": self.client_id,
            "sub": sub,
            "exp": now + 300,
            "iat": now,
            "nonce": query["nonce"],
            "name": "Peserta LMS",
            CLAIM + "deployment_id": self.deployment_id,
            CLAIM + "message_type": "LtiResourceLinkRequest",
            CLAIM + "version": "1.3.0",
            CLAIM + "roles": list(roles),
            CLAIM + "target_link_uri": query["redirect_uri"],
            CLAIM + "resource_link": {"id": self.resource_link_id, "title": "Pelayanan Prima"},
            CLAIM + "context": {"id": "course-12", "title": "Pelatihan Pelayanan Prima"},
            "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice": {
                "context_memberships_url": f"{self.issuer}/nrps/members",
                "service_versions": ["2.0"],
            },
            "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint": {
                "scope": ["https://purl.imsglobal.org/spec/lti-ags/scope/score"],
                "lineitems": f"{self.issuer}/lineitems",
                "lineitem": f"{self.issuer}/lineitems/1",
            },
        }
        if nip is not None:
            claims[CLAIM + "custom"] = {"nip": nip}
        if email is not None:
            claims["email"] = email
        for name, value in overrides.items():
            name = name.replace("__", "/")
            full = name if name in claims or "/" in name or name in ("azp",) else CLAIM + name
            if value is None:
                claims.pop(full, None)
            else:
                claims[full] = value
        signer = key or self.key
        header = {"alg": "RS256", "kid": kid or signer.kid, "typ": "JWT"}
        return jwt.encode(header, claims, signer), query["state"]


LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"

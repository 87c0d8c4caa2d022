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
            CLAIM + "resource_link": {"id": str(uuid.uuid4()), "title": "Pelayanan Prima"},
            CLAIM + "context": {"id": "course-12", "title": "Pelatihan Pelayanan Prima"},
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

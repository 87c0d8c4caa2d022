"""Launch validation, in the order of the 1EdTech Security Framework 1.0 (section 5.1.3) and
LTI Core 1.3 (section 5.3): state, JWT form, signature against the platform's key, ``iss``,
``aud``/``azp``, ``exp``/``iat``, nonce (single use), deployment, message type and version,
then the claims the message type requires. The first failure ends the launch with a code
(``LTI-...``) that docs/LTI.md explains; nothing a platform or a browser sends becomes a 500.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import time
from dataclasses import dataclass
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError

from lms.lti.platform_keys import PlatformKeyCache, PlatformKeyError
from lms.lti.tables import LtiLaunchState, LtiPlatform
from lms.shared.values import utcnow

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
DEEP_LINKING = "https://purl.imsglobal.org/spec/lti-dl/claim/"
MESSAGE_TYPES = {"LtiResourceLinkRequest", "LtiDeepLinkingRequest"}
SKEW_SECONDS = 60
STATE_TTL = dt.timedelta(minutes=10)
MAX_TOKEN_BYTES = 64 * 1024


class LaunchError(Exception):
    """A refused launch: ``code`` for the page and the log, ``message`` in Indonesian."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status


@dataclass(frozen=True)
class Launch:
    """A validated launch."""

    platform_id: Any
    instructor_role: str
    sub: str
    message_type: str
    deployment_id: str
    roles: list[str]
    claims: dict[str, Any]

    @property
    def custom(self) -> dict[str, Any]:
        value = self.claims.get(CLAIM + "custom") or {}
        return value if isinstance(value, dict) else {}

    @property
    def email(self) -> str:
        value = self.claims.get("email") or ""
        return value if isinstance(value, str) else ""

    @property
    def target_link_uri(self) -> str:
        return str(self.claims.get(CLAIM + "target_link_uri") or "")

    @property
    def is_instructor(self) -> bool:
        return any(
            r.endswith(("#Instructor", "#Administrator", "#ContentDeveloper")) for r in self.roles
        )

    @property
    def is_learner(self) -> bool:
        return any(r.endswith("#Learner") for r in self.roles)


async def _take_state(state: str) -> tuple[Any, str, Any]:
    """The stored login state: (row id, nonce, platform id); refused when unknown or old."""
    if not state or len(state) > 64:
        raise LaunchError("LTI-STATE", "Parameter state tidak ada atau tidak dikenal.")
    row = await LtiLaunchState.select().where(LtiLaunchState.state == state).first()
    if row is None:
        raise LaunchError("LTI-STATE", "Parameter state tidak ada atau tidak dikenal.")
    if utcnow() - row["created_at"] > STATE_TTL:
        raise LaunchError("LTI-STATE", "Sesi peluncuran sudah kedaluwarsa; luncurkan ulang.")
    return row["id"], row["nonce"], row["platform"]


async def _consume_nonce(state_id: Any, nonce: Any, expected: str) -> None:
    """Mark the state used, atomically: of two launches with one token, one wins."""
    if not isinstance(nonce, str) or nonce != expected:
        raise LaunchError("LTI-NONCE", "Nonce pada token tidak cocok dengan permintaan masuk.")
    used = await (
        LtiLaunchState.update({LtiLaunchState.used_at: utcnow()})
        .where((LtiLaunchState.id == state_id) & LtiLaunchState.used_at.is_null())
        .returning(LtiLaunchState.id)
    )
    if not used:
        raise LaunchError("LTI-NONCE", "Token peluncuran ini sudah pernah dipakai (replay).")


async def validate_launch(id_token: str, state: str, keys: PlatformKeyCache) -> Launch:
    """Check a launch POST (``id_token`` and ``state`` form fields); return what it says."""
    state_id, expected_nonce, platform_id = await _take_state(state)
    platform = await LtiPlatform.select().where(LtiPlatform.id == platform_id).first()
    if platform is None:
        raise LaunchError("LTI-STATE", "Platform untuk permintaan ini sudah tidak terdaftar.")

    if not id_token or len(id_token) > MAX_TOKEN_BYTES or id_token.count(".") != 2:
        raise LaunchError("LTI-JWT", "id_token bukan JWT yang sah.")
    header = _header(id_token)
    if header.get("alg") != "RS256":
        raise LaunchError("LTI-JWT", "id_token harus ditandatangani dengan RS256.")
    try:
        key = await keys.key(platform["jwks_url"], header.get("kid"))
    except PlatformKeyError as exc:
        raise LaunchError(exc.code, exc.message) from exc
    try:
        token = jwt.decode(id_token, key, algorithms=["RS256"])
    except JoseError as exc:
        raise LaunchError("LTI-SIGNATURE", "Tanda tangan id_token tidak sah.") from exc
    claims = dict(token.claims)

    if claims.get("iss") != platform["issuer"]:
        raise LaunchError("LTI-ISS", "Penerbit (iss) token bukan platform yang terdaftar.")
    aud = claims.get("aud")
    audiences = aud if isinstance(aud, list) else [aud]
    client_id = platform["client_id"]
    if client_id not in audiences:
        raise LaunchError("LTI-AUD", "Token tidak ditujukan untuk Prima (aud).")
    if len(audiences) > 1 and claims.get("azp") != client_id:
        raise LaunchError("LTI-AUD", "Token dengan beberapa aud harus menyebut azp Prima.")
    now = time.time()
    exp, iat = claims.get("exp"), claims.get("iat")
    if not isinstance(exp, int | float) or exp + SKEW_SECONDS < now:
        raise LaunchError("LTI-EXP", "Token peluncuran sudah kedaluwarsa.")
    if not isinstance(iat, int | float) or iat - SKEW_SECONDS > now:
        raise LaunchError("LTI-IAT", "Waktu terbit (iat) token tidak masuk akal.")
    await _consume_nonce(state_id, claims.get("nonce"), expected_nonce)

    deployment = claims.get(CLAIM + "deployment_id")
    if not isinstance(deployment, str) or deployment not in (platform["deployment_ids"] or []):
        raise LaunchError("LTI-DEPLOYMENT", "Deployment ini belum terdaftar di Prima.")
    message_type = claims.get(CLAIM + "message_type")
    if message_type not in MESSAGE_TYPES:
        raise LaunchError("LTI-MESSAGE", "Jenis pesan LTI tidak didukung.")
    if claims.get(CLAIM + "version") != "1.3.0":
        raise LaunchError("LTI-VERSION", "Versi LTI harus 1.3.0.")
    sub = claims.get("sub")
    if not isinstance(sub, str) or not sub:
        raise LaunchError("LTI-CLAIM", "Klaim sub tidak ada (peluncuran anonim tidak didukung).")
    roles = claims.get(CLAIM + "roles")
    if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
        raise LaunchError("LTI-CLAIM", "Klaim roles tidak ada.")
    if message_type == "LtiResourceLinkRequest":
        link = claims.get(CLAIM + "resource_link")
        if not isinstance(link, dict) or not link.get("id"):
            raise LaunchError("LTI-CLAIM", "Klaim resource_link.id tidak ada.")
        if not claims.get(CLAIM + "target_link_uri"):
            raise LaunchError("LTI-CLAIM", "Klaim target_link_uri tidak ada.")
    else:
        settings = claims.get(DEEP_LINKING + "deep_linking_settings")
        if not isinstance(settings, dict) or not settings.get("deep_link_return_url"):
            raise LaunchError("LTI-CLAIM", "Klaim deep_linking_settings tidak ada.")
    return Launch(
        platform_id=platform["id"],
        instructor_role=platform["instructor_role"],
        sub=sub,
        message_type=str(message_type),
        deployment_id=deployment,
        roles=roles,
        claims=claims,
    )


def _header(id_token: str) -> dict[str, Any]:
    """The JWS protected header, read before verifying to learn the ``kid`` to verify with."""
    segment = id_token.split(".", 1)[0]
    try:
        header = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    except (ValueError, UnicodeDecodeError) as exc:
        raise LaunchError("LTI-JWT", "id_token bukan JWT yang sah.") from exc
    if not isinstance(header, dict):
        raise LaunchError("LTI-JWT", "id_token bukan JWT yang sah.")
    return header

"""Deep Linking 2.0: an instructor picks what of Prima to place in the LMS course (a session's
page, its pre- or post-test, the evaluation form, "my certificate"), and Prima answers the
platform a signed ``LtiDeepLinkingResponse`` with ``ltiResourceLink`` items (a line item for
the gradable ones).

``lms`` does not know sessions or quizzes: ``courses`` registers a content source (a function
from the caller to the items it may place), wired by the composition root.

Between the launch and the instructor's choice the launch's deep-linking settings travel in a
signed, 10-minute token in the page's form (HS256 with a key derived from the secret key): the
choice needs no cookie (the page may be inside the LMS's iframe), and a forged or stale form is
refused.
"""

from __future__ import annotations

import hashlib
import hmac
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import OctKey

from lms.auth.caller import Caller
from lms.config import Settings
from lms.lti.keys import tool_keys
from lms.lti.launch import CLAIM, DEEP_LINKING, Launch, LaunchError

CHOICE_TTL = 600


@dataclass(frozen=True)
class ContentItem:
    """One thing an instructor may place: ``key`` identifies it in the form."""

    key: str
    title: str
    kind: str  # session, pre_test, post_test, evaluation, certificate
    custom: dict[str, str] = field(default_factory=dict)
    gradable: bool = False
    text: str = ""


ContentSource = Callable[[Caller], Awaitable[list[ContentItem]]]
_SOURCES: list[ContentSource] = []


def register_content_source(source: ContentSource) -> None:
    """Add a source of placeable items (called by the composition root)."""
    if source not in _SOURCES:
        _SOURCES.append(source)


async def content_for(caller: Caller) -> list[ContentItem]:
    """Everything the caller may place, from every registered source."""
    items = [
        ContentItem(
            key="certificate",
            title="Sertifikat saya",
            kind="certificate",
            custom={"prima_kind": "certificate"},
            text="Peserta melihat dan mengunduh sertifikatnya.",
        )
    ]
    for source in _SOURCES:
        items.extend(await source(caller))
    return items


def _choice_key(settings: Settings) -> OctKey:
    secret = hmac.new(settings.secret_key.encode(), b"lti-deep-link", hashlib.sha256).digest()
    return OctKey.import_key(secret)


def choice_token(settings: Settings, launch: Launch, user_id: Any) -> str:
    """The signed carrier of a deep-linking launch's settings, for the choice form."""
    dl = launch.claims.get(DEEP_LINKING + "deep_linking_settings") or {}
    now = int(time.time())
    claims = {
        "platform_id": str(launch.platform_id),
        "deployment_id": launch.deployment_id,
        "return_url": str(dl.get("deep_link_return_url") or ""),
        "data": dl.get("data"),
        "accept_multiple": bool(dl.get("accept_multiple", True)),
        "user_id": str(user_id),
        "iat": now,
        "exp": now + CHOICE_TTL,
    }
    return jwt.encode({"alg": "HS256"}, claims, _choice_key(settings))


def read_choice_token(settings: Settings, token: str) -> dict[str, Any]:
    """The settings a choice form carries; refused when forged or older than 10 minutes."""
    try:
        claims = dict(jwt.decode(token, _choice_key(settings), algorithms=["HS256"]).claims)
    except (JoseError, ValueError) as exc:
        raise LaunchError("LTI-DEEPLINK", "Formulir pilihan konten tidak sah.") from exc
    if not isinstance(claims.get("exp"), int) or claims["exp"] < time.time():
        raise LaunchError("LTI-DEEPLINK", "Formulir pilihan konten kedaluwarsa; luncurkan ulang.")
    return claims


def response_jwt(
    settings: Settings,
    platform: dict[str, Any],
    choice: dict[str, Any],
    items: list[ContentItem],
) -> str:
    """The signed ``LtiDeepLinkingResponse`` for the chosen items (Deep Linking 2.0, 4.2)."""
    launch_url = f"{settings.public_base_url}/lti/launch"
    content = []
    for item in items:
        entry: dict[str, Any] = {
            "type": "ltiResourceLink",
            "title": item.title,
            "url": launch_url,
            "custom": item.custom,
        }
        if item.text:
            entry["text"] = item.text
        if item.gradable:
            entry["lineItem"] = {
                "scoreMaximum": 100,
                "label": item.title,
                "resourceId": item.key,
                "tag": item.kind,
            }
        content.append(entry)
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": platform["client_id"],
        "aud": platform["issuer"],
        "iat": now,
        "exp": now + 300,
        "nonce": uuid.uuid4().hex,
        CLAIM + "deployment_id": choice["deployment_id"],
        CLAIM + "message_type": "LtiDeepLinkingResponse",
        CLAIM + "version": "1.3.0",
        DEEP_LINKING + "content_items": content,
    }
    if choice.get("data") is not None:
        claims[DEEP_LINKING + "data"] = choice["data"]
    keys = tool_keys(settings)
    return jwt.encode({"alg": "RS256", "kid": keys.signing.kid, "typ": "JWT"}, claims, keys.signing)

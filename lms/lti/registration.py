"""Registering platforms: by an admin (issuer, client id, deployments, URLs) or by LTI Dynamic
Registration 1.0 (the LMS admin pastes Prima's registration URL; Prima reads the platform's
OpenID configuration and registers itself)."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID, uuid4

import msgspec

from lms.auth.caller import Caller
from lms.lti.platform_keys import Fetch, fetch_json
from lms.lti.tables import LtiPlatform, LtiRegistrationToken, LtiResourceLink
from lms.shared.errors import BadRequest, Conflict, NotFound
from lms.shared.schemas import Input, Output

SCOPES = [
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
    "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",
]
TOKEN_TTL = dt.timedelta(hours=24)


class PlatformCreate(Input):
    """A platform registered by hand (the values the LMS shows for the tool)."""

    name: str
    issuer: str
    client_id: str
    deployment_ids: list[str]
    auth_login_url: str
    auth_token_url: str
    jwks_url: str
    instructor_role: str = "trainer"


class PlatformRead(Output):
    """A registered platform."""

    id: UUID
    name: str
    issuer: str
    client_id: str
    deployment_ids: list[str]
    auth_login_url: str
    auth_token_url: str
    jwks_url: str
    instructor_role: str
    created_at: dt.datetime


class RegistrationUrl(Output):
    """A one-time registration URL to paste into the LMS (valid 24 hours)."""

    url: str
    expires_at: dt.datetime


def _https_or_local(url: str, field: str) -> str:
    parts = urlsplit(url)
    local = parts.hostname in {"127.0.0.1", "localhost", "::1"}
    if (
        parts.scheme not in ("https", "http")
        or not parts.hostname
        or (parts.scheme == "http" and not local)
    ):
        raise BadRequest(
            f"{field} harus URL https.", errors=[{"field": field, "message": "harus URL https"}]
        )
    return url


def _validate(data: PlatformCreate) -> None:
    for field in ("issuer", "auth_login_url", "auth_token_url", "jwks_url"):
        _https_or_local(getattr(data, field), field)
    if data.instructor_role not in ("trainer", "organizer"):
        raise BadRequest(
            "instructor_role harus trainer atau organizer.",
            errors=[{"field": "instructor_role", "message": "nilai: trainer, organizer"}],
        )
    if not data.client_id or not data.deployment_ids:
        raise BadRequest("client_id dan minimal satu deployment_id wajib diisi.")


def _read(row: dict[str, Any]) -> PlatformRead:
    return msgspec.convert(row, PlatformRead, from_attributes=True)


async def create_platform(data: PlatformCreate) -> PlatformRead:
    """Register a platform (409 when its issuer and client id are registered already)."""
    _validate(data)
    key = f"{data.issuer} {data.client_id}"
    if await LtiPlatform.exists().where(LtiPlatform.natural_key == key):
        raise Conflict("Platform dengan issuer dan client_id ini sudah terdaftar.")
    row = {
        "id": uuid4(),
        **msgspec.structs.asdict(data),
        "natural_key": key,
        "created_at": dt.datetime.now(dt.UTC),
    }
    await LtiPlatform.insert(LtiPlatform(**row))
    return _read(row)


async def list_platforms() -> list[PlatformRead]:
    rows = await LtiPlatform.select().order_by(LtiPlatform.created_at).output(load_json=True)
    return [_read(r) for r in rows]


async def add_deployment(platform_id: UUID, deployment_id: str) -> PlatformRead:
    row = (
        await LtiPlatform.select()
        .where(LtiPlatform.id == platform_id)
        .output(load_json=True)
        .first()
    )
    if row is None:
        raise NotFound("Platform tidak ditemukan.")
    if deployment_id not in row["deployment_ids"]:
        row["deployment_ids"].append(deployment_id)
        await LtiPlatform.update({LtiPlatform.deployment_ids: row["deployment_ids"]}).where(
            LtiPlatform.id == platform_id
        )
    return _read(row)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def new_registration_url(base_url: str, caller: Caller) -> RegistrationUrl:
    """A one-time URL for Dynamic Registration (the admin pastes it into the LMS)."""
    token = secrets.token_urlsafe(32)
    now = dt.datetime.now(dt.UTC)
    await LtiRegistrationToken.insert(
        LtiRegistrationToken(
            id=uuid4(), token_hash=_hash(token), created_by=caller.user_id, created_at=now
        )
    )
    return RegistrationUrl(url=f"{base_url}/lti/register?t={token}", expires_at=now + TOKEN_TTL)


async def _take_token(token: str) -> None:
    now = dt.datetime.now(dt.UTC)
    used = await (
        LtiRegistrationToken.update({LtiRegistrationToken.used_at: now})
        .where(
            (LtiRegistrationToken.token_hash == _hash(token))
            & LtiRegistrationToken.used_at.is_null()
            & (LtiRegistrationToken.created_at > now - TOKEN_TTL)
        )
        .returning(LtiRegistrationToken.id)
    )
    if not used:
        raise BadRequest("URL pendaftaran tidak sah, sudah dipakai, atau kedaluwarsa.")


def tool_configuration(base_url: str, name: str = "Prima") -> dict[str, Any]:
    """The client registration Prima sends (Dynamic Registration 1.0, section 3.5)."""
    host = urlsplit(base_url).hostname or "localhost"
    return {
        "application_type": "web",
        "response_types": ["id_token"],
        "grant_types": ["implicit", "client_credentials"],
        "initiate_login_uri": f"{base_url}/lti/login",
        "redirect_uris": [f"{base_url}/lti/launch"],
        "client_name": name,
        "jwks_uri": f"{base_url}/.well-known/jwks.json",
        "token_endpoint_auth_method": "private_key_jwt",
        "scope": " ".join(SCOPES),
        "https://purl.imsglobal.org/spec/lti-tool-configuration": {
            "domain": host,
            "target_link_uri": f"{base_url}/lti/launch",
            "custom_parameters": {"nip": "$Person.sourcedId"},
            "claims": ["iss", "sub", "name", "email"],
            "messages": [
                {"type": "LtiDeepLinkingRequest", "target_link_uri": f"{base_url}/lti/launch"},
                {"type": "LtiResourceLinkRequest", "target_link_uri": f"{base_url}/lti/launch"},
            ],
        },
    }


async def dynamic_register(
    token: str,
    openid_configuration: str,
    registration_token: str | None,
    base_url: str,
    fetch: Fetch = fetch_json,
    post: Any = None,
) -> PlatformRead:
    """Run Dynamic Registration: read the platform's configuration, register, store it."""
    await _take_token(token)
    config_url = _https_or_local(openid_configuration, "openid_configuration")
    try:
        config = await fetch(config_url)
    except Exception as exc:  # noqa: BLE001 - one clear message for the admin
        raise BadRequest("Konfigurasi OpenID platform tidak dapat dibaca.") from exc
    issuer = str(config.get("issuer") or "")
    # The configuration must come from its issuer's own site (Dynamic Registration 3.4).
    if not issuer or not config_url.startswith(issuer.rstrip("/")):
        raise BadRequest("Issuer pada konfigurasi platform tidak cocok dengan URL-nya.")
    endpoint = _https_or_local(str(config.get("registration_endpoint") or ""), "registration")
    payload = tool_configuration(base_url)
    headers = {"Content-Type": "application/json"}
    if registration_token:
        headers["Authorization"] = f"Bearer {registration_token}"
    try:
        answer = await (post or _post_json)(endpoint, payload, headers)
    except Exception as exc:  # noqa: BLE001
        raise BadRequest("Platform menolak pendaftaran Prima.") from exc
    tool_config = answer.get("https://purl.imsglobal.org/spec/lti-tool-configuration") or {}
    deployment = tool_config.get("deployment_id")
    name = str(
        (config.get("https://purl.imsglobal.org/spec/lti-platform-configuration") or {}).get(
            "product_family_code"
        )
        or issuer
    )
    return await create_platform(
        PlatformCreate(
            name=name[:200],
            issuer=issuer,
            client_id=str(answer.get("client_id") or ""),
            deployment_ids=[str(deployment)] if deployment else [],
            auth_login_url=str(config.get("authorization_endpoint") or ""),
            auth_token_url=str(config.get("token_endpoint") or ""),
            jwks_url=str(config.get("jwks_uri") or ""),
        )
    )


async def _post_json(url: str, payload: dict[str, Any], headers: dict[str, str]) -> dict:
    import httpx

    async with httpx.AsyncClient(timeout=10.0, follow_redirects=False) as client:
        resp = await client.post(url, json=payload, headers=headers)
        resp.raise_for_status()
        data = resp.json()
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    return data


class LinkRead(Output):
    """A placement of Prima in an LMS course."""

    id: UUID
    platform_id: UUID
    resource_link_id: str
    context_id: str
    context_title: str
    has_roster: bool
    has_gradebook: bool
    session_id: UUID | None
    kind: str = ""
    quiz_id: UUID | None = None


async def list_links() -> list[LinkRead]:
    """Every placement, newest first."""
    rows = await LtiResourceLink.select().order_by(LtiResourceLink.updated_at, ascending=False)
    return [
        LinkRead(
            id=r["id"],
            platform_id=r["platform"],
            resource_link_id=r["resource_link_id"],
            context_id=r["context_id"],
            context_title=r["context_title"],
            has_roster=bool(r["memberships_url"]),
            has_gradebook=bool(r["lineitem_url"]),
            session_id=r["session_id"],
            kind=r["kind"],
            quiz_id=r["quiz_id"],
        )
        for r in rows
    ]

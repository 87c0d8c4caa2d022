"""Third-party initiated login (OIDC): the platform names itself and the user; Prima keeps a
fresh state and nonce server-side and sends the browser to the platform's auth endpoint."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any
from urllib.parse import urlencode
from uuid import uuid4

from lms.lti.launch import LaunchError
from lms.lti.tables import LtiLaunchState, LtiPlatform


async def find_platform(issuer: str, client_id: str | None) -> dict[str, Any]:
    """The platform registered for ``issuer`` (and ``client_id`` when given)."""
    query = LtiPlatform.select().where(LtiPlatform.issuer == issuer)
    if client_id:
        query = query.where(LtiPlatform.client_id == client_id)
    rows = await query.limit(2)
    if len(rows) != 1:
        raise LaunchError(
            "LTI-PLATFORM",
            "Platform ini belum terdaftar di Prima (atau client_id tidak disebut).",
        )
    return rows[0]


async def initiate_login(params: dict[str, str], launch_url: str) -> str:
    """Store a state and nonce; return the platform auth URL to redirect the browser to."""
    issuer = params.get("iss", "")
    login_hint = params.get("login_hint", "")
    target = params.get("target_link_uri", "")
    if not issuer or not login_hint or not target:
        raise LaunchError("LTI-LOGIN", "Permintaan masuk LTI tidak lengkap (iss, login_hint).")
    platform = await find_platform(issuer, params.get("client_id"))
    state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    await LtiLaunchState.insert(
        LtiLaunchState(
            id=uuid4(),
            state=state,
            nonce=nonce,
            platform=platform["id"],
            target_link_uri=target[:1000],
            created_at=dt.datetime.now(dt.UTC),
        )
    )
    query = {
        "scope": "openid",
        "response_type": "id_token",
        "response_mode": "form_post",
        "prompt": "none",
        "client_id": platform["client_id"],
        "redirect_uri": launch_url,
        "login_hint": login_hint,
        "state": state,
        "nonce": nonce,
    }
    if params.get("lti_message_hint"):
        query["lti_message_hint"] = params["lti_message_hint"]
    separator = "&" if "?" in platform["auth_login_url"] else "?"
    return platform["auth_login_url"] + separator + urlencode(query)


async def purge_old_states(older_than: dt.timedelta = dt.timedelta(days=1)) -> None:
    """Forget login states older than a day (used or not)."""
    cutoff = dt.datetime.now(dt.UTC) - older_than
    await LtiLaunchState.delete().where(LtiLaunchState.created_at < cutoff)

"""Prima against an independent LTI 1.3 platform implementation from PyPI, ``lti1p3platform``
(PyJWT and jwcrypto, none of Prima's joserfc code): its OIDC login initiation, its launch
message (resource link with AGS and NRPS claims, and a deep-linking request), its validation of
Prima's deep-linking response, and its token endpoint's check of Prima's client assertion.

The library is synchronous and leaves the web framework to its user: the subclasses below are
the few lines it asks for (where the registration comes from, how a redirect and a form are
rendered). Prima fetches the platform's keys over HTTP from the fake platform's JWKS endpoint,
which here publishes the library's key.
"""

from __future__ import annotations

import re
import typing as t
from collections.abc import AsyncIterator
from urllib.parse import parse_qsl, urlsplit
from uuid import uuid4

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from joserfc.jwk import RSAKey
from lti1p3platform.ltiplatform import LTI1P3PlatformConfAbstract
from lti1p3platform.message_launch import LTIAdvantageMessageLaunchAbstract
from lti1p3platform.oidc_login import OIDCLoginAbstract
from lti1p3platform.registration import Registration
from lti1p3platform.request import Request

from lms.lti.services import LINEITEM_SCOPE, SCORE_SCOPE, ServiceClient
from lms.lti.tables import LtiPlatform
from tests.factories import make_actor, make_person
from tests.lms.lti.fake_platform import INSTRUCTOR, LEARNER, FakePlatform

NIP = "198609262015051001"
TEACHER_NIP = "199001152015032002"
PRIMA = "https://prima.test"


class _Platform(LTI1P3PlatformConfAbstract):
    def init_platform_config(self, **kwargs: t.Any) -> None:
        self.registration = kwargs["registration"]

    def get_registration_by_params(self, **kwargs: t.Any) -> Registration:
        return self.registration


class _Request(Request):
    """The browser's return from Prima's login redirect (the preflight response)."""

    def build_metadata(self, request: t.Any) -> t.Any:
        return {
            "method": "GET",
            "form_data": {},
            "get_data": request,
            "headers": {},
            "content_type": None,
            "path": "/auth",
            "json": None,
        }


class _Login(OIDCLoginAbstract):
    def set_lti_message_hint(self, **kwargs: t.Any) -> None:
        self._lti_message_hint = kwargs["hint"]

    def get_redirect(self, url: str) -> str:
        return url


class _Launch(LTIAdvantageMessageLaunchAbstract):
    def render_launch_form(self, launch_data: dict[str, t.Any], **kwargs: t.Any) -> t.Any:
        return launch_data


@pytest.fixture
async def jwks_server() -> AsyncIterator[FakePlatform]:
    """Only the fake platform's HTTP JWKS endpoint is used: it publishes the library's key."""
    fake = FakePlatform()
    await fake.start()
    yield fake
    await fake.stop()


async def _registered(client, admin, server: FakePlatform) -> tuple[_Platform, Registration]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    tool_jwks = (await client.get("/.well-known/jwks.json")).json()
    registration = (
        Registration()
        .set_iss(server.issuer)
        .set_client_id("lib-client-1")
        .set_deployment_id("lib-deployment-1")
        .set_oidc_login_url(f"{PRIMA}/lti/login")
        .set_launch_url(f"{PRIMA}/lti/launch")
        .set_deeplink_launch_url(f"{PRIMA}/lti/launch")
        .set_platform_private_key(private)
        .set_platform_public_key(public)
        .set_tool_key_set(tool_jwks)
    )
    server.published = [RSAKey.import_key(registration.get_jwks()[0])]
    made = await client.post(
        "/api/v1/lti/platforms",
        headers=admin.headers,
        json={
            "name": "lti1p3platform",
            "issuer": server.issuer,
            "client_id": "lib-client-1",
            "deployment_ids": ["lib-deployment-1"],
            "auth_login_url": f"{server.issuer}/auth",
            "auth_token_url": f"{server.issuer}/token",
            "jwks_url": f"{server.issuer}/jwks",
            "instructor_role": "organizer",
        },
    )
    assert made.status_code == 201, made.text
    return _Platform(registration=registration), registration


async def _preflight(client, platform: _Platform, user_id: str) -> dict[str, str]:
    """The library starts the login at Prima; Prima answers with its auth request."""
    login = _Login(None, platform)
    login.set_lti_message_hint(hint="placement-1")
    url = urlsplit(login.initiate_login(user_id))
    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{PRIMA}/lti/login"
    query = dict(parse_qsl(url.query))
    assert query["lti_deployment_id"] == "lib-deployment-1"
    resp = await client.get("/lti/login", params=query)
    assert resp.status_code == 302, resp.text
    return dict(parse_qsl(urlsplit(resp.headers["location"]).query))


async def test_a_launch_built_by_lti1p3platform_signs_the_learner_in(
    app, client, admin, unit, jwks_server
):
    platform, _ = await _registered(client, admin, jwks_server)
    await make_person(unit["id"], "Afrizal", nip=NIP)
    session_id = uuid4()
    launch = _Launch(_Request(await _preflight(client, platform, "lib-user-9")), platform)
    launch.set_user_data("lib-user-9", [LEARNER], "Afrizal", "afrizal@example.go.id")
    launch.set_resource_link_claim("placement-1", title="Sesi Angkatan I")
    launch.set_launch_context_claim("course-3", context_title="Pelayanan Prima")
    launch.set_custom_parameters_claim(
        {"nip": NIP, "prima_kind": "session", "session_id": str(session_id)}
    )
    launch.set_ags(f"{jwks_server.issuer}/lineitems", f"{jwks_server.issuer}/lineitems/1")
    launch.set_nrps(f"{jwks_server.issuer}/nrps/members")
    form = launch.lti_launch()
    assert form["launch_url"] == f"{PRIMA}/lti/launch"
    resp = await client.post(
        "/lti/launch", data={"id_token": form["id_token"], "state": form["state"]}
    )
    assert resp.status_code == 303, resp.text
    assert resp.headers["location"] == f"/saya/sesi/{session_id}"
    links = (await client.get("/api/v1/lti/links", headers=admin.headers)).json()
    assert links[0]["has_roster"] and links[0]["has_gradebook"]

    # The same message replayed is refused (its nonce was spent).
    again = await client.post(
        "/lti/launch", data={"id_token": form["id_token"], "state": form["state"]}
    )
    assert again.status_code == 400 and "LTI-" in again.text


async def test_lti1p3platform_accepts_primas_deep_linking_response_and_assertion(
    app, client, admin, unit, jwks_server
):
    platform, registration = await _registered(client, admin, jwks_server)
    person = await make_person(unit["id"], "Siti", nip=TEACHER_NIP)
    await make_actor(app, "organizer", person_id=person, unit_id=unit["id"], username="siti")
    launch = _Launch(_Request(await _preflight(client, platform, "lib-teacher")), platform)
    launch.set_user_data("lib-teacher", [INSTRUCTOR], "Siti")
    launch.set_custom_parameters_claim({"nip": TEACHER_NIP})
    launch.set_dl(
        f"{jwks_server.issuer}/deep-link-return",
        title="Pilih konten",
        accept_types={"ltiResourceLink"},
    )
    form = launch.lti_launch()
    page = await client.post(
        "/lti/launch", data={"id_token": form["id_token"], "state": form["state"]}
    )
    assert page.status_code == 200 and "Pilih konten Prima" in page.text, page.text
    choice = re.search(r'name="choice" value="([^"]+)"', page.text).group(1)
    chosen = await client.post("/lti/deep-link", data={"choice": choice, "item": "certificate"})
    assert chosen.status_code == 200, chosen.text
    token = re.search(r'name="JWT" value="([^"]+)"', chosen.text).group(1)

    # The library verifies Prima's signature with Prima's JWKS and reads the items.
    items = platform.validate_deeplinking_resp({"JWT": token})
    assert [(i["type"], i["custom"]["prima_kind"]) for i in items] == [
        ("ltiResourceLink", "certificate")
    ]
    assert items[0]["url"] == f"{PRIMA}/lti/launch"

    # Its token endpoint accepts Prima's signed client assertion (Security Framework 4.1).
    row = await LtiPlatform.select().where(LtiPlatform.issuer == jwks_server.issuer).first()
    assertion = ServiceClient(app.state.settings).client_assertion(row)
    answer = platform.get_access_token(
        {
            "grant_type": "client_credentials",
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": assertion,
            "scope": f"{SCORE_SCOPE} {LINEITEM_SCOPE}",
        }
    )
    assert answer["scope"] == f"{SCORE_SCOPE} {LINEITEM_SCOPE}"
    assert platform.validate_token(answer["access_token"], allowed_scopes=[SCORE_SCOPE])
    assert registration.get_client_id() == "lib-client-1"

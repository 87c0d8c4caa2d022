"""LTI 1.3 against a fake platform: dynamic registration, login initiation, launches of a
learner and an instructor, and each refused launch with its own code."""

from __future__ import annotations

import re
import time
from collections.abc import AsyncIterator
from urllib.parse import parse_qs, urlsplit

import pytest
from joserfc.jwk import RSAKey

from lms.lti.tables import LtiPlatform
from tests.factories import make_actor, make_person
from tests.lms.lti.fake_platform import CLAIM, FakePlatform

NIP = "198609262015051001"


@pytest.fixture
async def platform() -> AsyncIterator[FakePlatform]:
    fake = FakePlatform()
    await fake.start()
    yield fake
    await fake.stop()


async def _register(client, admin, platform: FakePlatform) -> None:
    made = await client.post("/api/v1/lti/registration-urls", headers=admin.headers)
    assert made.status_code == 201, made.text
    url = made.json()["url"]
    assert url.startswith("https://prima.test/lti/register?t=")
    token = parse_qs(urlsplit(url).query)["t"][0]
    resp = await client.get(
        "/lti/register",
        params={
            "t": token,
            "openid_configuration": platform.openid_configuration_url,
            "registration_token": platform.registration_token,
        },
    )
    assert resp.status_code == 200, resp.text
    assert "Prima terdaftar" in resp.text and "/lti/static/lti-close.js" in resp.text
    again = await client.get(
        "/lti/register",
        params={"t": token, "openid_configuration": platform.openid_configuration_url},
    )
    assert again.status_code == 400 and "sudah dipakai" in again.text


async def _login(client, platform: FakePlatform) -> str:
    resp = await client.get(
        "/lti/login",
        params={
            "iss": platform.issuer,
            "login_hint": "7",
            "target_link_uri": "https://prima.test/lti/launch",
            "client_id": platform.client_id,
            "lti_message_hint": "hint-1",
        },
    )
    assert resp.status_code == 302, resp.text
    location = resp.headers["location"]
    assert location.startswith(f"{platform.issuer}/auth?")
    query = parse_qs(urlsplit(location).query)
    assert query["redirect_uri"] == ["https://prima.test/lti/launch"]
    assert query["client_id"] == [platform.client_id] and query["prompt"] == ["none"]
    return location


async def _launch(client, id_token: str, state: str):
    return await client.post("/lti/launch", data={"id_token": id_token, "state": state})


def _code(resp) -> str:
    found = re.search(r"Kode galat: <code>([A-Z-]+)</code>", resp.text)
    return found.group(1) if found else ""


async def test_dynamic_registration_stores_the_platform(app, client, admin, platform):
    await _register(client, admin, platform)
    (sent,) = platform.registrations
    assert sent["initiate_login_uri"] == "https://prima.test/lti/login"
    assert sent["redirect_uris"] == ["https://prima.test/lti/launch"]
    assert sent["jwks_uri"] == "https://prima.test/.well-known/jwks.json"
    assert sent["token_endpoint_auth_method"] == "private_key_jwt"
    assert "lti-ags/scope/score" in sent["scope"] and "lti-nrps" in sent["scope"]
    config = sent["https://purl.imsglobal.org/spec/lti-tool-configuration"]
    assert config["custom_parameters"] == {"nip": "$Person.sourcedId"}
    assert {m["type"] for m in config["messages"]} == {
        "LtiResourceLinkRequest",
        "LtiDeepLinkingRequest",
    }
    row = await LtiPlatform.select().output(load_json=True).first()
    assert row["issuer"] == platform.issuer and row["client_id"] == platform.client_id
    assert row["deployment_ids"] == [platform.deployment_id]
    assert row["jwks_url"] == f"{platform.issuer}/jwks"


async def test_registration_needs_the_admins_one_time_url(app, client, platform):
    resp = await client.get(
        "/lti/register",
        params={"t": "made-up", "openid_configuration": platform.openid_configuration_url},
    )
    assert resp.status_code == 400 and platform.registrations == []


async def test_learner_and_instructor_launch_and_are_matched_by_nip(
    app, client, admin, unit, platform
):
    await _register(client, admin, platform)
    await make_person(unit["id"], "Afrizal", nip=NIP)
    id_token, state = platform.id_token(await _login(client, platform), nip=NIP)
    resp = await _launch(client, id_token, state)
    # Signed in to the pages: a session cookie, and the person's home opens.
    assert resp.status_code == 303, resp.text
    assert resp.headers["location"] == "/saya"
    assert "prima_sesi=" in resp.headers["set-cookie"]
    assert "httponly" in resp.headers["set-cookie"].lower()
    home = await client.get("/saya")
    assert home.status_code == 200 and "Afrizal" in home.text
    assert await _role_of(NIP) == "participant"

    # The same person again: linked by sub now, even without the NIP claim.
    id_token, state = platform.id_token(await _login(client, platform))
    assert (await _launch(client, id_token, state)).status_code == 303

    trainer_person = await make_person(unit["id"], "Hendra", nip="197803282005011006")
    await make_actor(app, "trainer", person_id=trainer_person, username="hendra")
    id_token, state = platform.id_token(
        await _login(client, platform),
        sub="moodle-teacher-2",
        roles=("http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor",),
        nip="197803282005011006",
    )
    client.cookies.clear()
    resp = await _launch(client, id_token, state)
    assert resp.status_code == 303
    home = await client.get("/saya")
    assert home.status_code == 200 and "Hendra" in home.text
    assert await _role_of("197803282005011006") == "trainer"


async def _role_of(nip: str) -> str:
    from lms.auth.tables import User
    from lms.people.tables import Person

    person = await Person.select(Person.id).where(Person.nip == nip).first()
    user = await User.select(User.role).where(User.person == person["id"]).first()
    return user["role"]


async def test_a_replayed_launch_is_refused(app, client, admin, unit, platform):
    await _register(client, admin, platform)
    await make_person(unit["id"], nip=NIP)
    id_token, state = platform.id_token(await _login(client, platform), nip=NIP)
    assert (await _launch(client, id_token, state)).status_code == 303
    replay = await _launch(client, id_token, state)
    assert replay.status_code == 400 and _code(replay) == "LTI-NONCE"


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"aud": "someone-else"}, "LTI-AUD"),
        ({"exp": int(time.time()) - 600, "iat": int(time.time()) - 900}, "LTI-EXP"),
        ({"iss": "https://other.example"}, "LTI-ISS"),
        ({"deployment_id": "deployment-unknown"}, "LTI-DEPLOYMENT"),
        ({"message_type": "LtiSubmissionReviewRequest"}, "LTI-MESSAGE"),
        ({"version": "1.1"}, "LTI-VERSION"),
        ({"nonce": "not-the-one"}, "LTI-NONCE"),
        ({"resource_link": None}, "LTI-CLAIM"),
    ],
)
async def test_refused_launches_name_their_reason(
    app, client, admin, unit, platform, overrides, code
):
    await _register(client, admin, platform)
    await make_person(unit["id"], nip=NIP)
    id_token, state = platform.id_token(await _login(client, platform), nip=NIP, **overrides)
    resp = await _launch(client, id_token, state)
    assert resp.status_code == 400 and _code(resp) == code, resp.text
    assert "Peluncuran LTI ditolak" in resp.text


async def test_bad_state_unknown_kid_other_key_and_unknown_person(
    app, client, admin, unit, platform, monkeypatch
):
    await _register(client, admin, platform)
    await make_person(unit["id"], nip=NIP)

    id_token, _state = platform.id_token(await _login(client, platform), nip=NIP)
    assert _code(await _launch(client, id_token, "forged-state")) == "LTI-STATE"

    # An unknown kid: the platform's JWKS is fetched again, then the launch is refused.
    before = platform.jwks_fetches
    id_token, state = platform.id_token(await _login(client, platform), nip=NIP, kid="rotated")
    assert _code(await _launch(client, id_token, state)) == "LTI-KID"
    assert platform.jwks_fetches == before + 1
    # Made-up kids in a burst do not turn Prima into a request generator: one fetch per window.
    id_token, state = platform.id_token(await _login(client, platform), nip=NIP, kid="other")
    assert _code(await _launch(client, id_token, state)) == "LTI-KID"
    assert platform.jwks_fetches == before + 1

    # The platform rotates (after the window): the new kid is fetched and accepted.
    monkeypatch.setattr("lms.lti.platform_keys.REFETCH_SECONDS", 0.0)
    platform.key = RSAKey.generate_key(2048, parameters={"kid": "platform-2"})
    platform.published.append(platform.key)
    id_token, state = platform.id_token(await _login(client, platform), nip=NIP)
    assert (await _launch(client, id_token, state)).status_code == 303

    # Signed with another key under the platform's kid.
    stranger = RSAKey.generate_key(2048, parameters={"kid": "platform-2"})
    id_token, state = platform.id_token(await _login(client, platform), nip=NIP, key=stranger)
    assert _code(await _launch(client, id_token, state)) == "LTI-SIGNATURE"

    # Nobody in Prima has this NIP or email, and the sub was never linked.
    id_token, state = platform.id_token(
        await _login(client, platform), sub="stranger-9", nip="199001152015032002"
    )
    resp = await _launch(client, id_token, state)
    assert resp.status_code == 403 and _code(resp) == "LTI-IDENTITY"

    # Not a JWT at all: a clear page, never a 500.
    id_token, state = platform.id_token(await _login(client, platform), nip=NIP)
    assert _code(await _launch(client, "a.b", state)) == "LTI-JWT"


async def test_login_from_an_unknown_platform_is_refused(app, client):
    resp = await client.post(
        "/lti/login",
        data={"iss": "https://unknown.example", "login_hint": "1", "target_link_uri": "x"},
    )
    assert resp.status_code == 400 and _code(resp) == "LTI-PLATFORM"


async def test_tool_jwks_publishes_old_keys_after_rotation(app, client):
    from lms.config import get_settings
    from lms.lti import keys

    first = (await client.get("/.well-known/jwks.json")).json()["keys"]
    assert len(first) >= 1 and all("d" not in k and k["kid"] for k in first)
    new_kid = keys.rotate(get_settings())
    after = (await client.get("/.well-known/jwks.json")).json()["keys"]
    kids = [k["kid"] for k in after]
    assert new_kid in kids and {k["kid"] for k in first} <= set(kids)
    assert keys.tool_keys(get_settings()).signing.kid == new_kid
    old = first[0]["kid"]
    assert keys.retire(get_settings(), old)
    assert old not in [
        k["kid"] for k in (await client.get("/.well-known/jwks.json")).json()["keys"]
    ]
    assert CLAIM  # the fake platform's claim prefix is the spec's


async def test_only_the_admin_registers_platforms(app, client, organizer, hr):
    body = {
        "name": "Moodle",
        "issuer": "https://moodle.example",
        "client_id": "c",
        "deployment_ids": ["d"],
        "auth_login_url": "https://moodle.example/auth",
        "auth_token_url": "https://moodle.example/token",
        "jwks_url": "https://moodle.example/jwks",
    }
    for actor in (organizer, hr):
        resp = await client.post("/api/v1/lti/platforms", json=body, headers=actor.headers)
        assert resp.status_code == 403
        made = await client.post("/api/v1/lti/registration-urls", headers=actor.headers)
        assert made.status_code == 403

"""Login, tokens, roles and the user admin routes."""

from __future__ import annotations

import re

import httpx
import pytest

from lms.app import SWAGGER_UI_VERSION
from tests.factories import make_actor


async def test_login_returns_bearer_token_that_authenticates(client, app):
    actor = await make_actor(app, "organizer", username="siti", password="rahasia-123")
    resp = await client.post(
        "/api/v1/auth/login", json={"username": "siti", "password": "rahasia-123"}
    )
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["token_type"] == "bearer"
    assert body["expires_at"]
    me = await client.get(
        "/api/v1/auth/me", headers={"Authorization": f"Bearer {body['access_token']}"}
    )
    assert me.status_code == 200
    assert me.json()["username"] == "siti"
    assert me.json()["id"] == str(actor.user_id)


async def test_wrong_password_and_unknown_user_answer_the_same_401(client, app):
    await make_actor(app, "hr", username="budi", password="rahasia-123")
    wrong = await client.post("/api/v1/auth/login", json={"username": "budi", "password": "x"})
    unknown = await client.post("/api/v1/auth/login", json={"username": "nobody", "password": "x"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.headers["content-type"].startswith("application/problem+json")
    assert wrong.json()["detail"] == unknown.json()["detail"]


async def test_missing_or_bad_token_is_401_problem(client, app):
    resp = await client.get("/api/v1/auth/me")
    assert resp.status_code == 401
    assert resp.json()["status"] == 401
    resp = await client.get("/api/v1/auth/me", headers={"Authorization": "Bearer nonsense"})
    assert resp.status_code == 401


async def test_deactivated_user_loses_access_at_once(client, app, admin):
    actor = await make_actor(app, "participant")
    assert (await client.get("/api/v1/auth/me", headers=actor.headers)).status_code == 200
    resp = await client.patch(
        f"/api/v1/users/{actor.user_id}", json={"active": False}, headers=admin.headers
    )
    assert resp.status_code == 200
    assert (await client.get("/api/v1/auth/me", headers=actor.headers)).status_code == 401


async def test_login_is_rate_limited_per_username(client, app, monkeypatch):
    await make_actor(app, "hr", username="target", password="rahasia-123")
    limiter_limit = app.state.settings.login_rate_per_minute
    statuses = []
    for _ in range(limiter_limit + 1):
        resp = await client.post(
            "/api/v1/auth/login", json={"username": "target", "password": "wrong"}
        )
        statuses.append(resp.status_code)
    assert statuses[-1] == 429
    assert set(statuses[:-1]) == {401}
    assert int(resp.headers["Retry-After"]) >= 1
    # even the right password is refused while limited
    resp = await client.post(
        "/api/v1/auth/login", json={"username": "target", "password": "rahasia-123"}
    )
    assert resp.status_code == 429


async def test_admin_creates_and_lists_users_others_may_not(client, admin, organizer, unit):
    resp = await client.post(
        "/api/v1/users",
        json={
            "username": "hr-kota",
            "password": "rahasia-123",
            "role": "hr",
            "unit_id": str(unit["id"]),
        },
        headers=admin.headers,
    )
    assert resp.status_code == 201, resp.text
    assert "password_hash" not in resp.json()
    dup = await client.post(
        "/api/v1/users",
        json={
            "username": "hr-kota",
            "password": "rahasia-123",
            "role": "hr",
            "unit_id": str(unit["id"]),
        },
        headers=admin.headers,
    )
    assert dup.status_code == 409
    listing = await client.get("/api/v1/users?role=hr", headers=admin.headers)
    assert listing.status_code == 200
    assert [u["username"] for u in listing.json()["items"]] == ["hr-kota"]
    forbidden = await client.get("/api/v1/users", headers=organizer.headers)
    assert forbidden.status_code == 403


@pytest.mark.parametrize(
    "body",
    [
        {"username": "x", "password": "rahasia-123", "role": "admin"},
        {"username": "valid", "password": "short", "role": "admin"},
        {"username": "valid", "password": "rahasia-123", "role": "king"},
        {"username": "valid", "password": "rahasia-123", "role": "admin", "extra": 1},
    ],
)
async def test_bad_user_input_is_400_with_field_errors(client, admin, body):
    resp = await client.post("/api/v1/users", json=body, headers=admin.headers)
    assert resp.status_code == 400
    problem = resp.json()
    assert problem["type"].endswith("bad-request")
    assert problem["errors"] and all("field" in e and "message" in e for e in problem["errors"])


async def test_health_endpoints(client, app):
    live = await client.get("/health/live")
    assert live.json() == {"status": "ok"}
    ready = await client.get("/health")
    assert ready.status_code == 200
    assert ready.json()["database"] == "ok"


async def test_docs_page_loads_nothing_from_outside(client, app):
    page = await client.get("/schema")
    assert page.status_code == 200
    assert "http://" not in page.text.replace("http://testserver", "")
    assert "https://" not in page.text
    spec = await client.get("/schema/openapi.json")
    assert spec.json()["openapi"].startswith("3.1")
    assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sorted(assets) == [
        f"/static/swagger-ui/{SWAGGER_UI_VERSION}/{name}"
        for name in ("swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "swagger-ui.css")
    ]
    for url in assets:
        asset = await client.get(url)
        assert asset.status_code == 200, url
        assert asset.headers["cache-control"] == "max-age=31536000, public, immutable"
    bundle = await client.get(f"/static/swagger-ui/{SWAGGER_UI_VERSION}/swagger-ui-bundle.js")
    assert f'"{SWAGGER_UI_VERSION}"' in bundle.text  # Swagger UI 5 reads OpenAPI 3.1


async def test_concurrent_wrong_passwords_are_limited_exactly(client, app):
    # Issue 12: 25 concurrent wrong passwords for one user were all checked.
    import asyncio

    await make_actor(app, "hr", username="sasaran", password="rahasia-123")
    limit = app.state.settings.login_rate_per_minute
    answers = await asyncio.gather(
        *(
            client.post("/api/v1/auth/login", json={"username": "sasaran", "password": f"x{n}"})
            for n in range(25)
        )
    )
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [401] * limit + [429] * (25 - limit)
    locked = [a for a in answers if a.status_code == 429][0]
    assert locked.json()["detail"] == "Terlalu banyak percobaan masuk yang gagal; coba lagi nanti."
    assert int(locked.headers["Retry-After"]) >= 1


async def test_a_class_of_40_logs_in_from_one_address_within_a_minute(client, app):
    # Issue 15: only failures count, so the 31st person of a class is not turned away.
    import asyncio

    for n in range(40):
        await make_actor(app, "participant", username=f"peserta{n:02d}", password="sandi-awal-1")
    for batch in range(4):  # ten at a time, as a class does when told to log in
        answers = await asyncio.gather(
            *(
                client.post(
                    "/api/v1/auth/login",
                    json={"username": f"peserta{n:02d}", "password": "sandi-awal-1"},
                )
                for n in range(batch * 10, batch * 10 + 10)
            )
        )
        assert [a.status_code for a in answers] == [200] * 10, answers[0].text


async def test_a_class_of_60_logging_in_at_the_same_moment_is_not_refused(client, app):
    # The 500-participant page benchmark: every login held an address place while its password
    # was checked, so more than 30 correct logins in flight from one address got 429.
    import asyncio

    for n in range(60):
        await make_actor(app, "participant", username=f"kelas{n:02d}", password="sandi-awal-1")
    answers = await asyncio.gather(
        *(
            client.post(
                "/api/v1/auth/login", json={"username": f"kelas{n:02d}", "password": "sandi-awal-1"}
            )
            for n in range(60)
        )
    )
    assert [a.status_code for a in answers] == [200] * 60, answers[0].text


async def test_failures_from_one_address_still_lock_it(client, app):
    limit = app.state.settings.login_rate_per_minute * 3
    await make_actor(app, "participant", username="benar", password="rahasia-123")
    statuses = []
    for n in range(limit + 1):  # a different username each time: only the address limits
        resp = await client.post(
            "/api/v1/auth/login", json={"username": f"tebakan{n}", "password": "salah"}
        )
        statuses.append(resp.status_code)
    assert statuses == [401] * limit + [429]
    # Now even a right password from that address waits; another address does not.
    right = {"username": "benar", "password": "rahasia-123"}
    assert (await client.post("/api/v1/auth/login", json=right)).status_code == 429
    transport = httpx.ASGITransport(app=app, client=("10.9.8.7", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as other:
        assert (await other.post("/api/v1/auth/login", json=right)).status_code == 200


async def _login(client, username, password):
    return await client.post(
        "/api/v1/auth/login", json={"username": username, "password": password}
    )


async def test_changing_own_password_ends_every_earlier_token(client, app):
    await make_actor(app, "participant", username="rina", password="sandi-awal-1")
    phone = (await _login(client, "rina", "sandi-awal-1")).json()["access_token"]
    laptop = (await _login(client, "rina", "sandi-awal-1")).json()["access_token"]
    resp = await client.post(
        "/api/v1/auth/password",
        json={"current_password": "sandi-awal-1", "new_password": "sandi-baru-22"},
        headers={"Authorization": f"Bearer {laptop}"},
    )
    assert resp.status_code == 200, resp.text
    fresh = resp.json()["access_token"]
    for old in (phone, laptop):
        gone = await client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {old}"})
        assert gone.status_code == 401
    me = await client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {fresh}"})
    assert me.status_code == 200 and me.json()["username"] == "rina"
    assert (await _login(client, "rina", "sandi-awal-1")).status_code == 401
    assert (await _login(client, "rina", "sandi-baru-22")).status_code == 200


async def test_admin_password_reset_ends_the_accounts_tokens(client, app, admin):
    await make_actor(app, "hr", username="dewi", password="sandi-awal-1")
    token = (await _login(client, "dewi", "sandi-awal-1")).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert (await client.get("/api/v1/auth/me", headers=headers)).status_code == 200
    user_id = (await client.get("/api/v1/auth/me", headers=headers)).json()["id"]
    resp = await client.patch(
        f"/api/v1/users/{user_id}", json={"password": "diganti-admin-1"}, headers=admin.headers
    )
    assert resp.status_code == 200
    assert (await client.get("/api/v1/auth/me", headers=headers)).status_code == 401
    # Changing something else does not end tokens.
    token = (await _login(client, "dewi", "diganti-admin-1")).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    await client.patch(f"/api/v1/users/{user_id}", json={"role": "hr"}, headers=admin.headers)
    assert (await client.get("/api/v1/auth/me", headers=headers)).status_code == 200


async def test_password_change_refusals_are_indonesian(client, app):
    actor = await make_actor(app, "participant", username="yoga", password="sandi-awal-1")
    url = "/api/v1/auth/password"
    wrong = await client.post(
        url,
        json={"current_password": "keliru", "new_password": "sandi-baru-22"},
        headers=actor.headers,
    )
    assert wrong.status_code == 422
    assert wrong.json()["detail"] == "Kata sandi saat ini salah."
    assert wrong.json()["errors"] == [{"field": "current_password", "message": "tidak cocok"}]
    same = await client.post(
        url,
        json={"current_password": "sandi-awal-1", "new_password": "sandi-awal-1"},
        headers=actor.headers,
    )
    assert same.status_code == 422
    assert same.json()["detail"] == "Kata sandi baru harus berbeda dari kata sandi saat ini."
    short = await client.post(
        url,
        json={"current_password": "sandi-awal-1", "new_password": "pendek"},
        headers=actor.headers,
    )
    assert short.status_code == 400
    assert short.json()["errors"] == [
        {"field": "new_password", "message": "panjang minimal 8 karakter", "source": "body"}
    ]
    anonymous = await client.post(
        url, json={"current_password": "sandi-awal-1", "new_password": "sandi-baru-22"}
    )
    assert anonymous.status_code == 401


async def test_a_token_under_another_scheme_than_bearer_is_refused(client, app):
    actor = await make_actor(app, "participant")
    token = actor.headers["Authorization"].removeprefix("Bearer ")
    for scheme in ("Basic", "Token", "Digest"):
        resp = await client.get("/api/v1/auth/me", headers={"Authorization": f"{scheme} {token}"})
        assert resp.status_code == 401, scheme
        assert resp.headers["content-type"].startswith("application/problem+json")
    ok = await client.get("/api/v1/auth/me", headers={"Authorization": f"bearer {token}"})
    assert ok.status_code == 200


async def test_login_limit_counts_in_redis_when_configured(client, app):
    # Several workers share the counts through Redis (LMS_REDIS_URL): the same exact limit.
    import asyncio
    from uuid import uuid4

    from lms.shared.ratelimit import RedisCounters, make_counters
    from tests.lms.shared.test_ratelimit import REDIS_URL, _redis_answers

    if not _redis_answers():
        pytest.skip("no Redis answers on 127.0.0.1:6379")
    assert isinstance(make_counters(REDIS_URL), RedisCounters)
    counters = RedisCounters(REDIS_URL, namespace=f"prima-test:{uuid4()}")
    memory = app.state.rate_counters
    app.state.rate_counters = counters
    try:
        await make_actor(app, "hr", username="sasaran-redis", password="rahasia-123")
        limit = app.state.settings.login_rate_per_minute
        answers = await asyncio.gather(
            *(
                client.post(
                    "/api/v1/auth/login", json={"username": "sasaran-redis", "password": f"x{n}"}
                )
                for n in range(25)
            )
        )
        assert sorted(a.status_code for a in answers) == [401] * limit + [429] * (25 - limit)
    finally:
        app.state.rate_counters = memory
        keys = [k async for k in counters.redis.scan_iter(f"{counters.namespace}:*")]
        if keys:
            await counters.redis.delete(*keys)
        await counters.close()


async def test_an_initial_password_opens_only_the_password_change_on_the_api(client, app):
    from lms.auth.tables import User

    actor = await make_actor(app, "organizer", username="nisa", password="sandi-awal-1")
    await User.update({User.must_change_password: True}).where(User.id == actor.user_id)
    token = (await _login(client, "nisa", "sandi-awal-1")).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}

    refused = await client.get("/api/v1/sessions", headers=headers)
    assert refused.status_code == 403, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert "Ganti kata sandi awal" in refused.json()["detail"]
    assert (await client.get("/api/v1/auth/me", headers=headers)).status_code == 200

    changed = await client.post(
        "/api/v1/auth/password",
        json={"current_password": "sandi-awal-1", "new_password": "sandi-baru-22"},
        headers=headers,
    )
    assert changed.status_code == 200, changed.text
    fresh = {"Authorization": f"Bearer {changed.json()['access_token']}"}
    assert (await client.get("/api/v1/sessions", headers=fresh)).status_code == 200
    row = await User.select(User.must_change_password).where(User.id == actor.user_id)
    assert row == [{"must_change_password": False}]

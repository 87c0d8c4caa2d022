"""Login, tokens, roles and the user admin routes."""

from __future__ import annotations

import re

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

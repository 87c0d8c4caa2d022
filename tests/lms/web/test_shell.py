"""The page shell: landing page, headers, static assets, sessions, CSRF and the login pages."""

from __future__ import annotations

import base64
import hashlib
import re

import httpx
import pytest

from lms.auth.tables import User
from lms.web.assets import asset_url

CSRF = re.compile(r'name="_csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, html
    return found.group(1)


async def login(web: httpx.AsyncClient, username: str, password: str) -> httpx.Response:
    page = await web.get("/masuk")
    return await web.post(
        "/masuk",
        data={"username": username, "password": password, "_csrf_token": csrf_of(page.text)},
    )


async def test_landing_page_is_indonesian_with_the_check_form_and_strict_headers(web):
    resp = await web.get("/")

    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("text/html")
    html = resp.text
    assert '<html lang="id">' in html
    assert "Cek sertifikat" in html and 'action="/verify"' in html
    assert '<label for="f-q">Nomor sertifikat atau kode verifikasi</label>' in html
    assert "<main" in html and "<header" in html and "<footer" in html
    csp = resp.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert resp.headers["cache-control"] == "no-store"
    # Every script is ours, versioned, and none is inline; the style sheet is inline (one round
    # trip less before the first paint) and the CSP allows exactly its bytes by their hash.
    assert re.findall(r'<script[^>]*src="([^"]+)"', html) == [asset_url("prima.js")]
    assert "<script>" not in html and "style=" not in html
    styles = re.findall(r"<style>(.*?)</style>", html, re.DOTALL)
    assert len(styles) == 1 and 'rel="stylesheet"' not in html
    digest = base64.b64encode(hashlib.sha256(styles[0].encode()).digest()).decode()
    assert f"'sha256-{digest}'" in csp.split("style-src", 1)[1].split(";", 1)[0]
    assert "http://" not in html and "https://" not in html


async def test_static_assets_are_cached_for_a_year(web):
    resp = await web.get(asset_url("prima.css"))

    assert resp.status_code == 200
    assert resp.headers["cache-control"] == "max-age=31536000, public"
    assert "--brand" in resp.text


async def test_pages_need_a_login_and_come_back_after_it(web, participant):
    resp = await web.get("/saya")
    assert resp.status_code == 303
    assert resp.headers["location"] == "/masuk?lanjut=/saya"

    page = await web.get("/masuk?lanjut=/saya")
    assert 'name="lanjut" value="/saya"' in page.text
    done = await web.post(
        "/masuk",
        data={
            "username": participant.username,
            "password": "rahasia-123",
            "lanjut": "/saya",
            "_csrf_token": csrf_of(page.text),
        },
    )
    assert done.status_code == 303 and done.headers["location"] == "/saya"
    cookie = done.headers["set-cookie"]
    assert "prima_sesi=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Secure" in cookie  # LMS_PUBLIC_BASE_URL is https in the tests
    home = await web.get("/saya")
    assert home.status_code == 200
    assert "Beranda saya" in home.text


async def test_wrong_password_is_an_indonesian_message_not_an_error(web, participant):
    resp = await login(web, participant.username, "salah-sekali")

    assert resp.status_code == 401
    assert "Nama pengguna/NIP atau kata sandi salah." in resp.text
    assert f'value="{participant.username}"' in resp.text


async def test_a_form_without_its_csrf_token_is_refused(web, participant):
    await web.get("/masuk")
    resp = await web.post(
        "/masuk", data={"username": participant.username, "password": "rahasia-123"}
    )

    assert resp.status_code == 403
    assert "/saya" not in resp.headers.get("location", "")


async def test_the_api_keeps_working_with_bearer_tokens_and_no_csrf(client, admin):
    resp = await client.post(
        "/api/v1/users",
        json={"username": "siti", "password": "rahasia-123", "role": "participant"},
        headers=admin.headers,
    )

    assert resp.status_code == 201, resp.text
    assert "set-cookie" not in resp.headers


async def test_logout_ends_the_session(web, participant):
    await login(web, participant.username, "rahasia-123")
    home = await web.get("/saya")
    resp = await web.post("/keluar", data={"_csrf_token": csrf_of(home.text)})

    assert resp.status_code == 303 and resp.headers["location"] == "/"
    again = await web.get("/saya")
    assert again.status_code == 303


async def test_login_by_nip_with_spaces_for_an_account_named_otherwise(app, web, unit):
    from tests.factories import make_actor, make_person

    person = await make_person(unit["id"], "Siti Rahmawati", nip="199001152015032002")
    await make_actor(app, "participant", person_id=person, username="siti")

    resp = await login(web, "19900115 201503 2 002", "rahasia-123")

    assert resp.status_code == 303 and resp.headers["location"] == "/saya"


async def test_first_login_forces_a_password_change(web, participant):
    await User.update({User.must_change_password: True}).where(User.id == participant.user_id)

    resp = await login(web, participant.username, "rahasia-123")
    assert resp.headers["location"] == "/saya/kata-sandi"
    blocked = await web.get("/saya")
    assert blocked.status_code == 303 and blocked.headers["location"] == "/saya/kata-sandi"

    page = await web.get("/saya/kata-sandi")
    assert "Buat kata sandi Anda sendiri sebelum melanjutkan." in page.text
    token = csrf_of(page.text)
    bad = await web.post(
        "/saya/kata-sandi",
        data={"current": "keliru", "new": "pendek", "repeat": "lain", "_csrf_token": token},
    )
    assert bad.status_code == 400
    for message in (
        "Kata sandi saat ini salah.",
        "Paling sedikit 8 karakter.",
        "Tidak sama dengan kata sandi baru.",
    ):
        assert message in bad.text

    done = await web.post(
        "/saya/kata-sandi",
        data={
            "current": "rahasia-123",
            "new": "sandi-baruku-9",
            "repeat": "sandi-baruku-9",
            "_csrf_token": token,
        },
    )
    assert done.status_code == 303
    assert done.headers["location"] == "/saya?pesan=sandi-diganti"
    home = await web.get("/saya?pesan=sandi-diganti")
    assert home.status_code == 200 and "Kata sandi Anda sudah diganti." in home.text
    row = await User.select(User.must_change_password).where(User.id == participant.user_id)
    assert row == [{"must_change_password": False}]
    api = await web.post(
        "/api/v1/auth/login", json={"username": participant.username, "password": "sandi-baruku-9"}
    )
    assert api.status_code == 200


async def test_a_changed_password_ends_other_sessions(app, web, participant):
    await login(web, participant.username, "rahasia-123")
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50001))
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as other:
        await login(other, participant.username, "rahasia-123")
        page = await web.get("/saya/kata-sandi")
        await web.post(
            "/saya/kata-sandi",
            data={
                "current": "rahasia-123",
                "new": "sandi-baruku-9",
                "repeat": "sandi-baruku-9",
                "_csrf_token": csrf_of(page.text),
            },
        )
        assert (await web.get("/saya")).status_code == 200
        assert (await other.get("/saya")).status_code == 303


async def test_unknown_page_paths_and_foreign_methods_are_pages_not_500(web):
    assert (await web.get("/masuk", params={"lanjut": "//evil.example"})).status_code == 200
    page = await web.get("/masuk?lanjut=//evil.example")
    assert 'name="lanjut" value=""' in page.text


async def test_a_refused_form_is_an_indonesian_page(web):
    await web.get("/masuk")
    resp = await web.post("/masuk", data={"username": "x", "password": "y", "_csrf_token": "z"})

    assert resp.status_code == 403
    assert resp.headers["content-type"].startswith("text/html")
    assert "formulir sudah kedaluwarsa" in resp.text


async def test_a_page_weighs_under_100_kb_first_and_20_kb_after(web):
    """The budget of DESIGN.md for the pages: assets are cached after the first load."""
    page = await web.get("/masuk")
    assets = re.findall(r'(?:href|src)="(/static/web/[^"]+)"', page.text)
    sizes = [len((await web.get(url)).content) for url in assets]

    assert len(assets) == 1  # prima.js; the style sheet is inline
    assert len(page.content) + sum(sizes) <= 100 * 1024
    assert len(page.content) <= 20 * 1024


@pytest.mark.parametrize(
    ("role", "home"),
    [("organizer", "/kelola/sesi"), ("trainer", "/latih"), ("hr", "/sdm"), ("admin", "/saya")],
)
async def test_each_role_lands_on_its_own_start_page(app, web, unit, role, home):
    from tests.factories import make_actor

    await make_actor(app, role, unit_id=unit["id"], username=f"awal-{role}")

    resp = await login(web, f"awal-{role}", "rahasia-123")

    assert resp.status_code == 303 and resp.headers["location"] == home


async def test_an_unchanged_session_keeps_its_cookie_until_half_its_life_is_gone(web, participant):
    """The cookie is re-encrypted only when the session changed or is past half its lifetime:
    an autosave a second must not pay for a new cookie each time."""
    import time as clock
    from unittest import mock

    from lms.web.session import SESSION_COOKIE

    logged_in = await login(web, participant.username, "rahasia-123")
    assert SESSION_COOKIE in logged_in.headers.get("set-cookie", "")

    home = await web.get("/saya")
    assert home.status_code == 200
    assert SESSION_COOKIE not in home.headers.get("set-cookie", "")

    # 7 of the 12 hours later the same cookie still works, and is renewed on that response.
    later = clock.time() + 7 * 3600
    with mock.patch("time.time", return_value=later):
        renewed = await web.get("/saya")
    assert renewed.status_code == 200
    assert SESSION_COOKIE in renewed.headers.get("set-cookie", "")

    # Logging out still clears it.
    out = await web.post("/keluar", data={"_csrf_token": csrf_of(home.text)})
    assert f"{SESSION_COOKIE}=null" in out.headers.get("set-cookie", "")


async def test_pages_are_gzipped_for_browsers_that_accept_it_and_json_is_not(web):
    plain = await web.get("/masuk", headers={"accept-encoding": "identity"})
    assert "content-encoding" not in plain.headers

    packed = await web.get("/masuk", headers={"accept-encoding": "gzip, deflate, br"})
    assert packed.headers["content-encoding"] == "gzip"
    assert "accept-encoding" in packed.headers["vary"].lower()
    assert packed.text == plain.text.replace(csrf_of(plain.text), csrf_of(packed.text))
    assert int(packed.headers["content-length"]) < len(plain.content) / 2

    # JSON answers of the pages (autosave) and the API are left alone.
    api = await web.get("/api/v1/health/live", headers={"accept-encoding": "gzip"})
    assert "content-encoding" not in api.headers

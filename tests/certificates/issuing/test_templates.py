"""Unit templates (create, preview, broken ones) and issuer profiles through the API."""

from __future__ import annotations

import base64

import pytest

from certificates.rendering.templating import TEMPLATES_DIR, default_template
from tests.certificates.builders.issuing import (  # noqa: F401 (render_pool is a fixture)
    PROFILE,
    finalized_session,
    issue_and_wait,
    pdf_text,
    render_pool,
    set_profile,
    today_jakarta,
)

SIMPLE = (
    '<html><body><section class="page"><h1>PIAGAM UJI</h1>'
    "<p>{{ holder.name_with_titles }} / {{ number }} / {{ jp_text }} JP</p>"
    "</section></body></html>"
)
LOGO = (
    "data:image/svg+xml;base64,"
    + base64.b64encode((TEMPLATES_DIR / "sample" / "logo.svg").read_bytes()).decode()
)

pytestmark = pytest.mark.usefixtures("render_pool")


async def test_preview_renders_the_sample_certificate(app, client, organizer):
    resp = await client.post(
        "/api/v1/certificate-templates/preview",
        json={"html": SIMPLE, "css": "@page { size: A5 landscape; }"},
        headers=organizer.headers,
    )
    assert resp.status_code == 200, resp.text
    assert resp.headers["content-type"] == "application/pdf"
    assert pdf_text(resp.content) == (
        "PIAGAM UJI Muh. Ma'ruf, S.Sos., M.Si. / 001/PP/DPMPTSP/XI/2026 / 24 JP"
    )


async def test_a_broken_template_is_a_422_with_the_reason(app, client, organizer):
    cases = [
        ("<p>{% if %}</p>", "Kesalahan sintaks templat pada baris 1"),
        ("<p>{{ holder.nama }}</p>", "Variabel templat tidak dikenal"),
        ("<p>{{ number.__class__.__mro__ }}</p>", "tidak diizinkan"),
    ]
    for html, reason in cases:
        for url in ("/api/v1/certificate-templates/preview", "/api/v1/certificate-templates"):
            body = {"html": html} if url.endswith("preview") else {"name": "Rusak", "html": html}
            resp = await client.post(url, json=body, headers=organizer.headers)
            assert resp.status_code == 422, (html, resp.text)
            assert reason in resp.json()["detail"], resp.json()
    empty = await client.post(
        "/api/v1/certificate-templates/preview", json={"html": ""}, headers=organizer.headers
    )
    assert empty.status_code == 400
    listed = await client.get("/api/v1/certificate-templates", headers=organizer.headers)
    assert listed.json() == []


async def test_a_unit_template_is_used_for_its_certificates(
    app, client, organizer, other_organizer, unit
):
    resp = await client.post(
        "/api/v1/certificate-templates",
        json={"name": "Piagam DPMPTSP", "html": SIMPLE, "css": ""},
        headers=organizer.headers,
    )
    assert resp.status_code == 201, resp.text
    template = resp.json()
    assert (template["name"], template["version"], template["unit_id"]) == (
        "Piagam DPMPTSP",
        1,
        str(unit["id"]),
    )
    listed = await client.get("/api/v1/certificate-templates", headers=organizer.headers)
    assert [t["id"] for t in listed.json()] == [template["id"]]
    other = await client.get(
        f"/api/v1/certificate-templates/{template['id']}", headers=other_organizer.headers
    )
    assert other.status_code == 404
    refused = await client.put(
        "/api/v1/issuer-profile",
        json={**PROFILE, "template_id": template["id"]},
        headers=other_organizer.headers,
    )
    assert refused.status_code == 422

    world = await finalized_session(organizer, unit)
    await set_profile(client, organizer, template_id=template["id"])
    job = await issue_and_wait(client, organizer, world.session_id)
    assert job["result"]["issued"] == 3
    items = (
        await client.get("/api/v1/certificates", params={"q": "Afrizal"}, headers=organizer.headers)
    ).json()["items"]
    pdf = (await client.get(items[0]["links"]["pdf"], headers=organizer.headers)).content
    assert pdf_text(pdf) == f"PIAGAM UJI Afrizal, S.Sos. / {items[0]['number']} / 24 JP"


async def test_builtin_template_source_is_readable(app, client, organizer):
    resp = await client.get("/api/v1/certificate-templates/default", headers=organizer.headers)
    assert resp.status_code == 200
    body = resp.json()
    assert (body["id"], body["html"], body["css"]) == (
        None,
        default_template().html,
        default_template().css,
    )


async def test_issuer_profile_put_and_get(app, client, organizer, hr, other_organizer, unit):
    empty = await client.get("/api/v1/issuer-profile", headers=organizer.headers)
    assert empty.status_code == 200
    assert (empty.json()["configured"], empty.json()["organizer_name"]) == (
        False,
        "DPMPTSP Kota Padang Panjang",
    )

    saved = await set_profile(client, organizer, logo=LOGO)

    today = today_jakarta()
    roman = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")
    assert saved == {
        "unit_id": str(unit["id"]),
        "number_pattern": PROFILE["number_pattern"],
        "example_number": f"001/PP/DPMPTSP/{roman[today.month - 1]}/{today.year}",
        "organizer_name": PROFILE["organizer_name"],
        "city": "Padang Panjang",
        "signer_name": "Drs. H. Syahrul, M.Si.",
        "signer_jabatan": "Kepala Dinas",
        "signer_nip": "196805121994031004",
        "signer_pangkat": "Pembina Utama Muda",
        "template_id": None,
        "has_logo": True,
        "has_signature_image": False,
        "address": "",
        "committee_name": "",
        "committee_nip": "",
        "updated_at": saved["updated_at"],
        "configured": True,
    }
    kept = await set_profile(client, organizer, city="Kota Padang Panjang")
    assert (kept["has_logo"], kept["city"]) == (True, "Kota Padang Panjang")
    removed = await set_profile(client, organizer, logo=None)
    assert removed["has_logo"] is False
    seen_by_hr = await client.get(
        "/api/v1/issuer-profile", params={"unit_id": str(unit["id"])}, headers=hr.headers
    )
    assert seen_by_hr.status_code == 200 and seen_by_hr.json()["configured"] is True
    hidden = await client.get(
        "/api/v1/issuer-profile",
        params={"unit_id": str(unit["id"])},
        headers=other_organizer.headers,
    )
    assert hidden.status_code == 404

    bad = await client.put(
        "/api/v1/issuer-profile",
        json={**PROFILE, "number_pattern": "PP/{year}"},
        headers=organizer.headers,
    )
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "number_pattern"
    for change in ({"signer_nip": "1968"}, {"logo": "https://example.com/logo.png"}):
        resp = await client.put(
            "/api/v1/issuer-profile", json={**PROFILE, **change}, headers=organizer.headers
        )
        assert resp.status_code == 400, change


async def test_logo_prints_and_is_kept_once(app, client, organizer, unit):
    from certificates.tables import Certificate

    world = await finalized_session(organizer, unit)
    await set_profile(client, organizer, logo=LOGO)
    await issue_and_wait(client, organizer, world.session_id)

    rows = await Certificate.select(Certificate.assets, Certificate.snapshot).output(load_json=True)
    assert len(rows) == 3
    assert {tuple(r["assets"]) for r in rows} == {("logo",)}
    assert all(r["snapshot"]["logo"] is None for r in rows)

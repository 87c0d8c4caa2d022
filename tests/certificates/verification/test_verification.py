"""Public verification: ``GET /api/v1/verify/{code}`` and the phone page ``GET /verify/{code}``.

Certificates are inserted directly (the row exactly as issuing stores it), so these tests pin
what the public sees for each status without rendering PDFs.
"""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import httpx
import msgspec

from certificates.records.service import effective_status
from certificates.rendering.snapshot import HolderSnapshot, encode_snapshot, sample_snapshot
from lms.people.nip import mask_display_nip

BASE = "https://prima.test"
JAKARTA = ZoneInfo("Asia/Jakarta")
ISSUED_AT = dt.datetime(2026, 11, 22, 3, 0, tzinfo=dt.UTC)  # 22 November 2026, 10.00 WIB


def jakarta_today() -> dt.date:
    return dt.datetime.now(JAKARTA).date()


async def insert_certificate(
    unit: dict,
    *,
    number: str = "001/PP/DPMPTSP/XI/2026",
    code: str | None = None,
    person_id: UUID | None = None,
    session_id: UUID | None = None,
    course_id: UUID | None = None,
    status: str = "valid",
    valid_until: dt.date | None = None,
    pdf_sha256: str | None = None,
    issued_at: dt.datetime = ISSUED_AT,
    supersedes: UUID | None = None,
    superseded_by: UUID | None = None,
    revoked_at: dt.datetime | None = None,
    revocation: dict[str, Any] | None = None,
    **snapshot_changes: Any,
) -> dict[str, Any]:
    """Insert a certificate row as issuing stores it; returns its id, code and number."""
    from certificates.tables import Certificate

    code = code or secrets.token_urlsafe(12)
    snapshot = sample_snapshot(
        BASE,
        number=number,
        verification_code=code,
        verify_url=f"{BASE}/verify/{code}",
        valid_until=valid_until,
        **snapshot_changes,
    )
    certificate_id = uuid4()
    await Certificate.insert(
        Certificate(
            id=certificate_id,
            number=number,
            code=code,
            session_id=session_id or uuid4(),
            person_id=person_id or uuid4(),
            course_id=course_id or uuid4(),
            unit_id=unit["id"],
            unit_path=unit["path"],
            holder_name=snapshot.holder.name_with_titles,
            snapshot=encode_snapshot(snapshot).decode(),
            pdf_sha256=pdf_sha256 or secrets.token_hex(32),
            issued_at=issued_at,
            year=issued_at.year,
            valid_until=valid_until,
            status=status,
            revoked_at=revoked_at,
            revocation=revocation or {},
            supersedes=supersedes,
            superseded_by=superseded_by,
        )
    )
    return {"id": certificate_id, "code": code, "number": number}


# -- pure rules --------------------------------------------------------------------------------


def test_expiry_is_computed_from_the_last_valid_day():
    day = dt.date(2027, 11, 22)
    assert effective_status("valid", day, dt.date(2027, 11, 22)) == "valid"
    assert effective_status("valid", day, dt.date(2027, 11, 23)) == "expired"
    assert effective_status("valid", None, dt.date(2099, 1, 1)) == "valid"
    assert effective_status("revoked", day, dt.date(2030, 1, 1)) == "revoked"
    assert effective_status("superseded", day, dt.date(2030, 1, 1)) == "superseded"


def test_today_is_the_date_in_jakarta():
    from certificates.verification.service import VerificationService

    service = VerificationService("https://prima.test", "Asia/Jakarta")
    # 23:59:59 WIB on 22 November is 16:59:59 UTC; a second later it is 23 November in Jakarta.
    before = dt.datetime(2026, 11, 22, 16, 59, 59, tzinfo=dt.UTC)
    after = dt.datetime(2026, 11, 22, 17, 0, 0, tzinfo=dt.UTC)
    assert service._local_date(before) == dt.date(2026, 11, 22)
    assert service._local_date(after) == dt.date(2026, 11, 23)
    assert service._local_date(before) == dt.date(2026, 11, 22)  # the cached day is not reused
    papua = VerificationService("https://prima.test", "Asia/Jayapura")
    assert papua._local_date(dt.datetime(2026, 11, 22, 15, 0, tzinfo=dt.UTC)) == dt.date(
        2026, 11, 23
    )


def test_masked_nip_keeps_birth_date_and_sequence():
    assert mask_display_nip("19860926 201505 1 001") == "1986**** ****** * 001"
    assert mask_display_nip("19860427 2022 21 1 011") == "1986**** **** ** * 011"
    assert mask_display_nip(None) is None


# -- JSON --------------------------------------------------------------------------------------


async def test_json_answers_a_valid_certificate_without_a_token(client, unit):
    cert = await insert_certificate(unit, code="K7QM2XW9RT4HBP3N", valid_until=dt.date(2099, 1, 1))

    response = await client.get("/api/v1/verify/K7QM2XW9RT4HBP3N")

    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    checked_at = dt.datetime.fromisoformat(body.pop("checked_at"))
    assert abs((dt.datetime.now(dt.UTC) - checked_at).total_seconds()) < 60
    assert body == {
        "status": "valid",
        "status_label": "SAH",
        "number": cert["number"],
        "verify_url": "https://prima.test/verify/K7QM2XW9RT4HBP3N",
        "holder": {"name": "Muh. Ma'ruf, S.Sos., M.Si.", "nip": "1986**** ****** * 001"},
        "course": "Pelatihan Pelayanan Prima",
        "session_name": "Angkatan I",
        "start_date": "2026-11-20",
        "end_date": "2026-11-22",
        "jp": "24.00",
        "predikat": "Memuaskan",
        "issuer": "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu Kota Padang Panjang",
        "place": "Padang Panjang",
        "issued_at": "2026-11-22T03:00:00Z",
        "valid_until": "2099-01-01",
        "superseded_by": None,
        "supersedes": None,
        "revocation": None,
    }
    assert "ratelimit-limit" not in response.headers  # only sent with a 429


async def test_json_unknown_code_is_a_404_problem(client, unit):
    await insert_certificate(unit, code="K7QM2XW9RT4HBP3N")

    response = await client.get("/api/v1/verify/K7QM2XW9RT4HBP3X")

    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["detail"] == "Tidak ada sertifikat dengan kode verifikasi ini"


async def test_json_refuses_a_malformed_code(client, app):
    # Spaces are allowed (people type "K7QM 2XW9 ..."); characters no code holds are not.
    response = await client.get("/api/v1/verify/abc%3Cdef")
    assert response.status_code == 400


async def test_expired_after_the_last_valid_day_in_jakarta(client, unit):
    today = jakarta_today()
    past = await insert_certificate(unit, number="001/X", valid_until=today - dt.timedelta(days=1))
    last_day = await insert_certificate(unit, number="002/X", valid_until=today)

    expired = (await client.get(f"/api/v1/verify/{past['code']}")).json()
    still = (await client.get(f"/api/v1/verify/{last_day['code']}")).json()

    assert (expired["status"], expired["status_label"]) == ("expired", "KEDALUWARSA")
    assert (still["status"], still["status_label"]) == ("valid", "SAH")


async def test_revoked_shows_date_and_category_but_never_the_text(client, unit):
    at = dt.datetime(2026, 12, 1, 2, 30, tzinfo=dt.UTC)
    cert = await insert_certificate(
        unit,
        status="revoked",
        revoked_at=at,
        revocation={"category": "pelanggaran", "reason": "Menyontek saat post-test"},
    )

    body = (await client.get(f"/api/v1/verify/{cert['code']}")).json()
    page = await client.get(f"/verify/{cert['code']}")

    assert body["status"] == "revoked"
    assert body["revocation"] == {
        "at": "2026-12-01T02:30:00Z",
        "category": "pelanggaran",
        "category_label": "Pelanggaran",
    }
    assert "Menyontek" not in page.text and "Menyontek" not in str(body)
    assert "DICABUT" in page.text
    assert "Dicabut pada 1 Desember 2026" in page.text
    assert "Alasan: Pelanggaran" in page.text


async def test_superseded_points_to_its_successor_and_back(client, unit):
    from certificates.tables import Certificate

    old = await insert_certificate(unit, number="001/PP/DPMPTSP/XI/2026", status="superseded")
    new = await insert_certificate(
        unit,
        number="007/PP/DPMPTSP/XII/2026",
        supersedes=old["id"],
        holder=HolderSnapshot(name_with_titles="Muhammad Ma'ruf, S.Sos., M.Si."),
    )
    await Certificate.update({Certificate.superseded_by: new["id"]}).where(
        Certificate.id == old["id"]
    )

    old_body = (await client.get(f"/api/v1/verify/{old['code']}")).json()
    new_body = (await client.get(f"/api/v1/verify/{new['code']}")).json()
    old_page = (await client.get(f"/verify/{old['code']}")).text
    new_page = (await client.get(f"/verify/{new['code']}?lang=en")).text

    assert (old_body["status"], old_body["status_label"]) == ("superseded", "DIGANTI")
    assert old_body["superseded_by"] == {
        "number": "007/PP/DPMPTSP/XII/2026",
        "verify_url": f"https://prima.test/verify/{new['code']}",
    }
    assert new_body["status"] == "valid"
    assert new_body["supersedes"] == {
        "number": "001/PP/DPMPTSP/XI/2026",
        "verify_url": f"https://prima.test/verify/{old['code']}",
    }
    assert new_body["holder"] == {"name": "Muhammad Ma'ruf, S.Sos., M.Si.", "nip": None}
    assert f'<a href="/verify/{new["code"]}">007/PP/DPMPTSP/XII/2026</a>' in old_page
    assert f'<a href="/verify/{old["code"]}?lang=en">001/PP/DPMPTSP/XI/2026</a>' in new_page


# -- the page ----------------------------------------------------------------------------------


async def test_page_shows_the_certificate_in_indonesian_for_a_phone(client, unit):
    cert = await insert_certificate(unit, valid_until=dt.date(2099, 11, 22))

    response = await client.get(f"/verify/{cert['code']}")

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["cache-control"] == "no-store"
    assert "default-src 'none'" in response.headers["content-security-policy"]
    html = response.text
    assert '<html lang="id">' in html
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    for text in (
        '<span class="status-word">SAH</span>',
        "Sertifikat ini sah dan tercatat pada penerbitnya.",
        "Muh. Ma&#39;ruf, S.Sos., M.Si.",
        "1986**** ****** * 001",
        "Pelatihan Pelayanan Prima &middot; Angkatan I",
        "20–22 November 2026, Padang Panjang",
        "<dd>24 JP</dd>",
        "<dd>Memuaskan</dd>",
        "001/PP/DPMPTSP/XI/2026",
        "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu Kota Padang Panjang",
        "<dt>Tanggal terbit</dt><dd>22 November 2026</dd>",
        "<dt>Berlaku sampai</dt><dd>22 November 2099</dd>",
        '<a href="?lang=en" hreflang="en">English</a>',
    ):
        assert text in html, text
    # The masked parts of the NIP (birth date, TMT) never reach the page.
    assert "201505" not in html
    assert "0926" not in html
    assert "<script" not in html


async def test_page_switches_to_english(client, unit):
    cert = await insert_certificate(
        unit, valid_until=jakarta_today() - dt.timedelta(days=3), jp=Decimal("7.5")
    )

    html = (await client.get(f"/verify/{cert['code']}?lang=en")).text

    assert '<html lang="en">' in html
    assert '<span class="status-word">EXPIRED</span>' in html
    assert "<dt>Issue date</dt><dd>22 November 2026</dd>" in html
    assert "<dd>7.5 JP</dd>" in html
    assert '<a href="?lang=id" hreflang="id">Bahasa Indonesia</a>' in html


async def test_page_escapes_what_the_holder_name_contains(client, unit):
    cert = await insert_certificate(
        unit,
        holder=HolderSnapshot(name_with_titles='<script>alert("x")</script> Ni Made Ayu'),
        course_title="Pelatihan <b>Prima</b>",
    )

    html = (await client.get(f"/verify/{cert['code']}")).text

    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; Ni Made Ayu" in html
    assert "Pelatihan &lt;b&gt;Prima&lt;/b&gt;" in html
    assert "<script" not in html and "<b>" not in html


async def test_unknown_code_gets_a_friendly_404_page(client, app):
    response = await client.get("/verify/TIDAKADA123?lang=id")

    assert response.status_code == 404
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert "Sertifikat tidak ditemukan" in response.text
    assert "<code>TIDAKADA123</code>" in response.text
    english = await client.get("/verify/%3Cb%3Ex?lang=en")
    assert english.status_code == 404
    assert "Certificate not found" in english.text
    assert "<code>&lt;b&gt;x</code>" in english.text


# -- rate limit --------------------------------------------------------------------------------


async def test_page_and_json_are_rate_limited_per_address(app, unit):
    from litestar import Litestar
    from litestar.plugins.jinja import JinjaTemplateEngine
    from litestar.template.config import TemplateConfig

    from certificates.routes import verification_routers
    from lms.app import _template_dirs
    from lms.shared.problems import problem_details_plugin

    cert = await insert_certificate(unit)
    settings = msgspec.structs.replace(app.state.settings, verify_rate_per_minute=3)
    small = Litestar(
        route_handlers=[verification_routers(settings)[0]],
        plugins=[problem_details_plugin()],
        template_config=TemplateConfig(directory=_template_dirs(), engine=JinjaTemplateEngine),
    )

    def client_from(address: str) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=small, client=(address, 40000))
        return httpx.AsyncClient(transport=transport, base_url="http://testserver")

    async with client_from("10.0.0.1") as first, client_from("10.0.0.2") as second:
        answers = [
            await first.get(f"/api/v1/verify/{cert['code']}"),
            await first.get(f"/verify/{cert['code']}"),
            await first.get(f"/api/v1/verify/{cert['code']}"),
        ]
        limited_json = await first.get(f"/api/v1/verify/{cert['code']}")
        limited_page = await first.get(f"/verify/{cert['code']}")
        other_address = await second.get(f"/api/v1/verify/{cert['code']}")

    assert [a.status_code for a in answers] == [200, 200, 200]
    assert limited_json.status_code == 429
    assert limited_json.headers["ratelimit-limit"] == "3"
    assert limited_json.headers["ratelimit-remaining"] == "0"
    assert limited_json.headers["content-type"].startswith("application/problem+json")
    assert 0 < int(limited_json.headers["retry-after"]) <= 60
    assert limited_page.status_code == 429
    assert limited_page.headers["content-type"] == "text/html; charset=utf-8"
    assert 0 < int(limited_page.headers["retry-after"]) <= 60
    assert "Terlalu banyak permintaan" in limited_page.text
    assert other_address.status_code == 200

"""The transcript: identity, events by year, totals against the target, competencies, PDF."""

from __future__ import annotations

import datetime as dt
import io
from uuid import uuid4

import pytest
from pypdf import PdfReader

from lms.competencies.ledger import attach_certificate, revoke_session_credit
from tests.factories import make_actor, make_person
from tests.lms.builders.competencies import credit


@pytest.fixture
async def history(client, hr, participant):
    """Afrizal: 16 JP in 2025, 24 + 12 JP in 2026, plus a pending and a revoked entry."""
    for body in (
        {"code": "PP-01", "name": "Memahami kebutuhan pengguna layanan", "skm_elements": ["U6"]},
        {"code": "PP-02", "name": "Komunikasi pelayanan yang ramah", "skm_elements": ["U7"]},
    ):
        assert (await client.post("/api/v1/competencies", json=body, headers=hr.headers)).is_success
    person = participant.person_id
    s2025, s2026, revoked = uuid4(), uuid4(), uuid4()
    await credit(
        person,
        16,
        session_id=s2025,
        start=dt.date(2025, 8, 4),
        end=dt.date(2025, 8, 5),
        title="Pelayanan Prima Angkatan I",
        codes=["PP-01"],
    )
    await attach_certificate(
        person_id=person, session_id=s2025, certificate_number="007/PP/DPMPTSP/VIII/2025"
    )
    await credit(
        person,
        24,
        session_id=s2026,
        start=dt.date(2026, 3, 2),
        end=dt.date(2026, 3, 4),
        title="Pelayanan Prima Lanjutan",
        codes=["PP-01", "PP-02"],
    )
    await attach_certificate(
        person_id=person, session_id=s2026, certificate_number="012/PP/DPMPTSP/III/2026"
    )
    await credit(person, 10, session_id=revoked, title="Dicabut")
    await revoke_session_credit(person_id=person, session_id=revoked, reason="x", actor=None)
    external = {
        "title": "Bimtek Standar Pelayanan",
        "organizer": "Ombudsman RI",
        "jenis_diklat": 8,
        "start_date": "2026-05-12",
        "end_date": "2026-05-13",
        "jp": 12,
        "klasikal": False,
    }
    url = f"/api/v1/people/{person}/learning-records"
    assert (await client.post(url, json=external, headers=hr.headers)).status_code == 201
    pending = {**external, "title": "Belum disetujui"}
    assert (await client.post(url, json=pending, headers=participant.headers)).status_code == 201
    return person


async def test_transcript_json(client, participant, history):
    resp = await client.get(f"/api/v1/people/{history}/transcript", headers=participant.headers)
    assert resp.status_code == 200, resp.text
    t = resp.json()
    assert t["identity"] == {
        "person_id": str(history),
        "name": "Afrizal, S.Sos.",
        "nip": "198609082018111001",
        "nip_display": "19860908 201811 1 001",
        "asn_type": "pns",
        "pangkat_golongan": "Penata Tingkat I, III/d",
        "jabatan": "Pengadministrasi Umum",
        "unit_id": str(participant.unit_id),
        "unit_name": "DPMPTSP Kota Padang Panjang",
    }
    assert [y["year"] for y in t["years"]] == [2025, 2026]
    y2025, y2026 = t["years"]
    assert (y2025["total_jp"], y2025["target_jp"], y2025["compliant"], y2025["shortfall_jp"]) == (
        "16.00",
        "20.00",
        False,
        "4.00",
    )
    assert (y2026["total_jp"], y2026["compliant"], y2026["shortfall_jp"]) == (
        "36.00",
        True,
        "0.00",
    )
    assert [(e["title"], e["jp"], e["certificate_number"]) for e in y2026["events"]] == [
        ("Pelayanan Prima Lanjutan", "24.00", "012/PP/DPMPTSP/III/2026"),
        ("Bimtek Standar Pelayanan", "12.00", ""),
    ]
    assert y2026["events"][1]["klasikal"] is False
    assert y2026["events"][1]["jenis_diklat_name"] == "Bimbingan Teknis"
    assert y2025["competencies"] == [
        {"code": "PP-01", "name": "Memahami kebutuhan pengguna layanan"}
    ]
    assert [c["code"] for c in y2026["competencies"]] == ["PP-01", "PP-02"]
    assert t["total_jp"] == "52.00"


async def test_transcript_pdf_has_one_page_per_year(client, participant, history):
    resp = await client.get(f"/api/v1/people/{history}/transcript.pdf", headers=participant.headers)
    assert resp.status_code == 200, resp.text
    assert resp.content.startswith(b"%PDF-")
    assert resp.headers["content-type"] == "application/pdf"
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(resp.content)).pages]
    assert len(pages) == 2
    first, second = pages
    assert "TRANSKRIP PENGEMBANGAN KOMPETENSI" in first and "Tahun 2025" in first
    assert "Afrizal, S.Sos." in first
    assert "19860908 201811 1 001" in first
    assert "Penata Tingkat I, III/d" in first
    assert "007/PP/DPMPTSP/VIII/2025" in first
    assert "16,00" in first and "belum terpenuhi" in first and "kurang 4,00 JP" in first
    assert "Tahun 2026" in second
    assert "012/PP/DPMPTSP/III/2026" in second
    assert "36,00" in second and "terpenuhi" in second
    assert "Belum disetujui" not in second and "Dicabut" not in second
    assert "Komunikasi pelayanan yang ramah" in second


async def test_empty_transcript_prints_the_current_year(client, hr, unit):
    person = await make_person(unit["id"], "Tanpa Catatan")
    resp = await client.get(f"/api/v1/people/{person}/transcript.pdf", headers=hr.headers)
    text = PdfReader(io.BytesIO(resp.content)).pages[0].extract_text()
    assert f"Tahun {dt.date.today().year}" in text
    assert "Belum ada catatan pembelajaran" in text


async def test_who_may_read_a_transcript(
    client, app, participant, hr, organizer, admin, other_organizer, unit
):
    url = f"/api/v1/people/{participant.person_id}/transcript"
    for actor in (participant, hr, organizer, admin):
        assert (await client.get(url, headers=actor.headers)).status_code == 200
    colleague = await make_actor(
        app, "participant", person_id=await make_person(unit["id"]), unit_id=unit["id"]
    )
    for actor in (colleague, other_organizer):
        assert (await client.get(url, headers=actor.headers)).status_code == 404
        assert (await client.get(url + ".pdf", headers=actor.headers)).status_code == 404
    assert (
        await client.get(f"/api/v1/people/{uuid4()}/transcript", headers=admin.headers)
    ).status_code == 404


async def test_transcript_pdf_carries_the_offices_kop_and_signer(
    client, organizer, participant, history
):
    import base64

    from certificates.demo import PROFILE
    from certificates.rendering.templating import TEMPLATES_DIR

    # Without an issuer profile: the unit tree's names, no signature block.
    plain = await client.get(
        f"/api/v1/people/{history}/transcript.pdf", headers=participant.headers
    )
    text = " ".join(PdfReader(io.BytesIO(plain.content)).pages[0].extract_text().split())
    assert "PEMERINTAH KOTA PADANG PANJANG DPMPTSP KOTA PADANG PANJANG" in text
    assert "Drs. H. Syahrul" not in text

    logo = (TEMPLATES_DIR / "sample" / "logo.svg").read_bytes()
    profile = {**PROFILE, "logo": "data:image/svg+xml;base64," + base64.b64encode(logo).decode()}
    put = await client.put("/api/v1/issuer-profile", json=profile, headers=organizer.headers)
    assert put.status_code == 200, put.text
    resp = await client.get(f"/api/v1/people/{history}/transcript.pdf", headers=participant.headers)
    assert resp.status_code == 200
    reader = PdfReader(io.BytesIO(resp.content))
    first = " ".join(reader.pages[0].extract_text().split())
    for expected in (
        "PEMERINTAH KOTA PADANG PANJANG",
        "DINAS PENANAMAN MODAL DAN PELAYANAN TERPADU SATU PINTU KOTA PADANG PANJANG",
        "Jl. Sutan Syahrir No. 178, Silaing Bawah, Padang Panjang 27122",
        "TRANSKRIP PENGEMBANGAN KOMPETENSI",
        "Kepala Dinas Penanaman Modal",
        "Drs. H. Syahrul, M.Si.",
        "Pembina Utama Muda",
        "NIP 19680512 199403 1 004",
    ):
        assert expected in first, expected
    assert "Padang Panjang, " in first  # the place and the printing date above the signer
    assert "/XObject" in reader.pages[0]["/Resources"]  # the logo

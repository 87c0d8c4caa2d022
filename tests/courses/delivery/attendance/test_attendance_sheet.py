"""The daftar hadir PDF: real PDF, Indonesian date, names with titles, grouped NIP, escaping."""

from __future__ import annotations

import io

from pypdf import PdfReader

from tests.courses.builders.delivery import create_session, enroll, wib
from tests.factories import make_person


def _text(pdf: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(pdf))
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


async def test_sheet_for_one_day_prints_the_participants(client, organizer, participant, unit):
    session = await create_session(client, organizer, status="running")
    pppk = await make_person(
        unit["id"],
        "Rina Yulianti",
        nip="198604272022211011",
        asn_type="pppk",
        golongan="IX",
        front_title="Dr.",
        back_title="S.E., M.M.",
        jabatan="Analis Perizinan",
    )
    odd = await make_person(unit["id"], "Siti <b>& Co</b>", jabatan="Operator <script>")
    await enroll(client, organizer, session["id"], [participant.person_id, pppk, odd])
    await client.post(
        f"/api/v1/sessions/{session['id']}/agenda",
        json={
            "starts_at": wib("2026-11-18", "08:00"),
            "ends_at": wib("2026-11-18", "15:30"),
            "title": "Hari pertama",
        },
        headers=organizer.headers,
    )
    resp = await client.get(
        f"/api/v1/sessions/{session['id']}/attendance-sheet.pdf?day=2026-11-18",
        headers=organizer.headers,
    )
    assert resp.status_code == 200, resp.text
    assert resp.headers["content-type"] == "application/pdf"
    assert resp.content.startswith(b"%PDF-")
    assert (
        'filename="daftar-hadir-angkatan-i-2026-11-18.pdf"' in resp.headers["content-disposition"]
    )
    pages, text = _text(resp.content)
    assert pages == 1
    for expected in (
        "PEMERINTAH KOTA PADANG PANJANG",
        "DPMPTSP KOTA PADANG PANJANG",
        "DAFTAR HADIR PESERTA",
        "Pelatihan Pelayanan Prima",
        "Angkatan I",
        "Rabu, 18 November 2026",
        "pukul 08.00–15.30 WIB",
        "Aula DPMPTSP Kota Padang Panjang, Padang Panjang",
        "Afrizal, S.Sos.",
        "19860908 201811 1 001",
        "Dr. Rina Yulianti, S.E., M.M.",
        "19860427 2022 21 1 011",
        "Siti <b>& Co</b>",
        "Operator <script>",
        "Padang Panjang, 18 November 2026",
        "Tanda Tangan",
    ):
        assert expected in text, expected
    # Numbered by name: Afrizal 1, Rina 2, Siti 3; signature numbers alternate sides.
    assert text.index("Afrizal, S.Sos.") < text.index("Dr. Rina Yulianti") < text.index("Siti <b>")
    assert "1. ........" in text and "2. ........" in text and "3. ........" in text


async def test_sheet_for_every_day_and_who_may_print_it(
    client, organizer, other_organizer, participant, unit
):
    session = await create_session(client, organizer, status="running")
    await enroll(client, organizer, session["id"], [participant.person_id])
    url = f"/api/v1/sessions/{session['id']}/attendance-sheet.pdf"
    resp = await client.get(url, headers=organizer.headers)
    assert resp.status_code == 200
    pages, text = _text(resp.content)
    assert pages == 3
    for day in ("Rabu, 18 November 2026", "Kamis, 19 November 2026", "Jumat, 20 November 2026"):
        assert day in text
    outside = await client.get(f"{url}?day=2026-11-21", headers=organizer.headers)
    assert outside.status_code == 422
    assert (await client.get(url, headers=other_organizer.headers)).status_code == 404
    assert (await client.get(url, headers=participant.headers)).status_code == 403


async def test_sheet_prints_the_issuer_profiles_logo_address_and_panitia(
    client, organizer, participant, unit
):
    import base64

    from certificates.demo import PROFILE
    from certificates.rendering.templating import TEMPLATES_DIR

    logo = (TEMPLATES_DIR / "sample" / "logo.svg").read_bytes()
    profile = {**PROFILE, "logo": "data:image/svg+xml;base64," + base64.b64encode(logo).decode()}
    resp = await client.put("/api/v1/issuer-profile", json=profile, headers=organizer.headers)
    assert resp.status_code == 200, resp.text
    assert (resp.json()["address"], resp.json()["committee_nip"]) == (
        "Jl. Sutan Syahrir No. 178, Silaing Bawah, Padang Panjang 27122",
        "198703152010011002",
    )
    session = await create_session(client, organizer, status="running")
    await enroll(client, organizer, session["id"], [participant.person_id])
    resp = await client.get(
        f"/api/v1/sessions/{session['id']}/attendance-sheet.pdf?day=2026-11-18",
        headers=organizer.headers,
    )
    assert resp.status_code == 200, resp.text
    _, text = _text(resp.content)
    words = " ".join(text.split())  # the long office name wraps
    for expected in (
        "PEMERINTAH KOTA PADANG PANJANG",
        "DINAS PENANAMAN MODAL DAN PELAYANAN TERPADU SATU PINTU KOTA PADANG PANJANG",
        "Jl. Sutan Syahrir No. 178, Silaing Bawah, Padang Panjang 27122",
        "Panitia Penyelenggara,",
        "Rahmat Hidayat, S.Kom.",
        "NIP 19870315 201001 1 002",
    ):
        assert expected in words, expected
    assert "(......" not in text  # the panitia line is no longer empty
    page = PdfReader(io.BytesIO(resp.content)).pages[0]
    assert "/XObject" in page["/Resources"]  # the logo is drawn

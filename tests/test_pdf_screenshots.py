"""Every PDF Prima prints, made through the API on a demo-like dataset (DPMPTSP Kota Padang
Panjang with the demo's issuer profile, logo and signature), checked by its text and
photographed: the first page of each goes to ``docs/screenshots/pdf-<name>.png`` (60 dpi,
poppler's ``pdftoppm``) for a person to look at.

The PDFs: a certificate (and its modules page), a revoked certificate's download with the
DICABUT stamp, the session's merged certificates, the template preview, the transcript, the
daftar hadir, the class account slips and the training-impact report.
"""

from __future__ import annotations

import base64
import datetime as dt
import subprocess
from pathlib import Path
from typing import Any

import pytest

from certificates.demo import PROFILE
from certificates.rendering.templating import TEMPLATES_DIR, default_template
from tests.certificates.builders.issuing import (  # noqa: F401 (render_pool is a fixture)
    finalized_session,
    issue_and_wait,
    number,
    render_pool,
)
from tests.conftest import SHARED_DATA
from tests.courses.builders.delivery import create_session, enroll, wib
from tests.factories import Actor, make_person
from tests.lms.builders.competencies import credit

SCREENSHOTS = Path(__file__).resolve().parents[1] / "docs" / "screenshots"
HEAD_NIP = "NIP 19680512 199403 1 004"  # the demo's Kepala Dinas, as printed
KOP = (
    "PEMERINTAH KOTA PADANG PANJANG",
    "DINAS PENANAMAN MODAL DAN PELAYANAN TERPADU SATU PINTU KOTA PADANG PANJANG",
    "Jl. Sutan Syahrir No. 178, Silaing Bawah, Padang Panjang 27122",
)


def _svg(name: str) -> str:
    data = (TEMPLATES_DIR / "sample" / name).read_bytes()
    return "data:image/svg+xml;base64," + base64.b64encode(data).decode()


async def _demo_profile(client: Any, organizer: Actor) -> None:
    """DPMPTSP's issuer profile as ``lms demo`` sets it (kop, signer, panitia, logo, signature)."""
    body = {**PROFILE, "logo": _svg("logo.svg"), "signature_image": _svg("signature.svg")}
    resp = await client.put("/api/v1/issuer-profile", json=body, headers=organizer.headers)
    assert resp.status_code == 200, resp.text


def _text(pdf: bytes) -> str:
    """The PDF's text as ``pdftotext`` reads it, whitespace collapsed."""
    done = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
    return " ".join(done.stdout.decode().split())


def _pages(pdf: bytes) -> int:
    done = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True)
    line = next(x for x in done.stdout.decode().splitlines() if x.startswith("Pages:"))
    return int(line.split()[1])


def _shoot(pdf: bytes, name: str, tmp_path: Path, page: int = 1) -> None:
    """Save ``page`` of the PDF as ``docs/screenshots/pdf-<name>.png`` at 60 dpi."""
    source = tmp_path / f"{name}.pdf"
    source.write_bytes(pdf)
    target = SCREENSHOTS / f"pdf-{name}"
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", str(page), "-l", str(page), "-singlefile"]
        + [str(source), str(target)],
        check=True,
    )
    assert target.with_suffix(".png").stat().st_size > 5_000  # a drawn page, not a blank one


def _has(text: str, *expected: str) -> None:
    missing = [e for e in expected if e not in text]
    assert not missing, f"{missing} not in: {text}"


async def _get_pdf(client: Any, url: str, actor: Actor, **params: Any) -> bytes:
    resp = await client.get(url, params=params, headers=actor.headers)
    assert resp.status_code == 200, resp.text
    assert resp.headers["content-type"] == "application/pdf"
    return resp.content


@pytest.mark.usefixtures("render_pool")
async def test_certificates(client, organizer, unit, tmp_path):
    world = await finalized_session(organizer, unit)
    await _demo_profile(client, organizer)
    assert (await issue_and_wait(client, organizer, world.session_id))["result"]["issued"] == 3
    listed = await client.get(
        "/api/v1/certificates",
        params={"session_id": str(world.session_id)},
        headers=organizer.headers,
    )
    by_number = {c["number"]: c for c in listed.json()["items"]}
    first, second = by_number[number(1)], by_number[number(2)]

    pdf = await _get_pdf(client, first["links"]["pdf"], organizer)
    assert _pages(pdf) == 2  # the certificate and its modules page
    _has(
        _text(pdf),
        *KOP[:2],
        f"Nomor: {number(1)}",
        "Afrizal, S.Sos.",
        "19870315 201001 1 002",
        "telah mengikuti Pelatihan Pelayanan Prima Angkatan I",
        "predikat MEMUASKAN",
        "Drs. H. Syahrul, M.Si.",
        HEAD_NIP,
        "Konsep Pelayanan Prima",
        "Penanganan Pengaduan",
    )
    _shoot(pdf, "sertifikat", tmp_path)
    _shoot(pdf, "sertifikat-halaman-2", tmp_path, page=2)

    merged = await _get_pdf(
        client, f"/api/v1/sessions/{world.session_id}/certificates.pdf", organizer
    )
    assert _pages(merged) == 6  # three holders, two pages each (its first page is the above)
    _has(_text(merged), number(1), number(2), number(3), "Ni Made Ayu Suartini, A.Md.")

    revoked = await client.post(
        f"/api/v1/certificates/{second['id']}/revoke",
        json={"category": "salah_data", "reason": "NIP salah ketik"},
        headers=organizer.headers,
    )
    assert revoked.status_code == 200, revoked.text
    stamped = await _get_pdf(client, second["links"]["pdf"], organizer)
    _has(
        _text(stamped),
        "DICABUT",
        "sertifikat ini tidak berlaku",
        f"Nomor: {number(2)}",
        "Kategori: Kesalahan data",
        "Drs. Muh. Ma'ruf, S.Sos., M.Si.",
    )
    _shoot(stamped, "sertifikat-dicabut", tmp_path)

    template = default_template()
    preview = await client.post(
        "/api/v1/certificate-templates/preview",
        json={"html": template.html, "css": template.css},
        headers=organizer.headers,
    )
    assert preview.status_code == 200, preview.text
    _has(_text(preview.content), "Muh. Ma'ruf, S.Sos., M.Si.", "Nomor:")
    _shoot(preview.content, "pratinjau-sertifikat", tmp_path)


async def test_transcript(client, organizer, hr, participant, tmp_path):
    await _demo_profile(client, organizer)
    person = participant.person_id
    await credit(
        person,
        16,
        start=dt.date(2026, 3, 2),
        end=dt.date(2026, 3, 3),
        title="Pelatihan Pelayanan Prima Angkatan I",
    )
    await credit(
        person,
        8,
        start=dt.date(2026, 8, 11),
        end=dt.date(2026, 8, 11),
        title="Bimtek Standar Pelayanan Publik",
        jenis_diklat=8,
    )
    pdf = await _get_pdf(client, f"/api/v1/people/{person}/transcript.pdf", hr)
    _has(
        _text(pdf),
        *KOP,
        "TRANSKRIP PENGEMBANGAN KOMPETENSI",
        "Afrizal, S.Sos.",
        "19860908 201811 1 001",
        "Pelatihan Pelayanan Prima Angkatan I",
        "Bimtek Standar Pelayanan Publik",
        "Drs. H. Syahrul, M.Si.",
        HEAD_NIP,
        "Kode pemeriksaan",
    )
    _shoot(pdf, "transkrip", tmp_path)


async def test_daftar_hadir_and_account_slips(client, organizer, unit, tmp_path):
    await _demo_profile(client, organizer)
    session = await create_session(client, organizer, status="open")
    people = [
        await make_person(unit["id"], name, nip=nip, front_title=front, back_title=back, **extra)
        for name, nip, front, back, extra in (
            ("Afrizal", "198609082018111001", "", "S.Sos.", {}),
            ("Muh. Ma'ruf", "198609262015051001", "Drs.", "S.Sos., M.Si.", {}),
            (
                "Ni Made Ayu Suartini",
                "198604272022211011",
                "",
                "A.Md.",
                {"asn_type": "pppk", "golongan": "IX"},
            ),
            ("Siti Rahmawati", "199001152015032002", "", "S.AP.", {}),
            ("Budi Santoso", "198512312010011003", "", "", {}),
        )
    ]
    await enroll(client, organizer, session["id"], people)
    agenda = await client.post(
        f"/api/v1/sessions/{session['id']}/agenda",
        json={
            "starts_at": wib("2026-11-18", "08:00"),
            "ends_at": wib("2026-11-18", "15:30"),
            "title": "Konsep Pelayanan Prima",
        },
        headers=organizer.headers,
    )
    assert agenda.status_code == 201, agenda.text

    sheet = await _get_pdf(
        client,
        f"/api/v1/sessions/{session['id']}/attendance-sheet.pdf",
        organizer,
        day="2026-11-18",
    )
    _has(
        _text(sheet),
        *KOP,
        "DAFTAR HADIR PESERTA",
        "Rabu, 18 November 2026",
        "Drs. Muh. Ma'ruf, S.Sos., M.Si.",
        "19860427 2022 21 1 011",
        "Rahmat Hidayat, S.Kom.",
        "NIP 19870315 201001 1 002",  # the panitia who signs the sheet
    )
    _shoot(sheet, "daftar-hadir", tmp_path)

    slips = await client.post(
        f"/api/v1/sessions/{session['id']}/accounts",
        params={"format": "pdf"},
        headers=organizer.headers,
    )
    assert slips.status_code == 201, slips.text
    assert slips.headers["x-accounts-created"] == "5"
    _has(
        _text(slips.content),
        "Pelatihan Pelayanan Prima",
        "Afrizal, S.Sos.",
        "198609262015051001",  # the username is the NIP
        "Kata sandi awal",
        "https://prima.test/masuk",
    )
    _shoot(slips.content, "slip-akun", tmp_path)


async def test_training_impact(client, hr, unit, tmp_path):
    for name in ("competencies_pelayanan_publik.csv", "skm_dpmptsp_2025_2026.csv"):
        url = "/api/v1/competencies/import" if name.startswith("comp") else "/api/v1/skm/surveys"
        data = (SHARED_DATA / name).read_bytes()
        resp = await client.post(url, files={"file": (name, data, "text/csv")}, headers=hr.headers)
        assert resp.is_success, resp.text
    staff = [await make_person(unit["id"], f"Pegawai {n}") for n in range(1, 8)]
    nov, feb = dt.date(2025, 11, 20), dt.date(2026, 2, 10)
    await credit(staff[0], 24, start=nov, end=nov, title="Pelatihan Pelayanan Prima Angkatan I")
    await credit(staff[1], 24, start=nov, end=nov, title="Pelatihan Pelayanan Prima Angkatan I")
    await credit(staff[2], 8, start=feb, end=feb, title="Bimtek Komunikasi", codes=["PP-02"])

    pdf = await _get_pdf(
        client, "/api/v1/reports/training-impact", hr, unit_id=str(unit["id"]), format="pdf"
    )
    assert _pages(pdf) == 1
    _has(
        _text(pdf),
        "DAMPAK PELATIHAN TERHADAP KUALITAS PELAYANAN",
        "77,22 → 80,42",
        "2025-S1",
        "2026-S1",
        "0/7",
        "3/7",
    )
    _shoot(pdf, "dampak-pelatihan", tmp_path)

"""Every XLSX export opens with the office's kop from its issuer profile.

Rekap nilai, rekap kehadiran, the evaluation report, the certificate register, JP compliance
and the SIASN export once printed the unit names in capitals ("DPMPTSP KOTA PADANG PANJANG");
an office's paperwork carries its kop: the government, the office as its profile names it,
and the address.
"""

from __future__ import annotations

import io

from openpyxl import load_workbook

from tests.certificates.builders.issuing import finalized_session, set_profile

ADDRESS = "Jl. Sutan Syahrir No. 1, Silaing Bawah, Padang Panjang Barat"
KOP = [
    "PEMERINTAH KOTA PADANG PANJANG",
    "DINAS PENANAMAN MODAL DAN PELAYANAN TERPADU SATU PINTU KOTA PADANG PANJANG",
    ADDRESS,
]


def _first_cells(content: bytes) -> dict[str, list[object]]:
    """Each sheet's first cell of its first rows (the title block)."""
    book = load_workbook(io.BytesIO(content))
    return {
        name: [row[0] for row in list(book[name].values)[: len(KOP) + 1]]
        for name in book.sheetnames
    }


async def test_every_xlsx_export_carries_the_offices_kop(client, organizer, hr, unit):
    world = await finalized_session(organizer, unit)
    await set_profile(client, organizer, address=ADDRESS)
    sid = world.session_id
    unit_id = str(unit["id"])
    downloads = {
        "rekap nilai": (f"/api/v1/sessions/{sid}/results/recap", {}, organizer),
        "rekap kehadiran": (f"/api/v1/sessions/{sid}/attendance/recap", {}, organizer),
        "evaluasi": (f"/api/v1/sessions/{sid}/evaluation-report", {"format": "xlsx"}, organizer),
        "register": ("/api/v1/certificates/register", {}, organizer),
        "kepatuhan": (
            "/api/v1/reports/jp-compliance",
            {"format": "xlsx", "year": 2026, "unit_id": unit_id},
            hr,
        ),
        "siasn": (
            "/api/v1/reports/siasn-export",
            {"format": "xlsx", "year": 2026, "unit_id": unit_id},
            hr,
        ),
    }
    titles = {
        "rekap nilai": "REKAP NILAI PESERTA: Pelatihan Pelayanan Prima",
        "rekap kehadiran": "REKAP KEHADIRAN PESERTA: Pelatihan Pelayanan Prima",
        "evaluasi": "LAPORAN EVALUASI PENYELENGGARAAN: Pelatihan Pelayanan Prima",
        "register": "BUKU REGISTER SERTIFIKAT PELATIHAN",
        "kepatuhan": "Kepatuhan 20 JP tahun 2026: DPMPTSP Kota Padang Panjang",
        "siasn": "Riwayat kursus untuk SIASN tahun 2026",
    }
    for what, (url, params, actor) in downloads.items():
        resp = await client.get(url, params=params, headers=actor.headers)
        assert resp.status_code == 200, (what, resp.text)
        sheets = _first_cells(resp.content)
        for name, cells in sheets.items():
            assert cells[: len(KOP)] == KOP, (what, name, cells)
        first = next(iter(sheets.values()))
        assert str(first[len(KOP)]).startswith(titles[what]), (what, first)


async def test_without_a_profile_the_kop_is_the_unit_names(client, organizer, unit):
    world = await finalized_session(organizer, unit)
    resp = await client.get(
        f"/api/v1/sessions/{world.session_id}/results/recap", headers=organizer.headers
    )
    assert resp.status_code == 200, resp.text
    cells = next(iter(_first_cells(resp.content).values()))
    assert cells[:3] == [
        "PEMERINTAH KOTA PADANG PANJANG",
        "DPMPTSP KOTA PADANG PANJANG",
        "REKAP NILAI PESERTA: Pelatihan Pelayanan Prima",
    ]

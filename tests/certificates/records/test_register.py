"""The certificate register (buku register) as XLSX and CSV: the caller's scope, oldest first,
typed names kept as text."""

from __future__ import annotations

import datetime as dt
import io

from openpyxl import load_workbook

from certificates.rendering.snapshot import HolderSnapshot
from tests.certificates.verification.test_verification import insert_certificate

REGISTER = "/api/v1/certificates/register"


async def test_register_lists_the_scope_oldest_first(
    client, organizer, other_organizer, hr, unit, other_unit, participant
):
    await insert_certificate(
        unit,
        number="002/PP/DPMPTSP/XI/2026",
        issued_at=dt.datetime(2026, 11, 23, 3, 0, tzinfo=dt.UTC),
        holder=HolderSnapshot(name_with_titles='=HYPERLINK("http://evil.example","Klik")'),
        status="revoked",
    )
    await insert_certificate(unit, number="001/PP/DPMPTSP/XI/2026")
    await insert_certificate(other_unit, number="001/BKPSDM/XI/2026")

    resp = await client.get(REGISTER, headers=organizer.headers)
    assert resp.status_code == 200, resp.text
    assert resp.headers["content-disposition"].startswith(
        'attachment; filename="register-sertifikat-'
    )
    sheet = load_workbook(io.BytesIO(resp.content))["Register sertifikat"]
    values = list(sheet.values)
    assert [v[0] for v in values[:3]] == [
        "PEMERINTAH KOTA PADANG PANJANG",
        "DPMPTSP KOTA PADANG PANJANG",
        "BUKU REGISTER SERTIFIKAT PELATIHAN",
    ]
    assert values[4][:5] == ("No", "Nomor sertifikat", "Nama", "NIP", "Pelatihan")
    first, second = values[5:]
    assert first[:12] == (
        1, "001/PP/DPMPTSP/XI/2026", "Muh. Ma'ruf, S.Sos., M.Si.", "19860926 201505 1 001",
        "Pelatihan Pelayanan Prima", "Angkatan I", dt.datetime(2026, 11, 20),
        dt.datetime(2026, 11, 22), 24, dt.datetime(2026, 11, 22), None, "SAH",
    )  # fmt: skip
    assert first[12].startswith("https://prima.test/verify/")
    assert second[1:3] == ("002/PP/DPMPTSP/XI/2026", '=HYPERLINK("http://evil.example","Klik")')
    assert second[11] == "DICABUT"
    assert sheet["C7"].data_type == "s"
    assert sheet.freeze_panes == "A6" and sheet.auto_filter.ref == "A5:M7"
    assert sheet["G6"].number_format == "dd-mm-yyyy"

    csv = await client.get(REGISTER, params={"format": "csv"}, headers=hr.headers)
    assert csv.status_code == 200
    lines = csv.content.decode("utf-8-sig").split("\r\n")
    assert lines[0].startswith("No;Nomor sertifikat;Nama;NIP;Pelatihan;Angkatan;Mulai;Selesai;")
    assert len(lines) == 5  # HR of the city sees all three, then the final CRLF
    revoked = next(line for line in lines if "002/PP/DPMPTSP" in line)
    assert ';"\'=HYPERLINK(""http://evil.example"",""Klik"")";' in revoked
    valid = next(line for line in lines if "001/PP/DPMPTSP" in line)
    assert ";20-11-2026;22-11-2026;24;22-11-2026;;SAH;" in valid

    other = await client.get(REGISTER, params={"format": "csv"}, headers=other_organizer.headers)
    assert other.content.decode("utf-8-sig").split("\r\n")[1].split(";")[1] == (
        "001/BKPSDM/XI/2026"
    )
    assert (await client.get(REGISTER, headers=participant.headers)).status_code == 403

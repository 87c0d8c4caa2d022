"""The competency framework: create, unique codes, list, CSV import."""

from __future__ import annotations

from lms.competencies.framework import known_competency_codes, service_competency_codes
from tests.conftest import SHARED_DATA

SAMPLE = SHARED_DATA / "competencies_pelayanan_publik.csv"


async def test_hr_creates_a_competency_and_codes_are_unique(client, hr, participant):
    body = {
        "code": "pp-09",
        "name": "Pelayanan inklusif",
        "description": "Melayani penyandang disabilitas dan kelompok rentan",
        "levels": [{"level": 2, "name": "Mahir"}, {"level": 1, "name": "Dasar"}],
        "skm_elements": ["U7", "U8"],
    }
    resp = await client.post("/api/v1/competencies", json=body, headers=hr.headers)
    assert resp.status_code == 201, resp.text
    created = resp.json()
    assert created["code"] == "PP-09"
    assert [lv["name"] for lv in created["levels"]] == ["Dasar", "Mahir"]
    assert created["skm_elements"] == ["U7", "U8"]

    again = await client.post(
        "/api/v1/competencies", json={**body, "code": "PP-09"}, headers=hr.headers
    )
    assert again.status_code == 409
    assert again.json()["detail"] == "Kode kompetensi PP-09 sudah ada"

    # Participants read the framework but do not change it.
    listed = await client.get("/api/v1/competencies", headers=participant.headers)
    assert listed.status_code == 200
    assert [c["code"] for c in listed.json()["items"]] == ["PP-09"]
    denied = await client.post(
        "/api/v1/competencies", json={**body, "code": "PP-10"}, headers=participant.headers
    )
    assert denied.status_code == 403


async def test_bad_competency_bodies_are_400(client, hr):
    for body in (
        {"code": "PP 01", "name": "Spasi di kode"},
        {"code": "PP-01", "name": "Unsur salah", "skm_elements": ["U10"]},
        {"code": "PP-01", "name": "Unsur ganda", "skm_elements": ["U6", "U6"]},
        {"code": "PP-01", "name": "x", "unknown": 1},
        {"code": "X" * 33, "name": "Kode terlalu panjang"},
    ):
        resp = await client.post("/api/v1/competencies", json=body, headers=hr.headers)
        assert resp.status_code == 400, body


async def test_import_of_the_sample_framework(client, hr, organizer):
    resp = await client.post(
        "/api/v1/competencies/import",
        files={"file": (SAMPLE.name, SAMPLE.read_bytes(), "text/csv")},
        headers=hr.headers,
    )
    assert resp.status_code == 200, resp.text
    report = resp.json()
    assert report["created"] == [f"PP-0{i}" for i in range(1, 9)]
    assert report["updated"] == [] and report["rejected"] == []
    assert await known_competency_codes() == {f"PP-0{i}" for i in range(1, 9)}
    # U6 kompetensi pelaksana / U7 perilaku pelaksana: what service-excellence training moves.
    assert await service_competency_codes() == ["PP-01", "PP-02", "PP-06"]

    u7 = await client.get(
        "/api/v1/competencies", params={"skm_element": "U7"}, headers=organizer.headers
    )
    assert [c["code"] for c in u7.json()["items"]] == ["PP-01", "PP-02", "PP-06"]
    pp03 = (
        await client.get("/api/v1/competencies", params={"q": "standar"}, headers=hr.headers)
    ).json()
    assert pp03["total"] == 1
    assert pp03["items"][0]["skm_elements"] == ["U1", "U2", "U5"]

    # Importing again updates instead of failing.
    again = await client.post(
        "/api/v1/competencies/import",
        files={"file": (SAMPLE.name, SAMPLE.read_bytes(), "text/csv")},
        headers=hr.headers,
    )
    assert again.json()["created"] == []
    assert len(again.json()["updated"]) == 8


async def test_import_reports_bad_rows_and_keeps_the_good_ones(client, hr):
    content = (
        "kode;nama;unsur_skm;tingkat\n"
        'PP-01;Memahami kebutuhan;U6,U7;"Dasar; Menengah; Mahir"\n'
        "PP 02;Kode salah;U7;\n"
        "PP-03;Unsur salah;U12;\n"
        "PP-01;Ganda;U6;\n"
    )
    resp = await client.post(
        "/api/v1/competencies/import",
        files={"file": ("kompetensi.csv", content.encode(), "text/csv")},
        headers=hr.headers,
    )
    assert resp.status_code == 200, resp.text
    report = resp.json()
    assert report["created"] == ["PP-01"]
    assert [r["row_number"] for r in report["rejected"]] == [3, 4, 5]
    assert "U12" in report["rejected"][1]["errors"][0]
    assert "lebih dari sekali" in report["rejected"][2]["errors"][0]
    items = (await client.get("/api/v1/competencies", headers=hr.headers)).json()["items"]
    assert items[0]["levels"] == [
        {"level": 1, "name": "Dasar", "description": ""},
        {"level": 2, "name": "Menengah", "description": ""},
        {"level": 3, "name": "Mahir", "description": ""},
    ]


async def test_import_without_required_columns_is_400(client, hr):
    resp = await client.post(
        "/api/v1/competencies/import",
        files={"file": ("k.csv", b"judul,deskripsi\nA,B\n", "text/csv")},
        headers=hr.headers,
    )
    assert resp.status_code == 400
    assert "code" in resp.json()["detail"]

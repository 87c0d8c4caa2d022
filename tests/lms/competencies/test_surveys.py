"""SKM uploads: exact IKM per period from the sample file, category boundaries, bad rows."""

from __future__ import annotations

from tests.conftest import SHARED_DATA
from tests.factories import make_actor

SAMPLE = SHARED_DATA / "skm_dpmptsp_2025_2026.csv"
SURVEYS = "/api/v1/skm/surveys"


def upload(client, actor, content: bytes, name: str = "skm.csv", **fields):
    return client.post(
        SURVEYS,
        files={"file": (name, content, "text/csv")},
        data={k: str(v) for k, v in fields.items()},
        headers=actor.headers,
    )


def answers(total_points: int, respondents: int) -> list[list[int]]:
    """Respondents answering all nine elements with 3s and 4s adding up to ``total_points``."""
    fours = total_points - 3 * 9 * respondents
    flat = [4] * fours + [3] * (9 * respondents - fours)
    return [flat[i * 9 : (i + 1) * 9] for i in range(respondents)]


async def test_sample_file_gives_the_exact_index_per_period(client, organizer, unit):
    resp = await upload(client, organizer, SAMPLE.read_bytes(), SAMPLE.name)
    assert resp.status_code == 201, resp.text
    body = resp.json()
    assert body["unit_id"] == str(unit["id"])  # from the file's unit code
    assert (body["accepted_rows"], body["rejected_rows"]) == (120, [])
    before, after = body["surveys"]
    assert (before["period"], before["ikm"], before["category"], before["category_label"]) == (
        "2025-S1",
        "77.22",
        "B",
        "Baik",
    )
    assert (after["period"], after["ikm"], after["category"]) == ("2026-S1", "80.42", "B")
    assert (before["period_start"], before["period_end"]) == ("2025-01-01", "2025-06-30")
    assert (before["respondents"], before["skm"], after["skm"]) == (60, "3.0889", "3.2167")
    u6 = {e["code"]: e for e in before["elements"]}["U6"]
    assert u6 == {
        "code": "U6",
        "name": "Kompetensi Pelaksana",
        "answered": 60,
        "nrr": "2.9667",
        "ikm": "74.17",
    }
    u7_after = {e["code"]: e for e in after["elements"]}["U7"]
    assert (u7_after["nrr"], u7_after["ikm"]) == ("3.5167", "87.92")

    listed = await client.get(
        SURVEYS, params={"unit_id": str(unit["id"])}, headers=organizer.headers
    )
    assert [s["period"] for s in listed.json()["items"]] == ["2025-S1", "2026-S1"]
    assert listed.json()["total"] == 2


async def test_a_period_is_stored_once_unless_replaced(client, organizer):
    content = SAMPLE.read_bytes()
    assert (await upload(client, organizer, content)).status_code == 201
    again = await upload(client, organizer, content)
    assert again.status_code == 409
    assert "2025-S1, 2026-S1" in again.json()["detail"]
    replaced = await upload(client, organizer, content, replace="true")
    assert replaced.status_code == 201
    listed = await client.get(SURVEYS, headers=organizer.headers)
    assert listed.json()["total"] == 2


async def test_answers_outside_1_to_4_are_rejected_with_their_row(client, organizer, unit):
    lines = SAMPLE.read_text().splitlines()
    lines[3] = lines[3].rsplit(",", 1)[0] + ",5"  # respondent 3 (row 4): U9 = 5
    lines[7] = lines[7].replace(",2025-S1,", ",,")  # row 8: no period
    lines[10] = lines[10].rsplit(",", 2)[0] + ",0,x"  # row 11: U8 = 0, U9 = x
    lines[12] = lines[12].replace(",2025-S1,", "," + "P" * 33 + ",")  # row 13: period too long
    resp = await upload(client, organizer, "\n".join(lines).encode(), unit_id=unit["id"])
    assert resp.status_code == 201, resp.text
    body = resp.json()
    assert body["accepted_rows"] == 116
    rejected = {r["row_number"]: r["errors"] for r in body["rejected_rows"]}
    assert list(rejected) == [4, 8, 11, 13]
    assert rejected[4] == ["U9 bernilai '5'; jawaban harus angka 1–4 atau dikosongkan"]
    assert rejected[8] == ["Periode wajib diisi"]
    assert len(rejected[11]) == 2
    assert rejected[13] == ["Periode paling panjang 32 karakter"]
    assert [s["period"] for s in body["surveys"]] == ["2025-S1", "2026-S1"]
    assert body["surveys"][0]["respondents"] == 56


async def test_a_file_without_usable_rows_is_refused(client, organizer, unit):
    content = b"respondent,period,U1,U2,U3,U4,U5,U6,U7,U8,U9\n1,2026-S1,5,5,5,5,5,5,5,5,5\n"
    resp = await upload(client, organizer, content, unit_id=unit["id"])
    assert resp.status_code == 422
    assert resp.json()["errors"][0]["field"] == "baris 2"
    listed = await client.get(SURVEYS, headers=organizer.headers)
    assert listed.json()["total"] == 0


async def test_file_for_another_unit_and_missing_columns(client, organizer, unit, other_unit):
    mismatch = await upload(client, organizer, SAMPLE.read_bytes(), unit_id=other_unit["id"])
    assert mismatch.status_code == 404  # BKPSDM is outside the organizer's scope
    missing = await upload(client, organizer, b"period,U1\n2026-S1,3\n", unit_id=unit["id"])
    assert missing.status_code == 400
    assert {e["field"] for e in missing.json()["errors"]} == {f"U{i}" for i in range(2, 10)}


async def test_json_surveys_and_the_category_boundary(client, hr, unit):
    # 24 respondents, 763 points: IKM 88.3102 -> 88.31 -> A.
    a = await client.post(
        SURVEYS,
        json={
            "unit_id": str(unit["id"]),
            "period": "2026-Q3",
            "responses": [{"answers": row} for row in answers(763, 24)],
        },
        headers=hr.headers,
    )
    assert a.status_code == 201, a.text
    survey = a.json()["surveys"][0]
    assert (survey["ikm"], survey["category"], survey["category_label"]) == (
        "88.31",
        "A",
        "Sangat Baik",
    )
    assert (survey["period_start"], survey["period_end"]) == ("2026-07-01", "2026-09-30")
    # 33 respondents, 1049 points: IKM 88.2997 -> 88.30 -> B.
    b = await client.post(
        SURVEYS,
        json={
            "unit_id": str(unit["id"]),
            "period": "2026-Q4",
            "responses": [{"answers": row} for row in answers(1049, 33)],
        },
        headers=hr.headers,
    )
    survey = b.json()["surveys"][0]
    assert (survey["ikm"], survey["category"], survey["category_label"]) == ("88.30", "B", "Baik")


async def test_json_rows_outside_1_to_4_are_listed(client, hr, unit):
    resp = await client.post(
        SURVEYS,
        json={
            "unit_id": str(unit["id"]),
            "period": "Survei Juli",
            "period_start": "2026-07-01",
            "period_end": "2026-07-31",
            "responses": [
                {"answers": [4, 4, 4, 4, 4, 4, 4, 4, 4]},
                {"answers": [4, 4, 4, 4, 4, 4, 4, 4, 9]},
                {"answers": [3, 3, 3]},
                {"answers": [None] * 9},
            ],
        },
        headers=hr.headers,
    )
    assert resp.status_code == 201, resp.text
    body = resp.json()
    assert body["accepted_rows"] == 1
    assert [(r["row_number"], r["errors"]) for r in body["rejected_rows"]] == [
        (2, ["U9 bernilai 9; jawaban harus 1–4 atau kosong"]),
        (3, ["Harus 9 jawaban (U1–U9), bukan 3"]),
        (4, ["Tidak ada jawaban U1–U9"]),
    ]
    survey = body["surveys"][0]
    assert (survey["ikm"], survey["category"], survey["period_end"]) == (
        "100.00",
        "A",
        "2026-07-31",
    )


async def test_who_may_upload(client, app, participant, other_unit, unit):
    resp = await upload(client, participant, SAMPLE.read_bytes())
    assert resp.status_code == 403
    other_hr = await make_actor(app, "hr", unit_id=other_unit["id"])
    resp = await upload(client, other_hr, SAMPLE.read_bytes())
    assert resp.status_code == 404
    bad_json = await client.post(
        SURVEYS,
        json={"unit_id": str(unit["id"]), "period": "2026", "responses": []},
        headers=other_hr.headers,
    )
    assert bad_json.status_code == 400


async def test_the_index_says_whether_its_sample_meets_the_minimum(
    client, organizer, unit, other_unit
):
    population = f"/api/v1/skm/units/{unit['id']}/population"
    one = b"respondent,unit_code,period,U1,U2,U3,U4,U5,U6,U7,U8,U9\nR1,DPMPTSP-PPJ,2026-S1,4,4,4,4,4,4,4,4,4\n"  # noqa: E501
    resp = await upload(client, organizer, one)
    assert resp.status_code == 201, resp.text
    assert resp.json()["surveys"][0]["sample"] == {
        "population": None,
        "minimum": None,
        "respondents": 1,
        "sufficient": None,
        "message": "Kecukupan sampel belum dapat dinilai: populasi penerima layanan unit belum "
        "diatur (1 responden).",
    }
    assert (await client.get(population, headers=organizer.headers)).json() == {
        "unit_id": str(unit["id"]),
        "population": None,
    }
    put = await client.put(population, json={"population": 250}, headers=organizer.headers)
    assert put.status_code == 200, put.text
    assert put.json() == {"unit_id": str(unit["id"]), "population": 250}

    listed = await client.get(SURVEYS, headers=organizer.headers)
    (survey,) = listed.json()["items"]
    assert (survey["category"], survey["sample"]) == (
        "A",
        {
            "population": 250,
            "minimum": 152,
            "respondents": 1,
            "sufficient": False,
            "message": "Sampel belum memenuhi: 1 responden, minimum 152 untuk populasi 250 "
            "(PermenPANRB 14/2017, tabel Krejcie-Morgan); IKM ini belum dapat dianggap mewakili.",
        },
    )
    impact = await client.get(
        "/api/v1/reports/training-impact",
        params={"unit_id": str(unit["id"])},
        headers=organizer.headers,
    )
    assert impact.json()["periods"][0]["sample"]["sufficient"] is False

    bad = await client.put(population, json={"population": 0}, headers=organizer.headers)
    assert bad.status_code == 400
    outside = f"/api/v1/skm/units/{other_unit['id']}/population"
    assert (await client.get(outside, headers=organizer.headers)).status_code == 404
    put_outside = await client.put(outside, json={"population": 5}, headers=organizer.headers)
    assert put_outside.status_code == 404

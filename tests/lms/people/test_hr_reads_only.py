"""HR reads people and units of its scope and writes none of them (DESIGN.md roles): each
write answers 403 and changes nothing; what HR does do (read, external learning records,
verification, reports) still works. Unit moves: admins anywhere, organizers only below their
own unit and inside their scope."""

from __future__ import annotations

from lms.people.tables import Person, Unit
from tests.factories import make_person, make_unit

PERSON = {"name": "Rahmat Hidayat", "asn_type": "non_asn"}
CSV = "NIP;Nama;Unit Kerja\n;Rahmat Hidayat;DPMPTSP\n"


async def _snapshot() -> tuple[list, list]:
    people = await Person.select().order_by(Person.id)
    units = await Unit.select().order_by(Unit.id)
    return people, units


async def test_hr_writes_no_person_or_unit(client, hr, unit, other_unit, participant):
    kecamatan = await make_unit(
        "KEC-PP",
        "Kecamatan Padang Panjang Barat",
        kind="kecamatan",
        parent={"id": other_unit["id"], "path": other_unit["path"]},
    )
    before = await _snapshot()
    writes = [
        ("POST", "/api/v1/people", {"json": {**PERSON, "unit_id": str(unit["id"])}}),
        ("PATCH", f"/api/v1/people/{participant.person_id}", {"json": {"name": "Diubah"}}),
        (
            "POST",
            "/api/v1/people/import",
            {"files": {"file": ("peserta.csv", CSV.encode(), "text/csv")}},
        ),
        (
            "POST",
            "/api/v1/units",
            {"json": {"code": "BARU", "name": "Baru", "parent_id": str(unit["id"])}},
        ),
        ("PATCH", f"/api/v1/units/{unit['id']}", {"json": {"name": "Diubah"}}),
        # The move the probe made: DPMPTSP under a kecamatan of another office.
        ("PATCH", f"/api/v1/units/{unit['id']}", {"json": {"parent_id": str(kecamatan["id"])}}),
    ]
    for method, path, kwargs in writes:
        resp = await client.request(method, path, headers=hr.headers, **kwargs)
        assert resp.status_code == 403, (method, path, resp.text)
        assert resp.json()["status"] == 403
    assert await _snapshot() == before


async def test_hr_still_reads_records_verifies_and_reports(client, hr, unit, participant):
    people = await client.get(f"/api/v1/people?unit_id={unit['id']}", headers=hr.headers)
    assert people.status_code == 200
    assert [p["id"] for p in people.json()["items"]] == [str(participant.person_id)]
    one = await client.get(f"/api/v1/people/{participant.person_id}", headers=hr.headers)
    assert one.status_code == 200
    units = await client.get("/api/v1/units", headers=hr.headers)
    assert str(unit["id"]) in {u["id"] for u in units.json()["items"]}
    record = await client.post(
        f"/api/v1/people/{participant.person_id}/learning-records",
        json={
            "title": "Bimtek Standar Pelayanan Publik",
            "organizer": "Ombudsman RI",
            "jenis_diklat": 8,
            "klasikal": True,
            "start_date": "2026-02-10",
            "end_date": "2026-02-11",
            "jp": 12,
        },
        headers=hr.headers,
    )
    assert record.status_code == 201, record.text
    batch = await client.post(
        "/api/v1/verify/batch", json={"items": ["001/PP/X/2026"]}, headers=hr.headers
    )
    assert batch.status_code == 200, batch.text
    assert batch.json()["items"][0]["found"] is False
    report = await client.get("/api/v1/reports/jp-compliance?year=2026", headers=hr.headers)
    assert report.status_code == 200, report.text


async def test_organizer_moves_units_only_inside_their_scope(
    client, app, organizer, admin, unit, other_unit
):
    bidang = await make_unit("BID-1", "Bidang Perizinan", parent=unit)
    seksi = await make_unit("SEKSI-1", "Seksi Perizinan", parent=unit)
    # Inside their scope: allowed.
    moved = await client.patch(
        f"/api/v1/units/{seksi['id']}",
        json={"parent_id": str(bidang["id"])},
        headers=organizer.headers,
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["path"] == f"{bidang['path']}{seksi['id']}/"
    # Out of their scope (a unit they do not see is not usable as a parent).
    out = await client.patch(
        f"/api/v1/units/{bidang['id']}",
        json={"parent_id": str(other_unit["id"])},
        headers=organizer.headers,
    )
    assert out.status_code == 422
    assert out.json()["errors"] == [
        {"field": "parent_id", "message": "Unit induk tidak ditemukan."}
    ]
    # Their own unit: not by them (it would carry or leave their scope), to the top neither.
    for parent in (str(bidang["id"]), None):
        own = await client.patch(
            f"/api/v1/units/{unit['id']}", json={"parent_id": parent}, headers=organizer.headers
        )
        assert own.status_code == 422, own.text
        assert own.json()["errors"] == [
            {
                "field": "parent_id",
                "message": "Unit Anda sendiri hanya dapat dipindahkan oleh admin.",
            }
        ]
    # A unit above or beside them: not visible, 404.
    beside = await client.patch(
        f"/api/v1/units/{other_unit['id']}",
        json={"parent_id": str(unit["id"])},
        headers=organizer.headers,
    )
    assert beside.status_code == 404
    # The admin moves anything anywhere.
    by_admin = await client.patch(
        f"/api/v1/units/{unit['id']}",
        json={"parent_id": str(other_unit["id"])},
        headers=admin.headers,
    )
    assert by_admin.status_code == 200, by_admin.text


async def test_trainers_and_participants_write_no_person(client, trainer_user, participant, unit):
    for actor in (trainer_user, participant):
        resp = await client.patch(
            f"/api/v1/people/{participant.person_id}",
            json={"name": "Diubah"},
            headers=actor.headers,
        )
        assert resp.status_code == 403
    person = await make_person(unit["id"], "Tetap")
    assert (await Person.select(Person.name).where(Person.id == person).first())["name"] == "Tetap"

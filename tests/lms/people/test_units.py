"""The unit tree: create, move, scope and audit through /api/v1/units."""

from __future__ import annotations

from lms.people.tables import Unit
from tests.factories import make_actor, make_person, make_unit
from tests.lms.builders.people import audit_entries


async def _paths() -> dict[str, str]:
    return {row["code"]: row["path"] for row in await Unit.select(Unit.code, Unit.path)}


async def test_admin_creates_a_tree_with_materialised_paths(client, admin):
    root = await client.post(
        "/api/v1/units",
        json={
            "code": "PEMKAB-TD",
            "name": "Pemerintah  Kabupaten Tanah Datar",
            "kind": "pemda",
            "city": "Batusangkar",
        },
        headers=admin.headers,
    )
    assert root.status_code == 201, root.text
    root_body = root.json()
    assert root_body["name"] == "Pemerintah Kabupaten Tanah Datar"
    assert root_body["parent_id"] is None
    assert root_body["path"] == f"/{root_body['id']}/"
    assert root_body["timezone"] == "Asia/Jakarta"

    child = await client.post(
        "/api/v1/units",
        json={"code": "DPMPTSP-TD", "name": "DPMPTSP Tanah Datar", "parent_id": root_body["id"]},
        headers=admin.headers,
    )
    assert child.status_code == 201, child.text
    body = child.json()
    assert body["kind"] == "opd"
    assert body["parent_id"] == root_body["id"]
    assert body["path"] == f"/{root_body['id']}/{body['id']}/"
    # city and time zone come from the parent when not given
    assert body["city"] == "Batusangkar"
    assert body["timezone"] == "Asia/Jakarta"

    fetched = await client.get(f"/api/v1/units/{body['id']}", headers=admin.headers)
    assert fetched.json() == body


async def test_unit_code_is_unique_ignoring_case(client, admin, unit):
    for code in ("DPMPTSP-PPJ", "dpmptsp-ppj"):
        resp = await client.post(
            "/api/v1/units",
            json={"code": code, "name": "Duplikat", "parent_id": str(unit["id"])},
            headers=admin.headers,
        )
        assert resp.status_code == 409, resp.text
        assert resp.json()["detail"] == f"Kode unit '{code}' sudah dipakai."


async def test_organizer_creates_only_below_own_unit(client, organizer, unit, other_unit):
    ok = await client.post(
        "/api/v1/units",
        json={
            "code": "DPMPTSP-BID-YAN",
            "name": "Bidang Pelayanan",
            "kind": "bidang",
            "parent_id": str(unit["id"]),
        },
        headers=organizer.headers,
    )
    assert ok.status_code == 201, ok.text
    assert ok.json()["path"].startswith(unit["path"])

    sibling = await client.post(
        "/api/v1/units",
        json={"code": "BKPSDM-X", "name": "Bidang X", "parent_id": str(other_unit["id"])},
        headers=organizer.headers,
    )
    assert sibling.status_code == 422
    assert sibling.json()["errors"] == [
        {"field": "parent_id", "message": "Unit induk tidak ditemukan."}
    ]

    no_parent = await client.post(
        "/api/v1/units", json={"code": "ROOT-2", "name": "Akar Baru"}, headers=organizer.headers
    )
    assert no_parent.status_code == 422
    assert no_parent.json()["errors"][0]["field"] == "parent_id"


async def test_participant_and_trainer_may_not_create_units(
    client, participant, trainer_user, unit
):
    for actor in (participant, trainer_user):
        resp = await client.post(
            "/api/v1/units",
            json={"code": "X-1", "name": "X", "parent_id": str(unit["id"])},
            headers=actor.headers,
        )
        assert resp.status_code == 403


async def test_list_shows_only_the_units_the_caller_sees(
    client, app, admin, organizer, hr, root_unit, unit, other_unit
):
    kelurahan = await make_unit("KEL-X", "Kelurahan Contoh", unit, kind="kelurahan")
    person_id = await make_person(other_unit["id"], "Peserta BKPSDM")
    member = await make_actor(app, "participant", person_id=person_id)

    async def codes(actor) -> list[str]:
        resp = await client.get("/api/v1/units", headers=actor.headers)
        assert resp.status_code == 200, resp.text
        body = resp.json()
        assert body["total"] == len(body["items"])
        return [u["code"] for u in body["items"]]

    # ordered by name
    assert await codes(admin) == ["BKPSDM-PPJ", "DPMPTSP-PPJ", "KEL-X", "PEMKOT-PPJ"]
    assert await codes(hr) == ["BKPSDM-PPJ", "DPMPTSP-PPJ", "KEL-X", "PEMKOT-PPJ"]
    assert await codes(organizer) == ["DPMPTSP-PPJ", "KEL-X"]
    # a participant without a unit on the login sees their person's unit
    assert await codes(member) == ["BKPSDM-PPJ"]

    children = await client.get(
        f"/api/v1/units?parent_id={root_unit['id']}&q=dpmptsp", headers=admin.headers
    )
    assert [u["code"] for u in children.json()["items"]] == ["DPMPTSP-PPJ"]
    kinds = await client.get("/api/v1/units?kind=kelurahan", headers=admin.headers)
    assert [u["id"] for u in kinds.json()["items"]] == [str(kelurahan["id"])]


async def test_units_outside_scope_answer_404(
    client, organizer, participant, root_unit, unit, other_unit
):
    assert (
        await client.get(f"/api/v1/units/{other_unit['id']}", headers=organizer.headers)
    ).status_code == 404
    assert (
        await client.get(f"/api/v1/units/{root_unit['id']}", headers=organizer.headers)
    ).status_code == 404
    assert (
        await client.patch(
            f"/api/v1/units/{other_unit['id']}", json={"name": "X"}, headers=organizer.headers
        )
    ).status_code == 404
    assert (
        await client.get(f"/api/v1/units?parent_id={root_unit['id']}", headers=organizer.headers)
    ).status_code == 404
    own = await client.get(f"/api/v1/units/{unit['id']}", headers=participant.headers)
    assert own.status_code == 200
    assert (
        await client.get(f"/api/v1/units/{other_unit['id']}", headers=participant.headers)
    ).status_code == 404


async def test_moving_a_unit_rewrites_the_subtree_paths(client, admin, root_unit, unit, other_unit):
    bidang = await make_unit("BID-1", "Bidang Satu", unit, kind="bidang")
    seksi = await make_unit("SEKSI-1", "Seksi Satu", bidang, kind="bidang")

    resp = await client.patch(
        f"/api/v1/units/{unit['id']}",
        json={"parent_id": str(other_unit["id"]), "name": "DPMPTSP (pindah)"},
        headers=admin.headers,
    )
    assert resp.status_code == 200, resp.text
    moved = resp.json()
    assert moved["parent_id"] == str(other_unit["id"])
    assert moved["name"] == "DPMPTSP (pindah)"
    new_unit_path = f"{other_unit['path']}{unit['id']}/"
    assert moved["path"] == new_unit_path
    assert await _paths() == {
        "PEMKOT-PPJ": root_unit["path"],
        "BKPSDM-PPJ": other_unit["path"],
        "DPMPTSP-PPJ": new_unit_path,
        "BID-1": f"{new_unit_path}{bidang['id']}/",
        "SEKSI-1": f"{new_unit_path}{bidang['id']}/{seksi['id']}/",
    }

    entries = await audit_entries("unit", unit["id"])
    assert [e["action"] for e in entries] == ["unit.update"]
    assert entries[0]["actor_name"] == admin.username
    assert entries[0]["changes"]["parent_id"] == {
        "old": str(root_unit["id"]),
        "new": str(other_unit["id"]),
    }
    assert entries[0]["changes"]["name"] == {
        "old": "DPMPTSP Kota Padang Panjang",
        "new": "DPMPTSP (pindah)",
    }

    # and back to a root: only an admin may
    back = await client.patch(
        f"/api/v1/units/{bidang['id']}", json={"parent_id": None}, headers=admin.headers
    )
    assert back.status_code == 200
    assert (await _paths())["SEKSI-1"] == f"/{bidang['id']}/{seksi['id']}/"


async def test_a_unit_cannot_move_below_itself(client, admin, organizer, unit):
    bidang = await make_unit("BID-1", "Bidang Satu", unit, kind="bidang")
    for parent in (unit["id"], bidang["id"]):
        resp = await client.patch(
            f"/api/v1/units/{unit['id']}", json={"parent_id": str(parent)}, headers=admin.headers
        )
        assert resp.status_code == 422, resp.text
        assert resp.json()["errors"] == [
            {
                "field": "parent_id",
                "message": "Unit tidak dapat dipindahkan ke bawah dirinya sendiri atau unit "
                "turunannya.",
            }
        ]
    # nothing changed
    assert (await _paths())["BID-1"] == bidang["path"]

    to_root = await client.patch(
        f"/api/v1/units/{bidang['id']}", json={"parent_id": None}, headers=organizer.headers
    )
    assert to_root.status_code == 422


async def test_unit_create_and_code_change_are_audited(client, organizer, unit):
    resp = await client.post(
        "/api/v1/units",
        json={"code": "UPT-1", "name": "UPT Satu", "kind": "uptd", "parent_id": str(unit["id"])},
        headers=organizer.headers,
    )
    unit_id = resp.json()["id"]
    dup = await client.patch(
        f"/api/v1/units/{unit_id}", json={"code": "DPMPTSP-PPJ"}, headers=organizer.headers
    )
    assert dup.status_code == 409
    ok = await client.patch(
        f"/api/v1/units/{unit_id}", json={"code": "UPTD-1"}, headers=organizer.headers
    )
    assert ok.json()["code"] == "UPTD-1"
    entries = await audit_entries("unit", unit_id)
    assert [e["action"] for e in entries] == ["unit.create", "unit.update"]
    assert entries[0]["changes"]["code"] == "UPT-1"
    assert entries[1]["changes"] == {"code": {"old": "UPT-1", "new": "UPTD-1"}}


async def test_bad_unit_bodies_are_400(client, admin, unit):
    for body in (
        {"code": "bad code!", "name": "X"},
        {"code": "OK-1", "name": ""},
        {"code": "OK-1", "name": "X", "timezone": "Europe/Paris"},
        {"code": "OK-1", "name": "X", "kind": "kingdom"},
        {"code": "OK-1", "name": "X", "colour": "blue"},
    ):
        resp = await client.post("/api/v1/units", json=body, headers=admin.headers)
        assert resp.status_code == 400, (body, resp.text)
        assert resp.headers["content-type"].startswith("application/problem+json")
        assert resp.json()["errors"]

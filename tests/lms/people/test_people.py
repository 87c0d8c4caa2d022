"""People through /api/v1/people: validation by ASN type, display fields, scope, search,
duplicates and the audit log."""

from __future__ import annotations

import pytest

from lms.people.tables import Person
from tests.factories import make_actor, make_person, make_unit
from tests.lms.builders.people import audit_entries

PNS = {
    "name": "Zulkarnain",
    "front_title": "Drs.",
    "back_title": "M.Si.",
    "asn_type": "pns",
    "nip": "19870425 201709 1 005",
    "golongan": "4a",
    "jabatan": "Kepala Seksi Pemerintahan",
    "jabatan_type": "pengawas",
    "email": "Zulkarnain@PadangPanjang.go.id",
    "phone": "+62 885-3942-2239",
}


async def test_create_pns_stores_clean_values_and_answers_display_fields(client, organizer, unit):
    resp = await client.post(
        "/api/v1/people", json={**PNS, "unit_id": str(unit["id"])}, headers=organizer.headers
    )
    assert resp.status_code == 201, resp.text
    body = resp.json()
    assert {k: v for k, v in body.items() if k not in ("id", "created_at", "updated_at")} == {
        "nip": "198704252017091005",
        "nip_display": "19870425 201709 1 005",
        "name": "Zulkarnain",
        "front_title": "Drs.",
        "back_title": "M.Si.",
        "full_name": "Drs. Zulkarnain, M.Si.",
        "asn_type": "pns",
        "golongan": "IV/a",
        "pangkat": "Pembina",
        "pangkat_golongan": "Pembina, IV/a",
        "jabatan": "Kepala Seksi Pemerintahan",
        "jabatan_type": "pengawas",
        "unit_id": str(unit["id"]),
        "unit_name": "DPMPTSP Kota Padang Panjang",
        "email": "zulkarnain@padangpanjang.go.id",
        "phone": "088539422239",
    }
    again = await client.get(f"/api/v1/people/{body['id']}", headers=organizer.headers)
    assert again.json() == body


async def test_pppk_number_is_accepted_as_pppk(client, organizer, unit):
    resp = await client.post(
        "/api/v1/people",
        json={
            "name": "Fitri Handayani",
            "back_title": "S.Pd.",
            "asn_type": "pppk",
            "nip": "198604272022211011",
            "golongan": "9",
        },
        headers=organizer.headers,
    )
    assert resp.status_code == 201, resp.text
    body = resp.json()
    assert body["nip_display"] == "19860427 2022 21 1 011"
    assert body["golongan"] == "IX"
    assert body["pangkat"] is None
    assert body["pangkat_golongan"] == "IX"
    # an organizer who gives no unit puts the person in their own unit
    assert body["unit_id"] == str(unit["id"])


async def test_the_same_number_as_pns_is_refused_by_the_month_rule(client, organizer):
    resp = await client.post(
        "/api/v1/people",
        json={"name": "Fitri", "asn_type": "pns", "nip": "198604272022211011"},
        headers=organizer.headers,
    )
    assert resp.status_code == 422
    assert resp.json()["errors"] == [
        {"field": "nip", "message": "Bulan TMT CPNS pada NIP (21) harus 01–12"}
    ]


async def test_pns_nip_with_month_13_is_422_naming_the_field(client, organizer):
    resp = await client.post(
        "/api/v1/people",
        json={"name": "Budi", "asn_type": "pns", "nip": "198609262015131001", "golongan": "II/z"},
        headers=organizer.headers,
    )
    assert resp.status_code == 422
    problem = resp.json()
    assert resp.headers["content-type"].startswith("application/problem+json")
    assert problem["type"].endswith("rule-violation")
    assert problem["errors"] == [
        {"field": "nip", "message": "Bulan TMT CPNS pada NIP (13) harus 01–12"},
        {
            "field": "golongan",
            "message": "Golongan 'II/z' tidak dikenal; golongan PNS ditulis I/a sampai IV/e",
        },
    ]
    assert await Person.count() == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "Budi", "asn_type": "pns"}, "nip"),
        ({"name": "Budi", "asn_type": "non_asn", "golongan": "III/a"}, "golongan"),
        ({"name": "Budi", "asn_type": "non_asn", "phone": "12"}, "phone"),
        ({"name": "Budi", "asn_type": "pns", "nip": "1986092620150510"}, "nip"),
    ],
)
async def test_domain_rules_answer_422_with_the_field(client, organizer, body, field):
    resp = await client.post("/api/v1/people", json=body, headers=organizer.headers)
    assert resp.status_code == 422, resp.text
    assert [e["field"] for e in resp.json()["errors"]] == [field]


@pytest.mark.parametrize(
    "body",
    [
        {"name": "Budi"},
        {"name": "Budi", "asn_type": "honorer"},
        {"name": "", "asn_type": "non_asn"},
        {"name": "Budi", "asn_type": "non_asn", "email": "bukan-email"},
        {"name": "Budi", "asn_type": "non_asn", "jabatan_type": "raja"},
        {"name": "Budi", "asn_type": "non_asn", "nickname": "Bud"},
    ],
)
async def test_body_shape_errors_answer_400(client, organizer, body):
    resp = await client.post("/api/v1/people", json=body, headers=organizer.headers)
    assert resp.status_code == 400, resp.text
    assert resp.json()["errors"]


async def test_non_asn_needs_no_nip(client, admin, unit):
    resp = await client.post(
        "/api/v1/people",
        json={"name": "Rahmat", "asn_type": "non_asn", "unit_id": str(unit["id"])},
        headers=admin.headers,
    )
    assert resp.status_code == 201
    assert resp.json()["nip"] is None
    assert resp.json()["nip_display"] == ""
    assert resp.json()["pangkat_golongan"] == ""


async def test_duplicate_nip_names_the_holder_only_to_who_sees_them(
    client, organizer, other_organizer, unit, other_unit
):
    existing = await make_person(
        unit["id"], "Afrizal", nip="198609082018111001", back_title="S.Sos."
    )
    body = {"name": "Orang Lain", "asn_type": "pns", "nip": "198609082018111001"}
    seen = await client.post("/api/v1/people", json=body, headers=organizer.headers)
    assert seen.status_code == 409
    assert seen.json()["detail"] == (
        "NIP 19860908 201811 1 001 sudah terdaftar atas nama Afrizal, S.Sos."
    )
    assert seen.json()["existing_id"] == str(existing)

    unseen = await client.post(
        "/api/v1/people",
        json={**body, "unit_id": str(other_unit["id"])},
        headers=other_organizer.headers,
    )
    assert unseen.status_code == 409
    assert unseen.json()["detail"] == "NIP sudah terdaftar."
    assert "existing_id" not in unseen.json()
    assert "Afrizal" not in unseen.text


async def test_organizer_of_a_sibling_unit_gets_404(client, other_organizer, participant):
    url = f"/api/v1/people/{participant.person_id}"
    assert (await client.get(url, headers=other_organizer.headers)).status_code == 404
    patch = await client.patch(url, json={"jabatan": "X"}, headers=other_organizer.headers)
    assert patch.status_code == 404
    listing = await client.get("/api/v1/people", headers=other_organizer.headers)
    assert listing.json() == {"items": [], "total": 0}


async def test_organizer_may_not_put_people_outside_scope(client, organizer, other_unit):
    resp = await client.post(
        "/api/v1/people",
        json={"name": "Budi", "asn_type": "non_asn", "unit_id": str(other_unit["id"])},
        headers=organizer.headers,
    )
    assert resp.status_code == 422
    assert resp.json()["errors"] == [{"field": "unit_id", "message": "Unit kerja tidak ditemukan."}]


async def test_participant_sees_only_themselves(client, app, participant, unit):
    colleague = await make_person(unit["id"], "Rekan Sekantor")
    own = await client.get(f"/api/v1/people/{participant.person_id}", headers=participant.headers)
    assert own.status_code == 200
    assert own.json()["full_name"] == "Afrizal, S.Sos."
    other = await client.get(f"/api/v1/people/{colleague}", headers=participant.headers)
    assert other.status_code == 404
    listing = await client.get("/api/v1/people", headers=participant.headers)
    assert [p["id"] for p in listing.json()["items"]] == [str(participant.person_id)]
    assert listing.json()["total"] == 1
    # and may not edit, not even themselves
    patch = await client.patch(
        f"/api/v1/people/{participant.person_id}",
        json={"phone": "081200000001"},
        headers=participant.headers,
    )
    assert patch.status_code == 403
    unlinked = await make_actor(app, "participant")
    nobody = await client.get("/api/v1/people", headers=unlinked.headers)
    assert nobody.json() == {"items": [], "total": 0}


async def test_trainer_sees_only_themselves(client, trainer_user, participant):
    other = await client.get(
        f"/api/v1/people/{participant.person_id}", headers=trainer_user.headers
    )
    assert other.status_code == 404
    own = await client.get(f"/api/v1/people/{trainer_user.person_id}", headers=trainer_user.headers)
    assert own.json()["name"] == "Narasumber Satu"


async def test_list_searches_filters_and_pages(client, hr, root_unit, unit, other_unit):
    kelurahan = await make_unit("KEL-1", "Kelurahan Satu", unit, kind="kelurahan")
    await make_person(unit["id"], "Yusnita Dewi", nip="197803282010092006", golongan="II/c")
    await make_person(kelurahan["id"], "Desi Ratnasari", nip="198202192012062007")
    await make_person(
        other_unit["id"],
        "Fitri Handayani",
        nip="198004142024152005",
        asn_type="pppk",
        golongan="IX",
    )
    await make_person(other_unit["id"], "Rahmat", asn_type="non_asn", golongan="")

    async def names(query: str) -> list[str]:
        resp = await client.get(f"/api/v1/people{query}", headers=hr.headers)
        assert resp.status_code == 200, resp.text
        return [p["name"] for p in resp.json()["items"]]

    assert await names("") == ["Desi Ratnasari", "Fitri Handayani", "Rahmat", "Yusnita Dewi"]
    assert await names("?q=DEWI") == ["Yusnita Dewi"]
    assert await names("?q=  ratna  ") == ["Desi Ratnasari"]
    assert await names("?q=19820219 2012") == ["Desi Ratnasari"]
    assert await names("?q=2024152") == ["Fitri Handayani"]
    assert await names(f"?unit_id={unit['id']}") == ["Desi Ratnasari", "Yusnita Dewi"]
    assert await names(f"?unit_id={unit['id']}&include_subunits=false") == ["Yusnita Dewi"]
    assert await names("?asn_type=pppk") == ["Fitri Handayani"]
    assert await names("?golongan=2c") == ["Yusnita Dewi"]
    assert await names("?golongan=9&asn_type=pppk") == ["Fitri Handayani"]

    page = await client.get("/api/v1/people?limit=2&offset=1", headers=hr.headers)
    assert [p["name"] for p in page.json()["items"]] == ["Fitri Handayani", "Rahmat"]
    assert page.json()["total"] == 4


async def test_list_with_unit_filter_outside_scope_is_404(client, organizer, other_unit):
    resp = await client.get(f"/api/v1/people?unit_id={other_unit['id']}", headers=organizer.headers)
    assert resp.status_code == 404


async def test_update_writes_changed_fields_to_the_audit_log(client, organizer, unit):
    created = await client.post(
        "/api/v1/people", json={**PNS, "unit_id": str(unit["id"])}, headers=organizer.headers
    )
    person_id = created.json()["id"]
    kelurahan = await make_unit("KEL-1", "Kelurahan Satu", unit, kind="kelurahan")
    resp = await client.patch(
        f"/api/v1/people/{person_id}",
        json={
            "jabatan": "Sekretaris Camat",
            "golongan": "IV/b",
            "unit_id": str(kelurahan["id"]),
            "email": "zulkarnain@padangpanjang.go.id",
        },
        headers=organizer.headers,
    )
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["jabatan"] == "Sekretaris Camat"
    assert body["pangkat_golongan"] == "Pembina Tingkat I, IV/b"
    assert body["unit_name"] == "Kelurahan Satu"

    entries = await audit_entries("person", person_id)
    assert [e["action"] for e in entries] == ["person.create", "person.update"]
    assert entries[0]["actor_name"] == organizer.username
    assert entries[0]["changes"]["nip"] == "198704252017091005"
    # the email was sent unchanged, so it is not a change
    assert entries[1]["changes"] == {
        "golongan": {"old": "IV/a", "new": "IV/b"},
        "jabatan": {"old": "Kepala Seksi Pemerintahan", "new": "Sekretaris Camat"},
        "unit_id": {"old": str(unit["id"]), "new": str(kelurahan["id"])},
    }

    # an update that changes nothing writes nothing
    same = await client.patch(
        f"/api/v1/people/{person_id}",
        json={"jabatan": "Sekretaris Camat"},
        headers=organizer.headers,
    )
    assert same.status_code == 200
    assert len(await audit_entries("person", person_id)) == 2


async def test_update_checks_nip_and_golongan_against_a_new_asn_type(client, organizer, unit):
    person_id = await make_person(unit["id"], "Eko", nip="198609082018111001", golongan="III/a")
    to_pppk = await client.patch(
        f"/api/v1/people/{person_id}", json={"asn_type": "pppk"}, headers=organizer.headers
    )
    assert to_pppk.status_code == 422
    assert sorted(e["field"] for e in to_pppk.json()["errors"]) == ["golongan", "nip"]

    ok = await client.patch(
        f"/api/v1/people/{person_id}",
        json={"asn_type": "pppk", "nip": "198102022022191001", "golongan": "IX"},
        headers=organizer.headers,
    )
    assert ok.status_code == 200, ok.text
    assert ok.json()["nip_display"] == "19810202 2022 19 1 001"


async def test_update_to_a_taken_nip_is_409(client, organizer, unit):
    await make_person(unit["id"], "Pemilik", nip="198609082018111001")
    other = await make_person(unit["id"], "Lain", nip="198001062013082008", golongan="III/c")
    resp = await client.patch(
        f"/api/v1/people/{other}", json={"nip": "198609082018111001"}, headers=organizer.headers
    )
    assert resp.status_code == 409
    assert resp.json()["detail"] == "NIP 19860908 201811 1 001 sudah terdaftar atas nama Pemilik."


async def test_organizer_edits_anyone_in_their_unit(client, organizer, participant):
    resp = await client.patch(
        f"/api/v1/people/{participant.person_id}",
        json={"front_title": "H.", "back_title": "S.Sos., M.AP."},
        headers=organizer.headers,
    )
    assert resp.status_code == 200
    assert resp.json()["full_name"] == "H. Afrizal, S.Sos., M.AP."


async def test_offsets_beyond_the_rows_and_beyond_the_limit(client, admin, participant):
    for path in ("/api/v1/people", "/api/v1/units"):
        past = await client.get(f"{path}?offset={2**31 - 1}", headers=admin.headers)
        assert past.status_code == 200, past.text
        assert past.json()["items"] == []
        assert past.json()["total"] >= 1
        huge = await client.get(f"{path}?offset=61451813761584807936", headers=admin.headers)
        assert huge.status_code == 400
        assert huge.json()["errors"][0]["field"] == "offset"


async def test_control_characters_never_reach_the_database(client, admin, unit):
    # Pasted names may carry control characters invisibly: they are dropped. A NUL, which
    # PostgreSQL refuses in text, is refused with a 400 on both engines before any handler
    # runs (lms.shared.input_guard).
    body = {
        "name": "Bu\u0007di\u0007  Santoso",
        "asn_type": "non_asn",
        "unit_id": str(unit["id"]),
        "jabatan": "Staf\u001f",
    }
    resp = await client.post("/api/v1/people", json=body, headers=admin.headers)
    assert resp.status_code == 201, resp.text
    assert (resp.json()["name"], resp.json()["jabatan"]) == ("Budi Santoso", "Staf")
    empty = await client.post(
        "/api/v1/people", json={"name": "\u0007", "asn_type": "non_asn"}, headers=admin.headers
    )
    assert empty.status_code == 422
    assert empty.json()["errors"] == [{"field": "name", "message": "Nama wajib diisi."}]
    nul = await client.post(
        "/api/v1/people", json={**body, "name": "Bu\u0000di"}, headers=admin.headers
    )
    assert nul.status_code == 400
    assert nul.json()["errors"] == [{"field": "name", "message": "berisi karakter NUL (\\u0000)"}]
    for query in ("q=%00", "q=Bu%00di", "golongan=%00"):
        listing = await client.get(f"/api/v1/people?{query}", headers=admin.headers)
        assert listing.status_code == 400, (query, listing.text)
    units = await client.get("/api/v1/units?q=%00", headers=admin.headers)
    assert units.status_code == 400
    unit_name = await client.patch(
        f"/api/v1/units/{unit['id']}", json={"name": "\u0007 "}, headers=admin.headers
    )
    assert unit_name.status_code == 422


async def test_editing_other_fields_does_not_recheck_a_stored_nip(client, organizer, unit):
    # stored before the sequence rule existed: a NIP ending in 000
    person_id = await make_person(unit["id"], "Data Lama", nip="198609082018111000")
    resp = await client.patch(
        f"/api/v1/people/{person_id}", json={"jabatan": "Analis"}, headers=organizer.headers
    )
    assert resp.status_code == 200, resp.text
    again = await client.patch(
        f"/api/v1/people/{person_id}", json={"nip": "198609082018111000"}, headers=organizer.headers
    )
    assert again.status_code == 422
    assert again.json()["errors"] == [
        {"field": "nip", "message": "Nomor urut pada NIP tidak boleh 000"}
    ]

"""The agenda: items, JP delivered against the course, and clashes (409, saying with what)."""

from __future__ import annotations

from tests.courses.builders.delivery import create_course, create_session, create_trainer, wib
from tests.factories import make_person


async def _add(client, actor, session_id, **item):
    return await client.post(
        f"/api/v1/sessions/{session_id}/agenda", json=item, headers=actor.headers
    )


async def test_agenda_reports_jp_planned_against_the_course(client, organizer, participant):
    course = await create_course(client, organizer)
    modules = [m["id"] for m in course["modules"]]
    session = await create_session(client, organizer, course["id"], status="open")
    trainer = await create_trainer(client, organizer)
    day1, day2, day3 = "2026-11-18", "2026-11-19", "2026-11-20"
    plan = [
        (day1, "07:30", "08:00", None, "Pembukaan"),
        (day1, "08:00", "12:30", modules[0], ""),
        (day1, "13:30", "15:00", modules[1], ""),
        (day2, "08:00", "11:00", modules[1], ""),
        (day2, "11:00", "12:00", modules[2], ""),
        (day2, "13:00", "15:00", modules[2], ""),
        (day3, "08:00", "09:30", modules[2], ""),
        (day3, "09:30", "12:00", modules[3], ""),
    ]
    for day, start, end, module, title in plan:
        resp = await _add(
            client,
            organizer,
            session["id"],
            starts_at=wib(day, start),
            ends_at=wib(day, end),
            module_id=module,
            trainer_id=trainer["id"] if module else None,
            title=title,
            room="Aula Utama",
        )
        assert resp.status_code == 201, resp.text
    agenda = await client.get(f"/api/v1/sessions/{session['id']}/agenda", headers=organizer.headers)
    body = agenda.json()
    assert (body["jp_planned"], body["jp_course"], body["jp_mismatch"]) == ("21.33", "24.00", True)
    assert [(m["title"], m["jp_course"], m["jp_planned"]) for m in body["modules"]] == [
        ("Konsep Pelayanan Prima", "6.00", "6.00"),
        ("Standar Pelayanan dan Maklumat", "6.00", "6.00"),
        ("Komunikasi dan Etika Pelayanan", "6.00", "6.00"),
        ("Penanganan Pengaduan", "6.00", "3.33"),
    ]
    first = body["items"][1]
    assert (first["starts_at"], first["ends_at"], first["day"], first["minutes"]) == (
        "2026-11-18T01:00:00Z",
        "2026-11-18T05:30:00Z",
        "2026-11-18",
        270,
    )
    assert (first["starts_at_local"], first["ends_at_local"]) == (
        "2026-11-18T08:00:00",
        "2026-11-18T12:30:00",
    )
    assert first["trainer_name"] == "Prof. Dr. Rina Marlina, M.Si."
    assert first["module_title"] == "Konsep Pelayanan Prima"
    # The missing 120 minutes of module 4 make the JP match.
    resp = await _add(
        client,
        organizer,
        session["id"],
        starts_at=wib(day3, "13:00"),
        ends_at=wib(day3, "15:00"),
        module_id=modules[3],
        room="Aula Utama",
    )
    assert resp.status_code == 201
    body = (
        await client.get(f"/api/v1/sessions/{session['id']}/agenda", headers=organizer.headers)
    ).json()
    assert (body["jp_planned"], body["jp_mismatch"]) == ("24.00", False)
    # An enrolled participant reads the agenda too.
    await client.post(
        f"/api/v1/sessions/{session['id']}/enrollments", json={}, headers=participant.headers
    )
    assert (
        await client.get(f"/api/v1/sessions/{session['id']}/agenda", headers=participant.headers)
    ).status_code == 200


async def test_trainer_in_two_places_at_once_is_409_naming_the_other_session(
    client, admin, organizer, other_organizer, unit, other_unit
):
    course = await create_course(client, organizer)
    module = course["modules"][0]["id"]
    first = await create_session(client, organizer, course["id"], name="Angkatan I", venue="Aula A")
    second = await create_session(
        client, organizer, course["id"], name="Angkatan II", venue="Aula B"
    )
    trainer = await create_trainer(client, organizer)
    ok = await _add(
        client,
        organizer,
        first["id"],
        starts_at=wib("2026-11-18", "08:00"),
        ends_at=wib("2026-11-18", "12:00"),
        module_id=module,
        trainer_id=trainer["id"],
    )
    assert ok.status_code == 201
    clash = await _add(
        client,
        organizer,
        second["id"],
        starts_at=wib("2026-11-18", "11:00"),
        ends_at=wib("2026-11-18", "13:00"),
        module_id=module,
        trainer_id=trainer["id"],
    )
    assert clash.status_code == 409
    problem = clash.json()
    assert problem["detail"] == (
        "Narasumber Prof. Dr. Rina Marlina, M.Si. sudah dijadwalkan di Angkatan I "
        "(Pelatihan Pelayanan Prima) pada Rabu, 18 November 2026 pukul 08.00–12.00 WIB."
    )
    assert problem["clash"]["kind"] == "trainer"
    assert problem["clash"]["session_id"] == first["id"]
    # Back to back is not a clash (half-open intervals).
    touching = await _add(
        client,
        organizer,
        second["id"],
        starts_at=wib("2026-11-18", "12:00"),
        ends_at=wib("2026-11-18", "13:00"),
        module_id=module,
        trainer_id=trainer["id"],
    )
    assert touching.status_code == 201
    # The same person registered by two units (the other unit's by an admin: an organizer
    # only links people of their own scope) is still one trainer.
    person = await make_person(unit["id"], "Hendra Gunawan", front_title="Drs.")
    own = await create_trainer(client, organizer, person_id=str(person))
    again = await client.post(
        "/api/v1/trainers", json={"person_id": str(person)}, headers=organizer.headers
    )
    assert again.status_code == 409
    theirs = await create_trainer(
        client, admin, person_id=str(person), unit_id=str(other_unit["id"])
    )
    booked = await _add(
        client,
        organizer,
        first["id"],
        starts_at=wib("2026-11-19", "08:00"),
        ends_at=wib("2026-11-19", "10:00"),
        module_id=module,
        trainer_id=own["id"],
    )
    assert booked.status_code == 201
    their_course = await create_course(client, other_organizer)
    their_session = await create_session(
        client, other_organizer, their_course["id"], venue="BKPSDM"
    )
    double = await _add(
        client,
        other_organizer,
        their_session["id"],
        starts_at=wib("2026-11-19", "09:00"),
        ends_at=wib("2026-11-19", "11:00"),
        module_id=their_course["modules"][0]["id"],
        trainer_id=theirs["id"],
    )
    assert double.status_code == 409
    assert double.json()["detail"].startswith(
        "Narasumber Drs. Hendra Gunawan sudah dijadwalkan di Angkatan I"
    )
    # A cancelled session no longer blocks anyone.
    await client.patch(
        f"/api/v1/sessions/{first['id']}", json={"status": "cancelled"}, headers=organizer.headers
    )
    freed = await _add(
        client,
        organizer,
        second["id"],
        starts_at=wib("2026-11-18", "08:00"),
        ends_at=wib("2026-11-18", "11:00"),
        module_id=module,
        trainer_id=trainer["id"],
    )
    assert freed.status_code == 201


async def test_room_booked_twice_is_409_but_other_rooms_and_online_are_free(client, organizer):
    course = await create_course(client, organizer)
    first = await create_session(
        client, organizer, course["id"], name="Angkatan I", venue="Aula DPMPTSP"
    )
    second = await create_session(
        client, organizer, course["id"], name="Angkatan II", venue="  aula dpmptsp "
    )
    online = await create_session(
        client,
        organizer,
        course["id"],
        name="Daring",
        venue="",
        online_url="https://meet.example/pp",
    )
    slot = {"starts_at": wib("2026-11-18", "09:00"), "ends_at": wib("2026-11-18", "11:00")}
    assert (
        await _add(client, organizer, first["id"], title="Materi", room="Ruang 1", **slot)
    ).status_code == 201
    clash = await _add(client, organizer, second["id"], title="Materi", room="ruang 1", **slot)
    assert clash.status_code == 409
    assert clash.json()["clash"]["kind"] == "room"
    assert "Angkatan I" in clash.json()["detail"]
    assert (
        await _add(client, organizer, second["id"], title="Materi", room="Ruang 2", **slot)
    ).status_code == 201
    assert (await _add(client, organizer, online["id"], title="Materi", **slot)).status_code == 201
    assert (
        await _add(client, organizer, online["id"], title="Materi lain", **slot)
    ).status_code == 201


async def test_item_outside_the_session_days_in_its_time_zone_is_409(client, organizer):
    session = await create_session(client, organizer, timezone="Asia/Jayapura")
    # 23:30 UTC on the 17th is 08:30 WIT on the 18th: inside.
    inside = await _add(
        client,
        organizer,
        session["id"],
        title="Pembukaan",
        starts_at="2026-11-17T23:30:00Z",
        ends_at="2026-11-18T00:30:00Z",
    )
    assert inside.status_code == 201, inside.text
    assert inside.json()["starts_at"] == "2026-11-17T23:30:00Z"
    assert inside.json()["starts_at_local"] == "2026-11-18T08:30:00"  # WIT
    assert inside.json()["day"] == "2026-11-18"
    # 15:30 UTC on the 20th is 00:30 WIT on the 21st: outside.
    outside = await _add(
        client,
        organizer,
        session["id"],
        title="Malam",
        starts_at="2026-11-20T14:00:00Z",
        ends_at="2026-11-20T15:30:00Z",
    )
    assert outside.status_code == 409
    assert outside.json()["clash"]["kind"] == "outside_session"
    assert "18–20 November 2026" in outside.json()["detail"]
    before = await _add(
        client,
        organizer,
        session["id"],
        title="Persiapan",
        starts_at=wib("2026-11-17", "08:00"),
        ends_at=wib("2026-11-17", "10:00"),
    )
    assert before.status_code == 409


async def test_times_without_an_offset_are_the_sessions_local_time(client, organizer):
    session = await create_session(client, organizer, timezone="Asia/Jayapura")
    local = await _add(
        client,
        organizer,
        session["id"],
        title="Pembukaan",
        starts_at="2026-11-18T08:00:00",
        ends_at="2026-11-18T09:30:00",
    )
    assert local.status_code == 201, local.text
    item = local.json()
    assert (item["starts_at"], item["ends_at"]) == ("2026-11-17T23:00:00Z", "2026-11-18T00:30:00Z")
    assert (item["starts_at_local"], item["ends_at_local"]) == (
        "2026-11-18T08:00:00",
        "2026-11-18T09:30:00",
    )
    moved = await client.patch(
        f"/api/v1/sessions/{session['id']}/agenda/{item['id']}",
        json={"ends_at": "2026-11-18T10:00:00"},
        headers=organizer.headers,
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["ends_at_local"] == "2026-11-18T10:00:00"
    # With an offset it is still the instant given: 08:00 WIB is 10:00 WIT.
    given = await _add(
        client,
        organizer,
        session["id"],
        title="Sesi WIB",
        starts_at=wib("2026-11-19", "08:00"),
        ends_at=wib("2026-11-19", "09:00"),
    )
    assert given.json()["starts_at_local"] == "2026-11-19T10:00:00"


async def test_bad_items_and_edits(client, organizer, other_organizer):
    course = await create_course(client, organizer)
    other_course = await create_course(client, organizer)
    session = await create_session(client, organizer, course["id"])
    trainer = await create_trainer(client, organizer)
    foreign_module = await _add(
        client,
        organizer,
        session["id"],
        starts_at=wib("2026-11-18", "08:00"),
        ends_at=wib("2026-11-18", "09:00"),
        module_id=other_course["modules"][0]["id"],
    )
    assert foreign_module.status_code == 422
    for body in (
        {
            "starts_at": wib("2026-11-18", "10:00"),
            "ends_at": wib("2026-11-18", "09:00"),
            "title": "Mundur",
        },
        {"starts_at": wib("2026-11-18", "10:00"), "ends_at": wib("2026-11-18", "11:00")},
        {
            "starts_at": "2026-11-18T10:00:00",
            "ends_at": wib("2026-11-18", "11:00"),
            "title": "Satu tanpa zona, satu dengan zona",
        },
        {
            "starts_at": "0001-01-01T00:00:00+07:00",
            "ends_at": "0001-01-01T01:00:00+07:00",
            "title": "Tahun 1",
        },
    ):
        assert (await _add(client, organizer, session["id"], **body)).status_code == 400
    a = (
        await _add(
            client,
            organizer,
            session["id"],
            starts_at=wib("2026-11-18", "08:00"),
            ends_at=wib("2026-11-18", "10:00"),
            title="A",
            trainer_id=trainer["id"],
        )
    ).json()
    b = (
        await _add(
            client,
            organizer,
            session["id"],
            starts_at=wib("2026-11-18", "10:00"),
            ends_at=wib("2026-11-18", "12:00"),
            title="B",
            trainer_id=trainer["id"],
        )
    ).json()
    url = f"/api/v1/sessions/{session['id']}/agenda"
    # Moving an item over itself is fine; over another item of the same trainer is not.
    same = await client.patch(
        f"{url}/{a['id']}", json={"ends_at": wib("2026-11-18", "09:30")}, headers=organizer.headers
    )
    assert same.status_code == 200
    assert same.json()["minutes"] == 90
    over = await client.patch(
        f"{url}/{a['id']}", json={"ends_at": wib("2026-11-18", "10:30")}, headers=organizer.headers
    )
    assert over.status_code == 409
    backwards = await client.patch(
        f"{url}/{a['id']}", json={"ends_at": wib("2026-11-18", "07:00")}, headers=organizer.headers
    )
    assert backwards.status_code == 422
    assert (await client.delete(f"{url}/{b['id']}", headers=organizer.headers)).status_code == 204
    assert (await client.delete(f"{url}/{b['id']}", headers=organizer.headers)).status_code == 404
    assert (
        await client.delete(f"{url}/{a['id']}", headers=other_organizer.headers)
    ).status_code == 404
    items = (await client.get(url, headers=organizer.headers)).json()["items"]
    assert [i["title"] for i in items] == ["A"]

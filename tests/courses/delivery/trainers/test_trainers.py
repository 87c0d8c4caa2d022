"""Trainers: registered people or outsiders, login links, scope, and a trainer's own agenda."""

from __future__ import annotations

from lms.audit.services import entries_for
from tests.courses.builders.delivery import create_course, create_session, create_trainer, wib
from tests.factories import make_actor, make_person


async def test_outside_trainer_and_registered_person(client, app, organizer, unit):
    outsider = await create_trainer(client, organizer)
    assert (
        outsider["full_name"],
        outsider["institution"],
        outsider["person_id"],
        outsider["user_id"],
    ) == (
        "Prof. Dr. Rina Marlina, M.Si.",
        "Universitas Andalas",
        None,
        None,
    )
    person = await make_person(
        unit["id"], "Yusnita Dewi", back_title="S.AP.", jabatan="Widyaiswara"
    )
    login = await make_actor(app, "trainer", person_id=person, unit_id=unit["id"])
    trainer = await create_trainer(client, organizer, person_id=str(person), expertise="Pengaduan")
    assert (trainer["full_name"], trainer["institution"], trainer["user_id"]) == (
        "Yusnita Dewi, S.AP.",
        "DPMPTSP Kota Padang Panjang",
        str(login.user_id),
    )
    again = await client.post(
        "/api/v1/trainers", json={"person_id": str(person)}, headers=organizer.headers
    )
    assert again.status_code == 409
    listing = await client.get("/api/v1/trainers?q=andalas", headers=organizer.headers)
    assert [t["id"] for t in listing.json()["items"]] == [outsider["id"]]
    assert [e["action"] for e in await entries_for("trainer", trainer["id"])] == ["trainer.create"]


async def test_trainer_input_rules_and_scope(
    client, app, organizer, other_organizer, participant, unit
):
    assert (
        await client.post(
            "/api/v1/trainers", json={"institution": "Unand"}, headers=organizer.headers
        )
    ).status_code == 400
    missing = await client.post(
        "/api/v1/trainers", json={"person_id": str(unit["id"])}, headers=organizer.headers
    )
    assert missing.status_code == 404
    not_trainer = await client.post(
        "/api/v1/trainers",
        json={"name": "Budi", "user_id": str(participant.user_id)},
        headers=organizer.headers,
    )
    assert not_trainer.status_code == 422
    trainer = await create_trainer(client, organizer)
    assert (
        await client.get(f"/api/v1/trainers/{trainer['id']}", headers=other_organizer.headers)
    ).status_code == 404
    assert (await client.get("/api/v1/trainers", headers=other_organizer.headers)).json()[
        "total"
    ] == 0
    assert (await client.get("/api/v1/trainers", headers=participant.headers)).status_code == 403
    login = await make_actor(app, "trainer")
    linked = await client.patch(
        f"/api/v1/trainers/{trainer['id']}",
        json={"user_id": str(login.user_id)},
        headers=organizer.headers,
    )
    assert linked.status_code == 200
    assert linked.json()["user_id"] == str(login.user_id)


async def test_trainer_sees_only_their_agenda(client, app, organizer):
    course = await create_course(client, organizer)
    module = course["modules"][0]["id"]
    first = await create_session(client, organizer, course["id"], name="Angkatan I", venue="Aula A")
    second = await create_session(
        client, organizer, course["id"], name="Angkatan II", venue="Aula B"
    )
    login = await make_actor(app, "trainer")
    other_login = await make_actor(app, "trainer")
    mine = await create_trainer(client, organizer, name="Rina Marlina", user_id=str(login.user_id))
    theirs = await create_trainer(
        client, organizer, name="Hendra", user_id=str(other_login.user_id)
    )
    for session, trainer, day in (
        (first, mine, "2026-11-19"),
        (first, theirs, "2026-11-18"),
        (second, mine, "2026-11-18"),
    ):
        resp = await client.post(
            f"/api/v1/sessions/{session['id']}/agenda",
            json={
                "starts_at": wib(day, "08:00"),
                "ends_at": wib(day, "10:00"),
                "module_id": module,
                "trainer_id": trainer["id"],
            },
            headers=organizer.headers,
        )
        assert resp.status_code == 201, resp.text
    agenda = await client.get("/api/v1/trainers/me/agenda", headers=login.headers)
    assert agenda.status_code == 200
    assert [
        (i["session_name"], i["day"], i["venue"], i["course_title"]) for i in agenda.json()["items"]
    ] == [
        ("Angkatan II", "2026-11-18", "Aula B", "Pelatihan Pelayanan Prima"),
        ("Angkatan I", "2026-11-19", "Aula A", "Pelatihan Pelayanan Prima"),
    ]
    assert (
        await client.get("/api/v1/trainers/me/agenda", headers=organizer.headers)
    ).status_code == 403
    # Their session's agenda, attendance and enrollments are readable; other sessions are not.
    other_only = await create_session(
        client, organizer, course["id"], name="Angkatan III", venue="Aula C"
    )
    assert (
        await client.get(f"/api/v1/sessions/{first['id']}/enrollments", headers=login.headers)
    ).status_code == 200
    assert (
        await client.get(f"/api/v1/sessions/{other_only['id']}/agenda", headers=login.headers)
    ).status_code == 404


async def test_people_and_logins_of_another_unit_cannot_be_linked(
    client, app, organizer, other_unit, unit
):
    stranger = await make_person(other_unit["id"], "Hendra Gunawan", jabatan="Widyaiswara")
    stranger_login = await make_actor(app, "trainer", person_id=stranger)
    unit_login = await make_actor(app, "trainer", unit_id=other_unit["id"])
    person_body = await client.post(
        "/api/v1/trainers", json={"person_id": str(stranger)}, headers=organizer.headers
    )
    assert person_body.status_code == 404
    assert person_body.json()["detail"] == "Orang yang dipilih tidak ditemukan."
    for login in (stranger_login, unit_login):
        created = await client.post(
            "/api/v1/trainers",
            json={"name": "Hendra", "user_id": str(login.user_id)},
            headers=organizer.headers,
        )
        assert created.status_code == 404, created.text
        assert created.json()["detail"] == "Akun yang ditautkan tidak ditemukan."
    trainer = await create_trainer(client, organizer)
    patched = await client.patch(
        f"/api/v1/trainers/{trainer['id']}",
        json={"user_id": str(stranger_login.user_id)},
        headers=organizer.headers,
    )
    assert patched.status_code == 404
    assert (
        await client.get(f"/api/v1/trainers/{trainer['id']}", headers=organizer.headers)
    ).json()["user_id"] is None
    # Their own unit's login still links.
    own = await make_actor(
        app, "trainer", person_id=await make_person(unit["id"], "Yusnita"), unit_id=unit["id"]
    )
    linked = await client.patch(
        f"/api/v1/trainers/{trainer['id']}",
        json={"user_id": str(own.user_id)},
        headers=organizer.headers,
    )
    assert linked.status_code == 200, linked.text

"""Reaction evaluations: one per participant and target, exact means, anonymity and scope."""

from __future__ import annotations

from tests.courses.builders.delivery import create_trainer, wib
from tests.courses.builders.results import DAYS, build_world

TRAINER_CODES = [
    "penguasaan_materi",
    "sistematika_penyajian",
    "ketepatan_waktu",
    "menjawab_pertanyaan",
    "metode_alat_bantu",
]
ORGANIZATION_CODES = [
    "kesesuaian_materi",
    "kenyamanan_tempat",
    "ketersediaan_bahan",
    "ketepatan_jadwal",
    "pelayanan_panitia",
]


def _answers(codes: list[str], scores: list[int]) -> dict[str, int]:
    return dict(zip(codes, scores, strict=True))


async def _two_trainer_world(app, client, organizer, unit, trainer_user):
    world = await build_world(app, client, organizer, unit, trainer_user, participants=3)
    other = await create_trainer(client, organizer)  # Prof. Dr. Rina Marlina, M.Si.
    resp = await client.post(
        f"/api/v1/sessions/{world.session_id}/agenda",
        json={
            "starts_at": wib(DAYS[1], "08:00"),
            "ends_at": wib(DAYS[1], "10:00"),
            "trainer_id": other["id"],
            "module_id": world.course["modules"][1]["id"],
        },
        headers=organizer.headers,
    )
    assert resp.status_code == 201, resp.text
    return world, world.trainer, other


async def _send(client, world, person, target, scores, trainer=None, comment=""):
    body = {
        "target": target,
        "answers": _answers(TRAINER_CODES if target == "trainer" else ORGANIZATION_CODES, scores),
        "comment": comment,
    }
    if trainer is not None:
        body["trainer_id"] = trainer["id"]
    return await client.post(
        f"/api/v1/sessions/{world.session_id}/evaluations", json=body, headers=person.headers
    )


async def test_evaluation_form_submit_once_and_anonymous_report(
    app, client, organizer, other_organizer, unit, trainer_user, participant
) -> None:
    world, mine, other = await _two_trainer_world(app, client, organizer, unit, trainer_user)
    p1, p2, p3 = world.people
    url = f"/api/v1/sessions/{world.session_id}"

    form = await client.get(f"{url}/evaluation-form", headers=p1.headers)
    assert form.status_code == 200, form.text
    body = form.json()
    assert [i["code"] for i in body["trainer_items"]] == TRAINER_CODES
    assert [i["code"] for i in body["organization_items"]] == ORGANIZATION_CODES
    assert [s["value"] for s in body["scale"]] == [1, 2, 3, 4]
    assert {t["id"] for t in body["trainers"]} == {mine["id"], other["id"]}
    assert body["submitted"] == []

    for person, scores, comment in (
        (p1, [4, 4, 3, 3, 4], "Materi sangat jelas"),
        (p2, [3, 4, 2, 3, 3], ""),
        (p3, [4, 3, 3, 4, 4], "Contoh kasusnya nyata"),
    ):
        resp = await _send(client, world, person, "trainer", scores, mine, comment)
        assert resp.status_code == 201, resp.text
    assert (
        await _send(client, world, p1, "trainer", [2] * 5, other, "Terlalu cepat")
    ).status_code == 201
    assert (
        await _send(client, world, p1, "organization", [3] * 5, None, "Ruangan dingin")
    ).status_code == 201
    assert (await _send(client, world, p2, "organization", [4, 4, 4, 4, 2])).status_code == 201

    again = await _send(client, world, p1, "trainer", [1] * 5, mine)
    assert again.status_code == 409
    form = (await client.get(f"{url}/evaluation-form", headers=p1.headers)).json()
    assert form["submitted"] == sorted(
        ["organization", f"trainer:{mine['id']}", f"trainer:{other['id']}"]
    )

    report = await client.get(f"{url}/evaluation-report", headers=organizer.headers)
    assert report.status_code == 200, report.text
    data = report.json()
    assert (data["participants"], data["respondents"], data["scale_max"]) == (3, 3, 4)
    organization = data["organization"]
    assert organization["respondents"] == 2 and organization["mean"] == "3.30"
    assert [(i["code"], i["mean"]) for i in organization["items"]] == [
        ("kesesuaian_materi", "3.50"),
        ("kenyamanan_tempat", "3.50"),
        ("ketersediaan_bahan", "3.50"),
        ("ketepatan_jadwal", "3.50"),
        ("pelayanan_panitia", "2.50"),
    ]
    assert organization["comments"] == ["Ruangan dingin"]
    sections = {s["trainer_id"]: s for s in data["trainers"]}
    assert set(sections) == {mine["id"], other["id"]}
    own = sections[mine["id"]]
    assert own["respondents"] == 3 and own["mean"] == "3.40"  # 51 / 15
    assert [(i["mean"], i["distribution"]) for i in own["items"]] == [
        ("3.67", [0, 0, 1, 2]),
        ("3.67", [0, 0, 1, 2]),
        ("2.67", [0, 1, 2, 0]),
        ("3.33", [0, 0, 2, 1]),
        ("3.67", [0, 0, 1, 2]),
    ]
    assert own["comments"] == ["Contoh kasusnya nyata", "Materi sangat jelas"]  # by text
    assert sections[other["id"]]["mean"] == "2.00"
    assert sections[other["id"]]["name"] == "Prof. Dr. Rina Marlina, M.Si."
    # anonymous: no participant's person or user id anywhere in the report
    for person in world.people:
        assert str(person.person_id) not in report.text
        assert str(person.user_id) not in report.text

    as_trainer = await client.get(f"{url}/evaluation-report", headers=trainer_user.headers)
    assert as_trainer.status_code == 200
    trainer_view = as_trainer.json()
    assert [s["trainer_id"] for s in trainer_view["trainers"]] == [mine["id"]]
    assert other["id"] not in as_trainer.text and "Terlalu cepat" not in as_trainer.text
    assert trainer_view["organization"]["mean"] == "3.30"

    assert (
        await client.get(f"{url}/evaluation-report", headers=other_organizer.headers)
    ).status_code == 404
    assert (await client.get(f"{url}/evaluation-report", headers=p1.headers)).status_code == 403
    # a participant who is not in the session cannot see it at all
    outsider = await client.get(f"{url}/evaluation-form", headers=participant.headers)
    assert outsider.status_code == 404


async def test_evaluation_answers_are_validated(app, client, organizer, unit, trainer_user) -> None:
    world, mine, _ = await _two_trainer_world(app, client, organizer, unit, trainer_user)
    person = world.people[0]
    url = f"/api/v1/sessions/{world.session_id}/evaluations"
    partial = await client.post(
        url,
        json={
            "target": "organization",
            "answers": {"kesesuaian_materi": 4, "rasa_kopi": 2, "kenyamanan_tempat": 5},
        },
        headers=person.headers,
    )
    assert partial.status_code == 422
    fields = {e["field"] for e in partial.json()["errors"]}
    assert fields == {
        "answers.ketersediaan_bahan",
        "answers.ketepatan_jadwal",
        "answers.pelayanan_panitia",
        "answers.rasa_kopi",
        "answers.kenyamanan_tempat",
    }
    no_trainer = await client.post(
        url, json={"target": "trainer", "answers": {}}, headers=person.headers
    )
    assert no_trainer.status_code == 400
    stranger = await create_trainer(
        client, organizer, name="Budi Santoso", institution="Lain", expertise="-"
    )
    not_here = await _send(client, world, person, "trainer", [4] * 5, stranger)
    assert not_here.status_code == 422
    by_organizer = await client.post(
        url, json={"target": "organization", "answers": {}}, headers=organizer.headers
    )
    assert by_organizer.status_code == 403


async def test_evaluation_report_as_xlsx_and_csv(
    app, client, organizer, other_organizer, unit, trainer_user
) -> None:
    import io

    from openpyxl import load_workbook

    world, mine, other = await _two_trainer_world(app, client, organizer, unit, trainer_user)
    p1, p2, _ = world.people
    await _send(client, world, p1, "trainer", [4, 4, 3, 3, 4], mine, "=1+2 materi jelas")
    await _send(client, world, p2, "trainer", [3, 4, 2, 3, 3], mine)
    await _send(client, world, p1, "trainer", [2] * 5, other, "Terlalu cepat")
    await _send(client, world, p1, "organization", [3] * 5, None, "Ruangan dingin")
    url = f"/api/v1/sessions/{world.session_id}/evaluation-report"

    resp = await client.get(url, params={"format": "xlsx"}, headers=organizer.headers)
    assert resp.status_code == 200, resp.text
    assert 'filename="evaluasi-' in resp.headers["content-disposition"]
    book = load_workbook(io.BytesIO(resp.content))
    sheet = book["Evaluasi"]
    values = list(sheet.values)
    assert values[0][0] == "PEMERINTAH KOTA PADANG PANJANG"
    assert values[2][0].startswith("LAPORAN EVALUASI PENYELENGGARAAN: ")
    assert values[3][0].endswith("2 dari 3 peserta mengisi; skala 1–4")
    assert values[5] == (
        "Sasaran", "Kode", "Pernyataan", "Responden", "Rata-rata",
        "Skor 1", "Skor 2", "Skor 3", "Skor 4",
    )  # fmt: skip
    assert values[6][:5] == ("Penyelenggara", "kesesuaian_materi", values[6][2], 1, 3)
    assert values[6][5:] == (0, 0, 1, 0)
    assert values[11][:5] == ("Penyelenggara", None, "Rata-rata keseluruhan", 1, 3)
    sections = [row for row in values[12:] if row[1] == "penguasaan_materi"]
    assert {row[0]: row[4] for row in sections} == {
        "Narasumber: Prof. Dr. Rina Marlina, M.Si.": 2,
        f"Narasumber: {mine['name']}": 3.5,
    }
    assert sheet.freeze_panes == "A7"
    comments = list(book["Saran"].values)
    assert ("Penyelenggara", "Ruangan dingin") in comments
    assert (f"Narasumber: {mine['name']}", "=1+2 materi jelas") in comments

    csv = await client.get(url, params={"format": "csv"}, headers=trainer_user.headers)
    lines = csv.content.decode("utf-8-sig").split("\r\n")
    assert lines[0] == "Sasaran;Kode;Pernyataan;Responden;Rata-rata;Skor 1;Skor 2;Skor 3;Skor 4"
    assert "Terlalu cepat" not in csv.text and "Rina Marlina" not in csv.text  # own section only
    assert any(line.startswith(f"Narasumber: {mine['name']};penguasaan_materi;") for line in lines)

    outside = await client.get(url, params={"format": "xlsx"}, headers=other_organizer.headers)
    assert outside.status_code == 404

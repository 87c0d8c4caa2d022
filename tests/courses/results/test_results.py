"""Final results through the API: live scores, component scores, finalize, amendments, ledger."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from tests.courses.builders.results import (
    add_quiz,
    answers_scoring,
    build_world,
    make_true_false,
    mark_attendance,
    set_scores,
    take_quiz,
)

KEYS = [True, False, True, True, False]

# person: (days present of 3, post-test right of 5 (None: not taken), trainer assessment)
PLAN = [
    (3, 5, "90"),  # 10 + 60 + 27 = 97.00 Sangat Memuaskan
    (3, 4, "80"),  # 10 + 48 + 24 = 82.00 Memuaskan (best of two attempts: 2/5, then 4/5)
    (2, 5, "95"),  # 6.667 + 60 + 28.5 = 95.167 → 95.17, attendance 66.67 < 80: fails
    (3, 3, "80"),  # 10 + 36 + 24 = 70.00 Kurang Memuaskan: below the pass mark 70.01
    (3, 3, "80.04"),  # 10 + 36 + 24.012 = 70.012 → 70.01 Cukup Memuaskan: passes
    (3, None, "90"),  # post-test missing: 10 + 0 + 27 = 37.00, flagged
]
EXPECTED = [
    ("97.00", "Sangat Memuaskan", True, "100.00", "100.00", []),
    ("82.00", "Memuaskan", True, "100.00", "80.00", []),
    ("95.17", "Sangat Memuaskan", False, "66.67", "100.00", []),
    ("70.00", "Kurang Memuaskan", False, "100.00", "60.00", []),
    ("70.01", "Cukup Memuaskan", True, "100.00", "60.00", []),
    ("37.00", "Tidak Memuaskan", False, "100.00", None, ["post_test"]),
]


async def _assessed(app, client, organizer, unit, trainer_user):
    world = await build_world(
        app,
        client,
        organizer,
        unit,
        trainer_user,
        participants=len(PLAN),
        course_overrides={"pass_mark": "70.01"},
    )
    questions = await make_true_false(
        unit["id"], [(f"Pernyataan {n}", key, "") for n, key in enumerate(KEYS)]
    )
    quiz = await add_quiz(client, organizer, world, "post_test", questions)
    for person, (present, right, _) in zip(world.people, PLAN, strict=True):
        await mark_attendance(client, organizer, world, person, present)
        if right == 4:  # two attempts, graded by the highest
            await take_quiz(client, person, quiz, answers_scoring(questions, KEYS, 2))
        if right is not None:
            await take_quiz(client, person, quiz, answers_scoring(questions, KEYS, right))
    resp = await set_scores(
        client,
        trainer_user,
        world,
        [(p, plan[2]) for p, plan in zip(world.people, PLAN, strict=True)],
    )
    assert resp.status_code == 200, resp.text
    return world


def _excuse_sixth(world) -> dict:
    """The finalize body: the sixth participant, who never took the post-test, is excused."""
    return {"excused": [{"person_id": str(world.people[5].person_id), "reason": "Sakit"}]}


def _by_person(world, body):
    index = {item["person_id"]: item for item in body["items"]}
    return [index[str(p.person_id)] for p in world.people]


def _summary(item):
    return (
        item["final_score"],
        item["predikat"],
        item["passed"],
        item["attendance_percent"],
        item["components"]["post_test"],
        item["missing"],
    )


async def test_live_results_are_exact_and_participants_see_only_their_own(
    app, client, organizer, unit, trainer_user
) -> None:
    world = await _assessed(app, client, organizer, unit, trainer_user)
    resp = await client.get(
        f"/api/v1/sessions/{world.session_id}/results", headers=organizer.headers
    )
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["finalized"] is False and body["total"] == 6 and body["passed"] == 3
    assert body["rules"]["weights"] == {
        "attendance": "10.00",
        "post_test": "60.00",
        "trainer_assessment": "30.00",
    }
    assert [_summary(item) for item in _by_person(world, body)] == EXPECTED
    assert _by_person(world, body)[4]["components"]["trainer_assessment"] == "80.04"

    trainer_view = await client.get(
        f"/api/v1/sessions/{world.session_id}/results", headers=trainer_user.headers
    )
    assert trainer_view.json()["total"] == 6

    me = world.people[2]
    for url in ("results", "results?mine=true"):
        own = await client.get(f"/api/v1/sessions/{world.session_id}/{url}", headers=me.headers)
        assert own.status_code == 200
        assert [i["person_id"] for i in own.json()["items"]] == [str(me.person_id)]
        assert _summary(own.json()["items"][0]) == EXPECTED[2]


async def test_component_scores_are_checked(
    app, client, organizer, unit, trainer_user, participant
):
    world = await build_world(app, client, organizer, unit, trainer_user, participants=1)
    person = world.people[0]
    bad = await client.put(
        f"/api/v1/sessions/{world.session_id}/component-scores",
        json=[
            {"person_id": str(person.person_id), "component": "post_test", "score": 50},
            {"person_id": str(person.person_id), "component": "project", "score": 50},
            {
                "person_id": str(participant.person_id),
                "component": "trainer_assessment",
                "score": 50,
            },
        ],
        headers=organizer.headers,
    )
    assert bad.status_code == 422
    assert [e["field"] for e in bad.json()["errors"]] == [
        "[0].component",
        "[1].component",
        "[2].person_id",
    ]
    too_high = await set_scores(client, organizer, world, [(person, "100.01")])
    assert too_high.status_code == 400
    by_participant = await set_scores(client, person, world, [(person, "100")])
    assert by_participant.status_code == 403
    ok = await set_scores(client, organizer, world, [(person, "75.5")])
    assert ok.status_code == 200
    again = await set_scores(client, trainer_user, world, [(person, "77")])
    assert again.json()[0]["score"] == "77.00"
    listed = await client.get(
        f"/api/v1/sessions/{world.session_id}/component-scores", headers=organizer.headers
    )
    assert [(s["component"], s["score"]) for s in listed.json()] == [
        ("trainer_assessment", "77.00")
    ]


async def test_finalize_freezes_completes_and_credits_the_ledger(
    app, client, organizer, unit, trainer_user
) -> None:
    from courses.results.stored_results import passed_results
    from courses.tables import CourseSession, Enrollment, Result
    from lms.competencies.tables import LearningRecord

    world = await _assessed(app, client, organizer, unit, trainer_user)
    url = f"/api/v1/sessions/{world.session_id}/results"
    resp = await client.post(
        f"{url}/finalize", json=_excuse_sixth(world), headers=organizer.headers
    )
    assert resp.status_code == 200, resp.text
    report = resp.json()
    assert (report["results"], report["passed"], report["failed"], report["credited"]) == (
        6,
        3,
        3,
        3,
    )

    frozen = (await client.get(url, headers=organizer.headers)).json()
    assert frozen["finalized"] is True and frozen["finalized_at"]
    assert [_summary(item) for item in _by_person(world, frozen)] == EXPECTED

    session = await CourseSession.select().where(CourseSession.id == world.session_id).first()
    assert session["finalized_at"] is not None and session["status"] == "completed"
    snapshot = (
        session["rules"] if isinstance(session["rules"], dict) else json.loads(session["rules"])
    )
    assert Decimal(snapshot["pass_mark"]) == Decimal("70.01")
    row = await Result.select().where(Result.person == world.people[0].person_id).first()
    rules = row["rules"] if isinstance(row["rules"], dict) else json.loads(row["rules"])
    assert rules["version"] == 1
    assert {k: Decimal(v) for k, v in rules["weights"].items()} == {
        "attendance": 10,
        "post_test": 60,
        "trainer_assessment": 30,
    }
    assert [b["label"] for b in rules["predikat_bands"]][0] == "Sangat Memuaskan"
    assert row["finalized_at"] is not None
    statuses = await Enrollment.select(Enrollment.status).where(
        Enrollment.session == world.session_id
    )
    assert {s["status"] for s in statuses} == {"completed"}

    records = await LearningRecord.select().where(LearningRecord.source_ref == world.session_id)
    passed_people = {str(world.people[i].person_id) for i in (0, 1, 4)}
    assert {str(r["person"]) for r in records} == passed_people
    record = records[0]
    assert Decimal(str(record["jp"])) == Decimal(24)
    assert record["year"] == 2026 and record["klasikal"] is True
    assert record["title"] == "Pelatihan Pelayanan Prima Angkatan I"
    assert record["organizer"] == unit["name"]
    assert record["status"] == "approved"

    passed = await passed_results(world.session_id)
    assert sorted((str(p.person_id), str(p.final_score), p.predikat) for p in passed) == sorted(
        (str(world.people[i].person_id), EXPECTED[i][0], EXPECTED[i][1]) for i in (0, 1, 4)
    )

    again = await client.post(f"{url}/finalize", headers=organizer.headers)
    assert again.status_code == 409
    late = await set_scores(client, trainer_user, world, [(world.people[3], "99")])
    assert late.status_code == 409
    still = (await client.get(url, headers=organizer.headers)).json()
    assert _by_person(world, still)[3]["final_score"] == "70.00"


async def test_amendments_recompute_audit_and_move_the_ledger(
    app, client, organizer, unit, trainer_user
) -> None:
    from lms.audit.tables import AuditEntry
    from lms.competencies.tables import LearningRecord

    world = await _assessed(app, client, organizer, unit, trainer_user)
    url = f"/api/v1/sessions/{world.session_id}/results"
    early = await client.post(
        f"{url}/{world.people[3].person_id}/amend",
        json={"components": {"trainer_assessment": 81}, "reason": "Salah ketik nilai"},
        headers=organizer.headers,
    )
    assert early.status_code == 422  # not finalized yet: change the component score instead
    finalized = await client.post(
        f"{url}/finalize", json=_excuse_sixth(world), headers=organizer.headers
    )
    assert finalized.status_code == 200, finalized.text

    fourth = world.people[3]
    resp = await client.post(
        f"{url}/{fourth.person_id}/amend",
        json={"components": {"trainer_assessment": "80.04"}, "reason": "Salah ketik nilai"},
        headers=organizer.headers,
    )
    assert resp.status_code == 200, resp.text
    amended = resp.json()
    assert (amended["final_score"], amended["predikat"], amended["passed"]) == (
        "70.01",
        "Cukup Memuaskan",
        True,
    )
    [entry] = amended["amendments"]
    assert entry["reason"] == "Salah ketik nilai"
    assert entry["by"] == str(organizer.user_id)
    assert entry["before"]["final_score"] == "70.00" and entry["before"]["passed"] is False
    assert entry["after"]["final_score"] == "70.01" and entry["after"]["passed"] is True
    credit = await LearningRecord.select().where(LearningRecord.person == fourth.person_id).first()
    assert credit["status"] == "approved"

    first = world.people[0]
    resp = await client.post(
        f"{url}/{first.person_id}/amend",
        json={"final_score": "65", "reason": "Terbukti plagiat pada tugas akhir"},
        headers=organizer.headers,
    )
    assert resp.status_code == 200, resp.text
    assert (resp.json()["final_score"], resp.json()["predikat"], resp.json()["passed"]) == (
        "65.00",
        "Kurang Memuaskan",
        False,
    )
    revoked = await LearningRecord.select().where(LearningRecord.person == first.person_id).first()
    assert revoked["status"] == "revoked"

    resp = await client.post(
        f"{url}/{first.person_id}/amend",
        json={"final_score": "97", "reason": "Keberatan diterima"},
        headers=organizer.headers,
    )
    assert resp.json()["passed"] is True and len(resp.json()["amendments"]) == 2
    restored = await LearningRecord.select().where(LearningRecord.person == first.person_id).first()
    assert restored["status"] == "approved"

    audits = await AuditEntry.select(AuditEntry.action, AuditEntry.actor_id).where(
        AuditEntry.action == "result.amend"
    )
    assert len(audits) == 3 and {a["actor_id"] for a in audits} == {organizer.user_id}

    both = await client.post(
        f"{url}/{first.person_id}/amend",
        json={"final_score": "90", "components": {"trainer_assessment": 90}, "reason": "x y z"},
        headers=organizer.headers,
    )
    assert both.status_code == 400
    unknown = await client.post(
        f"{url}/{first.person_id}/amend",
        json={"components": {"project": 90}, "reason": "tidak ada"},
        headers=organizer.headers,
    )
    assert unknown.status_code == 422
    by_trainer = await client.post(
        f"{url}/{first.person_id}/amend",
        json={"final_score": "10", "reason": "coba-coba"},
        headers=trainer_user.headers,
    )
    assert by_trainer.status_code == 403


async def test_other_units_organizer_sees_nothing(
    app, client, organizer, other_organizer, unit, trainer_user, participant
) -> None:
    world = await build_world(app, client, organizer, unit, trainer_user, participants=1)
    url = f"/api/v1/sessions/{world.session_id}"
    for method, path in (
        ("get", "/results"),
        ("post", "/results/finalize"),
        ("get", "/component-scores"),
    ):
        resp = await client.request(method, url + path, headers=other_organizer.headers)
        assert resp.status_code == 404, (path, resp.text)
    put = await set_scores(client, other_organizer, world, [(world.people[0], "80")])
    assert put.status_code == 404
    # a participant who is not enrolled does not see a running session
    outsider = await client.get(url + "/results", headers=participant.headers)
    assert outsider.status_code == 404


@pytest.mark.parametrize("status", ["draft"])
async def test_a_draft_session_cannot_be_finalized(app, client, organizer, unit, status) -> None:
    from tests.courses.builders.delivery import create_session

    session = await create_session(client, organizer, status=status)
    resp = await client.post(
        f"/api/v1/sessions/{session['id']}/results/finalize", headers=organizer.headers
    )
    assert resp.status_code == 422


async def test_results_recap_as_xlsx_and_csv(
    app, client, organizer, other_organizer, unit, trainer_user
) -> None:
    import io

    from openpyxl import load_workbook

    world = await _assessed(app, client, organizer, unit, trainer_user)
    url = f"/api/v1/sessions/{world.session_id}/results/recap"
    resp = await client.get(url, headers=organizer.headers)
    assert resp.status_code == 200, resp.text
    assert resp.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert 'filename="rekap-nilai-' in resp.headers["content-disposition"]
    sheet = load_workbook(io.BytesIO(resp.content))["Rekap nilai"]
    values = list(sheet.values)
    assert values[0][0] == "PEMERINTAH KOTA PADANG PANJANG"
    assert values[1][0] == "DPMPTSP KOTA PADANG PANJANG"
    assert values[2][0].startswith("REKAP NILAI PESERTA: ")
    assert "nilai sementara (belum difinalisasi); batas lulus 70.01" in values[3][0]
    header = values[5]
    assert header == (
        "No", "NIP", "Nama", "Post-test", "Penilaian pengajar", "Kehadiran %", "Nilai akhir",
        "Lulus", "Predikat", "Keterangan",
    )  # fmt: skip
    rows = {row[2]: row for row in values[6:]}
    assert len(rows) == 6
    first = next(row for row in rows.values() if row[6] == 97)
    assert first[3:9] == (100, 90, 100, 97, "Ya", "Sangat Memuaskan")
    missing = [row for row in rows.values() if row[9]]
    assert [(row[3], row[6], row[7], row[9]) for row in missing] == [
        (None, 37, "Tidak", "Belum ada: Post-test")
    ]
    assert sheet.freeze_panes == "A7" and sheet.auto_filter.ref == "A6:J12"
    assert sheet["G7"].number_format == "#,##0.00"

    csv = await client.get(url, params={"format": "csv"}, headers=trainer_user.headers)
    assert csv.status_code == 200
    lines = csv.content.decode("utf-8-sig").split("\r\n")
    assert lines[0] == (
        "No;NIP;Nama;Post-test;Penilaian pengajar;Kehadiran %;Nilai akhir;Lulus;Predikat;Keterangan"
    )
    assert any(line.endswith(";100,00;97,00;Ya;Sangat Memuaskan;") for line in lines)

    assert (await client.get(url, headers=other_organizer.headers)).status_code == 404
    participant = world.people[0]
    assert (await client.get(url, headers=participant.headers)).status_code == 403

"""Quizzes of a session: rules, times in the session's zone, selection checks and who sees
what."""

from __future__ import annotations

from tests.courses.builders.assessments import build_world, create_quiz, start
from tests.factories import make_actor, make_person


async def test_pre_and_post_test_share_questions(client, world):
    shared = world.ids(types=("single_choice", "true_false"))
    pre = await create_quiz(
        client, world.organizer, world.session["id"], kind="pre_test", selection=shared
    )
    post = await create_quiz(
        client,
        world.organizer,
        world.session["id"],
        kind="post_test",
        selection=shared,
        pass_mark="70",
        grading_method="last",
        attempts_allowed=2,
        time_limit_minutes=30,
        review={"after_submit": "none", "after_close": "responses"},
    )
    assert pre["title"] == "Pre-test" and post["title"] == "Post-test"
    assert pre["selection"] == post["selection"] == shared
    assert post["question_count"] == 15
    assert post["pass_mark"] == "70.00"
    assert post["grading_method"] == "last"
    assert post["attempts_allowed"] == 2
    assert post["time_limit_minutes"] == 30
    assert post["review"] == {"after_submit": "none", "after_close": "responses"}
    listed = await client.get(
        f"/api/v1/sessions/{world.session['id']}/quizzes", headers=world.organizer.headers
    )
    assert [q["kind"] for q in listed.json()["items"]] == ["pre_test", "post_test"]


async def test_one_pre_test_per_session(client, world):
    await create_quiz(client, world.organizer, world.session["id"], kind="pre_test")
    resp = await client.post(
        f"/api/v1/sessions/{world.session['id']}/quizzes",
        json={"kind": "pre_test"},
        headers=world.organizer.headers,
    )
    assert resp.status_code == 409
    assert resp.json()["detail"] == "Sesi ini sudah memiliki Pre-test."
    other = await create_quiz(client, world.organizer, world.session["id"], kind="quiz")
    resp = await client.patch(
        f"/api/v1/quizzes/{other['id']}",
        json={"kind": "pre_test"},
        headers=world.organizer.headers,
    )
    assert resp.status_code == 409


async def test_naive_times_are_local_to_the_session_time_zone(client, organizer):
    world = await build_world(client, organizer, [], timezone="Asia/Makassar")
    quiz = await create_quiz(
        client,
        organizer,
        world.session["id"],
        opens_at="2026-11-18T08:00:00",
        closes_at="2026-11-18T10:30:00+07:00",
    )
    assert (quiz["opens_at"], quiz["opens_at_local"]) == (
        "2026-11-18T00:00:00Z",
        "2026-11-18T08:00:00",
    )
    assert (quiz["closes_at"], quiz["closes_at_local"]) == (
        "2026-11-18T03:30:00Z",
        "2026-11-18T11:30:00",
    )
    from courses.tables import Quiz

    row = await Quiz.select(Quiz.opens_at).where(Quiz.id == quiz["id"]).first()
    assert row["opens_at"].isoformat() == "2026-11-18T00:00:00+00:00"
    resp = await client.patch(
        f"/api/v1/quizzes/{quiz['id']}",
        json={"closes_at": "2026-11-18T07:00:00"},
        headers=organizer.headers,
    )
    assert resp.status_code == 422
    assert resp.json()["errors"] == [{"field": "closes_at", "message": "harus setelah opens_at"}]


async def test_selection_must_name_known_questions_and_enough_per_category(client, world):
    url = f"/api/v1/sessions/{world.session['id']}/quizzes"
    unknown = "00000000-0000-4000-8000-000000000000"
    resp = await client.post(
        url,
        json={"kind": "quiz", "selection": [world.questions[0]["id"], unknown]},
        headers=world.organizer.headers,
    )
    assert resp.status_code == 422
    assert resp.json()["errors"] == [{"field": "selection[1]", "message": "soal tidak ditemukan"}]
    resp = await client.post(
        url,
        json={
            "kind": "quiz",
            "selection": {"random": [{"category": "Pelayanan Prima/Dasar Hukum", "count": 7}]},
        },
        headers=world.organizer.headers,
    )
    assert resp.status_code == 422
    assert resp.json()["errors"] == [
        {
            "field": "selection.random[0]",
            "message": "kategori 'Pelayanan Prima/Dasar Hukum' hanya memiliki 6 soal, diminta 7",
        }
    ]
    resp = await client.post(url, json={"kind": "exam"}, headers=world.organizer.headers)
    assert resp.status_code == 400
    resp = await client.post(
        url, json={"kind": "quiz", "pass_mark": "101"}, headers=world.organizer.headers
    )
    assert resp.status_code == 400


async def test_questions_of_another_units_bank_are_out_of_reach(client, world, other_organizer):
    from tests.courses.builders.assessments import (
        BANK_FILE,
        bank_questions,
        create_bank,
        import_text,
    )

    bank = await create_bank(client, other_organizer, "Bank BKPSDM")
    await import_text(client, other_organizer, bank["id"], BANK_FILE.read_text(encoding="utf-8"))
    foreign = (await bank_questions(client, other_organizer, bank["id"]))[0]["id"]
    resp = await client.post(
        f"/api/v1/sessions/{world.session['id']}/quizzes",
        json={"kind": "quiz", "selection": [foreign]},
        headers=world.organizer.headers,
    )
    assert resp.status_code == 422


async def test_participant_sees_quiz_without_selection_and_outsiders_get_404(
    app, client, world, other_organizer, unit
):
    quiz = await create_quiz(
        client, world.organizer, world.session["id"], selection=world.ids(types=("true_false",))
    )
    participant = world.participants[0]
    resp = await client.get(f"/api/v1/quizzes/{quiz['id']}", headers=participant.headers)
    assert resp.status_code == 200
    assert resp.json()["selection"] is None
    assert resp.json()["question_count"] == 5
    assert resp.json()["my_attempts"] == []
    resp = await client.get(f"/api/v1/quizzes/{quiz['id']}", headers=other_organizer.headers)
    assert resp.status_code == 404
    stranger = await make_actor(app, "participant", person_id=await make_person(unit["id"]))
    resp = await client.get(f"/api/v1/quizzes/{quiz['id']}", headers=stranger.headers)
    assert resp.status_code == 404
    resp = await client.get(
        f"/api/v1/sessions/{world.session['id']}/quizzes", headers=stranger.headers
    )
    assert resp.status_code == 404
    resp = await client.patch(
        f"/api/v1/quizzes/{quiz['id']}", json={"title": "X"}, headers=participant.headers
    )
    assert resp.status_code == 403


async def test_questions_are_frozen_once_attempted_but_rules_may_change(client, world):
    quiz = await create_quiz(
        client, world.organizer, world.session["id"], selection=world.ids(types=("true_false",))
    )
    assert (await start(client, world.participants[0], quiz["id"])).status_code == 201
    url = f"/api/v1/quizzes/{quiz['id']}"
    resp = await client.patch(
        url, json={"selection": world.ids(types=("essay",))}, headers=world.organizer.headers
    )
    assert resp.status_code == 409
    resp = await client.patch(
        url, json={"title": "Kuis Hari 1", "attempts_allowed": 3}, headers=world.organizer.headers
    )
    assert resp.status_code == 200
    assert resp.json()["title"] == "Kuis Hari 1"
    assert resp.json()["attempts_allowed"] == 3

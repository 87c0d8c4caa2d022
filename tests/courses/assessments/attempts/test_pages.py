"""The trainer's essay grading page: the queue of submitted essays without a mark, grading one
with points and feedback, errors beside the field, and 404 outside the trainer's sessions."""

from __future__ import annotations

import datetime as dt
import html as html_lib

from tests.courses.builders.assessments import create_quiz, right_answer, save, start, submit
from tests.courses.builders.delivery import create_session, teach
from tests.factories import make_actor, make_person
from tests.lms.web.test_shell import csrf_of, login

ESSAY_TEXT = "Pelayanan prima dimulai dari sikap melayani & senyum <tulus>."


async def _essay_submitted(client, world, quiz_id) -> dict:
    participant = world.participants[0]
    attempt = (await start(client, participant, quiz_id)).json()
    bank = {q["id"]: q for q in world.questions}
    for item in attempt["questions"]:
        question = bank[item["id"]]
        body = (
            {"type": "essay", "text": ESSAY_TEXT}
            if question["type"] == "essay"
            else right_answer(question)
        )
        assert (await save(client, participant, attempt["id"], item["id"], body)).status_code == 200
    resp = await submit(client, participant, attempt["id"])
    assert resp.status_code == 200
    return resp.json()


async def test_a_trainer_grades_the_waiting_essay_from_the_queue(
    app, web, client, world, trainer_user, unit
):
    essay = world.ids(types=("essay",))[0]
    tf = world.ids(types=("true_false",))[0]
    quiz = await create_quiz(
        client,
        world.organizer,
        world.session["id"],
        selection=[tf, essay],
        shuffle_questions=False,
        title="Kuis Modul 1",
        review={"after_submit": "correct", "after_close": "correct"},
    )
    attempt = await _essay_submitted(client, world, quiz["id"])
    await teach(client, world.organizer, world.session, trainer_user, dt.date(2026, 11, 18))
    await login(web, trainer_user.username, "rahasia-123")
    url = f"/latih/sesi/{world.session['id']}/esai"

    page = await web.get(url)

    assert page.status_code == 200
    assert "1 jawaban esai menunggu nilai" in page.text
    assert html_lib.escape(ESSAY_TEXT, quote=False) in page.text  # escaped, never markup
    assert "Kuis Modul 1" in page.text and "Nilai (0–1.00)" in page.text
    form = {
        "_csrf_token": csrf_of(page.text),
        "attempt_id": attempt["id"],
        "question_id": essay,
    }
    # Not a number, and more than the question is worth: shown beside the field, not saved.
    wrong = await web.post(url, data={**form, "points": "banyak", "comment": "Bagus"})
    assert wrong.status_code == 422
    assert "Isi nilai dengan angka" in wrong.text and 'aria-invalid="true"' in wrong.text
    assert ">Bagus</textarea>" in wrong.text
    too_much = await web.post(url, data={**form, "points": "1,5", "comment": ""})
    assert too_much.status_code == 422
    assert "melebihi poin maksimum" in too_much.text

    graded = await web.post(url, data={**form, "points": "0,5", "comment": "Cukup baik."})

    assert graded.status_code == 303
    after = await web.get(graded.headers["location"])
    assert "Nilai esai tersimpan" in after.text
    assert "Tidak ada esai yang menunggu nilai" in after.text
    mine = (
        await client.get(f"/api/v1/attempts/{attempt['id']}", headers=world.participants[0].headers)
    ).json()
    assert (mine["score"], mine["needs_grading"]) == ("1.50", False)
    assert mine["questions"][1]["points_awarded"] == "0.50"
    assert mine["questions"][1]["comment"] == "Cukup baik."


async def test_essays_of_other_sessions_are_not_found_here(
    app, web, client, world, trainer_user, unit
):
    essay = world.ids(types=("essay",))[0]
    quiz = await create_quiz(client, world.organizer, world.session["id"], selection=[essay])
    attempt = await _essay_submitted(client, world, quiz["id"])
    # The trainer teaches another session only.
    mine = await create_session(
        client, world.organizer, status="open", name="Angkatan II", venue="Aula B"
    )
    await teach(client, world.organizer, mine, trainer_user, dt.date(2026, 11, 18))
    other_person = await make_person(unit["id"], "Narasumber Lain", jabatan="Widyaiswara")
    other = await make_actor(app, "trainer", person_id=other_person, unit_id=unit["id"])
    await teach(client, world.organizer, world.session, other, dt.date(2026, 11, 19))
    await login(web, trainer_user.username, "rahasia-123")
    own = await web.get(f"/latih/sesi/{mine['id']}/esai")
    assert own.status_code == 200 and "Tidak ada esai" in own.text
    assert (await web.get(f"/latih/sesi/{world.session['id']}/esai")).status_code == 404

    # Their own session's URL with the other session's attempt: 404, nothing graded.
    resp = await web.post(
        f"/latih/sesi/{mine['id']}/esai",
        data={
            "_csrf_token": csrf_of(own.text),
            "attempt_id": attempt["id"],
            "question_id": essay,
            "points": "1",
        },
    )
    assert resp.status_code == 404
    body = (
        await client.get(f"/api/v1/attempts/{attempt['id']}", headers=world.organizer.headers)
    ).json()
    assert body["needs_grading"] is True

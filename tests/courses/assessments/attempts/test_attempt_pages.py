"""The participant's quiz pages: start or resume, answer without JavaScript, autosave as
``quiz.js`` does (cookie session, CSRF header), confirm listing unanswered questions, submit,
review by the policy; and nobody but the attempt's participant opens it (404)."""

from __future__ import annotations

import re

from courses.tables import AttemptAnswer
from tests.courses.builders.assessments import create_quiz, right_answer
from tests.factories import make_actor
from tests.lms.web.test_shell import csrf_of, login

TYPES = ("single_choice", "true_false", "numerical", "short_answer")


async def _quiz(client, world, **body):
    body.setdefault("selection", [world.ids(types=(t,))[0] for t in TYPES])
    body.setdefault("shuffle_questions", False)
    return await create_quiz(client, world.organizer, world.session["id"], **body)


async def _logged_in(web, actor):
    resp = await login(web, actor.username, "rahasia-123")
    assert resp.status_code == 303, resp.text
    return web


def _question_ids(html: str) -> list[str]:
    return re.findall(r'data-question="([0-9a-f-]{36})"', html)


async def _start(web, quiz_id: str) -> tuple[str, str]:
    page = await web.get(f"/saya/kuis/{quiz_id}")
    assert page.status_code == 200, page.text
    assert "Mulai mengerjakan" in page.text
    resp = await web.post(f"/saya/kuis/{quiz_id}", data={"_csrf_token": csrf_of(page.text)})
    assert resp.status_code == 303, resp.text
    location = resp.headers["location"]
    assert location.startswith("/saya/percobaan/")
    attempt = await web.get(location)
    assert attempt.status_code == 200
    return location.rsplit("/", 1)[1], attempt.text


async def test_a_participant_answers_without_javascript_confirms_and_sees_the_result(
    client, web, world
):
    quiz = await _quiz(client, world, time_limit_minutes=30)
    await _logged_in(web, world.participants[0])
    attempt_id, html = await _start(web, quiz["id"])
    assert "Batas waktu" in html and "data-deadline=" in html
    assert "quiz.js" in html and "<script>" not in html and "style=" not in html
    ids = _question_ids(html)
    assert len(ids) == 4
    by_id = {q["id"]: q for q in world.questions}
    single = right_answer(by_id[ids[0]])
    form = {
        "_csrf_token": csrf_of(html),
        f"q-{ids[0]}": single["option_id"],
        f"q-{ids[1]}": "true",
        "aksi": "simpan",
    }
    resp = await web.post(f"/saya/percobaan/{attempt_id}", data=form)
    assert resp.status_code == 303
    assert resp.headers["location"] == f"/saya/percobaan/{attempt_id}?pesan=tersimpan"
    assert await AttemptAnswer.count().where(AttemptAnswer.attempt == attempt_id) == 2

    # A reload (or another device) resumes the attempt with the answers given.
    again = await web.get(f"/saya/kuis/{quiz['id']}")
    assert again.status_code == 303 and again.headers["location"] == f"/saya/percobaan/{attempt_id}"
    page = await web.get(f"/saya/percobaan/{attempt_id}?pesan=tersimpan")
    assert "Jawaban Anda tersimpan." in page.text
    assert f'value="{single["option_id"]}" checked' in page.text
    assert "2 dari 4 soal terjawab." in page.text

    # A number that is not one is said beside its question, nothing else is lost.
    form = {"_csrf_token": csrf_of(page.text), f"q-{ids[2]}": "dua puluh", "aksi": "simpan"}
    bad = await web.post(f"/saya/percobaan/{attempt_id}", data=form)
    assert bad.status_code == 400
    assert 'class="error" id="e-' + ids[2] in bad.text

    form = {"_csrf_token": csrf_of(page.text), "aksi": "kumpulkan"}
    resp = await web.post(f"/saya/percobaan/{attempt_id}", data=form)
    assert resp.headers["location"] == f"/saya/percobaan/{attempt_id}/kumpulkan"
    confirm = await web.get(resp.headers["location"])
    assert "<strong>2 dari 4</strong> soal sudah dijawab." in confirm.text
    assert f'href="/saya/percobaan/{attempt_id}#soal-3">Soal 3</a>' in confirm.text
    assert f'href="/saya/percobaan/{attempt_id}#soal-4">Soal 4</a>' in confirm.text
    assert "#soal-1" not in confirm.text

    done = await web.post(
        f"/saya/percobaan/{attempt_id}/kumpulkan", data={"_csrf_token": csrf_of(confirm.text)}
    )
    assert done.status_code == 303
    review = await web.get(done.headers["location"])
    assert review.status_code == 200
    assert "Jawaban Anda sudah dikumpulkan." in review.text
    assert "Nilai " in review.text
    # A finished attempt opens as its review, and cannot be answered again.
    back = await web.get(f"/saya/percobaan/{attempt_id}")
    assert back.status_code == 303 and back.headers["location"].endswith("/ulasan")


async def test_autosave_from_the_page_needs_the_csrf_header_and_answers_json(client, web, world):
    quiz = await _quiz(client, world)
    await _logged_in(web, world.participants[0])
    attempt_id, html = await _start(web, quiz["id"])
    ids = _question_ids(html)
    url = f"/saya/percobaan/{attempt_id}/jawaban/{ids[1]}"

    refused = await web.post(url, json={"type": "true_false", "value": True})
    assert refused.status_code == 403
    assert await AttemptAnswer.count() == 0

    headers = {"x-csrf-token": csrf_of(html)}
    saved = await web.post(url, json={"type": "true_false", "value": True}, headers=headers)
    assert saved.status_code == 200, saved.text
    assert saved.json()["status"] == "tersimpan"
    assert saved.json()["question_id"] == ids[1]
    assert await AttemptAnswer.count() == 1

    wrong = await web.post(url, json={"type": "essay", "text": "x"}, headers=headers)
    assert wrong.status_code == 400
    assert wrong.json()["detail"]

    await web.post(f"/saya/percobaan/{attempt_id}/kumpulkan", data={"_csrf_token": csrf_of(html)})
    late = await web.post(url, json={"type": "true_false", "value": False}, headers=headers)
    assert late.status_code == 409
    assert "sudah dikumpulkan" in late.json()["detail"]


async def test_review_shows_only_what_the_policy_allows(client, web, world):
    quiz = await _quiz(client, world, review={"after_submit": "none", "after_close": "correct"})
    await _logged_in(web, world.participants[0])
    attempt_id, html = await _start(web, quiz["id"])
    await web.post(f"/saya/percobaan/{attempt_id}/kumpulkan", data={"_csrf_token": csrf_of(html)})
    review = await web.get(f"/saya/percobaan/{attempt_id}/ulasan")
    assert "Nilai dan jawaban belum ditampilkan" in review.text
    assert "Nilai " not in review.text.replace("Nilai dan", "")
    assert "Jawaban saya" not in review.text


async def test_another_participants_or_staffs_attempt_is_not_found(
    app, client, web, world, second_participant, organizer
):
    quiz = await _quiz(client, world)
    await _logged_in(web, world.participants[0])
    attempt_id, html = await _start(web, quiz["id"])
    csrf = csrf_of(html)
    await web.post("/keluar", data={"_csrf_token": csrf})

    # A participant of another session, then the session's own organizer.
    await _logged_in(web, second_participant)
    for path in ("", "/ulasan", "/kumpulkan"):
        resp = await web.get(f"/saya/percobaan/{attempt_id}{path}")
        assert resp.status_code == 404, path
        assert "Percobaan kuis tidak ditemukan." in resp.text
    page = await web.get("/saya")
    resp = await web.post(
        f"/saya/percobaan/{attempt_id}/jawaban/{_question_ids(html)[0]}",
        json={"type": "true_false", "value": True},
        headers={"x-csrf-token": csrf_of(page.text)},
    )
    assert resp.status_code == 404
    assert (await web.get(f"/saya/kuis/{quiz['id']}")).status_code == 404
    await web.post("/keluar", data={"_csrf_token": csrf_of(page.text)})

    await _logged_in(web, organizer)
    resp = await web.get(f"/saya/percobaan/{attempt_id}")
    assert resp.status_code == 404


async def test_an_anonymous_visitor_is_sent_to_login(client, web, world):
    quiz = await _quiz(client, world)
    resp = await web.get(f"/saya/kuis/{quiz['id']}")
    assert resp.status_code == 303
    assert resp.headers["location"] == f"/masuk?lanjut=/saya/kuis/{quiz['id']}"
    assert make_actor  # the fixtures build the actors


async def test_past_the_deadline_the_page_shows_the_closed_attempt_and_refuses_answers(
    client, web, world
):
    import datetime as dt

    from courses.tables import Attempt

    quiz = await _quiz(client, world, time_limit_minutes=10)
    await _logged_in(web, world.participants[0])
    attempt_id, html = await _start(web, quiz["id"])
    ids = _question_ids(html)
    headers = {"x-csrf-token": csrf_of(html)}
    url = f"/saya/percobaan/{attempt_id}/jawaban/{ids[1]}"
    saved = await web.post(url, json={"type": "true_false", "value": True}, headers=headers)
    assert saved.status_code == 200
    past = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    await Attempt.update({Attempt.deadline: past}).where(Attempt.id == attempt_id)

    late = await web.post(url, json={"type": "true_false", "value": False}, headers=headers)
    assert late.status_code == 409
    assert "Batas waktu pengerjaan sudah lewat" in late.json()["detail"]
    page = await web.get(f"/saya/percobaan/{attempt_id}")
    assert page.status_code == 303
    assert page.headers["location"] == f"/saya/percobaan/{attempt_id}/ulasan?pesan=waktu-habis"
    review = await web.get(page.headers["location"])
    assert "percobaan ditutup dan dinilai dengan jawaban yang tersimpan" in review.text

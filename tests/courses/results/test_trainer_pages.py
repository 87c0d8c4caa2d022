"""The trainer's component scores page: every participant with a field per hand-entered
component, Indonesian decimals, errors beside the field with nothing saved, and 404 for
trainers of other sessions."""

from __future__ import annotations

import datetime as dt

from courses.tables import CourseSession
from tests.courses.builders.delivery import create_session, enroll, make_participants, teach
from tests.factories import make_actor, make_person
from tests.lms.web.test_shell import csrf_of, login


async def test_a_trainer_enters_and_corrects_trainer_assessment_scores(
    app, web, client, organizer, unit, trainer_user
):
    session = await create_session(client, organizer, status="running")
    people = await make_participants(app, unit["id"], 2)
    await enroll(client, organizer, session["id"], [p.person_id for p in people])
    await teach(client, organizer, session, trainer_user, dt.date(2026, 11, 18))
    await login(web, trainer_user.username, "rahasia-123")
    url = f"/latih/sesi/{session['id']}/nilai"
    first, second = (f"n-{p.person_id}-trainer_assessment" for p in people)

    page = await web.get(url)
    assert page.status_code == 200
    assert "Penilaian narasumber 30" in page.text
    assert f'name="{first}"' in page.text and f'name="{second}"' in page.text

    # One wrong field: nothing is saved, the error stands beside it, the typed values stay.
    wrong = await web.post(
        url, data={"_csrf_token": csrf_of(page.text), first: "87,5", second: "120"}
    )
    assert wrong.status_code == 422
    assert "belum ada yang disimpan" in wrong.text
    assert f'id="{second}-error"' in wrong.text and 'value="87,5"' in wrong.text
    api = f"/api/v1/sessions/{session['id']}/component-scores"
    assert (await client.get(api, headers=organizer.headers)).json() == []

    saved = await web.post(url, data={"_csrf_token": csrf_of(page.text), first: "87,5"})
    assert saved.status_code == 303 and saved.headers["location"].endswith("tersimpan=1")
    shown = await web.get(saved.headers["location"])
    assert "Nilai tersimpan (1 perubahan)" in shown.text and 'value="87,5"' in shown.text
    scores = (await client.get(api, headers=organizer.headers)).json()
    assert [(s["person_id"], s["component"], s["score"]) for s in scores] == [
        (str(people[0].person_id), "trainer_assessment", "87.50")
    ]
    assert scores[0]["entered_by"] == str(trainer_user.user_id)

    # Unchanged values are not saved again; an empty field leaves the score as it was.
    again = await web.post(
        url, data={"_csrf_token": csrf_of(shown.text), first: "87,50", second: "90"}
    )
    assert again.headers["location"].endswith("tersimpan=1")
    scores = (await client.get(api, headers=organizer.headers)).json()
    assert sorted(s["score"] for s in scores) == ["87.50", "90.00"]


async def test_finalized_scores_are_read_only_and_other_trainers_get_404(
    app, web, client, organizer, unit, trainer_user
):
    session = await create_session(client, organizer, status="running")
    people = await make_participants(app, unit["id"], 1)
    await enroll(client, organizer, session["id"], [p.person_id for p in people])
    await teach(client, organizer, session, trainer_user, dt.date(2026, 11, 18))
    other_person = await make_person(unit["id"], "Narasumber Lain", jabatan="Widyaiswara")
    other = await make_actor(app, "trainer", person_id=other_person, unit_id=unit["id"])
    url = f"/latih/sesi/{session['id']}/nilai"
    field = f"n-{people[0].person_id}-trainer_assessment"

    await login(web, other.username, "rahasia-123")
    landing = await web.get("/latih")
    refused = await web.post(url, data={"_csrf_token": csrf_of(landing.text), field: "80"})
    assert refused.status_code == 404
    web.cookies.clear()

    await CourseSession.update({CourseSession.finalized_at: dt.datetime.now(dt.UTC)}).where(
        CourseSession.id == session["id"]
    )
    await login(web, trainer_user.username, "rahasia-123")
    page = await web.get(url)
    assert "sudah difinalisasi" in page.text and " disabled" in page.text
    frozen = await web.post(url, data={"_csrf_token": csrf_of(page.text), field: "80"})
    assert frozen.status_code == 409
    assert "amandemen" in frozen.text

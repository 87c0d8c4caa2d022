"""A quiz placed in an LMS by Deep Linking sends each participant's grade to its line item when
an attempt is graded (AGS 2.0): PendingManual while an essay waits, FullyGraded after the
trainer's mark, sent once per score, retried by a job with backoff when the platform fails,
and listed for the organizer."""

from __future__ import annotations

import msgspec

from courses.lti.status import ScoreStatusList
from lms.jobs import runner
from lms.jobs.tables import Job
from lms.lti.tables import LtiScore
from tests.courses.builders.assessments import build_world, create_quiz, right_answer, save, start
from tests.courses.builders.assessments import submit as submit_attempt
from tests.lms.lti.test_launch import _launch, _login, _register

NIP = "198609082018111001"  # the ``participant`` fixture's
AGS = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"


async def _placed_quiz(client, admin, organizer, participant, platform):
    """A session with an essay quiz, placed in the fake LMS (line item 7), and the participant
    launched from there once (so the LMS's user id is known)."""
    world = await build_world(client, organizer, [participant])
    essay = world.ids(types=("essay",))[0]
    true_false = world.ids(types=("true_false",))[0]
    quiz = await create_quiz(
        client,
        organizer,
        world.session["id"],
        kind="post_test",
        selection=[true_false, essay],
        shuffle_questions=False,
        attempts_allowed=0,
    )
    await _register(client, admin, platform)
    platform.tool_jwks = (await client.get("/.well-known/jwks.json")).json()
    custom = {
        "nip": NIP,
        "prima_kind": "quiz",
        "quiz_id": quiz["id"],
        "session_id": world.session["id"],
    }
    endpoint = {
        "scope": ["https://purl.imsglobal.org/spec/lti-ags/scope/score"],
        "lineitems": f"{platform.issuer}/lineitems",
        "lineitem": f"{platform.issuer}/lineitems/7",
    }
    id_token, state = platform.id_token(
        await _login(client, platform), sub="moodle-afrizal", custom=custom, **{AGS: endpoint}
    )
    launched = await _launch(client, id_token, state)
    assert launched.headers["location"] == f"/saya/kuis/{quiz['id']}"
    return world, quiz, essay


async def _take(client, world, participant, quiz_id) -> dict:
    attempt = (await start(client, participant, quiz_id)).json()
    bank = {q["id"]: q for q in world.questions}
    for item in attempt["questions"]:
        answer = right_answer(bank[item["id"]])
        resp = await save(client, participant, attempt["id"], item["id"], answer)
        assert resp.status_code == 200, resp.text
    resp = await submit_attempt(client, participant, attempt["id"])
    assert resp.status_code == 200, resp.text
    return resp.json()


async def test_a_quiz_score_reaches_its_line_item_once_despite_a_500(
    app, client, admin, organizer, participant, platform
):
    world, quiz, essay = await _placed_quiz(client, admin, organizer, participant, platform)
    platform.score_failures = 1  # the gradebook answers 500 once, then 200
    body = await _take(client, world, participant, quiz["id"])
    assert body["needs_grading"] is True and body["percent"] == "50.00"
    await runner.wait_for_jobs(30)
    (score,) = platform.scores
    assert platform.score_items == ["7"]
    assert score["userId"] == "moodle-afrizal"
    assert (score["scoreGiven"], score["scoreMaximum"]) == (50.0, 100)
    assert score["activityProgress"] == "Completed"
    assert score["gradingProgress"] == "PendingManual"
    row = await LtiScore.select().first()
    assert (row["status"], row["tries"], row["error"]) == ("sent", 2, "")
    job = await Job.select().where(Job.kind == "lti.scores").first()
    assert job["status"] == "succeeded"

    # Submitting again changes nothing and sends nothing.
    again = await submit_attempt(client, participant, body["id"])
    assert again.status_code == 200
    await runner.wait_for_jobs(30)
    assert len(platform.scores) == 1

    # The trainer's mark completes the grading: FullyGraded with the new grade.
    url = f"/api/v1/attempts/{body['id']}/answers/{essay}/grade"
    graded = await client.post(url, json={"points": "0.5"}, headers=organizer.headers)
    assert graded.status_code == 200, graded.text
    await runner.wait_for_jobs(30)
    assert len(platform.scores) == 2
    assert (platform.scores[1]["scoreGiven"], platform.scores[1]["gradingProgress"]) == (
        75.0,
        "FullyGraded",
    )
    assert platform.scores[1]["timestamp"] > score["timestamp"]

    # The same mark again: the platform already has this score, nothing is sent.
    await client.post(url, json={"points": "0.5"}, headers=organizer.headers)
    await runner.wait_for_jobs(30)
    assert len(platform.scores) == 2

    listed = await client.get(
        f"/api/v1/sessions/{world.session['id']}/lti/scores", headers=organizer.headers
    )
    assert listed.status_code == 200, listed.text
    report = listed.json()
    assert (report["sent"], report["pending"], report["failed"]) == (1, 0, 0)
    (item,) = report["items"]
    assert item["item"] == quiz["title"] and item["score_given"] == "75.00"
    assert item["name"] == "Afrizal" and item["course"] == "Pelatihan Pelayanan Prima"


async def test_a_refused_score_is_retried_then_failed_then_sent_again(
    app, client, admin, organizer, other_organizer, participant, platform
):
    world, quiz, _ = await _placed_quiz(client, admin, organizer, participant, platform)
    platform.fail_scores = True
    await _take(client, world, participant, quiz["id"])
    await runner.wait_for_jobs(30)
    assert platform.scores == []
    row = await LtiScore.select().first()
    assert row["status"] == "failed" and row["tries"] == 3  # now, then two retries
    assert "menolak nilai (503)" in row["error"]
    job = await Job.select().where(Job.kind == "lti.scores").output(load_json=True).first()
    assert job["result"] == {"sent": 0, "failed": 1}
    assert "menolak nilai (503)" in job["errors"][0]["message"]

    url = f"/api/v1/sessions/{world.session['id']}/lti/scores"
    listed = (await client.get(url, headers=organizer.headers)).json()
    assert (listed["failed"], listed["items"][0]["status"]) == (1, "failed")

    line = msgspec.convert(listed, ScoreStatusList).line
    assert line == "Nilai ke LMS: 0 terkirim, 1 gagal."
    # Another unit's organizer sees neither the list nor may retry.
    assert (await client.get(url, headers=other_organizer.headers)).status_code == 404
    assert (await client.post(f"{url}/retry", headers=other_organizer.headers)).status_code == 404

    platform.fail_scores = False
    retried = await client.post(f"{url}/retry", headers=organizer.headers)
    assert retried.status_code == 202, retried.text
    await runner.wait_for_jobs(30)
    assert len(platform.scores) == 1 and platform.scores[0]["scoreGiven"] == 50.0
    assert (await LtiScore.select().first())["status"] == "sent"
    nothing = await client.post(f"{url}/retry", headers=organizer.headers)
    assert nothing.status_code == 204


async def test_a_quiz_not_placed_in_an_lms_sends_nothing(
    app, client, admin, organizer, participant, platform
):
    world = await build_world(client, organizer, [participant])
    quiz = await create_quiz(
        client, organizer, world.session["id"], selection=world.ids(types=("true_false",))
    )
    await _take(client, world, participant, quiz["id"])
    await runner.wait_for_jobs(30)
    assert await LtiScore.count() == 0 and await Job.count() == 0
    assert platform.scores == []

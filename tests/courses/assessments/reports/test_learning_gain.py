"""Learning gain: exact per-participant and per-session figures, per-competency comparison."""

from decimal import Decimal
from uuid import UUID

from courses.assessments.attempts.counted import CountedAttempts, ItemInfo, ItemScore, ScoredAttempt
from courses.assessments.reports.learning_gain import (
    compare_competencies,
    competency_percents,
    gain,
    normalized_gain,
    summarize,
)

D = Decimal


def test_gain_and_normalized_gain_per_participant() -> None:
    assert gain(D("40.00"), D("70.00")) == D("30.00")
    assert normalized_gain(D("40.00"), D("70.00")) == D("0.5000")
    assert normalized_gain(D("80.00"), D("70.00")) == D("-0.5000")
    assert normalized_gain(D("33.33"), D("66.67")) == D("0.5001")  # 33.34 / 66.67
    assert normalized_gain(D("100.00"), D("100.00")) is None
    assert gain(None, D("70")) is None and normalized_gain(D("50"), None) is None


def test_session_summary_is_exact() -> None:
    pairs = [
        (D(40), D(70)),  # +30, g 0.5
        (D(60), D(90)),  # +30, g 0.75
        (D(80), D(70)),  # −10, g −0.5
        (D(100), D(100)),  # 0, no g
        (D(50), None),  # no post-test: not paired
        (None, None),
    ]
    summary = summarize(pairs, participants=6)
    assert summary.participants == 6
    assert summary.paired == 4
    assert (summary.mean_pre, summary.mean_post) == (D("70.00"), D("82.50"))
    assert summary.mean_gain == D("12.50")
    assert summary.median_gain == D("15.00")  # of −10, 0, 30, 30
    assert (summary.improved, summary.same, summary.declined) == (2, 1, 1)
    assert summary.mean_normalized_gain == D("0.2500")  # (0.5 + 0.75 − 0.5) / 3
    assert summary.class_normalized_gain == D("0.4167")  # (82.5 − 70) / (100 − 70)


def test_summary_without_pairs_is_empty() -> None:
    summary = summarize([(D(50), None)], participants=1)
    assert summary.paired == 0 and summary.mean_gain is None
    assert summary.class_normalized_gain is None


def _attempt(person: int, points: list[int]) -> ScoredAttempt:
    return ScoredAttempt(
        person_id=UUID(int=person),
        items={
            UUID(int=10 + i): ItemScore(points=D(p), max_points=D(1)) for i, p in enumerate(points)
        },
    )


def test_per_competency_comparison() -> None:
    items = [
        ItemInfo(question_id=UUID(int=10), title="a", type="true_false", competency_code="K1"),
        ItemInfo(question_id=UUID(int=11), title="b", type="true_false", competency_code="K1"),
        ItemInfo(question_id=UUID(int=12), title="c", type="true_false", competency_code="K2"),
        ItemInfo(question_id=UUID(int=13), title="d", type="true_false"),
    ]
    pre = CountedAttempts(
        items=items,
        attempts=[_attempt(1, [1, 0, 0, 1]), _attempt(2, [0, 0, 1, 1]), _attempt(3, [1, 1, 1, 1])],
    )
    post = CountedAttempts(
        items=items[:3], attempts=[_attempt(1, [1, 1, 1]), _attempt(2, [1, 0, 1])]
    )
    people = {UUID(int=1), UUID(int=2)}  # person 3 left the session
    rows = compare_competencies(competency_percents(pre, people), competency_percents(post, people))
    assert [
        (r.competency_code, r.pre_percent, r.post_percent, r.change, r.pre_items, r.post_items)
        for r in rows
    ] == [
        ("K1", D("25.00"), D("75.00"), D("50.00"), 2, 2),  # pre 1 of 4 points, post 3 of 4
        ("K2", D("50.00"), D("100.00"), D("50.00"), 1, 1),
    ]


async def test_learning_gain_endpoint_is_exact(
    app, client, organizer, other_organizer, unit, trainer_user
) -> None:
    from tests.courses.builders.results import pre_post_world

    world = await pre_post_world(app, client, organizer, unit, trainer_user)
    url = f"/api/v1/sessions/{world.session_id}/learning-gain"
    resp = await client.get(url, headers=organizer.headers)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["pre_test_id"] == world.quizzes["pre_test"]
    assert body["post_test_id"] == world.quizzes["post_test"]
    rows = {r["person_id"]: r for r in body["participants"]}
    assert [
        (
            rows[str(p.person_id)]["pre"],
            rows[str(p.person_id)]["post"],
            rows[str(p.person_id)]["gain"],
            rows[str(p.person_id)]["normalized_gain"],
        )
        for p in world.people
    ] == [
        ("75.00", "100.00", "25.00", "1.0000"),
        ("25.00", "50.00", "25.00", "0.3333"),
        ("50.00", "75.00", "25.00", "0.5000"),
        ("25.00", "0.00", "-25.00", "-0.3333"),
        ("100.00", None, None, None),
        (None, None, None, None),
    ]
    assert body["summary"] == {
        "participants": 6,
        "paired": 4,
        "mean_pre": "43.75",
        "mean_post": "56.25",
        "mean_gain": "12.50",
        "median_gain": "25.00",
        "improved": 3,
        "same": 0,
        "declined": 1,
        "mean_normalized_gain": "0.3750",  # (1 + 1/3 + 1/2 − 1/3) / 4
        "class_normalized_gain": "0.2222",  # 12.5 / (100 − 43.75)
    }
    # K1 pre: 8 of 10 points (five pre-tests), post 6 of 8; K2 pre 3 of 10, post 3 of 8
    assert body["competencies"] == [
        {
            "competency_code": "K1",
            "pre_percent": "80.00",
            "post_percent": "75.00",
            "change": "-5.00",
            "pre_items": 2,
            "post_items": 2,
        },
        {
            "competency_code": "K2",
            "pre_percent": "30.00",
            "post_percent": "37.50",
            "change": "7.50",
            "pre_items": 2,
            "post_items": 2,
        },
    ]
    assert (await client.get(url, headers=trainer_user.headers)).status_code == 200
    assert (await client.get(url, headers=other_organizer.headers)).status_code == 404
    assert (await client.get(url, headers=world.people[0].headers)).status_code == 403


async def test_learning_gain_without_tests_is_empty(app, client, organizer, unit, trainer_user):
    from tests.courses.builders.results import build_world

    world = await build_world(app, client, organizer, unit, trainer_user, participants=2)
    body = (
        await client.get(
            f"/api/v1/sessions/{world.session_id}/learning-gain", headers=organizer.headers
        )
    ).json()
    assert body["pre_test_id"] is None and body["summary"]["paired"] == 0
    assert [r["gain"] for r in body["participants"]] == [None, None]
    assert body["competencies"] == []

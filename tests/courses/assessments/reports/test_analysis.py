"""Item analysis: exact figures on a small hand-computed dataset, and the API's scope."""

from decimal import Decimal
from fractions import Fraction
from uuid import UUID

from courses.assessments.attempts.counted import (
    ItemInfo,
    ItemScore,
    OptionInfo,
    ScoredAttempt,
    pick_attempt,
)
from courses.assessments.reports.analysis import analyse, group_size
from courses.assessments.reports.exact_stats import correlation

D = Decimal
Q = [UUID(int=100 + i) for i in range(1, 5)]
OPTIONS = (
    OptionInfo(id="a", text="Benar"),
    OptionInfo(id="b", text="Keliru"),
    OptionInfo(id="c", text="Ragu"),
)
ITEMS = [
    ItemInfo(
        question_id=q,
        title=f"Soal {n}",
        type="single_choice",
        options=OPTIONS,
        competency_code="PP-01",
    )
    for n, q in enumerate(Q, start=1)
]

# Points per question (q4 is worth 2 points; P5 earns half of it).
#        q1 q2 q3 q4  total  percent
#   P1    1  1  1  2    5     100
#   P2    1  1  1  0    3      60
#   P3    1  1  0  0    2      40
#   P4    1  0  0  -    1      20   (q4 unanswered)
#   P5    0  0  0  1    1      20
POINTS = {1: [1, 1, 1, 2], 2: [1, 1, 1, 0], 3: [1, 1, 0, 0], 4: [1, 0, 0, 0], 5: [0, 0, 0, 1]}
CHOICE = {1: "aaaa", 2: "aaab", 3: "aabb", 4: "abc-", 5: "bccc"}


def _attempt(person: int) -> ScoredAttempt:
    items = {}
    for i, q in enumerate(Q):
        choice = CHOICE[person][i]
        items[q] = ItemScore(
            points=D(POINTS[person][i]),
            max_points=D(2) if i == 3 else D(1),
            response=None if choice == "-" else {"type": "single_choice", "option_id": choice},
        )
    return ScoredAttempt(person_id=UUID(int=person), items=items)


def test_item_analysis_matches_hand_computed_figures() -> None:
    stats, items = analyse(ITEMS, [_attempt(p) for p in (3, 5, 1, 4, 2)])
    assert stats.n == 5
    assert stats.mean == D("48.00")
    assert stats.median == D("40.00")
    assert stats.sd == D("33.47")  # sample SD of 100, 60, 40, 20, 20 = √1120
    assert (stats.minimum, stats.maximum) == (D("20.00"), D("100.00"))
    # item variances 0.16 + 0.24 + 0.24 + 0.64 = 1.28, total variance 2.24: 4/3 × (1 − 4/7)
    assert stats.cronbach_alpha == D("0.5714")
    assert stats.group_size == 1  # 27 % of 5 = 1.35 → 1
    assert [(i.number, i.difficulty, i.discrimination, i.point_biserial) for i in items] == [
        (1, D("0.8000"), D("1.0000"), D("0.2212")),
        (2, D("0.6000"), D("1.0000"), D("0.5601")),
        # q3: items [1,1,0,0,0], rest [4,2,2,1,1]: cov 2, Sxx 1.2, Syy 6 → 2/√7.2
        (3, D("0.4000"), D("1.0000"), D("0.7454")),
        # q4 shares [1, 0, 0, 0, 0.5]: p 0.3; upper P1 (1) − lower P5 (0.5)
        (4, D("0.3000"), D("0.5000"), D("0.1286")),
    ]
    assert [(o.id, o.text, o.count) for o in items[0].options] == [
        ("a", "Benar", 4),
        ("b", "Keliru", 1),
        ("c", "Ragu", 0),
    ]
    assert [o.count for o in items[3].options] == [1, 2, 1]  # a: P1; b: P2, P3; c: P5
    assert [i.answered for i in items] == [5, 5, 5, 4]
    assert [i.n for i in items] == [5, 5, 5, 5]


def test_ties_at_the_group_boundary_break_by_person_id() -> None:
    # P4 and P5 both score 20 %: P4 (smaller id) ranks above P5, so the lower group is P5.
    # Were it P4, q1's D would be 1 − 1 = 0 and q4's 1 − 0 = 1.
    _, items = analyse(ITEMS, [_attempt(p) for p in (5, 4, 3, 2, 1)])
    assert items[0].discrimination == D("1.0000")
    assert items[3].discrimination == D("0.5000")


def test_no_variance_or_too_few_people_gives_none() -> None:
    one = [_attempt(1)]
    stats, items = analyse(ITEMS, one)
    assert stats.sd is None and stats.cronbach_alpha is None and stats.group_size == 0
    assert items[0].discrimination is None and items[0].point_biserial is None
    assert items[0].difficulty == D("1.0000")
    # q1 right for P1–P4: everyone in a set of those four agrees → no variance, r is None
    _, items = analyse(ITEMS, [_attempt(p) for p in (1, 2, 3, 4)])
    assert items[0].point_biserial is None
    assert items[0].difficulty == D("1.0000")
    assert analyse(ITEMS, [])[0].mean is None


def test_group_size_is_27_percent_rounded_half_up() -> None:
    assert [group_size(n) for n in (0, 1, 2, 3, 4, 10, 27, 100)] == [0, 0, 1, 1, 1, 3, 7, 27]


def test_correlation_sign_and_exactness() -> None:
    xs = [Fraction(v) for v in (1, 2, 3)]
    assert correlation(xs, [Fraction(v) for v in (6, 4, 2)]) == D("-1.0000")
    assert correlation(xs, [Fraction(v) for v in (1, 3, 2)]) == D("0.5000")


def test_counted_attempt_follows_the_grading_method() -> None:
    attempts = [
        {"id": 1, "percent": "40.00"},
        {"id": 2, "percent": "90.00"},
        {"id": 3, "percent": "90.00"},
        {"id": 4, "percent": "10.00"},
    ]
    assert pick_attempt("highest", attempts)["id"] == 2
    assert pick_attempt("first", attempts)["id"] == 1
    assert pick_attempt("last", attempts)["id"] == 4
    assert pick_attempt("average", attempts)["id"] == 1


async def test_analysis_endpoint_on_a_real_post_test(
    app, client, organizer, other_organizer, unit, trainer_user, participant
) -> None:
    from tests.courses.builders.results import pre_post_world

    world = await pre_post_world(app, client, organizer, unit, trainer_user)
    url = f"/api/v1/quizzes/{world.quizzes['post_test']}/analysis"
    resp = await client.get(url, headers=organizer.headers)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["kind"] == "post_test" and body["attempt_rule"] == "highest"
    # post-test: 100, 50, 75, 0 %
    assert body["stats"] == {
        "n": 4,
        "mean": "56.25",
        "median": "62.50",
        "sd": "42.70",
        "minimum": "0.00",
        "maximum": "100.00",
        "cronbach_alpha": "0.8381",
        "group_size": 1,
    }
    rows = [
        (
            i["number"],
            i["title"],
            i["competency_code"],
            i["n"],
            i["answered"],
            i["difficulty"],
            i["discrimination"],
            i["point_biserial"],
        )
        for i in body["items"]
    ]
    assert rows == [
        (1, "Pernyataan 1", "K1", 4, 4, "0.7500", "1.0000", "0.7746"),
        (2, "Pernyataan 2", "K1", 4, 4, "0.7500", "1.0000", "0.7746"),
        (3, "Pernyataan 3", "K2", 4, 4, "0.5000", "1.0000", "0.6882"),
        (4, "Pernyataan 4", "K2", 4, 3, "0.2500", "1.0000", "0.4714"),
    ]
    # key of q2 is "false": three chose it, the last participant chose "true"
    assert body["items"][1]["options"] == [
        {"id": "true", "text": "Benar", "count": 1},
        {"id": "false", "text": "Salah", "count": 3},
    ]
    assert [o["count"] for o in body["items"][3]["options"]] == [1, 2]

    trainer = await client.get(url, headers=trainer_user.headers)
    assert trainer.status_code == 200
    assert (await client.get(url, headers=other_organizer.headers)).status_code == 404
    assert (await client.get(url, headers=world.people[0].headers)).status_code == 403

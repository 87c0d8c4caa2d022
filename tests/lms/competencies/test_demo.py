"""The competency demo: framework, SKM of DPMPTSP and ledger entries, read back through the API."""

from __future__ import annotations

import datetime as dt

from lms.competencies import demo
from tests.factories import make_actor, make_person


async def test_demo_seeds_what_the_reports_show(client, app, root_unit, unit, hr):
    people = [
        await make_person(unit["id"] if i in demo.FRONT_OFFICE else root_unit["id"], f"P{i:02d}")
        for i in range(27)
    ]
    participant = await make_actor(app, "participant", person_id=people[0], unit_id=root_unit["id"])
    ctx = {
        "units": {"DPMPTSP-PPJ": unit["id"], "PEMKOT-PPJ": root_unit["id"]},
        "people": people,
        "users": {"hr": hr.user_id, "participant": participant.user_id},
    }
    await demo.seed(ctx)

    impact = (
        await client.get(
            "/api/v1/reports/training-impact",
            params={"unit_id": str(unit["id"])},
            headers=hr.headers,
        )
    ).json()
    assert [
        (p["period"], p["ikm"], p["category"], p["trained_staff"]) for p in impact["periods"]
    ] == [
        ("2025-S1", "77.22", "B", 0),
        ("2026-S1", "80.42", "B", 5),
    ]
    year = dt.date.today().year
    report = (
        await client.get("/api/v1/reports/jp-compliance", params={"year": year}, headers=hr.headers)
    ).json()
    assert report["summary"]["all"]["headcount"] == 27
    # bimtek 12 + seminar 4; the e-learning is pending
    assert report["summary"]["all"]["jp_total"] == "16.00"
    transcript = (
        await client.get(f"/api/v1/people/{people[3]}/transcript", headers=hr.headers)
    ).json()
    assert transcript["years"][0]["year"] == 2025
    assert transcript["years"][0]["events"][0]["certificate_number"] == "031/PP/BPSDM-SB/X/2025"
    pending = (
        await client.get(
            f"/api/v1/people/{people[0]}/learning-records", headers=participant.headers
        )
    ).json()
    assert [(r["status"], r["jp"]) for r in pending["items"]] == [("pending", "6.00")]

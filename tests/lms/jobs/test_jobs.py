"""Jobs: progress through the API, errors per item, visibility, recovery after a crash."""

from __future__ import annotations

import datetime as dt
from uuid import uuid4

from lms.config import get_settings
from lms.jobs import runner
from lms.jobs.tables import Job


@runner.register("test.count")
async def _count(ctx: runner.JobContext) -> dict:
    items = ctx.params["items"]
    await ctx.set_total(len(items))
    for done, item in enumerate(items, 1):
        if item < 0:
            ctx.error(str(item), "angka negatif")
        await ctx.progress(done)
    return {"sum": sum(i for i in items if i >= 0)}


async def test_job_reports_progress_result_and_item_errors(client, organizer, unit):
    job_id = await runner.submit(
        "test.count",
        {"items": [1, 2, -3, 4]},
        actor=None,
        unit_id=unit["id"],
        settings=get_settings(),
    )
    await runner.wait_for_jobs(30)
    resp = await client.get(f"/api/v1/jobs/{job_id}", headers=organizer.headers)
    assert resp.status_code == 200, resp.text
    job = resp.json()
    assert job["status"] == "succeeded"
    assert (job["done"], job["total"]) == (4, 4)
    assert job["result"] == {"sum": 7}
    assert job["errors"] == [{"item": "-3", "message": "angka negatif"}]


async def test_job_of_another_unit_is_404(client, other_organizer, unit):
    job_id = await runner.submit(
        "test.count", {"items": [1]}, actor=None, unit_id=unit["id"], settings=get_settings()
    )
    await runner.wait_for_jobs(30)
    resp = await client.get(f"/api/v1/jobs/{job_id}", headers=other_organizer.headers)
    assert resp.status_code == 404


async def test_unfinished_job_of_a_dead_server_is_marked_interrupted(client, admin):
    job_id = uuid4()
    await Job.insert(
        Job(
            id=job_id,
            kind="unknown.kind",
            status="running",
            params={"a": 1},
            created_at=dt.datetime.now(dt.UTC),
        )
    )
    await runner.recover_unfinished_jobs(get_settings())
    resp = await client.get(f"/api/v1/jobs/{job_id}", headers=admin.headers)
    assert resp.json()["status"] == "interrupted"
    assert resp.json()["errors"][0]["message"].startswith("Server berhenti")

"""Scheduled jobs (``lms.jobs.scheduled``): the same functions tick through SAQ's cron on the
queue (two workers: each tick runs once) and through the in-process scheduler on the local
runner; each tick is a ``Job`` row the API shows. The three built-in jobs run on their own."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections import Counter
from pathlib import Path
from uuid import UUID

import msgspec
import pytest

from lms.config import Settings, get_settings
from lms.jobs import queue, runner, scheduled
from lms.jobs.tables import Job
from tests.lms.jobs.test_queue import BACKENDS, queue_settings

EVERY_SECOND = "* * * * * *"
RAN: list[str] = []


@scheduled.scheduled("test_tick", EVERY_SECOND)
async def _tick(ctx: runner.JobContext) -> dict:
    RAN.append(ctx.params["tick"])
    await ctx.set_total(1)
    await ctx.progress(1)
    return {"tick": ctx.params["tick"]}


def only_test_tick(settings: Settings) -> Settings:
    """``settings`` with the scheduler on and only ``test_tick`` in it."""
    return msgspec.structs.replace(
        settings,
        scheduler=True,
        cron_backup="off",
        cron_expiry_reminders="off",
        cron_lti_retries="off",
    )


async def test_settings_turn_schedules_on_and_off_and_set_them(client):
    base = get_settings()
    assert base.scheduler is False  # the suite's: nothing ticks unless a test asks
    assert scheduled.enabled(base) == []
    on = msgspec.structs.replace(base, scheduler=True)
    names = {entry.name: expr for entry, expr in scheduled.enabled(on)}
    assert names["backup"] == "30 1 * * *"
    assert names["expiry_reminders"] == "0 6 * * *"
    assert names["lti_retries"] == "*/15 * * * *"
    changed = msgspec.structs.replace(on, cron_backup="0 3 * * 0", cron_lti_retries="off")
    names = {entry.name: expr for entry, expr in scheduled.enabled(changed)}
    assert names["backup"] == "0 3 * * 0" and "lti_retries" not in names
    with pytest.raises(ValueError, match="LMS_CRON_BACKUP"):
        scheduled.schedule_of(msgspec.structs.replace(on, cron_backup="nightly"), "backup")
    # In the installation's time zone: 01:30 in Jakarta is 18:30 UTC the day before.
    ticks = scheduled.next_ticks(on, dt.datetime(2026, 12, 6, 12, 0, tzinfo=dt.UTC))
    backup = next(moment for moment, name in ticks if name == "backup")
    assert backup.astimezone(dt.UTC) == dt.datetime(2026, 12, 6, 18, 30, tzinfo=dt.UTC)


async def test_a_tick_submitted_twice_is_one_job(client, admin):
    settings = get_settings()
    first = await scheduled.submit_tick(settings, "test_tick", 1_800_000_000)
    again = await scheduled.submit_tick(settings, "test_tick", 1_800_000_000)
    assert first == scheduled.tick_job_id("test_tick", 1_800_000_000) and again is None
    await runner.wait_for_jobs()
    resp = await client.get(f"/api/v1/jobs/{first}", headers=admin.headers)
    job = resp.json()
    assert job["kind"] == "scheduled.test_tick" and job["status"] == "succeeded", job
    assert job["result"] == {"tick": "2027-01-15T08:00:00+00:00"}


async def jobs_of(kind: str) -> list[dict]:
    return (
        await Job.select().where(Job.kind == kind).order_by(Job.created_at).output(load_json=True)
    )


async def succeeded(kind: str) -> list[dict]:
    return [r for r in await jobs_of(kind) if r["status"] == "succeeded"]


async def test_the_in_process_scheduler_submits_each_tick_to_the_local_runner(client):
    await Job.delete().where(Job.kind == "scheduled.test_tick")
    settings = only_test_tick(get_settings())
    assert not queue.uses_queue(settings)
    task = asyncio.create_task(scheduled.run_local_scheduler(settings))
    try:
        deadline = asyncio.get_running_loop().time() + 60
        while len(await succeeded("scheduled.test_tick")) < 3:
            assert asyncio.get_running_loop().time() < deadline
            await asyncio.sleep(0.2)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    await runner.wait_for_jobs()
    rows = await jobs_of("scheduled.test_tick")
    ticks = [r["params"]["tick"] for r in rows]
    assert len(ticks) == len(set(ticks))


@pytest.mark.parametrize("backend", BACKENDS)
async def test_two_workers_run_each_cron_tick_once(client, backend, monkeypatch):
    await Job.delete().where(Job.kind == "scheduled.test_tick")
    settings = only_test_tick(queue_settings(backend))
    calls: Counter[tuple[str, int]] = Counter()
    submit = scheduled.submit_tick

    async def counting(settings: Settings, name: str, tick: float) -> UUID | None:
        calls[(name, int(tick))] += 1  # what SAQ's cron delivered, before our own dedupe
        return await submit(settings, name, tick)

    monkeypatch.setattr(scheduled, "submit_tick", counting)
    RAN.clear()
    workers = [
        asyncio.create_task(queue.run_worker(settings, concurrency=2, grace=0)) for _ in range(2)
    ]
    try:
        deadline = asyncio.get_running_loop().time() + 90
        while len(await succeeded("scheduled.test_tick")) < 4:
            assert asyncio.get_running_loop().time() < deadline, (calls, RAN)
            await asyncio.sleep(0.2)
    finally:
        for worker in workers:
            worker.cancel()
        for worker in workers:
            with contextlib.suppress(asyncio.CancelledError):
                await worker
        await queue.close_queues()
    assert calls and max(calls.values()) == 1, calls  # SAQ queued each tick once
    assert len(RAN) == len(set(RAN)), RAN  # and each ran once
    assert len(await succeeded("scheduled.test_tick")) >= 4


# -- the built-in jobs ------------------------------------------------------------------------


async def run_now(kind: str, settings: Settings | None = None) -> dict:
    job_id = await runner.submit(kind, {}, actor=None, settings=settings or get_settings())
    await runner.wait_for_jobs()
    return await Job.select().where(Job.id == job_id).output(load_json=True).first()


async def test_expiry_reminders_once_per_certificate(client, unit):
    from lms.audit.services import entries_for
    from tests.certificates.verification.test_verification import (
        insert_certificate,
        jakarta_today,
    )

    today = jakarta_today()
    soon = await insert_certificate(unit, number="101/R", valid_until=today + dt.timedelta(days=9))
    await insert_certificate(unit, number="102/R", valid_until=today + dt.timedelta(days=400))
    first = await run_now("scheduled.expiry_reminders")
    assert first["status"] == "succeeded", first
    assert "101/R" in first["result"]["numbers"] and "102/R" not in first["result"]["numbers"]
    entries = [e for e in await entries_for("certificate", soon["id"]) if "expiry" in e["action"]]
    assert len(entries) == 1 and "101/R" in entries[0]["summary"]
    again = await run_now("scheduled.expiry_reminders")
    assert "101/R" not in again["result"]["numbers"]


async def test_the_nightly_backup_keeps_the_newest_copies(client, tmp_path: Path):
    from lms.backup import prune_backups

    folder = tmp_path / "backups"
    folder.mkdir()
    for day in range(1, 6):
        (folder / f"prima-backup-202612{day:02d}T013000Z.tar").write_bytes(b"x")
    (folder / "notes.txt").write_text("mine")
    removed = prune_backups(folder, 2)
    assert sorted(p.name for p in removed) == [
        f"prima-backup-202612{day:02d}T013000Z.tar" for day in (1, 2, 3)
    ]
    assert sorted(p.name for p in folder.iterdir()) == [
        "notes.txt",
        "prima-backup-20261204T013000Z.tar",
        "prima-backup-20261205T013000Z.tar",
    ]
    settings = msgspec.structs.replace(get_settings(), data_dir=tmp_path / "data", backup_keep=1)
    (tmp_path / "data").mkdir()
    row = await run_now("scheduled.backup", settings)
    assert row["status"] == "succeeded", row
    archives = list((tmp_path / "data" / "backups").glob("prima-backup-*.tar"))
    assert [p.name for p in archives] == [row["result"]["archive"]]


async def test_lti_retries_picks_up_stale_pending_scores_only(client, monkeypatch):
    from uuid import uuid4

    from courses.lti import delivery
    from lms.lti.tables import LtiPlatform, LtiResourceLink, LtiScore

    now = dt.datetime.now(dt.UTC)
    platform, link = uuid4(), uuid4()
    await LtiPlatform.insert(
        LtiPlatform(
            id=platform,
            name="LMS BKPSDM",
            issuer="https://lms.test",
            client_id="prima",
            natural_key=f"https://lms.test:{platform}",
            auth_login_url="https://lms.test/auth",
            auth_token_url="https://lms.test/token",
            jwks_url="https://lms.test/jwks",
            created_at=now,
        )
    )
    await LtiResourceLink.insert(
        LtiResourceLink(
            id=link,
            platform=platform,
            natural_key=f"{platform}:{link}",
            resource_link_id="rl-1",
            updated_at=now,
        )
    )

    async def score(status: str, age: dt.timedelta) -> UUID:
        score_id = uuid4()
        await LtiScore.insert(
            LtiScore(
                id=score_id,
                natural_key=f"{link}:{score_id}",
                link=link,
                person_id=uuid4(),
                score_given="80.00",
                status=status,
                sent_at=now - age,
            )
        )
        return score_id

    stale = await score("pending", dt.timedelta(hours=2))
    in_a_job = await score("pending", dt.timedelta(hours=3))
    await score("pending", dt.timedelta(minutes=5))  # still in its job's backoff
    await score("sent", dt.timedelta(hours=5))
    await score("failed", dt.timedelta(hours=5))
    await Job.insert(
        Job(
            kind=delivery.JOB_KIND,
            status="running",
            params={"score_ids": [str(in_a_job)]},
            created_at=now,
        )
    )
    queued: list[list[UUID]] = []

    async def fake_queue(ids, settings, **kwargs):
        queued.append(list(ids))
        return None

    monkeypatch.setattr(delivery, "queue", fake_queue)
    row = await run_now("scheduled.lti_retries")
    assert row["status"] == "succeeded", row
    assert row["result"]["queued"] == 1 and queued == [[stale]]
    await LtiScore.delete().where(LtiScore.link == link)
    await LtiResourceLink.delete().where(LtiResourceLink.id == link)
    await LtiPlatform.delete().where(LtiPlatform.id == platform)
    await Job.delete().where(Job.kind == delivery.JOB_KIND)


def test_issuing_chunks_are_a_quarter_of_a_workers_share_within_bounds():
    from certificates.issuing.distributed import chunk_size

    assert chunk_size(200, 1) == 50
    assert chunk_size(200, 2) == 25
    assert chunk_size(120, 2) == 15
    assert chunk_size(10, 4) == 5  # never below 5: a chunk pays its own queries
    assert chunk_size(50_000, 2) == 50  # never above 50
    assert chunk_size(200, 0) == 50  # no worker seen yet: one
    assert chunk_size(200, 2, fixed=20) == 20  # LMS_ISSUE_CHUNK_SIZE

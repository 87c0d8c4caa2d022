"""Large participant imports run as a job: 202 with the job's URL, the report as its result,
and a job left running by a killed server re-run to completion by the next start."""

from __future__ import annotations

import datetime as dt
import hashlib
from uuid import uuid4

import msgspec
import pytest

from lms.jobs import runner
from lms.jobs.tables import Job
from lms.people import import_job
from lms.people.tables import Person
from lms.shared.files import write_once
from tests.lms.people.test_importing import csv_bytes, upload

NIPS = [f"19860908201811100{n}" for n in range(1, 6)]
FILE = csv_bytes(
    *(
        f"{n};{nip};Peserta {n};;;PNS;III/a;Pengadministrasi;DPMPTSP-PPJ;;"
        for n, nip in enumerate(NIPS, start=1)
    )
)


@pytest.fixture(autouse=True)
def small_job_threshold(monkeypatch):
    # A file of more than 2 rows is "large" here: the rules are the same at 1,000.
    monkeypatch.setattr(import_job, "SYNC_ROWS", 2)


async def test_a_large_file_is_imported_by_a_job(client, organizer, unit):
    resp = await upload(client, organizer, FILE)
    assert resp.status_code == 202, resp.text
    accepted = resp.json()
    assert accepted == {"job_id": accepted["job_id"], "url": f"/api/v1/jobs/{accepted['job_id']}"}
    await runner.wait_for_jobs(60)
    job = await client.get(accepted["url"], headers=organizer.headers)
    assert job.status_code == 200, job.text
    body = job.json()
    assert (body["kind"], body["status"], body["done"], body["total"]) == (
        "people.import",
        "succeeded",
        5,
        5,
    )
    assert {k: body["result"][k] for k in ("created", "updated", "unchanged", "rejected")} == {
        "created": 5,
        "updated": 0,
        "unchanged": 0,
        "rejected": [],
    }
    assert await Person.count().where(Person.nip.is_in(NIPS)) == 5


async def test_a_small_file_still_answers_its_report_at_once(client, organizer, unit):
    resp = await upload(
        client, organizer, csv_bytes(f"1;{NIPS[0]};Peserta 1;;;PNS;III/a;;DPMPTSP-PPJ;;")
    )
    assert resp.status_code == 200, resp.text
    assert resp.json()["created"] == 1


async def test_an_unreadable_large_file_is_refused_before_any_job(client, organizer, unit):
    resp = await upload(client, organizer, b"Nama;NIP\r\nBudi;1\r\nAni;2\r\nTono;3\r\n")
    assert resp.status_code == 400
    assert await Job.count() == 0


async def test_an_import_killed_midway_is_completed_after_a_restart(app, organizer, unit):
    """The server died after the first batch (two rows stored): the next start re-runs the
    job, which completes the file and reports the stored rows as unchanged."""
    from lms.config import get_settings

    settings = get_settings()
    path = import_job.upload_path(settings, hashlib.sha256(FILE).hexdigest())
    write_once(path, FILE)
    from lms.people.importing import import_people

    first_two = csv_bytes(
        *(
            f"{n};{nip};Peserta {n};;;PNS;III/a;Pengadministrasi;DPMPTSP-PPJ;;"
            for n, nip in enumerate(NIPS[:2], start=1)
        )
    )
    caller = await _caller(organizer, unit)
    await import_people(first_two, "peserta.csv", actor=caller, settings=settings)
    job_id = uuid4()
    params = import_job.ImportJobParams(
        actor=caller,
        path=str(path),
        filename="peserta.csv",
        max_rows=settings.max_import_rows,
        max_bytes=settings.max_upload_bytes,
    )
    await Job.insert(
        Job(
            id=job_id,
            kind="people.import",
            status="running",
            done=2,
            total=5,
            params=msgspec.to_builtins(params),
            result={},
            errors=[],
            created_at=dt.datetime.now(dt.UTC),
            started_at=dt.datetime.now(dt.UTC),
        )
    )

    await runner.recover_unfinished_jobs(get_settings())
    await runner.wait_for_jobs(60)

    job = await Job.select().where(Job.id == job_id).output(load_json=True).first()
    assert (job["status"], job["done"], job["total"]) == ("succeeded", 5, 5)
    assert (job["result"]["created"], job["result"]["unchanged"]) == (3, 2)
    assert await Person.count().where(Person.nip.is_in(NIPS)) == 5


async def _caller(actor, unit):
    from lms.auth.caller import Caller

    return Caller(
        user_id=actor.user_id,
        username="organizer",
        role="organizer",
        unit_id=unit["id"],
        unit_path=unit["path"],
    )

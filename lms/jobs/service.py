"""Reading a job as its viewers may: the API's ``GET /api/v1/jobs/{id}`` and the pages that
show a job's progress (the certificate issuing bar) share this one check."""

from __future__ import annotations

from uuid import UUID

import msgspec

from lms.auth.caller import Caller
from lms.jobs.schemas import JobRead
from lms.jobs.tables import Job
from lms.people.tables import Unit
from lms.shared.errors import NotFound


async def visible_job(caller: Caller, job_id: UUID) -> JobRead:
    """A job's status, progress and errors; visible to its creator, admins and staff of its
    unit (and below).

    Raises:
        NotFound: no such job, or the caller may not see it.
    """
    row = await Job.select().where(Job.id == job_id).output(load_json=True).first()
    if row is None:
        raise NotFound("Pekerjaan tidak ditemukan.")
    visible = caller.is_admin or row["created_by"] == caller.user_id
    if not visible and row["unit_id"] is not None:
        unit = await Unit.select(Unit.path).where(Unit.id == row["unit_id"]).first()
        visible = unit is not None and caller.sees_unit(unit["path"])
    if not visible:
        raise NotFound("Pekerjaan tidak ditemukan.")
    return msgspec.convert(row, JobRead)

"""``GET /api/v1/jobs/{id}``."""

from __future__ import annotations

from uuid import UUID

import msgspec
from litestar import Controller, get
from litestar.params import FromPath

from lms.auth.caller import CallerRequest
from lms.jobs.schemas import JobRead
from lms.jobs.tables import Job
from lms.people.tables import Unit
from lms.shared.errors import NotFound


class JobController(Controller):
    """Progress of long work; visible to its creator, admins, and staff of its unit."""

    path = "/api/v1/jobs"
    tags = ["jobs"]

    @get("/{job_id:uuid}", operation_id="getJob")
    async def get_job(self, job_id: FromPath[UUID], request: CallerRequest) -> JobRead:
        """A job's status, progress and errors."""
        caller = request.user
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

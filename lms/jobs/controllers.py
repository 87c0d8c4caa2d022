"""``GET /api/v1/jobs/{id}``."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, get
from litestar.params import FromPath

from lms.auth.caller import CallerRequest
from lms.jobs.schemas import JobRead
from lms.jobs.service import visible_job


class JobController(Controller):
    """Progress of long work; visible to its creator, admins, and staff of its unit."""

    path = "/api/v1/jobs"
    tags = ["jobs"]

    @get("/{job_id:uuid}", operation_id="getJob")
    async def get_job(self, job_id: FromPath[UUID], request: CallerRequest) -> JobRead:
        """A job's status, progress and errors."""
        return await visible_job(request.user, job_id)

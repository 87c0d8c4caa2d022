"""Job bodies."""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

from lms.shared.schemas import Output


class JobRead(Output):
    """A job's status and progress (``done`` of ``total``) and per-item errors."""

    id: UUID
    kind: str
    status: str
    done: int
    total: int
    result: dict[str, Any]
    errors: list[dict[str, Any]]
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None


class JobAccepted(Output):
    """A job was started; poll ``url`` for its progress."""

    job_id: UUID
    url: str

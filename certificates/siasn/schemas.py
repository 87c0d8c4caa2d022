"""What the SIASN push answers: the status of each certificate and what a push request did."""

from __future__ import annotations

import datetime as dt
from typing import Literal
from uuid import UUID

from lms.shared.schemas import Output

PushStatus = Literal["not_sent", "queued", "sending", "sent", "failed"]


class SiasnPushRead(Output):
    """One certificate and where it stands with SIASN.

    ``status``: ``not_sent`` (never asked), ``queued``, ``sending``, ``sent`` or ``failed``
    (``last_error`` says why). ``siasn_id`` is SIASN's riwayat kursus id once saved.
    """

    certificate_id: UUID
    number: str
    holder_name: str
    nip: str
    course_title: str
    session_id: UUID
    issued_at: dt.datetime
    status: PushStatus
    status_label: str
    siasn_id: str = ""
    document_sent: bool = False
    attempts: int = 0
    last_error: str = ""
    updated_at: dt.datetime | None = None
    sent_at: dt.datetime | None = None


class SiasnSkipped(Output):
    """A certificate a push request left out, and why."""

    certificate_id: UUID
    number: str
    reason: str


class SiasnPushAccepted(Output):
    """A push request: how many certificates were queued, the job that sends them
    (``GET /api/v1/jobs/{id}``) and what was left out."""

    queued: int
    skipped: list[SiasnSkipped]
    job_id: UUID | None = None
    url: str | None = None

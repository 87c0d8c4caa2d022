"""Background jobs with progress."""

from piccolo.columns import JSON, UUID, Integer, Timestamptz, Varchar
from piccolo.table import Table


class Job(Table, tablename="job"):
    """Long work (bulk certificates, big imports) as a row the API can report on.

    Status: queued → running → succeeded | failed (| interrupted when a server died mid-way and
    the job could not be resumed).
    """

    id = UUID(primary_key=True)
    kind = Varchar(length=64, index=True)
    status = Varchar(length=16, default="queued", index=True)
    done = Integer(default=0)
    total = Integer(default=0)
    params = JSON(default="{}")
    result = JSON(default="{}")
    errors = JSON(default="[]")
    unit_id = UUID(null=True, default=None)
    created_by = UUID(null=True, default=None)
    created_at = Timestamptz()
    started_at = Timestamptz(null=True, default=None)
    finished_at = Timestamptz(null=True, default=None)

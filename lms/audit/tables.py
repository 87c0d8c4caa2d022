"""The audit log."""

from piccolo.columns import JSON, UUID, Timestamptz, Varchar
from piccolo.table import Table


class AuditEntry(Table, tablename="audit_entry"):
    """One state change: who did what to which object, and a summary of the change.

    ``actor_id`` and ``object_id`` are plain ids (not foreign keys) so the log outlives the
    objects it talks about, and any app can write to it without a dependency on lms tables.
    """

    id = UUID(primary_key=True)
    at = Timestamptz(index=True)
    actor_id = UUID(null=True, default=None, index=True)
    actor_name = Varchar(length=150, default="")
    action = Varchar(length=64, index=True)
    object_type = Varchar(length=64, index=True)
    object_id = Varchar(length=64, index=True)
    summary = Varchar(length=1000, default="")
    changes = JSON(default="{}")

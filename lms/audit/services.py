"""Writing and reading the audit log.

``record`` runs inside whatever transaction the caller has open (Piccolo binds queries to the
task's current transaction), so the audit entry commits or rolls back with the change itself.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

from lms.audit.tables import AuditEntry
from lms.auth.caller import Caller


async def record(
    actor: Caller | None,
    action: str,
    object_type: str,
    object_id: UUID | str,
    summary: str = "",
    changes: dict[str, Any] | None = None,
) -> None:
    """Append one entry: who (``actor``; None for the system), did what, to which object."""
    await AuditEntry.insert(
        AuditEntry(
            at=dt.datetime.now(dt.UTC),
            actor_id=actor.user_id if actor else None,
            actor_name=actor.username if actor else "system",
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            summary=summary[:1000],
            changes=_jsonable(changes or {}),
        )
    )


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


async def entries_for(object_type: str, object_id: UUID | str) -> list[dict[str, Any]]:
    """Every entry about one object, oldest first."""
    return await (
        AuditEntry.select()
        .where((AuditEntry.object_type == object_type) & (AuditEntry.object_id == str(object_id)))
        .order_by(AuditEntry.at)
    )

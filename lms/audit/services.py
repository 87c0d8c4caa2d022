"""Writing and reading the audit log.

``record`` runs inside whatever transaction the caller has open (Piccolo binds queries to the
task's current transaction), so the audit entry commits or rolls back with the change itself.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from uuid import UUID, uuid4

from lms.audit.tables import AuditEntry
from lms.auth.caller import Caller
from lms.db import fetch_sql


async def record(
    actor: Caller | None,
    action: str,
    object_type: str,
    object_id: UUID | str,
    summary: str = "",
    changes: dict[str, Any] | None = None,
) -> None:
    """Append one entry: who (``actor``; None for the system), did what, to which object."""
    # Plain SQL: every state change writes one entry, often inside a hot transaction (a quiz
    # start, a submit), where building Piccolo's insert cost more than running it.
    await fetch_sql(
        AuditEntry,
        _INSERT,
        uuid4(),
        dt.datetime.now(dt.UTC),
        actor.user_id if actor else None,
        actor.username if actor else "system",
        action,
        object_type,
        str(object_id),
        summary[:1000],
        json.dumps(_jsonable(changes or {}), ensure_ascii=False),
    )


_INSERT = (
    "INSERT INTO audit_entry (id, at, actor_id, actor_name, action, object_type, object_id, "
    "summary, changes) VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {})"
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

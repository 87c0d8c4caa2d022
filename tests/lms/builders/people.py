"""Helpers shared by the people tests."""

from __future__ import annotations

import json
from typing import Any

from lms.audit.services import entries_for


async def audit_entries(object_type: str, object_id: Any) -> list[dict[str, Any]]:
    """An object's audit entries, oldest first, with ``changes`` decoded from JSON."""
    entries = await entries_for(object_type, object_id)
    for entry in entries:
        if isinstance(entry["changes"], str):
            entry["changes"] = json.loads(entry["changes"])
    return entries

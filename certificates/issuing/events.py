"""Who hears that a session's certificates were issued. Folders later in the import order
(``certificates.siasn`` sends them to SIASN) cannot be imported from here, so the app's
``routes.py`` registers them as listeners by name (registering a name again replaces the
listener: every app built in one process installs its own).

Listeners run at the end of the issuing job, after its transactions committed; they must be
quick (queue work, never call out over the network) and their failure is logged, never the
job's: the certificates are issued whatever a listener does.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from uuid import UUID

from lms.auth.caller import Caller
from lms.config import Settings

logger = logging.getLogger("certificates.issuing")

IssuedListener = Callable[[UUID, Settings, Caller | None], Awaitable[None]]
_LISTENERS: dict[str, IssuedListener] = {}


def on_issued(name: str, listener: IssuedListener) -> None:
    """Call ``listener(session_id, settings, actor)`` after each issuing job of a session."""
    _LISTENERS[name] = listener


async def issued(session_id: UUID, settings: Settings, actor: Caller | None) -> None:
    """Tell every listener that the session's certificates were issued."""
    for name, listener in list(_LISTENERS.items()):
        try:
            await listener(session_id, settings, actor)
        except Exception:  # noqa: BLE001 - a listener never fails the issuing job
            logger.exception("issued listener %s failed for session %s", name, session_id)

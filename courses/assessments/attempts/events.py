"""Who hears that an attempt was graded: submitted, closed at its deadline, or re-totalled
after a trainer's mark. Folders that come later in the import order (``courses.lti`` sends a
quiz's score to an LMS gradebook) cannot be imported from here, so the composition root
registers them as listeners by name (a name registered again replaces the listener: every app
built in one process, as in the tests, installs its own).

Listeners run after the attempt's transaction has committed, in the request that graded it;
they must be quick (queue work, never call out over the network) and their failure is logged,
never the participant's problem: a submit does not fail because a gradebook is down.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from uuid import UUID

logger = logging.getLogger("courses.assessments")

GradedListener = Callable[[UUID], Awaitable[None]]
_LISTENERS: dict[str, GradedListener] = {}


def on_graded(name: str, listener: GradedListener) -> None:
    """Call ``listener(attempt_id)`` whenever an attempt is graded or re-graded."""
    _LISTENERS[name] = listener


async def graded(attempt_id: UUID) -> None:
    """Tell every listener that ``attempt_id`` has a (new) grade (after the commit)."""
    for name, listener in list(_LISTENERS.items()):
        try:
            await listener(attempt_id)
        except Exception:  # noqa: BLE001 - a listener never undoes or fails the grading
            logger.exception("graded-attempt listener %s failed for %s", name, attempt_id)

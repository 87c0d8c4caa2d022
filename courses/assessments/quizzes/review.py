"""The review policy: how much of a finished attempt its participant sees, and when.

A quiz keeps ``{"after_submit": level, "after_close": level}``. Before the quiz closes (or
when it never closes) the ``after_submit`` level applies to a finished attempt; once
``closes_at`` has passed, ``after_close``. Levels are ordered: ``none`` < ``score`` <
``responses`` < ``correct``; each shows what the previous ones show. Right answers, weights and
feedback of the bank are never shown at any level: the pre-test's questions come back in the
post-test.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import msgspec

from courses.assessments.questions.schemas import REVIEW_LEVELS, ReviewPolicy


def policy(raw: Any) -> ReviewPolicy:
    """The policy stored in ``Quiz.review`` (text or decoded; missing keys take defaults)."""
    data = json.loads(raw) if isinstance(raw, str) else (raw or {})
    return msgspec.convert(data or {}, ReviewPolicy)


def level(review: ReviewPolicy, closes_at: dt.datetime | None, now: dt.datetime) -> str:
    """The level a participant gets now for a finished attempt."""
    if closes_at is not None and now >= closes_at:
        return review.after_close
    return review.after_submit


def shows(current: str, wanted: str) -> bool:
    """Whether level ``current`` includes what ``wanted`` shows."""
    return REVIEW_LEVELS.index(current) >= REVIEW_LEVELS.index(wanted)

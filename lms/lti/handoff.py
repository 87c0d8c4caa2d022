"""The way out of an LMS iframe whose browser blocks third-party cookies.

A launch inside an iframe cannot count on its session cookie coming back: Safari, Firefox's
strict mode and Chrome with third-party cookies off drop it (a Partitioned cookie, CHIPS, helps
where the browser supports it). So an embedded launch first lands on ``/lti/lanjut`` with a
one-time token: when the cookie came back, the token is spent and the person goes on to the
page; when it did not, the page offers "Buka di jendela baru", a form that posts the token to
``/lti/buka`` in a new, first-party window, which spends it for an ordinary session there.

The token is 32 random bytes, stored only as its SHA-256, valid for :data:`TTL` and spent
atomically by the first use (of two concurrent uses, one wins).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any
from uuid import UUID, uuid4

from lms.lti.tables import LtiHandoff
from lms.shared.values import utcnow

TTL = dt.timedelta(minutes=2)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def issue(user_id: UUID, target: str) -> str:
    """A new one-time token that opens ``target`` as ``user_id``."""
    token = secrets.token_urlsafe(32)
    # Spent and stale tokens go with the next one (the table stays a few rows long).
    await LtiHandoff.delete().where(LtiHandoff.created_at < utcnow() - dt.timedelta(hours=1))
    await LtiHandoff.insert(
        LtiHandoff(
            id=uuid4(),
            token_hash=_hash(token),
            user=user_id,
            target=target[:300],
            created_at=utcnow(),
        )
    )
    return token


async def peek(token: str) -> dict[str, Any] | None:
    """The unspent, unexpired token's row (``user``, ``target``), without spending it."""
    if not token or len(token) > 100:
        return None
    row = (
        await LtiHandoff.select(LtiHandoff.id, LtiHandoff.user, LtiHandoff.target)
        .where(
            (LtiHandoff.token_hash == _hash(token))
            & LtiHandoff.used_at.is_null()
            & (LtiHandoff.created_at > utcnow() - TTL)
        )
        .first()
    )
    return row


async def spend(token: str) -> dict[str, Any] | None:
    """Spend the token (once): its ``user`` and ``target``, or None when unknown, spent or
    older than :data:`TTL`."""
    if not token or len(token) > 100:
        return None
    now = utcnow()
    rows = await (
        LtiHandoff.update({LtiHandoff.used_at: now})
        .where(
            (LtiHandoff.token_hash == _hash(token))
            & LtiHandoff.used_at.is_null()
            & (LtiHandoff.created_at > now - TTL)
        )
        .returning(LtiHandoff.user, LtiHandoff.target)
    )
    return rows[0] if rows else None

"""Argon2id password hashing (argon2-cffi's recommended parameters).

Argon2 is slow and big on purpose (each check ~0.1 s of CPU in 4 lanes, 64 MiB), so the
server hashes off the event loop and **a few at a time**: :func:`check_password` and
:func:`make_password_hash` share one limit of :data:`AT_ONCE` per event loop. Without it a
class logging in together put 40 checks on the thread pool at once (160 Argon2 threads on
2 cores, 2.5 GiB): the rest of the server starved, and with 200 logins in 20 s writes waited
30 s for SQLite's writer and failed. Queued logins instead wait their turn, a tenth of a
second each.
"""

from __future__ import annotations

import asyncio
import os
import weakref

import anyio
import anyio.to_thread
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_hasher = PasswordHasher()

# A real hash of a random password: verifying against it when the user does not exist costs
# the same time as a real check, so response times do not reveal which usernames exist.
_DUMMY_HASH = _hasher.hash("prima-dummy-password-for-timing")


#: Argon2 computations at once per event loop: one per core.
AT_ONCE = max(1, os.cpu_count() or 1)
_LIMITS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, anyio.CapacityLimiter] = (
    weakref.WeakKeyDictionary()
)


def _limit() -> anyio.CapacityLimiter:
    """This event loop's limit (a limiter belongs to the loop it was made on; tests and Piccolo's
    ``run_sync`` use several)."""
    loop = asyncio.get_running_loop()
    limit = _LIMITS.get(loop)
    if limit is None:
        limit = _LIMITS[loop] = anyio.CapacityLimiter(AT_ONCE)
    return limit


async def check_password(password_hash: str | None, password: str) -> bool:
    """:func:`verify_password` off the event loop, within the shared limit."""
    return await anyio.to_thread.run_sync(
        verify_password, password_hash, password, limiter=_limit()
    )


async def make_password_hash(password: str) -> str:
    """:func:`hash_password` off the event loop, within the shared limit."""
    return await anyio.to_thread.run_sync(hash_password, password, limiter=_limit())


def hash_password(password: str) -> str:
    """Hash a password with Argon2id."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when ``password`` matches; constant-ish time also for unknown users (hash None)."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with weaker parameters than today's."""
    return _hasher.check_needs_rehash(password_hash)

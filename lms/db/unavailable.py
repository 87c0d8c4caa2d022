"""Is this error "the database (or another store) cannot take the request now"?

Under load PostgreSQL refuses new connections ("sorry, too many clients already"), a server
restarting answers "the database system is starting up", a dead server refuses the TCP
connection, a pooled connection dies with its server, SQLite's writer lock is held past
``busy_timeout`` ("database is locked"), the job queue's psycopg pool times out, Redis is gone.
None of these is the client's fault nor a bug of ours: the app answers 503 with ``Retry-After``
(``lms.shared.problems``) and readiness (``/health``) says why. :func:`unavailable_reason` names
the case, or returns ``None`` for every other error (those stay 500s, logged as bugs).
"""

from __future__ import annotations

import sqlite3
from types import TracebackType

# Modules a connection error must come through to count: a refused connection elsewhere (an
# LTI platform, a webhook) is not the database's.
_STORE_MODULES = ("asyncpg", "psycopg", "psycopg_pool", "redis", "piccolo", "lms/db", "lms\\db")

# PostgreSQL SQLSTATEs that mean "not now": class 08 (connection exception), 53 (insufficient
# resources: 53300 too many connections, 53100 disk full, 53200 out of memory) and 57P01..57P03
# (admin/crash shutdown, cannot connect now).
_UNAVAILABLE_SQLSTATE_PREFIXES = ("08", "53", "57P01", "57P02", "57P03")

RETRY_AFTER_SECONDS = 5


def _sqlstate(exc: BaseException) -> str:
    state = getattr(exc, "sqlstate", None) or getattr(exc, "pgcode", None)
    return state if isinstance(state, str) else ""


def _through_store(tb: TracebackType | None) -> bool:
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if any(f"{name}" in filename for name in _STORE_MODULES):
            return True
        tb = tb.tb_next
    return False


def _reason(exc: BaseException) -> str | None:
    if isinstance(exc, sqlite3.OperationalError):
        text = str(exc).lower()
        if "database is locked" in text or "database is busy" in text:
            return "database_locked"
        return None
    state = _sqlstate(exc)
    if state == "53300":
        return "too_many_connections"
    if state.startswith(_UNAVAILABLE_SQLSTATE_PREFIXES):
        return "database_unavailable"
    module = type(exc).__module__
    name = type(exc).__name__
    if module.startswith("asyncpg"):
        if name in {"ConnectionDoesNotExistError", "ConnectionFailureError"}:
            return "connection_lost"
        if name == "InterfaceError" and "pool is clos" in str(exc):
            return "database_unavailable"
        return None
    if module.startswith("psycopg_pool") and name in {"PoolTimeout", "TooManyRequests"}:
        return "pool_timeout"
    if module.startswith("psycopg") and name == "OperationalError":
        text = str(exc).lower()
        if "too many" in text:
            return "too_many_connections"
        return "database_unavailable"
    if module.startswith("redis") and name in {
        "ConnectionError",
        "TimeoutError",
        "BusyLoadingError",
    }:
        return "cache_unavailable"
    if isinstance(exc, (OSError, TimeoutError)) and _through_store(exc.__traceback__):
        return "connection_timeout" if isinstance(exc, TimeoutError) else "connection_refused"
    return None


def unavailable_reason(exc: BaseException) -> str | None:
    """The case (``too_many_connections``, ``database_locked``, ``connection_refused``, ...)
    when ``exc``, or an error it was raised from, means a store is unavailable for now."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        reason = _reason(current)
        if reason:
            return reason
        current = current.__cause__ or current.__context__
    return None


# What a person reads for each case (problem details' ``detail``).
DETAILS = {
    "too_many_connections": "Basis data sedang penuh (terlalu banyak koneksi); coba lagi sebentar.",
    "database_locked": "Basis data sedang sibuk; coba lagi sebentar.",
    "pool_timeout": "Basis data sedang sibuk; coba lagi sebentar.",
    "cache_unavailable": "Layanan penyimpanan sementara tidak tersedia; coba lagi sebentar.",
}
DEFAULT_DETAIL = "Basis data sedang tidak dapat dihubungi; coba lagi sebentar."


def unavailable_detail(reason: str) -> str:
    """The Indonesian sentence for ``reason``."""
    return DETAILS.get(reason, DEFAULT_DETAIL)

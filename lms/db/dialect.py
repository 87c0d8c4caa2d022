"""What differs between the two engines, asked in one place: which engine a table is bound to,
and whether an error is a unique-constraint violation.

Services write one query for both engines where they can; where they cannot (row locks, upserts,
``ILIKE``) they ask ``is_postgres`` with the table they query, which is bound to the app's engine
by ``lms.app.bind_engine``.
"""

from __future__ import annotations

import sqlite3

from piccolo.table import Table


def is_postgres(table: type[Table]) -> bool:
    """True when ``table`` is bound to a PostgreSQL engine (else SQLite)."""
    return table._meta.db.engine_type == "postgres"


def is_unique_violation(exc: BaseException) -> bool:
    """True when ``exc`` is a unique-constraint violation on SQLite or PostgreSQL."""
    if isinstance(exc, sqlite3.IntegrityError):
        return "UNIQUE" in str(exc).upper()
    import asyncpg

    return isinstance(exc, asyncpg.exceptions.UniqueViolationError)

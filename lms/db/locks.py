"""Row and advisory locks that order concurrent writers, on both engines.

SQLite needs none of this: our engine begins every transaction ``IMMEDIATE`` and runs one write
transaction at a time. PostgreSQL runs transactions side by side, so a transaction that reads and
then decides (who gets the last seat, who moves up from the waitlist, whether an agenda slot is
free, the next number of a ledger or a certificate) first takes a lock, which makes the decisions
happen one after the other. Call them first inside the transaction; the lock ends with it.
"""

from __future__ import annotations

from typing import Any

from piccolo.table import Table

from lms.db.dialect import is_postgres


async def lock_row(table: type[Table], row_id: Any) -> bool:
    """Lock one row of ``table`` (``SELECT ... FOR UPDATE``) on PostgreSQL.

    Returns False when PostgreSQL found no such row; True otherwise (on SQLite without looking,
    as the write transaction already runs alone).
    """
    if not is_postgres(table):
        return True
    pk = table._meta.primary_key._meta.db_column_name
    rows = await table.raw(
        f"SELECT {pk} FROM {table._meta.tablename} WHERE {pk} = {{}} FOR UPDATE", row_id
    )
    return bool(rows)


async def advisory_lock(table: type[Table], key: int | str) -> None:
    """A transaction-scoped advisory lock on PostgreSQL for writers that share no row: a fixed
    64-bit ``key``, or a text key (hashed by PostgreSQL). ``table`` only picks the engine."""
    if not is_postgres(table):
        return
    if isinstance(key, int):
        await table.raw("SELECT pg_advisory_xact_lock({})", key)
    else:
        await table.raw("SELECT pg_advisory_xact_lock(hashtextextended({}, 0))", key)

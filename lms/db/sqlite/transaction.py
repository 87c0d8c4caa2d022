"""The two blocks of :class:`~lms.db.sqlite.engine.FastSQLiteEngine` that hold one connection.

Separate from the engine, which hands them out (``engine.transaction()``, ``query.batch()``):
each owns a connection from ``__aenter__`` to ``__aexit__`` instead of going through the engine's
per-statement routing.

* :class:`FastSQLiteTransaction` runs on the engine's writer. Transactions always begin
  ``IMMEDIATE`` (a requested ``DEFERRED`` is upgraded): a deferred transaction that later writes
  fails at once with "database is locked" when another process (a second worker, the CLI) wrote
  in between, whereas ``IMMEDIATE`` waits on ``busy_timeout``. The transaction holds the writer
  lock until it commits or rolls back, so read-only work belongs outside transactions, where it
  runs on the readers in parallel with the writer.
* :class:`FastBatch` streams a query's rows on a connection of its own.
"""

from __future__ import annotations

import sqlite3
from functools import partial
from typing import TYPE_CHECKING, Any

from piccolo.engine.base import BaseBatch
from piccolo.engine.sqlite import SQLiteTransaction, TransactionType
from piccolo.query.base import Query

from lms.db.sqlite.compile import compile_sqlite
from lms.db.sqlite.connections import ThreadConnection, cursor_rows, rollback_if_open

if TYPE_CHECKING:
    from lms.db.sqlite.engine import FastSQLiteEngine

__all__ = ["FastBatch", "FastSQLiteTransaction"]


class FastSQLiteTransaction(SQLiteTransaction):
    """Piccolo's SQLite transaction on the engine's writer connection.

    Same API and nesting rules as ``SQLiteTransaction`` (a nested ``transaction()`` joins the
    outer one, ``allow_nested=False`` raises ``TransactionError``, savepoints work), but it
    holds the engine's writer lock from ``BEGIN IMMEDIATE`` to ``COMMIT``/``ROLLBACK`` instead of
    opening a new connection.
    """

    __slots__ = ()

    engine: FastSQLiteEngine
    connection: ThreadConnection  # type: ignore[assignment]

    async def __aenter__(self) -> FastSQLiteTransaction:
        if self._parent is not None:
            return self._parent  # type: ignore[return-value]
        engine = self.engine
        await engine._writer_lock.acquire(engine._lock_timeout)
        try:
            self.connection = engine._writer
            await self.begin()
        except BaseException:
            self.connection.submit_nowait(rollback_if_open)
            engine._writer_lock.release()
            raise
        self.context = engine.current_transaction.set(self)
        return self

    async def get_connection(self) -> ThreadConnection:  # type: ignore[override]
        return self.engine._writer

    async def begin(self) -> None:
        kind = self.transaction_type
        if kind is TransactionType.deferred:
            kind = TransactionType.immediate
        await self.connection.execute(f"BEGIN {kind.value}")

    async def __aexit__(self, exception_type, exception, traceback) -> bool:
        if self._parent:
            return exception is None
        try:
            if exception:
                if not self._rolled_back:
                    await self.rollback()
            elif not self._committed and not self._rolled_back:
                await self.commit()
        finally:
            self.engine.current_transaction.reset(self.context)
            # If COMMIT failed, or we were cancelled while it ran, make sure the next owner of
            # the writer does not inherit an open transaction (jobs run in order).
            self.connection.submit_nowait(rollback_if_open)
            self.engine._writer_lock.release()
        return exception is None


class FastBatch(BaseBatch):
    """``query.batch()`` on a connection of its own, as Piccolo does, with a cursor kept open.

    Unlike Piccolo 1.38's SQLite batch it compiles ``?`` placeholders (Piccolo's uses ``$1`` and
    fails on any query with arguments) and does not swallow exceptions raised in the block.
    """

    def __init__(self, engine: FastSQLiteEngine, query: Query, batch_size: int) -> None:
        self.query = query
        self.batch_size = batch_size
        self._connection = ThreadConnection(
            partial(engine._open_connection, read_only=False), "prima-sqlite-batch"
        )
        self._cursor: sqlite3.Cursor | None = None

    def _open_cursor(self, connection: sqlite3.Connection, sql: str, args: list[Any]) -> None:
        self._cursor = connection.execute(sql, args)

    def _fetch_many(self, connection: sqlite3.Connection) -> list[dict[str, Any]]:
        assert self._cursor is not None
        return cursor_rows(self._cursor, self._cursor.fetchmany(self.batch_size))

    async def next(self) -> list[dict]:
        rows = await self._connection.run(self._fetch_many)
        return await self.query._process_results(rows)

    def __aiter__(self) -> FastBatch:
        return self

    async def __anext__(self) -> list[dict]:
        response = await self.next()
        if response == []:
            raise StopAsyncIteration()
        return response

    async def __aenter__(self) -> FastBatch:
        sql, args = compile_sqlite(self.query.querystrings[0])
        await self._connection.run(self._open_cursor, sql, args)
        return self

    async def __aexit__(self, exception_type, exception, traceback) -> bool:
        self._cursor = None
        await self._connection.close()
        return False

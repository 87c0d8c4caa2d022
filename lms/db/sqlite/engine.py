"""A Piccolo SQLite engine that keeps its connections open.

Why: Piccolo 1.38's ``SQLiteEngine`` opens a new aiosqlite connection (a new thread, a new file
handle, the schema parsed again) for every query outside a transaction. Measured here a lookup by
unique code answers ~300 queries/s through it, against ~54,000 on one persistent ``sqlite3``
connection; the verification page and quiz autosave cannot pay that.

How ``FastSQLiteEngine`` works (this module routes each statement; the connections, their threads
and the writer lock are in :mod:`lms.db.sqlite.connections`, transactions and batches in
:mod:`lms.db.sqlite.transaction`, the cached query compilation in :mod:`lms.db.sqlite.compile`):

* One **writer** connection runs every write and every transaction, behind an in-process lock so
  that concurrent writer tasks queue instead of failing with "database is locked".
* A few **reader** connections (``PRAGMA query_only``) answer plain ``SELECT`` statements outside
  transactions. WAL lets them read while the writer writes; each statement sees the last
  committed state, never another task's uncommitted rows.
* Each connection lives in its own thread. Reads first run **inline** on the event loop's thread
  and move to a reader thread after ``inline_read_budget_ms`` (default 2 ms) or on a lock.
* Transactions begin ``IMMEDIATE`` and hold the writer lock until they end, so read-only work
  belongs outside transactions, where it runs on the readers in parallel with the writer.

PRAGMAs on every connection: ``busy_timeout`` (default 30 s: other processes may hold the write
lock), ``foreign_keys=ON`` (as Piccolo), ``journal_mode=WAL`` (readers do not block the writer),
``synchronous=NORMAL``, and ``mmap_size`` (default 256 MiB) with a ``cache_size`` of 16 MiB per
connection: a lookup in a table larger than the default 2 MiB page cache otherwise pays a
``pread`` and a page copy per row (the public verification lookup spent about a third of its
time there, docs/BENCHMARKS.md); mapped pages are the OS page cache itself, shared by every
connection and worker, not extra memory per connection.

Durability: in WAL mode a commit has written its pages into the WAL file before ``COMMIT``
returns, so a committed transaction (an autosaved answer) survives a killed or crashed *server
process*; ``NORMAL`` only skips the fsync per commit, so a power loss or OS crash may lose the
last transactions (never corrupt the file). Pass ``synchronous="FULL"`` to pay an fsync per
commit for durability against OS crashes too.

All of Piccolo's type handling is kept: the adapters/converters registered at import of
``piccolo.engine.sqlite`` apply to our connections because they are opened with the same
``detect_types``, and rows are the same dicts ``dict_factory`` would build.
"""

from __future__ import annotations

import asyncio
import os
import re
import sqlite3
import threading
from functools import partial
from typing import TYPE_CHECKING, Any

from piccolo.engine.sqlite import SQLiteEngine, TransactionType
from piccolo.query.base import Query
from piccolo.querystring import QueryString

from lms.db.sqlite.compile import compile_sqlite, qmark_sql
from lms.db.sqlite.connections import InlineReader, ThreadConnection, WriterLock, fetch_rows, noop
from lms.db.sqlite.transaction import FastBatch, FastSQLiteTransaction

if TYPE_CHECKING:
    from piccolo.table import Table

__all__ = ["FastSQLiteEngine"]

# Statements that may be sent to a read-only connection. A ``WITH ... INSERT`` also matches: the
# reader refuses it with SQLITE_READONLY before changing anything and it is retried on the writer.
_READ_STATEMENT = re.compile(r"[\s(]*(?:SELECT|WITH|VALUES)\b", re.IGNORECASE)

_SYNCHRONOUS_LEVELS = frozenset({"OFF", "NORMAL", "FULL", "EXTRA"})

# aiosqlite-only keyword arguments Piccolo users may pass; sqlite3.connect rejects them.
_AIOSQLITE_ONLY_KWARGS = frozenset({"iter_chunk_size", "loop"})

_MEMORY_PATHS = frozenset({":memory:", ""})


def _is_readonly_error(exc: sqlite3.Error) -> bool:
    return getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_READONLY


class FastSQLiteEngine(SQLiteEngine):
    """Piccolo's ``SQLiteEngine`` with persistent connections (see the module docstring).

    Args:
        path: The database file (created if missing, with its parent folder).
        readers: How many read-only connections answer ``SELECT`` outside transactions.
            ``0`` sends every query to the writer and disables inline reads (always the case
            for ``:memory:``, where each connection would see its own empty database).
        busy_timeout_ms: How long a connection waits for another process's lock, and a task for
            the writer connection, before "database is locked".
        synchronous: ``PRAGMA synchronous``; ``NORMAL`` survives process crashes, ``FULL`` also
            OS crashes at one fsync per commit.
        inline_read_budget_ms: How long a read may run on the event loop's thread before it is
            interrupted and run on a reader thread instead; ``0`` sends every read to a thread.
        mmap_size: ``PRAGMA mmap_size`` in bytes (``0`` reads through ``pread`` only).
        cache_size_kib: ``PRAGMA cache_size`` per connection, in KiB.
        log_queries: As Piccolo: print every query.
        log_responses: As Piccolo: print every response.
        **connection_kwargs: Passed to ``sqlite3.connect`` on top of Piccolo's defaults.
    """

    __slots__ = (
        "readers",
        "busy_timeout_ms",
        "synchronous",
        "mmap_size",
        "cache_size_kib",
        "_lock_timeout",
        "_writer",
        "_writer_lock",
        "_readers",
        "_ready",
        "_inline",
        "_inline_budget",
        "inline_reads",
        "offloaded_reads",
    )

    def __init__(
        self,
        path: str = "piccolo.sqlite",
        *,
        readers: int = 4,
        busy_timeout_ms: int = 30_000,
        synchronous: str = "NORMAL",
        inline_read_budget_ms: float = 2.0,
        mmap_size: int = 256 * 1024 * 1024,
        cache_size_kib: int = 16 * 1024,
        log_queries: bool = False,
        log_responses: bool = False,
        **connection_kwargs: Any,
    ) -> None:
        synchronous = synchronous.upper()
        if synchronous not in _SYNCHRONOUS_LEVELS:
            raise ValueError(f"synchronous must be one of {sorted(_SYNCHRONOUS_LEVELS)}")
        if readers < 0:
            raise ValueError("readers must be >= 0")
        if mmap_size < 0 or cache_size_kib < 0:
            raise ValueError("mmap_size and cache_size_kib must be >= 0")
        self.mmap_size = int(mmap_size)
        self.cache_size_kib = int(cache_size_kib)
        self.busy_timeout_ms = int(busy_timeout_ms)
        self.synchronous = synchronous
        self._lock_timeout = self.busy_timeout_ms / 1000
        connection_kwargs.setdefault("timeout", self._lock_timeout)
        super().__init__(
            path=path,
            log_queries=log_queries,
            log_responses=log_responses,
            **connection_kwargs,
        )
        in_memory = str(path) in _MEMORY_PATHS or "mode=memory" in str(path)
        self.readers = 0 if in_memory else readers
        self._writer = ThreadConnection(
            partial(self._open_connection, read_only=False), "prima-sqlite-writer"
        )
        self._writer_lock = WriterLock()
        self._readers = [
            ThreadConnection(partial(self._open_connection, read_only=True), "prima-sqlite-reader")
            for _ in range(self.readers)
        ]
        self._ready = False
        self._inline: InlineReader | None = None
        self._inline_budget = max(0.0, inline_read_budget_ms) / 1000
        # Counters of where reads outside transactions ran (observability, and tests).
        self.inline_reads = 0
        self.offloaded_reads = 0

    # -- connections ---------------------------------------------------------------------------

    def _open_connection(
        self,
        *,
        read_only: bool,
        busy_timeout_ms: int | None = None,
        check_same_thread: bool = True,
    ) -> sqlite3.Connection:
        """Open and configure one connection (in the thread that will use it)."""
        kwargs = {
            key: value
            for key, value in self.connection_kwargs.items()
            if key not in _AIOSQLITE_ONLY_KWARGS
        }
        database = str(kwargs["database"])
        if database not in _MEMORY_PATHS and not database.startswith("file:"):
            parent = os.path.dirname(os.path.abspath(database))
            os.makedirs(parent, exist_ok=True)
        kwargs["check_same_thread"] = check_same_thread
        connection = sqlite3.connect(**kwargs)
        try:
            if busy_timeout_ms is None:
                busy_timeout_ms = self.busy_timeout_ms
            connection.execute(f"PRAGMA busy_timeout = {busy_timeout_ms}")
            if not read_only:
                connection.execute("PRAGMA journal_mode = WAL").fetchall()
            connection.execute(f"PRAGMA synchronous = {self.synchronous}")
            connection.execute("PRAGMA foreign_keys = ON")
            connection.execute(f"PRAGMA mmap_size = {self.mmap_size}").fetchall()
            connection.execute(f"PRAGMA cache_size = -{self.cache_size_kib}")
            if read_only:
                connection.execute("PRAGMA query_only = ON")
        except BaseException:
            connection.close()
            raise
        return connection

    async def open_connections(self) -> None:
        """Open the writer now (creating the file, switching it to WAL) instead of lazily."""
        await self._writer.run(noop)
        self._ready = True

    async def close_connections(self) -> None:
        """Close every connection (call at app shutdown); a later query opens them again.

        Closing the last connection checkpoints the WAL into the database file.
        """
        self._ready = False
        inline, self._inline = self._inline, None
        if inline is not None:
            inline.connection.close()
        for reader in self._readers:
            await reader.close()
        await self._writer.close()

    async def get_connection(self):  # type: ignore[no-untyped-def]
        """A new aiosqlite connection with our PRAGMAs, for code that asks Piccolo for one."""
        connection = await super().get_connection()
        await connection.execute(f"PRAGMA busy_timeout = {self.busy_timeout_ms}")
        await connection.execute(f"PRAGMA synchronous = {self.synchronous}")
        return connection

    # -- queries -------------------------------------------------------------------------------

    def _pk_lookup(self, query_type: str, table: type[Table] | None) -> tuple[str, str] | None:
        if query_type == "insert" and self.get_version_sync() < 3.35:
            assert table is not None
            return (table._meta.primary_key._meta.db_column_name, table._meta.tablename)
        return None

    async def _execute(
        self,
        sql: str,
        args: list[Any] | None = None,
        query_type: str = "generic",
        table: type[Table] | None = None,
    ) -> list[dict[str, Any]]:
        if args is None:
            args = []
        pk_lookup = self._pk_lookup(query_type, table)
        transaction = self.current_transaction.get()
        if transaction is not None:
            return await transaction.connection.run(fetch_rows, sql, args, pk_lookup)

        if self._readers and pk_lookup is None and _READ_STATEMENT.match(sql):
            if not self._ready:
                await self.open_connections()
            try:
                rows = self._read_inline(sql, args)
                if rows is not None:
                    self.inline_reads += 1
                    inline = self._inline
                    if inline is not None and inline.yield_due():
                        await asyncio.sleep(0)  # let other tasks run between back-to-back reads
                    return rows
                self.offloaded_reads += 1
                reader = min(self._readers, key=_pending)
                return await reader.run(fetch_rows, sql, args, None)
            except sqlite3.OperationalError as exc:
                if not _is_readonly_error(exc):
                    raise

        await self._writer_lock.acquire(self._lock_timeout)
        try:
            return await self._writer.run(fetch_rows, sql, args, pk_lookup)
        finally:
            self._writer_lock.release()

    def _read_inline(self, sql: str, args: list[Any]) -> list[dict[str, Any]] | None:
        """Run a read on this thread's inline connection; ``None`` means use a reader thread."""
        if not self._inline_budget:
            return None
        inline = self._inline
        if inline is None or (
            inline.thread is not threading.current_thread() and not inline.thread.is_alive()
        ):
            # The first thread to read owns it; if that thread ended (a run_sync helper), the
            # next reader takes over. check_same_thread is off only so that close_connections()
            # and a takeover may close it from another thread.
            connection = self._open_connection(
                read_only=True, busy_timeout_ms=0, check_same_thread=False
            )
            if inline is not None:
                inline.connection.close()
            inline = self._inline = InlineReader(connection, self._inline_budget)
        elif inline.thread is not threading.current_thread():
            return None  # another live thread's loop (Piccolo's run_sync): use reader threads
        return inline.fetch(sql, args)

    async def run_querystring(self, querystring: QueryString, in_pool: bool = False):
        """Run a Piccolo query: in the task's transaction, on a reader, or on the writer."""
        query_id = self.get_query_id()
        if self.log_queries:
            self.print_query(query_id=query_id, query=querystring.__str__())
        sql, args = compile_sqlite(querystring)
        response = await self._execute(
            sql, args, query_type=querystring.query_type, table=querystring.table
        )
        if self.log_responses:
            self.print_response(query_id=query_id, response=response)
        return response

    async def fetch(self, template: str, *args: Any) -> list[dict[str, Any]]:
        """Run plain SQL with ``{}`` placeholders (as ``Table.raw``) without building a query.

        For the hottest fixed statements: the template's ``?`` form is cached, so a lookup skips
        ``QueryString`` and its compilation (about a tenth of the public verification route).
        """
        if self.log_queries:
            self.print_query(query_id=self.get_query_id(), query=template)
        return await self._execute(qmark_sql(template), list(args))

    async def run_ddl(self, ddl: str, in_pool: bool = False):
        """Run a DDL statement (in the task's transaction if there is one)."""
        query_id = self.get_query_id()
        if self.log_queries:
            self.print_query(query_id=query_id, query=ddl)
        response = await self._execute(ddl)
        if self.log_responses:
            self.print_response(query_id=query_id, response=response)
        return response

    async def batch(  # type: ignore[override]
        self, query: Query, batch_size: int = 100, node: str | None = None
    ) -> FastBatch:
        """Stream a query's rows ``batch_size`` at a time (``node`` is ignored, as Piccolo)."""
        return FastBatch(engine=self, query=query, batch_size=batch_size)

    def transaction(
        self,
        transaction_type: TransactionType = TransactionType.deferred,
        allow_nested: bool = True,
    ) -> FastSQLiteTransaction:
        """A transaction on the writer connection; ``DEFERRED`` is upgraded to ``IMMEDIATE``."""
        return FastSQLiteTransaction(
            engine=self, transaction_type=transaction_type, allow_nested=allow_nested
        )


def _pending(connection: ThreadConnection) -> int:
    return connection.pending

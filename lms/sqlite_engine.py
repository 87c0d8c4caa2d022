"""A Piccolo SQLite engine that keeps its connections open.

Why: Piccolo 1.38's ``SQLiteEngine`` opens a new aiosqlite connection (a new thread, a new file
handle, the schema parsed again) for every query outside a transaction. Measured here a lookup by
unique code answers ~300 queries/s through it, against ~54,000 on one persistent ``sqlite3``
connection; the verification page and quiz autosave cannot pay that.

How ``FastSQLiteEngine`` works:

* One **writer** connection runs every write and every transaction. Writers are serialized by an
  in-process lock, so concurrent writer tasks queue instead of failing with "database is locked".
  The lock works across event loops and threads (Piccolo's ``run_sync`` runs queries on a fresh
  loop in another thread), and a waiter gives up after ``busy_timeout`` like SQLite would.
* A few **reader** connections (``PRAGMA query_only``) answer plain ``SELECT`` statements outside
  transactions. WAL lets them read while the writer writes; each statement sees the last
  committed state, never another task's uncommitted rows.
* Each connection is confined to its own thread (a one-worker executor), so a query costs one
  thread hop instead of aiosqlite's three or four.
* A thread hop still costs ~80 us here against ~8 us for an indexed lookup, so reads first run
  **inline** on the event loop's thread, on one more read-only connection that never waits for a
  lock (``busy_timeout=0``). A progress handler interrupts such a read once it has run for
  ``inline_read_budget_ms`` (default 2 ms) and the read is run again on a reader thread, so a
  heavy report never stalls the loop for longer than the budget. A task chaining inline reads
  yields to the loop once per budget's worth of them, so it cannot starve other requests.
* Transactions always begin ``IMMEDIATE`` (a requested ``DEFERRED`` is upgraded): a deferred
  transaction that later writes fails at once with "database is locked" when another process
  (a second worker, the CLI) wrote in between, whereas ``IMMEDIATE`` waits on ``busy_timeout``.
  The transaction holds the writer lock until it commits or rolls back, so read-only work
  belongs outside transactions, where it runs on the readers in parallel with the writer.
* Query strings are compiled by :func:`compile_sqlite`, a cached equivalent of Piccolo's
  ``compile_string`` that costs a third of it.

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
import functools
import os
import re
import sqlite3
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial
from string import Formatter
from typing import TYPE_CHECKING, Any, TypeVar

from piccolo.engine.base import BaseBatch
from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, TransactionType
from piccolo.query.base import Query
from piccolo.querystring import QueryString

if TYPE_CHECKING:
    from piccolo.table import Table

__all__ = ["FastSQLiteEngine", "FastSQLiteTransaction", "compile_sqlite"]

_T = TypeVar("_T")

# Statements that may be sent to a read-only connection. A ``WITH ... INSERT`` also matches: the
# reader refuses it with SQLITE_READONLY before changing anything and it is retried on the writer.
_READ_STATEMENT = re.compile(r"[\s(]*(?:SELECT|WITH|VALUES)\b", re.IGNORECASE)

_SYNCHRONOUS_LEVELS = frozenset({"OFF", "NORMAL", "FULL", "EXTRA"})

# aiosqlite-only keyword arguments Piccolo users may pass; sqlite3.connect rejects them.
_AIOSQLITE_ONLY_KWARGS = frozenset({"iter_chunk_size", "loop"})

_MEMORY_PATHS = frozenset({":memory:", ""})


@functools.lru_cache(maxsize=4096)
def _template_prefixes(template: str) -> tuple[str, ...]:
    """The literal text before each ``{}`` of a template (Piccolo's own parse, cached)."""
    return tuple(literal for literal, *_ in Formatter().parse(template))


@functools.lru_cache(maxsize=256)
def _qmark_sql(template: str) -> str:
    """A ``{}`` template as SQLite's ``?`` form (``{{``/``}}`` are literal braces)."""
    return "".join(
        literal if field is None else literal + "?"
        for literal, field, *_ in Formatter().parse(template)
    )


def compile_sqlite(querystring: QueryString) -> tuple[str, list[Any]]:
    """``querystring.compile_string("sqlite")``, about three times faster.

    Why: Piccolo builds a ``Fragment`` dataclass per placeholder and re-parses every template on
    every query; that was a fifth of a lookup's cost through this engine. Same walk, same
    output (tests compare both on many queries): templates' literal parts are parsed once and
    cached, nested query strings are inlined, other arguments become ``?`` parameters.
    """
    frozen = querystring._frozen_compiled_strings
    if frozen is not None:
        return frozen
    parts: list[str] = []
    args: list[Any] = []

    def walk(node: QueryString) -> None:
        node_args = node.args
        count = len(node_args)
        for index, prefix in enumerate(_template_prefixes(node.template)):
            parts.append(prefix)
            if index < count:
                value = node_args[index]
                if isinstance(value, QueryString):
                    walk(value)
                else:
                    parts.append("?")
                    args.append(value)

    walk(querystring)
    return "".join(parts), args


def _rows(cursor: sqlite3.Cursor, rows: list[tuple]) -> list[dict[str, Any]]:
    """Turn rows into the dicts Piccolo's ``dict_factory`` builds (later duplicate names win)."""
    if not rows:
        return []
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in rows]


def _fetch(
    connection: sqlite3.Connection,
    sql: str,
    args: list[Any] | tuple[Any, ...],
    pk_lookup: tuple[str, str] | None,
) -> list[dict[str, Any]]:
    """Run one statement and return all its rows, in the connection's thread.

    ``pk_lookup`` is ``(pk column, table name)`` for inserts on SQLite < 3.35, which has no
    ``RETURNING``: the new primary key is read back by ``ROWID`` as Piccolo does.
    """
    cursor = connection.execute(sql, args)
    try:
        rows = cursor.fetchall()
        if pk_lookup is not None:
            pk_column, tablename = pk_lookup
            cursor.execute(f"SELECT {pk_column} FROM {tablename} WHERE ROWID = {cursor.lastrowid}")
            return [{pk_column: cursor.fetchone()[0]}]
        return _rows(cursor, rows)
    finally:
        cursor.close()


def _rollback_if_open(connection: sqlite3.Connection) -> None:
    """Leave no transaction open on the writer after its owner let go of the lock."""
    if connection.in_transaction:
        connection.execute("ROLLBACK")


def _noop(connection: sqlite3.Connection) -> None:
    """Used to open a connection (and so apply its PRAGMAs) ahead of the first query."""


def _is_readonly_error(exc: sqlite3.Error) -> bool:
    return getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_READONLY


# Errors after which an inline read is retried on a reader thread: over budget, or a lock the
# inline connection must not wait for (it has busy_timeout=0).
_RETRY_ON_THREAD = frozenset({sqlite3.SQLITE_INTERRUPT, sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED})


class _InlineReader:
    """The read-only connection used directly on one event loop thread.

    Only the thread that opened it uses it, and only between two awaits, so no two tasks ever
    share it at the same time.
    """

    __slots__ = ("connection", "thread", "deadline", "budget", "last_yield")

    def __init__(self, connection: sqlite3.Connection, budget: float) -> None:
        self.connection = connection
        self.thread = threading.current_thread()
        self.budget = budget
        self.deadline = 0.0
        self.last_yield = time.perf_counter()
        connection.set_progress_handler(self._over_budget, 1000)

    def yield_due(self) -> bool:
        """True when inline reads have run for a budget's worth since the loop last had a turn.

        Approximate on purpose: the loop also gets turns at every other await, which this does
        not see; it only bounds a chain of back-to-back inline reads.
        """
        now = time.perf_counter()
        if now - self.last_yield > self.budget:
            self.last_yield = now
            return True
        return False

    def _over_budget(self) -> bool:
        return time.perf_counter() > self.deadline

    def fetch(self, sql: str, args: list[Any]) -> list[dict[str, Any]] | None:
        """Rows of a read, or ``None`` when it must be run again on a reader thread."""
        self.deadline = time.perf_counter() + self.budget
        try:
            return _fetch(self.connection, sql, args, None)
        except sqlite3.OperationalError as exc:
            if getattr(exc, "sqlite_errorcode", None) in _RETRY_ON_THREAD:
                return None
            raise


class _Worker:
    """A thread owning one ``sqlite3`` connection, opened lazily in that thread."""

    __slots__ = ("_connect", "_connection", "executor")

    def __init__(self, connect: Callable[[], sqlite3.Connection], name: str) -> None:
        self._connect = connect
        self._connection: sqlite3.Connection | None = None
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)

    def call(self, fn: Callable[..., _T], *args: Any) -> _T:
        connection = self._connection
        if connection is None:
            connection = self._connection = self._connect()
        return fn(connection, *args)

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


def _deliver(future: asyncio.Future[Any], done: Future[Any]) -> None:
    """Copy a finished job's outcome into the awaiting asyncio future, on its loop."""
    if future.cancelled():
        return
    if done.cancelled():
        future.cancel()
        return
    exception = done.exception()
    if exception is not None:
        future.set_exception(exception)
    else:
        future.set_result(done.result())


class ThreadConnection:
    """An ``sqlite3`` connection used from asyncio through its own thread.

    Jobs run in submission order and are never cancelled once submitted: a cancelled caller stops
    waiting, but its ``COMMIT`` or ``ROLLBACK`` still runs before anything submitted later. That
    ordering is what keeps the writer consistent when request tasks are cancelled.
    """

    __slots__ = ("_connect", "_name", "_worker", "_guard", "pending")

    def __init__(self, connect: Callable[[], sqlite3.Connection], name: str) -> None:
        self._connect = connect
        self._name = name
        self._worker: _Worker | None = None
        self._guard = threading.Lock()
        self.pending = 0  # jobs submitted and not yet delivered; used to pick a reader

    def _current_worker(self) -> _Worker:
        worker = self._worker
        if worker is None:
            with self._guard:
                if self._worker is None:
                    self._worker = _Worker(self._connect, self._name)
                worker = self._worker
        return worker

    async def run(self, fn: Callable[..., _T], *args: Any) -> _T:
        """Run ``fn(connection, *args)`` in the connection's thread and return its result."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[_T] = loop.create_future()
        worker = self._current_worker()

        def on_done(done: Future[_T]) -> None:
            try:
                loop.call_soon_threadsafe(_deliver, future, done)
            except RuntimeError:  # the caller's loop is closed: nobody is waiting any more
                pass

        self.pending += 1
        try:
            worker.executor.submit(worker.call, fn, *args).add_done_callback(on_done)
            return await future
        finally:
            self.pending -= 1

    def submit_nowait(self, fn: Callable[[sqlite3.Connection], Any]) -> None:
        """Queue ``fn`` behind the jobs already submitted, without waiting for it."""
        worker = self._current_worker()
        worker.executor.submit(worker.call, fn)

    async def execute(self, sql: str, args: list[Any] | tuple[Any, ...] = ()) -> list[dict]:
        """Run one statement; the aiosqlite-like call Piccolo's ``Savepoint`` makes."""
        return await self.run(_fetch, sql, args, None)

    async def close(self) -> None:
        """Close the connection after the jobs already queued; a later job reopens it."""
        with self._guard:
            worker, self._worker = self._worker, None
        if worker is None:
            return
        done = worker.executor.submit(worker.close)
        worker.executor.shutdown(wait=False)
        await asyncio.wrap_future(done)


class _WriterLock:
    """A FIFO lock that tasks on any event loop, in any thread, can await.

    ``asyncio.Lock`` is bound to one loop, but the same engine is used from the app's loop and
    from the fresh loops Piccolo's ``run_sync`` starts in other threads. Ownership is handed
    directly to the next waiter, so a writer cannot be starved.
    """

    __slots__ = ("_mutex", "_held", "_waiters")

    def __init__(self) -> None:
        self._mutex = threading.Lock()
        self._held = False
        self._waiters: deque[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]] = deque()

    async def acquire(self, timeout: float | None) -> None:
        """Wait for the lock; after ``timeout`` seconds raise "database is locked" like SQLite."""
        with self._mutex:
            if not self._held:
                self._held = True
                return
            loop = asyncio.get_running_loop()
            waiter = (loop, loop.create_future())
            self._waiters.append(waiter)
        future = waiter[1]
        try:
            async with asyncio.timeout(timeout):
                await future
        except BaseException as exc:
            with self._mutex:
                queued = waiter in self._waiters
                if queued:
                    self._waiters.remove(waiter)
            # Not queued any more: release() picked us. If our future was cancelled, _grant sees
            # that and passes the lock on; if it already got its result, we own the lock.
            if not queued and not future.cancelled():
                self.release()
            if isinstance(exc, TimeoutError):
                raise sqlite3.OperationalError(
                    f"database is locked (waited {timeout} s for the writer connection)"
                ) from None
            raise

    def release(self) -> None:
        with self._mutex:
            while self._waiters:
                loop, future = self._waiters.popleft()
                try:
                    loop.call_soon_threadsafe(self._grant, future)
                except RuntimeError:  # that waiter's loop is closed
                    continue
                return
            self._held = False

    def _grant(self, future: asyncio.Future[None]) -> None:
        if future.done():  # the waiter gave up meanwhile
            self.release()
        else:
            future.set_result(None)


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
            self.connection.submit_nowait(_rollback_if_open)
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
            self.connection.submit_nowait(_rollback_if_open)
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
        return _rows(self._cursor, self._cursor.fetchmany(self.batch_size))

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
        self._writer_lock = _WriterLock()
        self._readers = [
            ThreadConnection(partial(self._open_connection, read_only=True), "prima-sqlite-reader")
            for _ in range(self.readers)
        ]
        self._ready = False
        self._inline: _InlineReader | None = None
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
        await self._writer.run(_noop)
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
            return await transaction.connection.run(_fetch, sql, args, pk_lookup)

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
                return await reader.run(_fetch, sql, args, None)
            except sqlite3.OperationalError as exc:
                if not _is_readonly_error(exc):
                    raise

        await self._writer_lock.acquire(self._lock_timeout)
        try:
            return await self._writer.run(_fetch, sql, args, pk_lookup)
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
            inline = self._inline = _InlineReader(connection, self._inline_budget)
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
        return await self._execute(_qmark_sql(template), list(args))

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

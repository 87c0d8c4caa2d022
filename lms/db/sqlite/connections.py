"""The ``sqlite3`` connections behind :class:`~lms.db.sqlite.engine.FastSQLiteEngine`.

Separate from the engine, which decides *where* a statement runs (see :mod:`lms.db.sqlite.engine`):
this module holds *how* a statement runs on one connection, safely from asyncio.

* :class:`ThreadConnection`: each connection is confined to its own thread (a one-worker
  executor), so a query costs one thread hop instead of aiosqlite's three or four.
* :class:`InlineReader`: a thread hop still costs ~80 us here against ~8 us for an indexed
  lookup, so reads first run **inline** on the event loop's thread, on one more read-only
  connection that never waits for a lock (``busy_timeout=0``). A progress handler interrupts such
  a read once it has run for ``inline_read_budget_ms`` (default 2 ms) and the read is run again on
  a reader thread, so a heavy report never stalls the loop for longer than the budget. A task
  chaining inline reads yields to the loop once per budget's worth of them, so it cannot starve
  other requests.
* :class:`WriterLock`: writers are serialized by an in-process lock, so concurrent writer tasks
  queue instead of failing with "database is locked". The lock works across event loops and
  threads (Piccolo's ``run_sync`` runs queries on a fresh loop in another thread), and a waiter
  gives up after ``busy_timeout`` like SQLite would.
* :func:`fetch_rows` and :func:`cursor_rows`: rows are the same dicts Piccolo's
  ``dict_factory`` builds.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

__all__ = ["ThreadConnection"]

_T = TypeVar("_T")


def cursor_rows(cursor: sqlite3.Cursor, rows: list[tuple]) -> list[dict[str, Any]]:
    """Turn rows into the dicts Piccolo's ``dict_factory`` builds (later duplicate names win)."""
    if not rows:
        return []
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in rows]


def fetch_rows(
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
        return cursor_rows(cursor, rows)
    finally:
        cursor.close()


def rollback_if_open(connection: sqlite3.Connection) -> None:
    """Leave no transaction open on the writer after its owner let go of the lock."""
    if connection.in_transaction:
        connection.execute("ROLLBACK")


def noop(connection: sqlite3.Connection) -> None:
    """Used to open a connection (and so apply its PRAGMAs) ahead of the first query."""


# Errors after which an inline read is retried on a reader thread: over budget, or a lock the
# inline connection must not wait for (it has busy_timeout=0).
_RETRY_ON_THREAD = frozenset({sqlite3.SQLITE_INTERRUPT, sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED})


class InlineReader:
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
            return fetch_rows(self.connection, sql, args, None)
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
        return await self.run(fetch_rows, sql, args, None)

    async def close(self) -> None:
        """Close the connection after the jobs already queued; a later job reopens it."""
        with self._guard:
            worker, self._worker = self._worker, None
        if worker is None:
            return
        done = worker.executor.submit(worker.close)
        worker.executor.shutdown(wait=False)
        await asyncio.wrap_future(done)


class WriterLock:
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

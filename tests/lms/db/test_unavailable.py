"""A database that cannot take a request now is a 503 with ``Retry-After`` and an Indonesian
problem, never a 500; readiness says why.

Each test points every table at an engine of its own for the length of one request (a
PostgreSQL server refusing the connection, a PostgreSQL role over its connection limit, a
SQLite file whose lock another connection holds), then points them back: the suite's shared
engine is never touched.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from lms.app import all_tables
from lms.db import FastSQLiteEngine, make_engine
from lms.db.unavailable import unavailable_reason

CODE = "ABCDEFGHJKLMNPQR"


@contextmanager
def tables_on(engine: Any) -> Iterator[None]:
    """Every table bound to ``engine`` inside the block, to the suite's engine again after."""
    tables = all_tables()
    saved = [table._meta.db for table in tables]
    for table in tables:
        table._meta.db = engine
    try:
        yield
    finally:
        for table, db in zip(tables, saved, strict=True):
            table._meta.db = db


def postgres_engine(url: str) -> Any:
    """A PostgreSQL engine without a pool (Piccolo asks the server's version when it builds
    one, and only warns when the server refuses)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return make_engine(url, pool=False)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def assert_unavailable(answer: Any, reason: str) -> None:
    assert answer.status_code == 503, answer.text
    assert answer.headers["retry-after"] == "5"
    assert answer.headers["content-type"].startswith("application/problem+json")
    body = answer.json()
    assert body["status"] == 503
    assert body["type"].endswith("/unavailable")
    assert body["title"] == "Layanan tidak tersedia"
    assert "coba lagi" in body["detail"]
    assert body["reason"] == reason


def test_reasons_name_store_errors_and_nothing_else():
    assert unavailable_reason(sqlite3.OperationalError("database is locked")) == "database_locked"
    assert unavailable_reason(sqlite3.OperationalError("no such table: x")) is None
    assert unavailable_reason(ValueError("database is locked")) is None
    # A refused connection counts only when it comes through a database or Redis client.
    assert unavailable_reason(ConnectionRefusedError(111, "refused")) is None
    try:
        raise RuntimeError("wrapped") from sqlite3.OperationalError("database is locked")
    except RuntimeError as exc:
        assert unavailable_reason(exc) == "database_locked"


async def test_refused_postgres_connection_is_503(app, client):
    engine = postgres_engine(f"postgresql://postgres@127.0.0.1:{closed_port()}/prima_webtier_none")
    with tables_on(engine):
        verify = await client.get(f"/api/v1/verify/{CODE}")
        ready = await client.get("/health")
    assert_unavailable(verify, "connection_refused")
    assert verify.json()["detail"] == (
        "Basis data sedang tidak dapat dihubungi; coba lagi sebentar."
    )
    assert ready.status_code == 503
    assert ready.headers["retry-after"] == "5"
    assert ready.json()["reason"] == "connection_refused"
    assert ready.json()["database"] == "unavailable"


@pytest.mark.postgres_only
async def test_too_many_postgres_connections_is_503(app, client):
    """A role allowed no connection gets the server's own "too many connections" (53300), as
    every role does once ``max_connections`` is used up."""
    import asyncpg

    url = os.environ["LMS_TEST_DATABASE_URL"]
    base, database = url.rsplit("/", 1)
    admin = await asyncpg.connect(url)
    await admin.execute("DROP ROLE IF EXISTS prima_webtier_full")
    await admin.execute("CREATE ROLE prima_webtier_full LOGIN")
    full = base.replace("postgres@", "prima_webtier_full@", 1) + "/" + database
    engine = postgres_engine(full)
    await admin.execute("ALTER ROLE prima_webtier_full CONNECTION LIMIT 0")
    try:
        with tables_on(engine):
            verify = await client.get(f"/api/v1/verify/{CODE}")
            ready = await client.get("/health")
            login = await client.post(
                "/api/v1/auth/login", json={"username": "admin", "password": "rahasia-sekali"}
            )
    finally:
        await admin.execute("DROP ROLE prima_webtier_full")
        await admin.close()
    assert_unavailable(verify, "too_many_connections")
    assert verify.json()["detail"] == (
        "Basis data sedang penuh (terlalu banyak koneksi); coba lagi sebentar."
    )
    assert_unavailable(login, "too_many_connections")
    assert ready.status_code == 503
    assert ready.json()["reason"] == "too_many_connections"


@pytest.mark.postgres_only
async def test_readiness_reports_the_pool(app, client):
    ready = await client.get("/health")
    assert ready.status_code == 200
    pool = ready.json()["pool"]
    assert pool["max"] >= pool["size"] >= pool["idle"] >= 0


async def test_sqlite_lock_held_too_long_is_503(app, client, tmp_path: Path):
    """Another process holds the file's lock past ``busy_timeout``: "database is locked"."""
    path = tmp_path / "locked.sqlite3"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    holder.execute('CREATE TABLE "certificate" (id integer)')
    engine = FastSQLiteEngine(path=str(path), busy_timeout_ms=50)  # type: ignore[arg-type]
    try:
        with tables_on(engine):
            verify = await client.get(f"/api/v1/verify/{CODE}")
            ready = await client.get("/health")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        await engine.close_connections()
    assert_unavailable(verify, "database_locked")
    assert verify.json()["detail"] == "Basis data sedang sibuk; coba lagi sebentar."
    assert ready.status_code == 503
    assert ready.json()["reason"] == "database_locked"

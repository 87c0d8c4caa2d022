"""Test setup: choose the database *before* anything imports tables, migrate it forwards
once per run (this tests the migrations), empty every table after each test.

The engine comes from ``LMS_TEST_DATABASE_URL`` (PostgreSQL) or a temp-file SQLite. The app
runs on the test's own event loop through ``httpx.ASGITransport`` inside its lifespan, so the
database engine and the tests share one loop.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

_TMP = Path(tempfile.mkdtemp(prefix="prima-test-"))
_PG_URL = os.environ.get("LMS_TEST_DATABASE_URL", "")
os.environ["LMS_DATABASE_URL"] = _PG_URL or f"sqlite:///{_TMP / 'test.sqlite3'}"
os.environ["LMS_DATA_DIR"] = str(_TMP / "data")
os.environ["LMS_SECRET_KEY"] = "test-secret-key-not-for-production-0123456789"
os.environ["LMS_PUBLIC_BASE_URL"] = "https://prima.test"
os.environ.setdefault("LMS_LOGIN_RATE_PER_MINUTE", "5")
os.environ.setdefault("LMS_VERIFY_RATE_PER_MINUTE", "100000")
os.environ.setdefault("LMS_RENDER_WORKERS", "2")
os.environ.pop("LMS_REDIS_URL", None)
# No cron ticks while the suite runs; tests/lms/jobs/test_scheduled.py runs them on purpose.
os.environ["LMS_SCHEDULER"] = "false"
if _PG_URL:  # a pool on the session's event loop: no new connection per query
    os.environ["LMS_DB_POOL"] = "true"
    os.environ.setdefault("LMS_DB_POOL_SIZE", "20")

import httpx  # noqa: E402
import pytest  # noqa: E402

IS_POSTGRES = bool(_PG_URL)
SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
if not SHARED_DATA.is_dir():  # CI clones main with shared/ beside it
    SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def _reset_postgres(url: str) -> None:
    """Create the test database if missing and empty its public schema."""
    import asyncpg

    async def run() -> None:
        dbname = url.rsplit("/", 1)[-1].split("?")[0]
        try:
            conn = await asyncpg.connect(url)
        except asyncpg.InvalidCatalogNameError:
            admin = await asyncpg.connect(url.rsplit("/", 1)[0] + "/postgres")
            await admin.execute(f'CREATE DATABASE "{dbname}"')
            await admin.close()
            conn = await asyncpg.connect(url)
        await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
        await conn.close()

    asyncio.run(run())


if IS_POSTGRES:
    _reset_postgres(_PG_URL)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip engine-specific tests on the other engine."""
    for item in items:
        if "postgres_only" in item.keywords and not IS_POSTGRES:
            item.add_marker(pytest.mark.skip(reason="PostgreSQL only"))
        if "sqlite_only" in item.keywords and IS_POSTGRES:
            item.add_marker(pytest.mark.skip(reason="SQLite only"))
        if "own_server" in item.keywords and IS_POSTGRES:
            # The server it starts has its own SQLite database whatever the suite's engine is:
            # the PostgreSQL pass would run the same thing again (~2 minutes of the suite).
            item.add_marker(pytest.mark.skip(reason="own server on SQLite: ran in the SQLite pass"))


def pytest_report_header(config: pytest.Config) -> str:
    return f"prima database: {'postgresql' if IS_POSTGRES else 'sqlite'}"


@pytest.fixture(scope="session")
async def app():
    """The app, migrated database, inside its lifespan (startup and shutdown run once)."""
    from piccolo.apps.migrations.commands.forwards import run_forwards

    from lms.app import create_app

    result = await run_forwards("all")
    application = create_app()
    assert result.success, result.message
    # The startup/shutdown hooks are called directly: Litestar's ``lifespan()`` enters an anyio
    # task group that pytest-asyncio would exit from another task.
    for hook in application.on_startup:
        await hook(application)
    yield application
    for hook in application.on_shutdown:
        await hook(application)


@pytest.fixture(autouse=True)
async def _clean_tables(request: pytest.FixtureRequest) -> AsyncIterator[None]:
    """Empty every table after each test that used the database (children first)."""
    yield
    if "app" not in request.fixturenames:
        return
    from piccolo.table import sort_table_classes

    from lms.app import all_tables
    from lms.jobs.runner import wait_for_jobs

    await wait_for_jobs(120)
    # Rate-limit counts belong to one test: the app (and its in-memory counters) is shared.
    counters = request.getfixturevalue("app").state.get("rate_counters")
    if counters is not None and hasattr(counters, "counts"):
        counters.counts.clear()
    tables = list(reversed(sort_table_classes(all_tables())))
    if IS_POSTGRES:
        # One round trip of DELETEs (children first): ~15 ms, where TRUNCATE of every table
        # costs ~1 s per test on PostgreSQL.
        sql = " ".join(f'DELETE FROM "{t._meta.tablename}";' for t in tables)
        engine = tables[0]._meta.db
        async with engine.pool.acquire() as connection:  # plain execute: several statements
            await connection.execute(sql)
    else:
        for table in tables:
            await table.delete(force=True)


@pytest.fixture
async def client(app) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client talking to the app in-process."""
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


from tests.factories import *  # noqa: E402,F401,F403

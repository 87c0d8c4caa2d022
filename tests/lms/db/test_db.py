"""The database engines: FastSQLiteEngine keeps Piccolo's behaviour with open connections.

Every test builds its own engine on a temporary file and its own tables bound to it, so nothing
here depends on the app's ``piccolo_conf`` or on the shared test database.
"""

from __future__ import annotations

import asyncio
import datetime
import decimal
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import textwrap
import types
import uuid
import warnings
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns import (
    JSON,
    UUID,
    Array,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    Timestamptz,
    Varchar,
)
from piccolo.engine.exceptions import TransactionError
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine
from piccolo.table import Table

from lms.db import (
    FastSQLiteEngine,
    LmsPostgresEngine,
    make_engine,
    sqlite_path_from_url,
    start_engine,
    stop_engine,
)
from lms.db.sqlite.compile import compile_sqlite

REPO_ROOT = Path(__file__).resolve().parents[3]
WIB = ZoneInfo("Asia/Jakarta")
UTC = datetime.UTC
CONCERT_ID = uuid.UUID("6f1c2a4e-3b5d-4c7e-9f80-1a2b3c4d5e6f")


def make_tables(engine) -> tuple[type[Table], type[Table], type[Table]]:
    """Fresh Piccolo tables bound to ``engine`` (one set per engine, same table names)."""

    class Venue(Table, tablename="venue", db=engine):
        name = Varchar(length=50)

    class Concert(Table, tablename="concert", db=engine):
        id = UUID(primary_key=True)
        venue = ForeignKey(Venue)
        starts_at = Timestamptz()
        opens_on = Date()
        price = Numeric(digits=(8, 2))
        sold_out = Boolean(default=False)
        details = JSON()
        tags = Array(Varchar())

    class Counter(Table, tablename="counter", db=engine):
        value = Integer(default=0)

    return Venue, Concert, Counter


@pytest.fixture
def db_path(tmp_path: Path) -> str:
    return str(tmp_path / "prima.sqlite3")


@pytest.fixture
async def engine(db_path: str) -> AsyncIterator[FastSQLiteEngine]:
    engine = FastSQLiteEngine(path=db_path)
    yield engine
    await engine.close_connections()


@pytest.fixture
async def tables(engine: FastSQLiteEngine) -> tuple[type[Table], type[Table], type[Table]]:
    venue, concert, counter = make_tables(engine)
    for table in (venue, concert, counter):
        await table.create_table()
    await counter.insert(counter(value=0))
    return venue, concert, counter


def concert_row(venue_id: int, **changes) -> dict:
    row = {
        "id": CONCERT_ID,
        "venue": venue_id,
        "starts_at": datetime.datetime(2026, 3, 2, 8, 30, tzinfo=WIB),
        "opens_on": datetime.date(2026, 3, 2),
        "price": decimal.Decimal("12.50"),
        "sold_out": True,
        "details": {"hall": "Aula Bupati", "seats": 120},
        "tags": ["pelayanan", "prima"],
    }
    row.update(changes)
    return row


async def test_round_trips_match_piccolos_own_sqlite_engine(tables, db_path):
    Venue, Concert, _ = tables
    PVenue, PConcert, _ = make_tables(SQLiteEngine(path=db_path))

    ours = await Venue.insert(Venue(name="Aula")).returning(Venue.id)
    theirs = await PVenue.insert(PVenue(name="Pendopo")).returning(PVenue.id)
    await Concert.insert(Concert(**concert_row(ours[0]["id"])))
    other_id = uuid.UUID("00000000-0000-4000-8000-000000000002")
    await PConcert.insert(PConcert(**concert_row(theirs[0]["id"], id=other_id, sold_out=False)))

    read_by_us = await Concert.select().order_by(Concert.venue)
    read_by_piccolo = await PConcert.select().order_by(PConcert.venue)

    assert read_by_us == read_by_piccolo
    # JSON comes back as the stored text (its spacing depends on whether orjson is installed).
    assert json.loads(read_by_us[0].pop("details")) == {"hall": "Aula Bupati", "seats": 120}
    assert read_by_us[0] == {
        "id": CONCERT_ID,
        "venue": 1,
        "starts_at": datetime.datetime(2026, 3, 2, 1, 30, tzinfo=UTC),
        "opens_on": datetime.date(2026, 3, 2),
        "price": decimal.Decimal("12.5"),
        "sold_out": True,
        "tags": ["pelayanan", "prima"],
    }
    assert read_by_us[1]["id"] == other_id
    assert read_by_us[1]["sold_out"] is False
    loaded = await Concert.select(Concert.details).output(load_json=True).first()
    assert loaded == {"details": {"hall": "Aula Bupati", "seats": 120}}


async def test_objects_returning_and_foreign_key_joins(tables):
    Venue, Concert, _ = tables
    venue = Venue(name="Aula")
    await venue.save()
    await Concert.insert(Concert(**concert_row(venue.id)))

    concert = await Concert.objects(Concert.venue).get(Concert.id == CONCERT_ID)
    assert concert.venue.name == "Aula"
    assert concert.price == decimal.Decimal("12.5")

    concert.price = decimal.Decimal("15.25")
    await concert.save()
    changed = (
        await Concert.update({Concert.sold_out: False})
        .where(Concert.id == CONCERT_ID)
        .returning(Concert.price, Concert.sold_out)
    )
    assert changed == [{"price": decimal.Decimal("15.25"), "sold_out": False}]
    assert await Concert.select(Concert.venue.name).first() == {"venue.name": "Aula"}
    assert await Venue.table_exists() is True
    assert await Concert.count() == 1


def test_fast_compile_matches_piccolos_compile_string(engine):
    Venue, Concert, Counter = make_tables(engine)
    venue = Venue(name="Aula")
    queries = [
        Concert.select(Concert.venue.name, Concert.price)
        .where(
            (Concert.price > decimal.Decimal("10"))
            & (Concert.venue.name.like("Au%") | Concert.tags.any("prima"))
            & Concert.id.is_in([CONCERT_ID, uuid.uuid4()])
        )
        .order_by(Concert.starts_at, ascending=False)
        .limit(5)
        .offset(10),
        Concert.select().where(Concert.details.is_null()).first(),
        Concert.objects(Concert.venue).where(Concert.sold_out == True),  # noqa: E712
        Concert.count().where(Concert.opens_on >= datetime.date(2026, 1, 1)),
        Concert.exists().where(Concert.venue == 3),
        Concert.insert(Concert(**concert_row(1)), Concert(**concert_row(2, id=uuid.uuid4()))),
        Counter.update({Counter.value: Counter.value + 1})
        .where(Counter.value < 5)
        .returning(Counter.id),
        Concert.update({Concert.price: decimal.Decimal("9.99")}).where(Concert.venue == 1),
        Concert.delete().where(Concert.venue.name == "it's {not} a placeholder"),
        Counter.raw("SELECT {} + {} AS total, '{{literal}}' AS braces", 1, 2),
        Venue.insert(venue),
        Venue.select(Venue.name.as_alias("label")).where(Venue.name.like("%a%")),
    ]
    compiled = 0
    for query in queries:
        for querystring in query.querystrings:
            assert compile_sqlite(querystring) == querystring.compile_string("sqlite")
            compiled += 1
    assert compiled >= len(queries)


async def test_foreign_keys_are_enforced(tables):
    _, Concert, _ = tables
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY constraint failed"):
        await Concert.insert(Concert(**concert_row(404)))
    assert await Concert.count() == 0


async def test_connections_use_wal_busy_timeout_and_normal_sync(engine, db_path):
    async with engine.transaction() as transaction:
        pragmas = {
            name: (await transaction.connection.execute(f"PRAGMA {name}"))[0]
            for name in (
                "journal_mode",
                "busy_timeout",
                "foreign_keys",
                "synchronous",
                "mmap_size",
                "cache_size",
            )
        }
    assert pragmas == {
        "journal_mode": {"journal_mode": "wal"},
        "busy_timeout": {"timeout": 30000},
        "foreign_keys": {"foreign_keys": 1},
        "synchronous": {"synchronous": 1},
        "mmap_size": {"mmap_size": 256 * 1024 * 1024},
        "cache_size": {"cache_size": -16 * 1024},
    }
    with sqlite3.connect(db_path) as plain:
        assert plain.execute("PRAGMA journal_mode").fetchone() == ("wal",)


async def test_fifty_concurrent_read_modify_write_transactions_all_count(tables):
    _, _, Counter = tables
    engine = Counter._meta.db

    async def bump() -> None:
        async with engine.transaction():
            row = await Counter.select(Counter.value).where(Counter.id == 1).first()
            await asyncio.sleep(0)  # let the other 49 tasks try to get in between
            await Counter.update({Counter.value: row["value"] + 1}).where(Counter.id == 1)

    await asyncio.gather(*(bump() for _ in range(50)))

    assert await Counter.select(Counter.value).first() == {"value": 50}


async def test_two_engines_on_one_file_queue_like_two_worker_processes(tables, db_path):
    _, _, Counter = tables
    second = FastSQLiteEngine(path=db_path)
    _, _, SecondCounter = make_tables(second)

    async def bump(table: type[Table]) -> None:
        async with table._meta.db.transaction():
            row = await table.select(table.value).where(table.id == 1).first()
            await asyncio.sleep(0)
            await table.update({table.value: row["value"] + 1}).where(table.id == 1)

    try:
        await asyncio.gather(*(bump(t) for _ in range(25) for t in (Counter, SecondCounter)))
    finally:
        await second.close_connections()

    assert await Counter.select(Counter.value).first() == {"value": 50}


async def test_a_transaction_that_raises_rolls_back_and_frees_the_writer(tables):
    Venue, _, _ = tables
    with pytest.raises(ValueError, match="boom"):
        async with Venue._meta.db.transaction():
            await Venue.insert(Venue(name="never"))
            raise ValueError("boom")

    await Venue.insert(Venue(name="after"))
    assert await Venue.select(Venue.name) == [{"name": "after"}]


async def test_nested_transactions_join_the_outer_one_as_in_piccolo(tables):
    Venue, _, _ = tables
    engine = Venue._meta.db

    async with engine.transaction() as outer:
        async with engine.transaction() as inner:
            assert inner is outer
            await Venue.insert(Venue(name="inner"))
        with pytest.raises(TransactionError):
            engine.transaction(allow_nested=False)
    assert await Venue.select(Venue.name) == [{"name": "inner"}]

    with pytest.raises(KeyError):
        async with engine.transaction():
            await Venue.insert(Venue(name="outer"))
            async with engine.transaction():
                raise KeyError("inner failure reaches the outer block")
    assert await Venue.count() == 1


async def test_savepoint_rolls_back_only_its_part(tables):
    Venue, _, _ = tables
    async with Venue._meta.db.transaction() as transaction:
        await Venue.insert(Venue(name="kept"))
        savepoint = await transaction.savepoint()
        await Venue.insert(Venue(name="undone"))
        await savepoint.rollback_to()
    assert await Venue.select(Venue.name) == [{"name": "kept"}]


async def test_atomic_runs_all_or_nothing(tables):
    Venue, Concert, _ = tables
    engine = Venue._meta.db
    atomic = engine.atomic()
    atomic.add(Venue.insert(Venue(name="A")), Venue.insert(Venue(name="B")))
    await atomic.run()
    assert await Venue.count() == 2

    failing = engine.atomic()
    failing.add(Venue.insert(Venue(name="C")), Concert.insert(Concert(**concert_row(404))))
    with pytest.raises(sqlite3.IntegrityError):
        await failing.run()
    assert await Venue.count() == 2


async def test_readers_see_only_committed_rows_while_a_write_is_open(tables):
    Venue, _, _ = tables
    inserted = asyncio.Event()
    looked = asyncio.Event()
    seen: list[list[dict]] = []

    async def writer() -> None:
        async with Venue._meta.db.transaction():
            await Venue.insert(Venue(name="pending"))
            inserted.set()
            await looked.wait()  # commit only after the reader has looked

    async def reader() -> None:
        await inserted.wait()
        seen.append(await Venue.select(Venue.name))
        looked.set()

    await asyncio.wait_for(asyncio.gather(writer(), reader()), timeout=30)

    assert seen == [[]]
    assert await Venue.select(Venue.name) == [{"name": "pending"}]


async def test_a_transaction_belongs_to_its_task_only(tables):
    Venue, _, _ = tables
    began = asyncio.Event()

    async def failing_transaction() -> None:
        async with Venue._meta.db.transaction():
            await Venue.insert(Venue(name="rolled back"))
            began.set()
            await asyncio.sleep(0)
            raise RuntimeError("abort")

    async def outside_write() -> None:
        await began.wait()
        await Venue.insert(Venue(name="own write"))  # waits for the writer, then commits alone

    results = await asyncio.gather(failing_transaction(), outside_write(), return_exceptions=True)

    assert isinstance(results[0], RuntimeError)
    assert results[1] is None
    assert await Venue.select(Venue.name) == [{"name": "own write"}]


async def test_cancelling_a_task_mid_transaction_rolls_back_and_frees_the_writer(tables):
    Venue, _, _ = tables
    inserted = asyncio.Event()

    async def stuck() -> None:
        async with Venue._meta.db.transaction():
            await Venue.insert(Venue(name="cancelled"))
            inserted.set()
            await asyncio.Event().wait()

    task = asyncio.create_task(stuck())
    await inserted.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    await Venue.insert(Venue(name="next"))
    assert await Venue.select(Venue.name) == [{"name": "next"}]


async def test_waiting_for_the_writer_longer_than_busy_timeout_fails_like_sqlite(db_path):
    engine = FastSQLiteEngine(path=db_path, busy_timeout_ms=50)
    Venue, _, _ = make_tables(engine)
    await Venue.create_table()
    release = asyncio.Event()
    holding = asyncio.Event()

    async def hold() -> None:
        async with engine.transaction():
            holding.set()
            await release.wait()

    holder = asyncio.create_task(hold())
    await holding.wait()
    try:
        with pytest.raises(sqlite3.OperationalError, match="database is locked"):
            await Venue.insert(Venue(name="late"))
    finally:
        release.set()
        await holder
    await Venue.insert(Venue(name="in time"))
    assert await Venue.select(Venue.name) == [{"name": "in time"}]
    await engine.close_connections()


async def test_queries_from_run_sync_threads_share_the_writer_safely(tables):
    Venue, _, _ = tables

    def insert_in_another_thread() -> int:
        for index in range(20):
            Venue.insert(Venue(name=f"thread {index}")).run_sync()
        return Venue.count().run_sync()

    async def insert_here() -> None:
        for index in range(20):
            await Venue.insert(Venue(name=f"loop {index}"))

    counted, _ = await asyncio.gather(asyncio.to_thread(insert_in_another_thread), insert_here())

    assert counted >= 20
    assert await Venue.count() == 40


async def test_long_reads_leave_the_event_loop_for_a_reader_thread(engine):
    Venue, _, _ = make_tables(engine)
    await Venue.create_table()
    await Venue.insert(Venue(name="Aula"))
    inline_before, offloaded_before = engine.inline_reads, engine.offloaded_reads

    assert await Venue.select(Venue.name) == [{"name": "Aula"}]
    assert (engine.inline_reads, engine.offloaded_reads) == (inline_before + 1, offloaded_before)

    heavy = await Venue.raw(
        "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 300000) "
        "SELECT count(*) AS total FROM n"
    )
    assert heavy == [{"total": 300000}]
    assert engine.offloaded_reads == offloaded_before + 1


async def test_a_write_disguised_as_a_read_goes_to_the_writer(tables):
    Venue, _, _ = tables
    await Venue.raw("WITH v(name) AS (SELECT 'CTE') INSERT INTO venue (name) SELECT name FROM v")
    assert await Venue.select(Venue.name) == [{"name": "CTE"}]


async def test_fetch_runs_plain_sql_templates_inline_and_in_transactions(tables):
    venue, _, _ = tables
    await venue.insert(venue(name="Aula {Utama}"), venue(name="Ruang 2"))
    engine = venue._meta.db
    template = "SELECT name FROM venue WHERE name = {} OR name = {} ORDER BY name"
    before = engine.inline_reads
    assert await engine.fetch(template, "Ruang 2", "Aula {Utama}") == [
        {"name": "Aula {Utama}"},
        {"name": "Ruang 2"},
    ]
    assert engine.inline_reads == before + 1
    # Literal braces are escaped as in Table.raw; writes go to the writer, inside transactions.
    async with engine.transaction():
        await engine.fetch("UPDATE venue SET name = {} || '{{x}}' WHERE name = {}", "R", "Ruang 2")
        assert await engine.fetch("SELECT count(*) AS n FROM venue WHERE name = 'R{{x}}'") == [
            {"n": 1}
        ]
    with pytest.raises(sqlite3.OperationalError):
        await engine.fetch("SELECT nothing FROM venue WHERE name = {}", "x")


async def test_batch_streams_rows_with_arguments(tables):
    Venue, _, _ = tables
    await Venue.insert(*(Venue(name=f"v{index}") for index in range(5)))

    chunks = []
    async with await Venue.select(Venue.name).where(Venue.name != "v0").batch(batch_size=3) as b:
        async for chunk in b:
            chunks.append(chunk)

    assert chunks == [
        [{"name": "v1"}, {"name": "v2"}, {"name": "v3"}],
        [{"name": "v4"}],
    ]


async def test_committed_rows_survive_closing_and_reopening(db_path):
    first = FastSQLiteEngine(path=db_path)
    Venue, _, _ = make_tables(first)
    await Venue.create_table()
    async with first.transaction():
        await Venue.insert(Venue(name="durable"))
    await first.close_connections()

    assert await Venue.select(Venue.name) == [{"name": "durable"}]  # same engine reopens
    await first.close_connections()

    second = FastSQLiteEngine(path=db_path)
    ReopenedVenue, _, _ = make_tables(second)
    assert await ReopenedVenue.select(ReopenedVenue.name) == [{"name": "durable"}]
    await second.close_connections()


CHILD_SCRIPT = textwrap.dedent(
    """
    import asyncio, sys
    from piccolo.columns import Varchar
    from piccolo.table import Table
    from lms.db.sqlite.engine import FastSQLiteEngine

    engine = FastSQLiteEngine(path=sys.argv[1])

    class Answer(Table, tablename="answer", db=engine):
        value = Varchar()

    async def main():
        await Answer.insert(Answer(value="autosaved"))
        print("committed", flush=True)
        await asyncio.sleep(600)

    asyncio.run(main())
    """
)


async def test_a_committed_insert_survives_a_killed_server_process(db_path):
    engine = FastSQLiteEngine(path=db_path)

    class Answer(Table, tablename="answer", db=engine):
        value = Varchar()

    await Answer.create_table()
    await engine.close_connections()

    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD_SCRIPT, db_path],
        stdout=subprocess.PIPE,
        env=env,
        cwd=REPO_ROOT,
    )
    try:
        line = await asyncio.to_thread(child.stdout.readline)
        assert line == b"committed\n"
        os.kill(child.pid, signal.SIGKILL)
    finally:
        returncode = await asyncio.to_thread(child.wait)
        child.stdout.close()

    assert returncode == -signal.SIGKILL
    assert os.path.getsize(db_path + "-wal") > 0  # the row lives in the WAL, not yet checkpointed
    assert await Answer.select(Answer.value) == [{"value": "autosaved"}]
    await engine.close_connections()


async def test_piccolo_migrations_run_on_our_engine(engine, monkeypatch):
    conf_name = f"prima_test_conf_{uuid.uuid4().hex}"
    conf = types.ModuleType(conf_name)
    conf.DB = engine
    monkeypatch.setitem(sys.modules, conf_name, conf)
    monkeypatch.setenv("PICCOLO_CONF", conf_name)

    create = MigrationManager(migration_id="2026-01-05T10:00:00:000000", app_name="prima_test")
    create.add_table(class_name="Note", tablename="note")
    create.add_column(
        table_class_name="Note",
        tablename="note",
        column_name="title",
        db_column_name="title",
        column_class=Varchar,
        params={"length": 100, "default": "", "null": False},
    )
    await create.run()

    extend = MigrationManager(migration_id="2026-01-06T10:00:00:000000", app_name="prima_test")
    extend.add_column(
        table_class_name="Note",
        tablename="note",
        column_name="pages",
        db_column_name="pages",
        column_class=Integer,
        params={"default": 0, "null": False},
    )
    await extend.run()

    class Note(Table, tablename="note", db=engine):
        title = Varchar(length=100)
        pages = Integer()

    assert await Note.table_exists() is True
    await Note.insert(Note(title="Modul 1", pages=12))
    assert await Note.select(Note.title, Note.pages) == [{"title": "Modul 1", "pages": 12}]

    await extend.run(backwards=True)
    columns = await Note.raw("PRAGMA table_info(note)")
    assert [column["name"] for column in columns] == ["id", "title"]


def test_make_engine_reads_sqlite_urls():
    assert sqlite_path_from_url("sqlite:///var/lms.sqlite3") == "var/lms.sqlite3"
    assert sqlite_path_from_url("sqlite:////srv/prima/lms.sqlite3") == "/srv/prima/lms.sqlite3"
    assert sqlite_path_from_url("sqlite:///data%20dir/lms.db?readers=2") == "data dir/lms.db"

    engine = make_engine("sqlite:///var/lms.sqlite3?synchronous=full&busy_timeout_ms=5000")
    assert isinstance(engine, FastSQLiteEngine)
    assert (engine.path, engine.synchronous, engine.busy_timeout_ms) == (
        "var/lms.sqlite3",
        "FULL",
        5000,
    )
    assert make_engine("sqlite:///:memory:").readers == 0
    tuned = make_engine("sqlite:///lms.db?mmap_size=0&cache_size_kib=2048")
    assert (tuned.mmap_size, tuned.cache_size_kib) == (0, 2048)
    with pytest.raises(ValueError, match="must be >= 0"):
        make_engine("sqlite:///lms.db?mmap_size=-1")

    with pytest.raises(ValueError, match="unknown SQLite URL option"):
        make_engine("sqlite:///lms.db?journal=delete")
    with pytest.raises(ValueError, match="unsupported database URL scheme 'mysql'"):
        make_engine("mysql://root@localhost/lms")


async def test_start_and_stop_engine_for_sqlite(db_path):
    engine = make_engine(f"sqlite:///{db_path}")
    await start_engine(engine)
    assert os.path.exists(db_path)
    await stop_engine(engine)


def test_make_engine_builds_postgres_engines_with_their_pool_settings():
    url = "postgresql://prima:secret@127.0.0.1:1/prima"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # nothing listens on port 1: Piccolo warns at startup
        engine = make_engine(url, pool=True, pool_size=4)
        short = make_engine("postgres://prima@127.0.0.1:1/prima")
    assert isinstance(engine, PostgresEngine)
    assert isinstance(engine, LmsPostgresEngine)
    assert (engine.config, engine.use_pool, engine.pool_size) == ({"dsn": url}, True, 4)
    assert isinstance(short, PostgresEngine)
    assert short.use_pool is False


def _postgres_url() -> str | None:
    url = os.environ.get("LMS_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
    parts = urlsplit(url)
    if parts.scheme not in ("postgresql", "postgres"):
        return None
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 5432), 1):
            return url
    except OSError:
        return None


async def test_postgres_engine_answers_through_its_pool(monkeypatch):
    url = _postgres_url()
    if url is None:
        pytest.skip("no PostgreSQL server answers (set LMS_TEST_DATABASE_URL)")
    engine = make_engine(url, pool=True, pool_size=2)

    class Probe(Table, db=engine):
        pass

    await start_engine(engine)
    try:
        assert engine.pool is not None
        assert await Probe.raw("SELECT 1 + 1 AS two") == [{"two": 2}]

        async def no_new_connection(*args, **kwargs):
            raise AssertionError("fetch opened a connection outside the pool")

        monkeypatch.setattr(LmsPostgresEngine, "_run_in_new_connection", no_new_connection)
        assert await engine.fetch("SELECT {} + 1 AS two", 1) == [{"two": 2}]
    finally:
        await stop_engine(engine)
    assert engine.pool is None

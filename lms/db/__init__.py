"""Database engines: one ``LMS_DATABASE_URL`` in, the right Piccolo engine out.

SQLite (``sqlite:///relative/path`` or ``sqlite:////absolute/path``, the SQLAlchemy convention)
is the embedded default and gets :class:`~lms.db.sqlite.engine.FastSQLiteEngine`, which keeps its
connections open. PostgreSQL (``postgresql://`` or ``postgres://``) gets Piccolo's
``PostgresEngine`` on asyncpg, with a pool when ``LMS_DB_POOL`` is on: the choice for several
workers or machines.

The app calls :func:`start_engine` at startup and :func:`stop_engine` at shutdown, whatever the
engine; both know what each engine type needs.
"""

from __future__ import annotations

from typing import Any, Protocol, cast
from urllib.parse import parse_qsl, unquote, urlsplit

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.querystring import QueryString
from piccolo.table import Table

from lms.db.sqlite.engine import FastSQLiteEngine
from lms.observability import tracing

__all__ = [
    "FastSQLiteEngine",
    "LmsPostgresEngine",
    "make_engine",
    "sqlite_path_from_url",
    "start_engine",
    "stop_engine",
]

_POSTGRES_SCHEMES = ("postgresql", "postgres")

# SQLite options accepted in the URL's query string, e.g. ``sqlite:///lms.db?synchronous=FULL``.
_SQLITE_URL_OPTIONS = {"synchronous", "busy_timeout_ms", "readers", "mmap_size", "cache_size_kib"}


def sqlite_path_from_url(database_url: str) -> str:
    """Return the file path of a ``sqlite:///`` URL (relative paths stay relative to the cwd).

    Args:
        database_url: ``sqlite:///var/lms.sqlite3`` (relative), ``sqlite:////srv/lms.sqlite3``
            (absolute) or ``sqlite:///:memory:``.

    Raises:
        ValueError: The URL is not a ``sqlite:///`` URL or names no file.
    """
    prefix = "sqlite:///"
    if not database_url.startswith(prefix):
        raise ValueError(f"not a sqlite:/// URL: {database_url!r}")
    path = unquote(database_url[len(prefix) :].split("?", 1)[0])
    if not path:
        raise ValueError(f"the SQLite URL names no file: {database_url!r}")
    return path


def _sqlite_options(database_url: str) -> dict[str, str | int]:
    query = database_url.split("?", 1)[1] if "?" in database_url else ""
    options: dict[str, str | int] = {}
    for key, value in parse_qsl(query, strict_parsing=bool(query)):
        if key not in _SQLITE_URL_OPTIONS:
            raise ValueError(
                f"unknown SQLite URL option {key!r}; known: {sorted(_SQLITE_URL_OPTIONS)}"
            )
        options[key] = value if key == "synchronous" else int(value)
    return options


class LmsPostgresEngine(PostgresEngine):
    """Piccolo's ``PostgresEngine`` remembering the pool settings :func:`start_engine` applies.

    Why a subclass: Piccolo engines have ``__slots__`` and no ``__dict__``, and the pool choice
    belongs with the engine that ``piccolo_conf.DB`` holds, not in a global keyed by identity.
    """

    __slots__ = ("use_pool", "pool_size")

    def __init__(self, config: dict[str, Any], *, pool: bool = False, pool_size: int = 10):
        self.use_pool = pool
        self.pool_size = pool_size
        super().__init__(config=config)

    async def run_querystring(self, querystring: QueryString, in_pool: bool = True) -> Any:
        """Piccolo's, inside a span for the query when traces are on
        (``lms.observability.tracing``; the statement's template, never its values)."""
        if not tracing.enabled():
            return await super().run_querystring(querystring, in_pool=in_pool)
        statement = querystring.compile_string(engine_type=self.engine_type)[0]
        with tracing.query_span(statement):
            return await super().run_querystring(querystring, in_pool=in_pool)

    async def fetch(self, template: str, *args: Any) -> list[dict[str, Any]]:
        """Run plain SQL with ``{}`` placeholders (``FastSQLiteEngine.fetch``'s twin)."""
        rows = await self.run_querystring(QueryString(template, *args), in_pool=True)
        return [dict(row) for row in rows]


class _Fetching(Protocol):
    async def fetch(self, template: str, *args: Any) -> list[dict[str, Any]]: ...


async def fetch_sql(table: type[Table], template: str, *args: Any) -> list[dict[str, Any]]:
    """Run plain SQL (``{}`` placeholders, as ``Table.raw``) on ``table``'s engine.

    For hot fixed statements: both our engines implement ``fetch`` without Piccolo's query
    building (``FastSQLiteEngine.fetch``, ``LmsPostgresEngine.fetch``), and rows are dicts.
    """
    return await cast(_Fetching, table._meta.db).fetch(template, *args)


def make_engine(database_url: str, *, pool: bool = False, pool_size: int = 10) -> Engine:
    """Build the Piccolo engine for ``database_url``.

    Args:
        database_url: ``sqlite:///path`` (optional ``?synchronous=FULL``, ``?busy_timeout_ms=``,
            ``?readers=``) or ``postgresql://user:pass@host:port/db``.
        pool: PostgreSQL only: :func:`start_engine` opens an asyncpg pool. SQLite always keeps
            its own connections open, so it ignores this.
        pool_size: PostgreSQL only: the pool's maximum size.

    Raises:
        ValueError: Unsupported scheme or malformed URL.
    """
    scheme = urlsplit(database_url).scheme.lower()
    if scheme == "sqlite":
        path = sqlite_path_from_url(database_url)
        return FastSQLiteEngine(path=path, **_sqlite_options(database_url))  # type: ignore[arg-type]
    if scheme in _POSTGRES_SCHEMES:
        if pool_size < 1:
            raise ValueError("pool_size must be at least 1")
        return LmsPostgresEngine(config={"dsn": database_url}, pool=pool, pool_size=pool_size)
    raise ValueError(
        f"unsupported database URL scheme {scheme!r}: use sqlite:///path or postgresql://..."
    )


async def start_engine(
    engine: Engine, pool: bool | None = None, pool_size: int | None = None
) -> None:
    """Prepare ``engine`` for serving (app startup).

    PostgreSQL: opens the asyncpg pool when ``pool`` is on (default: what :func:`make_engine`
    was given); without a pool every query opens its own connection, as Piccolo does.
    SQLite: opens the writer connection now, so the file exists and is in WAL mode before the
    first request.

    Args:
        engine: An engine from :func:`make_engine` (any other Piccolo engine is left alone).
        pool: Override the pool choice made in :func:`make_engine`.
        pool_size: Override the pool size made in :func:`make_engine`.
    """
    if isinstance(engine, FastSQLiteEngine):
        await engine.open_connections()
    elif isinstance(engine, PostgresEngine):
        default_pool, default_size = (
            (engine.use_pool, engine.pool_size)
            if isinstance(engine, LmsPostgresEngine)
            else (False, 10)
        )
        use_pool = default_pool if pool is None else pool
        size = default_size if pool_size is None else pool_size
        if use_pool and engine.pool is None:
            await engine.start_connection_pool(min_size=min(size, 10), max_size=size)


async def stop_engine(engine: Engine) -> None:
    """Release what :func:`start_engine` and the queries opened (app shutdown)."""
    if isinstance(engine, FastSQLiteEngine):
        await engine.close_connections()
    elif isinstance(engine, PostgresEngine) and engine.pool is not None:
        await engine.close_connection_pool()

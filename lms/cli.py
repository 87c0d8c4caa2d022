"""The ``lms`` command: migrate, serve, demo data, users, imports, certificates.

Like ``lms/app.py`` this is a composition root, so it may import ``courses`` and
``certificates``.
"""

from __future__ import annotations

import asyncio
import contextlib
import getpass
import io
import os
import sys
import warnings
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from lms.config import get_settings

T = TypeVar("T")

DEMO_PASSWORDS = {
    "admin": "admin-prima-2026",
    "organizer": "organizer-prima-2026",
    "trainer": "trainer-prima-2026",
    "participant": "peserta-prima-2026",
    "hr": "hr-prima-2026",
}


def _run(factory: Callable[[], Awaitable[T]]) -> T:
    """Run a coroutine with the app's engine bound and closed afterwards."""
    from lms.app import bind_engine
    from lms.db import make_engine, start_engine, stop_engine

    settings = get_settings()

    async def main() -> T:
        engine = make_engine(settings.database_url, pool=False)
        bind_engine(engine)
        await start_engine(engine)
        try:
            return await factory()
        finally:
            from lms.jobs.runner import wait_for_jobs

            await wait_for_jobs(3600)
            await stop_engine(engine)

    return asyncio.run(main())


_verbose = False


def _quiet_third_party_warnings() -> None:
    """An operator runs these commands, not a developer: a library's deprecation notice (e.g.
    pyHanko importing cryptography's DSA classes) says nothing they can act on. Warnings raised
    by our own packages still show; ``-v`` shows every one. The render workers are separate
    processes (the forkserver imports pyHanko), so they get the same through the environment."""
    warnings.filterwarnings("ignore")
    warnings.filterwarnings("default", module=r"(lms|courses|certificates)(\.|$)")
    os.environ.setdefault("PYTHONWARNINGS", "ignore")


async def _migrate() -> None:
    """Run pending migrations. Piccolo prints a banner per app on stdout; it is shown with
    ``-v`` or when a migration fails (its errors go to stderr either way)."""
    from piccolo.apps.migrations.commands.forwards import run_forwards

    banner = io.StringIO()
    with contextlib.redirect_stdout(sys.stdout if _verbose else banner):
        result = await run_forwards("all")
    if not result.success:
        click.echo(banner.getvalue(), err=True, nl=False)
        raise click.ClickException(f"migration failed: {result.message}")


@click.group()
@click.option(
    "-v",
    "--verbose",
    is_flag=True,
    help="Show Piccolo's migration output and the warnings of the libraries.",
)
def main(verbose: bool) -> None:
    """Prima: pelatihan pelayanan prima, hasil, sertifikat dan JP ASN."""
    global _verbose
    _verbose = verbose
    if not verbose:
        _quiet_third_party_warnings()


@main.command()
def migrate() -> None:
    """Run every pending database migration (lms, courses, certificates)."""
    settings = get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    asyncio.run(_migrate())
    if settings.job_queue == "saq":
        from lms.jobs.queue import prepare_queue

        asyncio.run(prepare_queue(settings))  # SAQ's own tables, before any process enqueues
    click.echo(f"Database ready: {_redact(settings.database_url)}")


def _redact(url: str) -> str:
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url


@main.command()
@click.option("--host", default=None, help="Bind address (LMS_HOST).")
@click.option("--port", default=None, type=int, help="Port (LMS_PORT).")
@click.option("--workers", default=None, type=int, help="Worker processes (LMS_WORKERS).")
@click.option(
    "--server",
    type=click.Choice(["granian", "uvicorn"]),
    default=None,
    help="HTTP server (LMS_SERVER): uvicorn (default) or granian.",
)
def serve(host: str | None, port: int | None, workers: int | None, server: str | None) -> None:
    """Serve the API: uvicorn by default (uvloop + httptools), Granian with --server granian."""
    settings = get_settings()
    host = host or settings.host
    port = port or settings.port
    workers = workers or settings.workers
    server = server or settings.server
    if server not in {"granian", "uvicorn"}:
        raise click.ClickException(f"LMS_SERVER={server!r}: uvicorn or granian.")
    if workers > 1 and settings.is_sqlite:
        click.echo(
            "Note: several workers on SQLite share one file; PostgreSQL is the choice for "
            "more than one worker (see README)."
        )
    if workers > 1 and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # Every worker writes its counters here and /metrics adds them up; a fresh folder per
        # start, or counters of dead processes would be summed forever.
        metrics_dir = settings.data_dir / "metrics" / str(os.getpid())
        metrics_dir.mkdir(parents=True, exist_ok=True)
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)
    from lms.observability.logs import logging_config

    log_config = logging_config(settings.log_format, settings.log_level)
    click.echo(f"Prima on http://{host}:{port}  —  API docs: http://{host}:{port}/schema")
    if server == "granian":
        _serve_granian(host, port, workers, settings.log_level, log_config)
        return
    import uvicorn

    uvicorn.run(
        "lms.asgi:app",
        host=host,
        port=port,
        workers=workers,
        loop="uvloop",
        http="httptools",
        log_level="info",
        proxy_headers=True,
        log_config=log_config,
        # A worker imports the whole app before it can answer the supervisor's ping; on a busy
        # 2-core machine that took over uvicorn's default 5 s and workers were killed in a loop.
        timeout_worker_healthcheck=30,
    )


def _serve_granian(
    host: str, port: int, workers: int, level: str, log_config: dict[str, object]
) -> None:
    """Granian's ASGI interface on uvloop, HTTP/1.1 (nginx speaks it to the upstream), no
    websockets (Prima has none); ``lms.asgi:proxied_app`` reads ``X-Forwarded-*`` from
    127.0.0.1 as uvicorn's ``proxy_headers`` does. A worker that dies is started again."""
    from granian import Granian
    from granian.constants import HTTPModes, Interfaces, Loops
    from granian.log import LogLevels

    Granian(
        "lms.asgi:proxied_app",
        address=host,
        port=port,
        interface=Interfaces.ASGI,
        workers=workers,
        loop=Loops.uvloop,
        http=HTTPModes.http1,
        websockets=False,
        log_level=LogLevels(level.lower()),
        log_dictconfig=log_config,
        respawn_failed_workers=True,
    ).serve()


@main.command()
@click.option(
    "--concurrency",
    default=None,
    type=int,
    help="Jobs run at once by this process (LMS_WORKER_CONCURRENCY).",
)
def worker(concurrency: int | None) -> None:
    """Run jobs from the distributed queue (LMS_JOB_QUEUE=saq) until stopped."""
    import logging.config

    from lms.jobs.queue import queue_url, run_worker
    from lms.observability.logs import logging_config

    settings = get_settings()
    if settings.job_queue != "saq":
        raise click.ClickException("`lms worker` needs LMS_JOB_QUEUE=saq.")
    try:
        queue_url(settings)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    logging.config.dictConfig(logging_config(settings.log_format, settings.log_level))
    from lms.app import bind_engine, create_app
    from lms.db import make_engine, start_engine, stop_engine

    create_app(settings)  # registers every job handler and task, as in the web process
    engine = make_engine(
        settings.database_url, pool=settings.db_pool, pool_size=settings.db_pool_size
    )
    bind_engine(engine)

    async def startup() -> None:
        await start_engine(engine)
        from certificates.rendering.pool import get_renderer

        await get_renderer(settings)  # warm before the first chunk, not during it

    async def shutdown() -> None:
        from certificates.rendering.pool import shutdown_renderer

        await shutdown_renderer()
        await stop_engine(engine)
        from lms.observability.tracing import flush

        flush()  # the last jobs' spans (traces are on only with LMS_OTLP_ENDPOINT)

    click.echo(f"Prima worker: {_redact(queue_url(settings))} ({settings.job_queue_name})")
    asyncio.run(
        run_worker(
            settings,
            concurrency=concurrency or settings.worker_concurrency,
            startup=startup,
            shutdown=shutdown,
        )
    )


@main.command()
@click.option("--if-empty", is_flag=True, help="Do nothing when the database has data.")
def demo(if_empty: bool) -> None:
    """Load the demo: units, the 27 participants, a course, a session and its results."""
    from rich.progress import (
        BarColumn,
        Progress,
        TaskProgressColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    asyncio.run(_migrate())

    async def seed() -> dict[str, Any] | None:
        from lms import demo as lms_demo

        if not await lms_demo.is_empty():
            if if_empty:
                return None
            raise click.ClickException("the database is not empty; demo not loaded")
        ctx: dict[str, Any] = {"passwords": DEMO_PASSWORDS}
        steps = _demo_steps()
        columns = (
            TextColumn("{task.description:<28}"),
            BarColumn(),
            TaskProgressColumn(),
            TimeElapsedColumn(),
        )
        with Progress(*columns) as progress:
            tasks = [
                progress.add_task(
                    DEMO_STAGES.get(step.__module__, step.__module__), total=1, start=False
                )
                for step in steps
            ]
            for step, task in zip(steps, tasks, strict=True):
                progress.start_task(task)
                await step(ctx)
                progress.update(task, completed=1)
        return ctx

    ctx = _run(seed)
    if ctx is None:
        click.echo("Demo data already present.")
    else:
        click.echo("Demo loaded. Log in with:")
    for role, password in DEMO_PASSWORDS.items():
        click.echo(f"  username {role:<12} password {password}")


#: What each app's demo loads, as the progress bars name it.
DEMO_STAGES = {
    "lms.demo": "Unit, peserta, akun",
    "courses.demo": "Pelatihan dan angkatan",
    "courses.assessments.demo": "Bank soal, pre/post-test",
    "courses.results.demo": "Nilai akhir, finalisasi",
    "certificates.demo": "Sertifikat (PDF bertanda)",
    "lms.competencies.demo": "Kompetensi, SKM, riwayat JP",
}


def _demo_steps() -> list[Callable[[dict[str, Any]], Awaitable[None]]]:
    """Each app's demo, in dependency order; an app without one is skipped."""
    import importlib

    steps = []
    for module in (
        "lms.demo",
        "courses.demo",
        "courses.assessments.demo",
        "courses.results.demo",
        "certificates.demo",
        "lms.competencies.demo",
    ):
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name == module:
                continue
            raise
        steps.append(mod.seed)
    return steps


_USER_OPTIONS = {
    "username": "USERNAME",
    "password": "--password",
    "role": "--role",
    "unit_id": "--unit",
    "person_id": "--nip",
}


def _option_error(exc: Exception, type_: Any, options: dict[str, str]) -> str:
    """A validation error in Indonesian, naming the option the operator typed (``--password``),
    not the field of the Struct behind it (``$.password``)."""
    from lms.shared.validation import describe

    error = describe(str(exc), type_)
    name = options.get(error["field"], error["field"])
    return f"Nilai {name} tidak valid: {error['message']}." if name else f"{error['message']}."


@main.group()
def users() -> None:
    """Manage login accounts."""


@users.command("create")
@click.argument("username")
@click.option(
    "--role",
    type=click.Choice(["admin", "organizer", "trainer", "participant", "hr"]),
    required=True,
)
@click.option("--unit", "unit_code", default=None, help="Unit code (required for organizer/hr).")
@click.option("--nip", default=None, help="Link to the person with this NIP.")
@click.option("--password", default=None, help="Password (asked for when omitted).")
def users_create(
    username: str, role: str, unit_code: str | None, nip: str | None, password: str | None
) -> None:
    """Create a login account."""
    if password is None:
        password = getpass.getpass("Password: ")

    async def create() -> str:
        from lms.auth.schemas import UserCreate
        from lms.auth.services import UserService
        from lms.people.tables import Person, Unit

        unit_id = person_id = None
        if unit_code:
            unit = await Unit.select(Unit.id).where(Unit.code == unit_code).first()
            if unit is None:
                raise click.ClickException(f"kode unit {unit_code!r} tidak dikenal")
            unit_id = unit["id"]
        if nip:
            person = await Person.select(Person.id).where(Person.nip == nip).first()
            if person is None:
                raise click.ClickException(f"tidak ada pegawai dengan NIP {nip}")
            person_id = person["id"]
        import msgspec

        try:
            data = msgspec.convert(
                {
                    "username": username,
                    "password": password,
                    "role": role,
                    "unit_id": str(unit_id) if unit_id else None,
                    "person_id": str(person_id) if person_id else None,
                },
                UserCreate,
            )
        except msgspec.ValidationError as exc:
            raise click.ClickException(_option_error(exc, UserCreate, _USER_OPTIONS)) from None
        user = await UserService().create(data, None)
        return str(user.id)

    asyncio.run(_migrate())
    try:
        user_id = _run(create)
    except Exception as exc:  # noqa: BLE001 - shown to the operator as a message
        raise click.ClickException(str(getattr(exc, "detail", exc))) from exc
    click.echo(f"User {username} ({role}) created: {user_id}")


@main.group("import")
def import_group() -> None:
    """Import files."""


@import_group.command("people")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--parent-unit", default=None, help="Code of the unit new units go under.")
def import_people_cmd(file: Path, parent_unit: str | None) -> None:
    """Import people from an .xlsx or .csv file (upsert by NIP), with a progress bar."""
    from rich.progress import Progress

    settings = get_settings()

    async def run() -> Any:
        from lms.people.importing import import_people
        from lms.people.tables import Unit

        parent_id = None
        if parent_unit:
            row = await Unit.select(Unit.id).where(Unit.code == parent_unit).first()
            if row is None:
                raise click.ClickException(f"unknown unit code {parent_unit!r}")
            parent_id = row["id"]
        with Progress() as progress:
            task = progress.add_task(f"Mengimpor {file.name}", total=None)

            def on_progress(done: int, total: int) -> None:
                progress.update(task, completed=done, total=total)

            return await import_people(
                file.read_bytes(),
                file.name,
                actor=None,
                parent_unit_id=parent_id,
                settings=settings,
                progress=on_progress,
            )

    asyncio.run(_migrate())
    try:
        report = _run(run)
    except click.ClickException:
        raise
    except Exception as exc:  # noqa: BLE001 - shown to the operator as a message
        raise click.ClickException(str(getattr(exc, "detail", exc))) from exc
    click.echo(report.message)
    for rejected in report.rejected:
        click.echo(f"  baris {rejected.row}: {'; '.join(rejected.errors)}")
    sys.exit(1 if report.rejected else 0)


@main.command("backup")
@click.option(
    "--to",
    "destination",
    type=click.Path(path_type=Path),
    default=None,
    help="Archive file or folder (default: <data dir>/backups/).",
)
def backup_cmd(destination: Path | None) -> None:
    """Back up the database, the PDF store and the signing material into one checksummed tar."""
    from lms.backup import BackupError, backup

    try:
        summary = backup(get_settings(), destination, progress=click.echo)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{summary.files} berkas, {summary.bytes / 1e6:.1f} MB ({summary.engine})")


@main.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def restore_cmd(archive: Path) -> None:
    """Restore a backup archive into an empty data dir and an empty database."""
    from lms.backup import BackupError, restore

    try:
        summary = restore(get_settings(), archive, progress=click.echo)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{summary.files} berkas dipulihkan ({summary.engine}); jalankan `lms migrate`.")


def _register_app_commands() -> None:
    """Each app may contribute a click group (``<app>.cli:group``)."""
    import importlib

    for module in ("certificates.cli", "courses.cli"):
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name == module:
                continue
            raise
        main.add_command(mod.group)


_register_app_commands()

if __name__ == "__main__":
    main()

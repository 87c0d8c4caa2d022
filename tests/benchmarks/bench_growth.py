"""Measurement (issue 17): database and PDF store growth per participant and certificate, on
PostgreSQL, for the sizing table of docs/DEPLOY.md.

Run: ``python tests/benchmarks/bench_growth.py --n 500`` (from the repository root; PostgreSQL
on 127.0.0.1:5432, ``LMS_BENCH_DATABASE_URL`` for another database: it is dropped and made
afresh). Steps, with ``pg_database_size`` and the PDF store's bytes read after each:

1. migrate (the empty schema);
2. the register: ``n`` people in two units (``bench_issuing``'s world: course, issuer profile
   with logo and signature);
3. one training for all ``n``: a session, an enrollment and three days of attendance marks per
   person, a finalized result and the JP ledger credit (with its audit);
4. issuing through the ``certificates.issue`` job: numbers, signed PDFs (the demo PAdES signer,
   as an installation without its own key), the content-addressed store, certificate rows,
   audit, the job row.

Per person (step 2) is paid once, per participation (steps 3 + 4) once per training. Quiz
attempts are not in it (a session with a pre- and post-test adds their answers). Sizes include
indexes and TOAST; no VACUUM between steps.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path
from uuid import uuid4

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/prima_webtier_growth"


async def _database_bytes() -> int:
    from lms.auth.tables import User

    rows = await User.raw("SELECT pg_database_size(current_database()) AS size")
    return int(rows[0]["size"])


async def _largest_tables(limit: int = 8) -> list[tuple[str, int]]:
    from lms.auth.tables import User

    rows = await User.raw(
        "SELECT relname AS name, pg_total_relation_size(relid) AS size "
        "FROM pg_catalog.pg_statio_user_tables ORDER BY 2 DESC LIMIT {}",
        limit,
    )
    return [(row["name"], int(row["size"])) for row in rows]


def _store_bytes(root: Path) -> tuple[int, int]:
    """(bytes, PDF files) under the store."""
    total = pdfs = 0
    if root.is_dir():
        for path in root.rglob("*"):
            if path.is_file():
                total += path.stat().st_size
                pdfs += path.suffix == ".pdf"
    return total, pdfs


async def _attend(session_id, people) -> None:
    """An enrollment and three days of attendance per person, as the organizer's pages make."""
    from courses.tables import AttendanceMark, Enrollment

    now = dt.datetime.now(dt.UTC)
    enrollments, marks = [], []
    for seq, person_id in enumerate(people, 1):
        enrollments.append(
            Enrollment(
                id=uuid4(),
                session=session_id,
                person=person_id,
                status="completed",
                seq=seq,
                enrolled_at=now,
                updated_at=now,
                natural_key=f"{session_id}:{person_id}",
            )
        )
        for day in (18, 19, 20):
            date = dt.date(2026, 11, day)
            marks.append(
                AttendanceMark(
                    id=uuid4(),
                    session=session_id,
                    person=person_id,
                    day=date,
                    status="hadir",
                    method="qr",
                    marked_at=now,
                    natural_key=f"{session_id}:{person_id}:{date}",
                )
            )
    for start in range(0, len(enrollments), 500):
        await Enrollment.insert(*enrollments[start : start + 500])
    for start in range(0, len(marks), 500):
        await AttendanceMark.insert(*marks[start : start + 500])


async def main_async(n: int, url: str) -> None:
    from piccolo.apps.migrations.commands.forwards import run_forwards

    from certificates.rendering.pool import shutdown_renderer
    from certificates.rendering.storage import store_for
    from certificates.tables import Certificate
    from lms.app import bind_engine
    from lms.config import get_settings
    from lms.db import make_engine, start_engine, stop_engine
    from tests.benchmarks.bench_issuing import _finalized_session, _issue_through_job, _world

    settings = get_settings()
    engine = make_engine(url, pool=True, pool_size=4)
    bind_engine(engine)
    await start_engine(engine)
    store = store_for(settings).root
    try:
        result = await run_forwards("all")
        assert result.success, result.message
        sizes = [("migrated", await _database_bytes(), _store_bytes(store))]
        caller, course_id, people, _ = await _world(n)
        sizes.append(("register", await _database_bytes(), _store_bytes(store)))
        session_id = await _finalized_session(caller, course_id, people, "Angkatan I")
        await _attend(session_id, people)
        sizes.append(("training", await _database_bytes(), _store_bytes(store)))
        began = time.perf_counter()
        _, cpu, _ = await _issue_through_job(session_id, caller, settings)
        seconds = time.perf_counter() - began
        issued = await Certificate.count()
        sizes.append(("certificates", await _database_bytes(), _store_bytes(store)))
        tables = await _largest_tables()
    finally:
        await shutdown_renderer()
        await stop_engine(engine)

    print(
        f"\nPostgreSQL, {n:,} people, one training, {issued:,} signed certificates "
        f"(issued in {seconds:.0f} s, {cpu / issued * 1000:.0f} ms CPU each); "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs\n"
    )
    print("| step | database bytes | Δ per person | PDF store bytes | Δ per person |")
    print("|---|---:|---:|---:|---:|")
    previous = sizes[0]
    for name, size, (store_size, _) in sizes:
        print(
            f"| {name} | {size:,} | {(size - previous[1]) / n:,.0f} | {store_size:,} "
            f"| {(store_size - previous[2][0]) / n:,.0f} |"
        )
        previous = (name, size, (store_size, 0))
    register = (sizes[1][1] - sizes[0][1]) / n
    participation = (sizes[3][1] - sizes[1][1]) / n
    pdf = (sizes[3][2][0] - sizes[2][2][0]) / issued
    print(
        f"\nper person (once): **{register / 1024:.1f} KiB** database; per participation "
        f"(training + certificate): **{participation / 1024:.1f} KiB** database, "
        f"**{pdf / 1024:.1f} KiB** PDF store ({sizes[3][2][1]} files)"
    )
    print("\nlargest tables: " + ", ".join(f"{t} {s / 1024 / 1024:.1f} MiB" for t, s in tables))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=500)
    args = parser.parse_args()
    url = os.environ.get("LMS_BENCH_DATABASE_URL", DEFAULT_URL)
    from tests.cluster import reset_database

    reset_database(url)
    # bench_issuing sets its own LMS_* on import: import it first, then set ours.
    import tests.benchmarks.bench_issuing  # noqa: F401

    workdir = Path(tempfile.mkdtemp(prefix="prima-bench-growth-"))
    os.environ.update(
        LMS_DATABASE_URL=url,
        LMS_DATA_DIR=str(workdir / "data"),
        LMS_RENDER_WORKERS="2",
        LMS_JOB_QUEUE="local",
        LMS_LOG_LEVEL="WARNING",
    )
    from lms.app import create_app

    create_app()  # registers the job handlers (its own engine is replaced in main_async)
    asyncio.run(main_async(args.n, url))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark: importing a 5,000-row participant file through the import service.

Run: ``python tests/benchmarks/bench_import.py`` (from the repository root). Budget (DESIGN.md
§6): a 5,000-row file imports in at most 10 s, one transaction per batch, with a per-row
report. Measured on SQLite (a temp file, our FastSQLiteEngine) through
``lms.people.importing.import_people`` — the function behind ``POST /api/v1/people/import`` and
``lms import people`` — so reading, validation, unit matching, writes and audit entries all
count. ``--database-url postgresql://...`` measures PostgreSQL instead (the database is wiped).

Scenarios, each on the same generated people (valid NIPs, 10% PPPK, 60 units to create):

* ``csv, new``: empty database, every row created (and its units);
* ``csv, same again``: the same file re-imported, every row unchanged, nothing written;
* ``csv, all changed``: every row's jabatan changed, every row updated and audited;
* ``xlsx, new``: the same people as an .xlsx with NIPs as text, into an empty database.

Prints a markdown table of medians over ``--repeats`` runs and exits 1 when over budget.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

ROWS = 5_000
BUDGET_SECONDS = 10.0
HEADER = [
    "No", "NIP", "Nama", "Gelar Depan", "Gelar Belakang", "Jenis ASN", "Golongan", "Jabatan",
    "Unit Kerja", "Email", "No. HP",
]  # fmt: skip
FIRST_NAMES = (
    "Afrizal Rina Nofriadi Yusnita Zulkarnain Elfi Hendra Desi Roni Yenni Irwan Novia Arif Sri "
    "Dedi Ratna Yulia Budi"
).split()
LAST_NAMES = (
    "Saputra Yulianti Dewi Suryani Gunawan Ratnasari Marlina Syahputra Andriani Hakim Wahyuni "
    "Kurniawan Santoso Prasetyo"
).split()
PNS_GOLONGAN = ["II/a", "II/b", "II/c", "II/d", "III/a", "III/b", "III/c", "III/d", "IV/a"]


def people_rows(seed: int = 2026) -> list[list[str]]:
    """5,000 synthetic rows with unique, valid NIPs (PNS) and NI PPPK."""
    rng = random.Random(seed)
    units = [f"Kelurahan Bench {i:02d}" for i in range(50)] + [
        f"Dinas Bench {i:02d}" for i in range(10)
    ]
    rows, seen = [], set()
    while len(rows) < ROWS:
        birth = f"{rng.randint(1965, 1999)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
        sex = rng.choice("12")
        pppk = rng.random() < 0.1
        if pppk:
            year, free = rng.randint(2021, 2025), rng.randint(10, 99)
            nip = f"{birth}{year}{free}{sex}{rng.randint(1, 999):03d}"
        else:
            tmt_year = int(birth[:4]) + rng.randint(20, 26)
            nip = f"{birth}{tmt_year}{rng.randint(1, 12):02d}{sex}{rng.randint(1, 999):03d}"
        if nip in seen:
            continue
        seen.add(nip)
        number = len(rows) + 1
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)} {number}"
        rows.append(
            [
                str(number),
                nip,
                name,
                rng.choice(["", "", "", "Drs.", "Dr."]),
                rng.choice(["S.Sos.", "S.E.", "S.H., M.H.", "", "A.Md."]),
                "PPPK" if pppk else "PNS",
                str(rng.randint(5, 11)) if pppk else rng.choice(PNS_GOLONGAN),
                rng.choice(["Kepala Seksi Pelayanan", "Sekretaris Lurah", "Analis Pelayanan"]),
                rng.choice(units),
                f"pegawai{number}@bench.go.id",
                f"08{rng.randint(10**9, 10**10 - 1)}",
            ]
        )
    return rows


def csv_bytes(rows: list[list[str]]) -> bytes:
    """The file as Excel's "CSV UTF-8" export writes it: BOM, ``;``, CRLF."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def xlsx_bytes(rows: list[list[str]]) -> bytes:
    """The file as .xlsx, NIPs as text cells, row numbers as numbers."""
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(HEADER)
    for row in rows:
        sheet.append([int(row[0]), *row[1:]])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


async def run(database_url: str, repeats: int) -> dict[str, list[tuple[float, float]]]:
    from piccolo.apps.migrations.commands.forwards import run_forwards

    from lms.app import bind_engine
    from lms.config import get_settings
    from lms.db import make_engine, start_engine, stop_engine
    from lms.people.importing import import_people
    from lms.people.schemas import UnitCreate
    from lms.people.units import UnitService

    result = await run_forwards("all")
    assert result.success, result.message
    settings = get_settings()
    engine = make_engine(database_url, pool=database_url.startswith("postgres"))
    bind_engine(engine)
    await start_engine(engine)

    from lms.audit.tables import AuditEntry
    from lms.people.tables import Person, Unit

    rows = people_rows()
    changed = [[*row[:7], "Penata Layanan Operasional", *row[8:]] for row in rows]
    files = {
        "csv": csv_bytes(rows),
        "csv changed": csv_bytes(changed),
        "xlsx": xlsx_bytes(rows),
    }

    async def reset() -> str:
        await AuditEntry.delete(force=True)
        await Person.delete(force=True)
        await Unit.delete(force=True)
        root = await UnitService().create(
            None, UnitCreate(code="PEMKOT-BENCH", name="Pemerintah Kota Bench", kind="pemda")
        )
        return str(root.id)

    async def timed(name: str, parent: str, expect: dict[str, int]) -> tuple[float, float]:
        started, cpu_started = time.perf_counter(), time.process_time()
        report = await import_people(
            files[name], f"peserta.{name.split()[0]}", actor=None, parent_unit_id=parent,
            settings=settings,
        )  # fmt: skip
        elapsed = time.perf_counter() - started, time.process_time() - cpu_started
        got = {k: getattr(report, k) for k in expect} | {"rejected": len(report.rejected)}
        assert got == {**expect, "rejected": 0}, (name, got, report.rejected[:3])
        return elapsed

    timings: dict[str, list[tuple[float, float]]] = {
        "csv, new": [], "csv, same again": [], "csv, all changed": [], "xlsx, new": [],
    }  # fmt: skip
    for _ in range(repeats):
        parent = await reset()
        timings["csv, new"].append(await timed("csv", parent, {"created": ROWS}))
        timings["csv, same again"].append(await timed("csv", parent, {"unchanged": ROWS}))
        timings["csv, all changed"].append(await timed("csv changed", parent, {"updated": ROWS}))
        parent = await reset()
        timings["xlsx, new"].append(await timed("xlsx", parent, {"created": ROWS}))
    await stop_engine(engine)
    return timings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--database-url", default="", help="default: a temp SQLite file")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="prima-bench-import-"))
    database_url = args.database_url or f"sqlite:///{tmp / 'bench.sqlite3'}"
    if database_url.startswith("postgres"):
        import asyncpg

        async def wipe() -> None:
            try:
                conn = await asyncpg.connect(database_url)
            except asyncpg.InvalidCatalogNameError:
                admin = await asyncpg.connect(database_url.rsplit("/", 1)[0] + "/postgres")
                await admin.execute(f'CREATE DATABASE "{database_url.rsplit("/", 1)[-1]}"')
                await admin.close()
                conn = await asyncpg.connect(database_url)
            await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
            await conn.close()

        asyncio.run(wipe())
    os.environ["LMS_DATABASE_URL"] = database_url
    os.environ["LMS_DATA_DIR"] = str(tmp / "data")
    os.environ.setdefault("LMS_SECRET_KEY", "bench-secret-key-not-for-production-0123456789")
    os.chdir(ROOT)  # piccolo_conf.py is found from the working directory

    timings = asyncio.run(run(database_url, args.repeats))
    engine = "PostgreSQL" if database_url.startswith("postgres") else "SQLite"
    print(f"Import of a {ROWS:,}-row participant file, {engine}, median of {args.repeats} runs\n")
    print("| scenario | median s | rows/s | CPU s | budget |")
    print("|---|---:|---:|---:|---|")
    over = False
    for name, values in timings.items():
        median = statistics.median(wall for wall, _ in values)
        cpu = statistics.median(cpu for _, cpu in values)
        ok = median <= BUDGET_SECONDS
        over |= not ok
        verdict = "ok" if ok else "OVER"
        print(
            f"| {name} | {median:.2f} | {ROWS / median:,.0f} | {cpu:.2f} "
            f"| ≤ {BUDGET_SECONDS:.0f} s {verdict} |"
        )
    print("\nCPU s: this process's CPU time (all threads); it moves much less than the wall")
    print("clock when other work shares the machine.")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())

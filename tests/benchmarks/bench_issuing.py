"""Issuing benchmark: 1,000 certificates end to end through the job, against a plain loop.

Run from the repository root::

    python tests/benchmarks/bench_issuing.py --n 1000

What is timed, on SQLite with 2 render workers (the pool already running, as in a server):
``runner.submit("certificates.issue", ...)`` until the job has finished, i.e. choosing the
passed participants, building the snapshots, rendering and PAdES-signing every PDF in the pool,
storing the files (hash, fsync, link), inserting the rows with their gap-free numbers, writing
the JP-ledger certificate numbers and the audit log, and the job's progress updates.

In the same run, on the very same certificates (snapshots read back from the issued rows), the
plain best-practice WeasyPrint loop of ``bench_certificates.run_baseline`` (2 processes, CSS
parsed once, one FontConfiguration, no signing, no storage, no database). Then the same issuing
job once more with signing switched off, and pyHanko's signing cost per certificate.

Other engineers' jobs share this machine, so besides wall-clock rates the table gives rates per
2 CPU-seconds (certificates per second that 2 otherwise idle cores would deliver, from the CPU
time of workers and parent), as ``bench_certificates`` does.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from uuid import UUID, uuid4

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

_TMP = Path(tempfile.mkdtemp(prefix="prima-bench-issuing-"))
os.environ["LMS_DATA_DIR"] = str(_TMP / "data")
os.environ["LMS_DATABASE_URL"] = f"sqlite:///{_TMP / 'bench.sqlite3'}"
os.environ["LMS_SECRET_KEY"] = "bench-secret-key-0123456789-0123456789"
os.environ["LMS_PUBLIC_BASE_URL"] = "https://prima.padangpanjang.go.id"
os.environ["LMS_RENDER_WORKERS"] = "2"
for name in ("LMS_SIGNING_P12", "LMS_SIGNING_PASSPHRASE"):
    os.environ.pop(name, None)

import msgspec  # noqa: E402

from tests.benchmarks.bench_certificates import (  # noqa: E402
    BACK,
    FIRST_NAMES,
    FRONT,
    JABATAN,
    bench_signing,
    run_baseline,
)

GOLONGAN = ["III/a", "III/b", "III/c", "II/c", "IV/a", "III/d"]
PREDIKAT = [("Sangat Memuaskan", "92.40"), ("Memuaskan", "85.10"), ("Cukup Memuaskan", "74.00")]


async def _world(n: int) -> tuple[object, UUID, list[UUID], dict]:
    """Units, ``n`` people, the course, the issuer profile (logo + signature)."""
    from certificates.demo import PROFILE, _svg_uri
    from certificates.issuing.issuer_profiles import IssuerProfileService
    from certificates.issuing.schemas import IssuerProfileWrite
    from certificates.rendering.storage import store_for
    from courses.catalogue.schemas import CourseCreate
    from courses.catalogue.services import CourseService
    from lms.auth.caller import Caller
    from lms.config import get_settings
    from lms.people.tables import Person, Unit

    now = dt.datetime.now(dt.UTC)
    root, unit = uuid4(), uuid4()
    await Unit.insert(
        Unit(
            id=root,
            code="PEMKOT-PPJ",
            name="Pemerintah Kota Padang Panjang",
            kind="pemda",
            path=f"/{root}/",
            city="Padang Panjang",
            created_at=now,
        ),
        Unit(
            id=unit,
            code="DPMPTSP-PPJ",
            name="DPMPTSP Kota Padang Panjang",
            kind="opd",
            parent=root,
            path=f"/{root}/{unit}/",
            city="Padang Panjang",
            created_at=now,
        ),
    )
    caller = Caller(
        user_id=uuid4(),
        username="organizer",
        role="organizer",
        unit_id=unit,
        unit_path=f"/{root}/{unit}/",
    )
    people = []
    rows = []
    for i in range(n):
        person_id = uuid4()
        people.append(person_id)
        birth = f"19{70 + i % 30:02d}{1 + i % 12:02d}{1 + i % 28:02d}"
        rows.append(
            Person(
                id=person_id,
                nip=f"{birth}20{10 + i % 15:02d}0{1 + i % 9}1{i:03d}"[:18],
                name=f"{FIRST_NAMES[i % len(FIRST_NAMES)]} {i:04d}",
                front_title=FRONT[i % len(FRONT)].strip(),
                back_title=BACK[(i // 3) % len(BACK)],
                asn_type="pns",
                golongan=GOLONGAN[i % len(GOLONGAN)],
                jabatan=JABATAN[i % len(JABATAN)],
                jabatan_type="pelaksana",
                unit=unit,
                created_at=now,
                updated_at=now,
            )
        )
    for start in range(0, n, 200):
        await Person.insert(*rows[start : start + 200])
    course = await CourseService().create(
        caller,
        msgspec.convert(
            {
                "code": "PP-2026",
                "title": "Pelatihan Pelayanan Prima",
                "modules": [
                    {"title": "Konsep Pelayanan Prima", "jp": "6"},
                    {"title": "Standar Pelayanan dan Maklumat", "jp": "6"},
                    {"title": "Komunikasi dan Etika Pelayanan", "jp": "6"},
                    {"title": "Penanganan Pengaduan", "jp": "6"},
                ],
                "pass_mark": "70.01",
                "min_attendance": "80",
                "weights": {"attendance": "10", "post_test": "60", "trainer_assessment": "30"},
                "validity_months": 36,
                "unit_id": str(unit),
            },
            CourseCreate,
        ),
    )
    settings = get_settings()
    await IssuerProfileService(settings, store_for(settings)).put(
        caller,
        IssuerProfileWrite(
            **PROFILE, logo=_svg_uri("logo.svg"), signature_image=_svg_uri("signature.svg")
        ),
        unit,
    )
    return caller, course.id, people, {"unit": unit}


async def _finalized_session(caller, course_id: UUID, people: list[UUID], label: str) -> UUID:
    """A session of the course, finalized with everyone passed and JP credited."""
    from courses.catalogue.services import course_rules
    from courses.delivery.sessions.schemas import SessionCreate
    from courses.delivery.sessions.service import SessionService
    from courses.tables import CourseSession, Result
    from lms.competencies import ledger

    session = await SessionService().create(
        caller,
        SessionCreate(
            course_id=course_id,
            name=label,
            start_date=dt.date(2026, 11, 18),
            end_date=dt.date(2026, 11, 20),
            venue="Aula DPMPTSP Kota Padang Panjang",
            city="Padang Panjang",
            capacity=2000,
        ),
    )
    rules = await course_rules(course_id)
    snapshot = msgspec.to_builtins(rules)
    now = dt.datetime.now(dt.UTC)
    results = []
    for i, person_id in enumerate(people):
        predikat, score = PREDIKAT[i % len(PREDIKAT)]
        results.append(
            Result(
                id=uuid4(),
                session=session.id,
                person=person_id,
                components={},
                attendance_percent=Decimal("100"),
                final_score=Decimal(score),
                passed=True,
                predikat=predikat,
                rules=snapshot,
                finalized_at=now,
                amendments=[],
                note="",
                updated_at=now,
                natural_key=f"{session.id}:{person_id}",
            )
        )
    for start in range(0, len(results), 200):
        await Result.insert(*results[start : start + 200])
    for person_id in people:
        await ledger.credit_session(
            person_id=person_id,
            session_id=session.id,
            title=f"{rules.title} {label}",
            organizer="DPMPTSP Kota Padang Panjang",
            jenis_diklat=3,
            klasikal=True,
            start_date=dt.date(2026, 11, 18),
            end_date=dt.date(2026, 11, 20),
            jp=rules.total_jp,
            competency_codes=[],
            actor=caller,
        )
    await CourseSession.update(
        {
            CourseSession.finalized_at: now,
            CourseSession.rules: snapshot,
            CourseSession.status: "completed",
        }
    ).where(CourseSession.id == session.id)
    return session.id


class _CommitClock:
    """Measures the time spent in the issuing transactions (store + claim + insert)."""

    def __init__(self) -> None:
        from certificates.issuing.run import IssuingRun

        self.seconds = 0.0
        self.commits = 0
        original = IssuingRun._commit

        async def timed(run, batch, expected):
            began = time.perf_counter()
            try:
                return await original(run, batch, expected)
            finally:
                self.seconds += time.perf_counter() - began
                self.commits += 1

        IssuingRun._commit = timed  # type: ignore[method-assign]

    def reset(self) -> None:
        self.seconds, self.commits = 0.0, 0


async def _issue_through_job(session_id: UUID, caller, settings) -> tuple[float, float, dict]:
    """Submit the job and wait for it; return (wall s, CPU s of parent + workers, result)."""
    from certificates.rendering.pool import get_renderer
    from lms.jobs import runner
    from lms.jobs.tables import Job

    renderer = await get_renderer(settings)
    since = len(renderer.samples)
    began = time.perf_counter()
    cpu = time.process_time()
    job_id = await runner.submit(
        "certificates.issue", {"session_id": str(session_id)}, actor=caller, settings=settings
    )
    await runner.wait_for_jobs(7200)
    elapsed = time.perf_counter() - began
    cpu = time.process_time() - cpu + sum(s[3] for s in list(renderer.samples)[since:])
    job = await Job.select().where(Job.id == job_id).output(load_json=True).first()
    assert job["status"] == "succeeded", job
    return elapsed, cpu, job


async def _issued_snapshots(session_id: UUID):
    """The issued certificates' snapshots with their images, to render the same in the baseline."""
    from certificates.rendering.snapshot import CertificateSnapshot
    from certificates.rendering.storage import store_for
    from certificates.tables import Certificate
    from lms.config import get_settings

    store = store_for(get_settings())
    rows = await (
        Certificate.select(Certificate.snapshot, Certificate.assets, Certificate.pdf_sha256)
        .where(Certificate.session_id == session_id)
        .order_by(Certificate.seq)
        .output(load_json=True)
    )
    snapshots = []
    for row in rows:
        images = {name: store.read_asset(sha) for name, sha in row["assets"].items()}
        snapshots.append(msgspec.convert({**row["snapshot"], **images}, CertificateSnapshot))
    return snapshots, store.read_pdf(rows[0]["pdf_sha256"])


async def _restart_pool(settings, *, signing: bool) -> float:
    """(Re)start the render pool with or without the signer; return the start-up seconds."""
    from certificates.rendering import pool

    await pool.shutdown_renderer()
    began = time.perf_counter()
    await pool.get_renderer(
        settings if signing else msgspec.structs.replace(settings, signing_p12="none")
    )
    return time.perf_counter() - began


async def main_async(args: argparse.Namespace) -> None:
    from piccolo.apps.migrations.commands.forwards import run_forwards

    import certificates.issuing.job  # noqa: F401 (registers the job kind)
    from certificates.rendering import pool
    from certificates.rendering.templating import default_template
    from lms.app import bind_engine
    from lms.config import get_settings
    from lms.db import make_engine, start_engine, stop_engine

    settings = get_settings()
    engine = make_engine(settings.database_url)
    bind_engine(engine)
    await start_engine(engine)
    result = await run_forwards("all")
    assert result.success, result.message
    caller, course_id, people, _ = await _world(args.n)
    clock = _CommitClock()
    n = args.n

    def report(round_no: int, label: str, elapsed: float, cpu: float) -> None:
        print(
            f"round {round_no + 1}: {label} {n / elapsed:.1f} certs/s "
            f"({cpu / n * 1000:.0f} CPU ms/cert), load {os.getloadavg()[0]:.2f}",
            file=sys.stderr,
            flush=True,
        )

    signed, unsigned, baseline = [], [], []
    snapshots = unsigned_pdf = None
    start_s = 0.0
    sessions = 0
    # Each round runs the three back to back, so load from other processes hits them alike.
    for round_no in range(args.rounds):
        start_s = await _restart_pool(settings, signing=True)
        sessions += 1
        session_id = await _finalized_session(caller, course_id, people, f"Angkatan {sessions}")
        clock.reset()
        elapsed, cpu, job = await _issue_through_job(session_id, caller, settings)
        assert job["result"]["issued"] == n, job["result"]
        signed.append((elapsed, cpu, clock.seconds, clock.commits))
        report(round_no, "issuing", elapsed, cpu)
        if snapshots is None:
            snapshots, _ = await _issued_snapshots(session_id)

        b_elapsed, b_cpu, _, _ = await asyncio.to_thread(
            run_baseline, default_template(), snapshots
        )
        baseline.append((b_elapsed, b_cpu))
        report(round_no, "baseline", b_elapsed, b_cpu)

        await _restart_pool(settings, signing=False)
        sessions += 1
        session_id = await _finalized_session(caller, course_id, people, f"Angkatan {sessions}")
        elapsed, cpu, job = await _issue_through_job(session_id, caller, settings)
        assert job["result"]["issued"] == n, job["result"]
        unsigned.append((elapsed, cpu))
        report(round_no, "issuing unsigned", elapsed, cpu)
        if unsigned_pdf is None:
            _, unsigned_pdf = await _issued_snapshots(session_id)
    await pool.shutdown_renderer()
    await stop_engine(engine)

    # pyHanko runs its own event loop: sign in a thread, as the render workers do outside one.
    sign_ms = await asyncio.to_thread(bench_signing, unsigned_pdf)

    def med(rows: list[tuple[float, ...]], column: int) -> float:
        return statistics.median(row[column] for row in rows)

    def rounds(rows: list[tuple[float, ...]]) -> str:
        return ", ".join(f"{n / row[0]:.1f}" for row in rows)

    print(f"# Issuing benchmark ({dt.date.today().isoformat()})\n")
    print(
        f"{n} certificates end to end through the `certificates.issue` job on SQLite "
        f"(A4 landscape, 2 pages, logo + signature SVG, QR), {os.cpu_count()} CPUs, 2 render "
        f"workers (started in {start_s:.1f} s, before the clock), {args.rounds} alternating "
        f"round(s), medians; load average at the end {os.getloadavg()[0]:.2f}.\n"
    )
    print("| run | certs/s wall | per round | certs/s per 2 CPU-s | CPU ms/cert |")
    print("|---|---|---|---|---|")
    for label, rows in (
        ("plain WeasyPrint loop, 2 processes (render only)", baseline),
        ("Prima issuing job: render + sign + store + rows + ledger + audit", signed),
        ("Prima issuing job, signing off", unsigned),
    ):
        print(
            f"| {label} | {n / med(rows, 0):.1f} | {rounds(rows)} | "
            f"{2 * n / med(rows, 1):.1f} | {med(rows, 1) / n * 1000:.0f} |"
        )
    ratios = ", ".join(f"{b[0] / s[0]:.2f}" for b, s in zip(baseline, signed, strict=True))
    print(
        f"\nIssuing (signed) / baseline: wall **{med(baseline, 0) / med(signed, 0):.2f}x** "
        f"(rounds: {ratios}), CPU **{med(baseline, 1) / med(signed, 1):.2f}x**; unsigned: wall "
        f"**{med(baseline, 0) / med(unsigned, 0):.2f}x**, CPU "
        f"**{med(baseline, 1) / med(unsigned, 1):.2f}x** (budget >= 1.25x).\n"
        f"Transactions: {med(signed, 3):.0f} commits, {med(signed, 2):.1f} s in total "
        f"({med(signed, 2) / n * 1000:.1f} ms per certificate, overlapped with rendering).\n"
        f"PAdES signing (pyHanko, EC P-256 demo key): {sign_ms:.1f} CPU ms per certificate in "
        f"one process; in the job it runs in the render workers.\n"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=1000, help="certificates per job")
    parser.add_argument("--rounds", type=int, default=2, help="alternating rounds")
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()

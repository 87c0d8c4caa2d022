"""A finalized session to issue certificates for, and helpers to read what was issued.

The course and session go through the courses services (the real rules snapshot); results,
the finalization stamp and the JP credits are written directly, so a test controls exactly who
passed with which predikat without running quizzes and attendance.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import httpx
import msgspec
import pypdf
import pytest

from lms.config import get_settings
from lms.shared.indonesian import MONTHS, month_roman
from tests.factories import Actor, make_actor, make_person

COURSE = {
    "code": "PP-2026",
    "title": "Pelatihan Pelayanan Prima",
    "training_type": "klasikal",
    "jenis_diklat": 3,
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
}

PROFILE = {
    "number_pattern": "{seq:03d}/PP/DPMPTSP/{month_roman}/{year}",
    "organizer_name": (
        "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu Kota Padang Panjang"
    ),
    "city": "Padang Panjang",
    "signer_name": "Drs. H. Syahrul, M.Si.",
    "signer_jabatan": "Kepala Dinas",
    "signer_nip": "196805121994031004",
    "signer_pangkat": "Pembina Utama Muda",
}


@dataclass
class Holder:
    """A participant of the world and their result."""

    person_id: UUID
    name: str
    passed: bool
    predikat: str
    score: str
    actor: Actor | None = None


@dataclass
class World:
    """What ``finalized_session`` built."""

    session_id: UUID
    course_id: UUID
    holders: list[Holder] = field(default_factory=list)

    def passed(self) -> list[Holder]:
        return [h for h in self.holders if h.passed]


def organizer_caller(organizer: Actor, unit: dict) -> Any:
    from lms.auth.caller import Caller

    return Caller(
        user_id=organizer.user_id,
        username=organizer.username,
        role="organizer",
        unit_id=unit["id"],
        unit_path=unit["path"],
    )


# (name, front, back, nip, asn_type, golongan, passed, predikat, score)
PEOPLE: list[tuple[str, str, str, str | None, str, str, bool, str, str]] = [
    ("Afrizal", "", "S.Sos.", "198703152010011002", "pns", "III/d", True, "Memuaskan", "86.50"),
    (
        "Muh. Ma'ruf",
        "Drs.",
        "S.Sos., M.Si.",
        "198609262015051001",
        "pns",
        "III/b",
        True,
        "Sangat Memuaskan",
        "93.20",
    ),
    (
        "Ni Made Ayu Suartini",
        "",
        "A.Md.",
        "198604272022211011",
        "pppk",
        "IX",
        True,
        "Cukup Memuaskan",
        "74.00",
    ),
    (
        "Yusnita Dewi",
        "",
        "",
        "199001012019032001",
        "pns",
        "II/c",
        False,
        "Kurang Memuaskan",
        "61.00",
    ),
]


async def finalized_session(
    organizer: Actor,
    unit: dict,
    people: list[tuple[str, str, str, str | None, str, str, bool, str, str]] | None = None,
    *,
    credit: bool = True,
) -> World:
    """A course (4 × 6 JP, valid 36 months), its session 18–20 November 2026 in Padang Panjang,
    and finalized results for ``people`` (default ``PEOPLE``: three passed, one failed)."""
    from courses.catalogue.schemas import CourseCreate
    from courses.catalogue.services import CourseService, course_rules
    from courses.delivery.sessions.schemas import SessionCreate
    from courses.delivery.sessions.service import SessionService
    from courses.tables import CourseSession, Result
    from lms.competencies import ledger

    caller = organizer_caller(organizer, unit)
    course = await CourseService().create(
        caller,
        msgspec.convert(
            {**COURSE, "code": f"PP-{uuid4().hex[:6]}", "unit_id": str(unit["id"])},
            CourseCreate,
        ),
    )
    session = await SessionService().create(
        caller,
        SessionCreate(
            course_id=course.id,
            name="Angkatan I",
            start_date=dt.date(2026, 11, 18),
            end_date=dt.date(2026, 11, 20),
            timezone="Asia/Jakarta",
            venue="Aula DPMPTSP Kota Padang Panjang",
            city="Padang Panjang",
        ),
    )
    rules = await course_rules(course.id)
    now = dt.datetime.now(dt.UTC)
    world = World(session_id=session.id, course_id=course.id)
    for name, front, back, nip, asn_type, golongan, passed, predikat, score in people or PEOPLE:
        person_id = await make_person(
            unit["id"],
            name,
            nip=nip,
            asn_type=asn_type,
            golongan=golongan,
            front_title=front,
            back_title=back,
            jabatan="Kepala Seksi Pelayanan",
        )
        await Result.insert(
            Result(
                id=uuid4(),
                session=session.id,
                person=person_id,
                components={},
                attendance_percent=Decimal("100.00"),
                final_score=Decimal(score),
                passed=passed,
                predikat=predikat,
                rules=msgspec.to_builtins(rules),
                finalized_at=now,
                amendments=[],
                note="",
                updated_at=now,
                natural_key=f"{session.id}:{person_id}",
            )
        )
        if passed and credit:
            await ledger.credit_session(
                person_id=person_id,
                session_id=session.id,
                title=f"{rules.title} Angkatan I",
                organizer=unit["name"],
                jenis_diklat=rules.jenis_diklat,
                klasikal=True,
                start_date=dt.date(2026, 11, 18),
                end_date=dt.date(2026, 11, 20),
                jp=rules.total_jp,
                competency_codes=[],
                actor=caller,
            )
        full = " ".join(p for p in (front, name) if p) + (f", {back}" if back else "")
        world.holders.append(Holder(person_id, full, passed, predikat, score))
    await CourseSession.update(
        {
            CourseSession.finalized_at: now,
            CourseSession.rules: msgspec.to_builtins(rules),
            CourseSession.status: "completed",
        }
    ).where(CourseSession.id == session.id)
    return world


async def set_profile(client: httpx.AsyncClient, organizer: Actor, **changes: Any) -> dict:
    """PUT the DPMPTSP issuer profile (with ``changes``)."""
    resp = await client.put(
        "/api/v1/issuer-profile", json={**PROFILE, **changes}, headers=organizer.headers
    )
    assert resp.status_code == 200, resp.text
    return resp.json()


async def holder_actor(app: Any, holder: Holder, unit: dict) -> Actor:
    """A participant login linked to ``holder``."""
    holder.actor = await make_actor(
        app, "participant", person_id=holder.person_id, unit_id=unit["id"]
    )
    return holder.actor


async def issue_and_wait(
    client: httpx.AsyncClient, organizer: Actor, session_id: UUID, body: dict | None = None
) -> dict:
    """POST the issue request, wait for the job, return it as ``GET /api/v1/jobs/{id}`` shows."""
    from lms.jobs.runner import wait_for_jobs

    resp = await client.post(
        f"/api/v1/sessions/{session_id}/certificates",
        json=body,
        headers=organizer.headers,
    )
    assert resp.status_code == 202, resp.text
    accepted = resp.json()
    assert accepted["url"] == f"/api/v1/jobs/{accepted['job_id']}"
    await wait_for_jobs(300)
    job = await client.get(accepted["url"], headers=organizer.headers)
    assert job.status_code == 200, job.text
    return job.json()


async def job_row(job_id: UUID) -> dict:
    """A job as ``GET /api/v1/jobs/{id}`` shows it (read from the table, JSON decoded)."""
    from lms.jobs.tables import Job

    row = await Job.select().where(Job.id == job_id).output(load_json=True).first()
    assert row is not None
    return row


def pdf_text(pdf: bytes) -> str:
    """The text of every page, joined, whitespace collapsed."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def today_jakarta() -> dt.date:
    return dt.datetime.now(ZoneInfo("Asia/Jakarta")).date()


def number(seq: int, day: dt.date | None = None) -> str:
    """The DPMPTSP number printed for ``seq`` when issued on ``day`` (default today)."""
    day = day or today_jakarta()
    return f"{seq:03d}/PP/DPMPTSP/{month_roman(day.month)}/{day.year}"


def issued_line(day: dt.date | None = None) -> str:
    day = day or today_jakarta()
    return f"Padang Panjang, {day.day} {MONTHS[day.month - 1]} {day.year}"


@pytest.fixture(scope="session")
async def render_pool():
    """The process's render pool, stopped when the test run ends."""
    from certificates.rendering.pool import get_renderer, shutdown_renderer

    yield await get_renderer(get_settings())
    await shutdown_renderer()

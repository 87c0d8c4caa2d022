"""The demo of the courses app: Pelatihan Pelayanan Prima, Angkatan I, run end to end.

Runs after ``lms.demo.seed`` and reads what it left in ``ctx`` (units, the 27 people, users,
the widyaiswara). Everything goes through the same services the API uses, as the demo
organizer, so the audit log reads like a real run:

* the course PP-2026: 3 days, 24 JP over 4 modules of 6 JP; weights attendance 10, post-test
  60, trainer assessment 30; pass mark 70, minimum attendance 80; default predikat bands;
* two trainers: the widyaiswara from the register (linked to the ``trainer`` login) and
  Prof. Dr. Rina Marlina, M.Si. of Universitas Andalas;
* the session "Angkatan I", 18–20 November 2026 (WIB) in the DPMPTSP hall, 30 seats, with an
  agenda that delivers exactly the course's 24 JP;
* the 27 participants enrolled (all confirmed), attendance marked for the three days (one
  participant missed a day, one missed two, one came late), and the session completed.

It leaves ``ctx["course_id"]``, ``ctx["session_id"]`` and ``ctx["trainer_ids"]`` (register
trainer first) for the demos that follow (results, certificates).
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

import msgspec

from courses.catalogue.schemas import CourseCreate
from courses.catalogue.services import CourseService
from courses.delivery.agenda.schemas import AgendaItemCreate
from courses.delivery.agenda.service import AgendaService
from courses.delivery.attendance.schemas import AttendanceMarkInput, AttendanceStatus
from courses.delivery.attendance.service import AttendanceService
from courses.delivery.enrollment.schemas import EnrollmentCreate
from courses.delivery.enrollment.service import EnrollmentService
from courses.delivery.sessions.schemas import SessionCreate, SessionUpdate
from courses.delivery.sessions.service import SessionService
from courses.delivery.trainers.schemas import TrainerCreate
from courses.delivery.trainers.service import TrainerService
from lms.auth.caller import Caller
from lms.people.tables import Unit

COURSE = {
    "code": "PP-2026",
    "title": "Pelatihan Pelayanan Prima",
    "description": (
        "Pelatihan bagi petugas pelayanan kecamatan, kelurahan dan DPMPTSP: konsep pelayanan "
        "prima, standar pelayanan dan maklumat, komunikasi dan etika, serta penanganan "
        "pengaduan, sesuai UU 25/2009 dan nilai BerAKHLAK Berorientasi Pelayanan."
    ),
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

OUTSIDE_TRAINER = {
    "name": "Rina Marlina",
    "front_title": "Prof. Dr.",
    "back_title": "M.Si.",
    "institution": "Universitas Andalas",
    "expertise": "Manajemen pelayanan publik; komunikasi pelayanan",
}

SESSION = {
    "name": "Angkatan I",
    "start_date": "2026-11-18",
    "end_date": "2026-11-20",
    "timezone": "Asia/Jakarta",
    "venue": "Aula DPMPTSP Kota Padang Panjang",
    "city": "Padang Panjang",
    "capacity": 30,
    "enroll_opens_at": "2026-11-01T08:00:00+07:00",
    "enroll_closes_at": "2026-11-16T16:00:00+07:00",
}

DAYS = ("2026-11-18", "2026-11-19", "2026-11-20")

# (day, start, end, module number (1-based) or None, trainer: 0 register, 1 outsider, title)
AGENDA: tuple[tuple[str, str, str, int | None, int | None, str], ...] = (
    (DAYS[0], "07:30", "08:00", None, None, "Pembukaan dan pre-test"),
    (DAYS[0], "08:00", "12:30", 1, 0, ""),
    (DAYS[0], "13:30", "15:00", 2, 1, ""),
    (DAYS[1], "08:00", "11:00", 2, 1, ""),
    (DAYS[1], "11:00", "12:00", 3, 0, ""),
    (DAYS[1], "13:00", "15:00", 3, 0, ""),
    (DAYS[2], "08:00", "09:30", 3, 0, ""),
    (DAYS[2], "09:30", "12:00", 4, 1, ""),
    (DAYS[2], "13:00", "15:00", 4, 1, ""),
    (DAYS[2], "15:00", "15:30", None, None, "Post-test, evaluasi dan penutupan"),
)

# Participant index (file order) → status per day; everyone else is present every day.
ATTENDANCE_EXCEPTIONS: dict[int, tuple[AttendanceStatus, AttendanceStatus, AttendanceStatus]] = {
    4: ("present", "present", "absent"),  # 66.67 %: below the 80 % minimum
    9: ("present", "absent", "excused"),  # 33.33 %
    14: ("late", "present", "present"),  # late still counts: 100 %
}


async def _organizer(ctx: dict[str, Any]) -> Caller:
    unit_id = ctx["units"]["DPMPTSP-PPJ"]
    unit = await Unit.select(Unit.path).where(Unit.id == unit_id).first()
    return Caller(
        user_id=ctx["users"]["organizer"],
        username="organizer",
        role="organizer",
        unit_id=unit_id,
        unit_path=unit["path"] if unit else "",
    )


def _at(day: str, hhmm: str) -> str:
    return f"{day}T{hhmm}:00+07:00"


async def seed(ctx: dict[str, Any]) -> None:
    """Create the demo course, trainers, session, agenda, enrollments and attendance."""
    organizer = await _organizer(ctx)
    course = await CourseService().create(
        organizer, msgspec.convert({**COURSE, "unit_id": str(organizer.unit_id)}, CourseCreate)
    )
    trainers = TrainerService()
    # The widyaiswara works at BKPSDM, outside the organizer's scope: the city admin registers
    # them as a trainer of DPMPTSP (an organizer links only people of their own units).
    admin = Caller(user_id=ctx["users"]["admin"], username="admin", role="admin")
    register_trainer = await trainers.create(
        admin,
        TrainerCreate(
            person_id=ctx["trainer_person_id"],
            expertise="Standar pelayanan",
            unit_id=organizer.unit_id,
        ),
    )
    outsider = await trainers.create(organizer, msgspec.convert(OUTSIDE_TRAINER, TrainerCreate))
    trainer_ids: list[UUID] = [register_trainer.id, outsider.id]

    sessions = SessionService()
    session = await sessions.create(
        organizer, msgspec.convert({**SESSION, "course_id": str(course.id)}, SessionCreate)
    )
    agenda = AgendaService()
    for day, start, end, module, trainer, title in AGENDA:
        item = {
            "starts_at": _at(day, start),
            "ends_at": _at(day, end),
            "module_id": str(course.modules[module - 1].id) if module else None,
            "trainer_id": str(trainer_ids[trainer]) if trainer is not None else None,
            "room": "Aula Utama",
            "title": title,
        }
        await agenda.create(organizer, session.id, msgspec.convert(item, AgendaItemCreate))

    await sessions.update(organizer, session.id, SessionUpdate(status="open"))
    people: list[UUID] = list(ctx["people"])
    await EnrollmentService().create(organizer, session.id, EnrollmentCreate(person_ids=people))
    await sessions.update(organizer, session.id, SessionUpdate(status="running"))
    marks = [
        AttendanceMarkInput(
            person_id=person_id,
            day=dt.date.fromisoformat(day),
            status=ATTENDANCE_EXCEPTIONS.get(index, ("present", "present", "present"))[n],
        )
        for index, person_id in enumerate(people)
        for n, day in enumerate(DAYS)
    ]
    await AttendanceService().mark(organizer, session.id, marks)
    await sessions.update(organizer, session.id, SessionUpdate(status="completed"))

    ctx["course_id"] = course.id
    ctx["session_id"] = session.id
    ctx["trainer_ids"] = trainer_ids

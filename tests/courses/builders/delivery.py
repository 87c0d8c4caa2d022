"""Builders for delivery tests (and for assessments/results tests that need a session).

They go through the API, so a test that builds a session also exercises the routes it uses;
``make_participants`` inserts rows directly because some tests need hundreds.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any
from uuid import UUID, uuid4

import httpx

from tests.factories import Actor, _password_hash

_codes = itertools.count(1)

MODULES = [
    {"title": "Konsep Pelayanan Prima", "jp": 6},
    {"title": "Standar Pelayanan dan Maklumat", "jp": 6},
    {"title": "Komunikasi dan Etika Pelayanan", "jp": 6},
    {"title": "Penanganan Pengaduan", "jp": 6},
]


def course_body(**overrides: Any) -> dict[str, Any]:
    """A valid course: 4 modules of 6 JP, weights 10/60/30, pass mark 70.01, attendance 80."""
    body: dict[str, Any] = {
        "code": f"PP-{next(_codes):04d}",
        "title": "Pelatihan Pelayanan Prima",
        "modules": [dict(m) for m in MODULES],
        "pass_mark": "70.01",
        "min_attendance": 80,
        "weights": {"attendance": 10, "post_test": 60, "trainer_assessment": 30},
        "jenis_diklat": 3,
    }
    body.update(overrides)
    return body


async def create_course(client: httpx.AsyncClient, actor: Actor, **overrides: Any) -> dict:
    """POST a course and return its JSON."""
    resp = await client.post(
        "/api/v1/courses", json=course_body(**overrides), headers=actor.headers
    )
    assert resp.status_code == 201, resp.text
    return resp.json()


def session_body(course_id: str, **overrides: Any) -> dict[str, Any]:
    """A 3-day session in WIB: 18–20 November 2026 in the DPMPTSP hall, 30 seats."""
    body: dict[str, Any] = {
        "course_id": course_id,
        "name": "Angkatan I",
        "start_date": "2026-11-18",
        "end_date": "2026-11-20",
        "timezone": "Asia/Jakarta",
        "venue": "Aula DPMPTSP Kota Padang Panjang",
        "city": "Padang Panjang",
        "capacity": 30,
    }
    body.update(overrides)
    return body


async def create_session(
    client: httpx.AsyncClient,
    actor: Actor,
    course_id: str | None = None,
    *,
    status: str = "draft",
    **overrides: Any,
) -> dict:
    """POST a session (creating a course when none is given) and move it to ``status``."""
    if course_id is None:
        course_id = (await create_course(client, actor))["id"]
    resp = await client.post(
        "/api/v1/sessions", json=session_body(course_id, **overrides), headers=actor.headers
    )
    assert resp.status_code == 201, resp.text
    session = resp.json()
    return await move_session(client, actor, session, status)


async def move_session(client: httpx.AsyncClient, actor: Actor, session: dict, status: str) -> dict:
    """Walk a session along draft → open → running → completed up to ``status``."""
    path = ["draft", "open", "running", "completed"]
    if status == session["status"]:
        return session
    steps = path[path.index(session["status"]) + 1 : path.index(status) + 1]
    for step in steps:
        resp = await client.patch(
            f"/api/v1/sessions/{session['id']}", json={"status": step}, headers=actor.headers
        )
        assert resp.status_code == 200, resp.text
        session = resp.json()
    return session


async def create_trainer(client: httpx.AsyncClient, actor: Actor, **body: Any) -> dict:
    """POST a trainer (an outsider by default)."""
    payload = body or {
        "name": "Rina Marlina",
        "front_title": "Prof. Dr.",
        "back_title": "M.Si.",
        "institution": "Universitas Andalas",
        "expertise": "Pelayanan publik",
    }
    resp = await client.post("/api/v1/trainers", json=payload, headers=actor.headers)
    assert resp.status_code == 201, resp.text
    return resp.json()


async def caller_of(actor: Actor) -> Any:
    """The ``Caller`` an actor's token stands for (to call services directly)."""
    from lms.auth.caller import Caller
    from lms.people.tables import Unit

    path = ""
    if actor.unit_id is not None:
        row = await Unit.select(Unit.path).where(Unit.id == actor.unit_id).first()
        path = row["path"] if row else ""
    return Caller(
        user_id=actor.user_id,
        username=actor.username,
        role=actor.role,
        unit_id=actor.unit_id,
        unit_path=path,
        person_id=actor.person_id,
    )


def wib(day: str, hhmm: str) -> str:
    """An RFC 3339 instant in WIB, e.g. ``wib("2026-11-18", "08:00")``."""
    return f"{day}T{hhmm}:00+07:00"


async def enroll(
    client: httpx.AsyncClient, actor: Actor, session_id: str, person_ids: list[UUID]
) -> dict:
    """Enroll people as an organizer; returns the batch."""
    resp = await client.post(
        f"/api/v1/sessions/{session_id}/enrollments",
        json={"person_ids": [str(p) for p in person_ids]},
        headers=actor.headers,
    )
    assert resp.status_code == 201, resp.text
    return resp.json()


async def make_participants(
    app: Any, unit_id: UUID, count: int, prefix: str = "Peserta"
) -> list[Actor]:
    """Insert ``count`` people with participant logins in two bulk inserts."""
    from lms.auth.tables import User
    from lms.people.tables import Person

    now = dt.datetime.now(dt.UTC)
    people, users, actors = [], [], []
    password_hash = _password_hash("rahasia-123")
    batch = uuid4().hex[:8]
    for n in range(count):
        person_id, user_id = uuid4(), uuid4()
        people.append(
            Person(
                id=person_id,
                nip=None,
                name=f"{prefix} {n + 1:03d}",
                front_title="",
                back_title="",
                asn_type="non_asn",
                golongan="",
                jabatan="Operator Layanan",
                jabatan_type="pelaksana",
                unit=unit_id,
                email="",
                phone="",
                created_at=now,
                updated_at=now,
            )
        )
        username = f"p-{batch}-{n}"
        users.append(
            User(
                id=user_id,
                username=username,
                password_hash=password_hash,
                role="participant",
                person=person_id,
                unit=unit_id,
                active=True,
                created_at=now,
            )
        )
        token = app.state.jwt_auth.create_token(identifier=str(user_id))
        actors.append(
            Actor(
                user_id=user_id,
                username=username,
                role="participant",
                headers={"Authorization": f"Bearer {token}"},
                unit_id=unit_id,
                person_id=person_id,
            )
        )
    await Person.insert(*people)
    await User.insert(*users)
    return actors


def local_today(tz: str = "Asia/Jakarta") -> dt.date:
    """Today in a session's time zone (pages pick "today" from the real clock)."""
    from zoneinfo import ZoneInfo

    return dt.datetime.now(ZoneInfo(tz)).date()


async def teach(
    client: httpx.AsyncClient,
    organizer: Actor,
    session: dict,
    trainer_login: Actor,
    day: dt.date,
    *,
    title: str = "Sikap melayani",
) -> dict:
    """Register a trainer login's person as the session unit's trainer (once) and put them on
    the agenda from 08:00 to 10:00 of ``day``; returns the agenda item."""
    listed = await client.get("/api/v1/trainers?limit=200", headers=organizer.headers)
    trainer = next(
        (t for t in listed.json()["items"] if t["user_id"] == str(trainer_login.user_id)), None
    )
    if trainer is None:
        trainer = await create_trainer(
            client, organizer, person_id=str(trainer_login.person_id), institution="BPSDM Sumbar"
        )
    resp = await client.post(
        f"/api/v1/sessions/{session['id']}/agenda",
        json={
            "starts_at": wib(day.isoformat(), "08:00"),
            "ends_at": wib(day.isoformat(), "10:00"),
            "trainer_id": trainer["id"],
            "title": title,
        },
        headers=organizer.headers,
    )
    assert resp.status_code == 201, resp.text
    return resp.json()


async def running_today(
    client: httpx.AsyncClient, app: Any, organizer: Actor, unit_id: UUID, count: int = 2
) -> tuple[dict, dict, list[Actor]]:
    """A running session of today and tomorrow (WIB, by the real clock) with a trainer on
    today's agenda and ``count`` confirmed participants: for the participant's pages, which
    read today's date. Returns the session, the trainer and the participants."""
    today = local_today()
    course = await create_course(client, organizer)
    session = await create_session(
        client,
        organizer,
        course["id"],
        status="open",
        start_date=today.isoformat(),
        end_date=(today + dt.timedelta(days=1)).isoformat(),
    )
    trainer = await create_trainer(client, organizer)
    resp = await client.post(
        f"/api/v1/sessions/{session['id']}/agenda",
        json={
            "starts_at": wib(today.isoformat(), "08:00"),
            "ends_at": wib(today.isoformat(), "10:00"),
            "trainer_id": trainer["id"],
            "module_id": course["modules"][0]["id"],
        },
        headers=organizer.headers,
    )
    assert resp.status_code == 201, resp.text
    people = await make_participants(app, unit_id, count)
    await enroll(client, organizer, session["id"], [p.person_id for p in people])
    session = await move_session(client, organizer, session, "running")
    return session, trainer, people

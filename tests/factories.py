"""Fixtures and builders shared by every test: units, people, and logged-in actors.

Rows are inserted directly (fast, and independent of the routes under test); tokens come from
the app's own ``JWTAuth`` so requests are authenticated exactly as in production.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
from dataclasses import dataclass, field
from uuid import UUID, uuid4

import pytest

__all__ = [
    "Actor",
    "admin",
    "hr",
    "make_actor",
    "make_person",
    "make_unit",
    "organizer",
    "other_organizer",
    "other_unit",
    "participant",
    "root_unit",
    "trainer_user",
    "unit",
    "web",
]

_counter = itertools.count(1)


@functools.cache
def _password_hash(password: str) -> str:
    """Argon2 is slow on purpose; hash each test password once per run."""
    from lms.auth.passwords import hash_password

    return hash_password(password)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass
class Actor:
    """A logged-in user: ids and the headers to send."""

    user_id: UUID
    username: str
    role: str
    headers: dict[str, str]
    unit_id: UUID | None = None
    person_id: UUID | None = None
    extra: dict = field(default_factory=dict)


async def make_unit(
    code: str, name: str, parent: dict | None = None, kind: str = "opd", city: str = ""
) -> dict:
    """Insert a unit under ``parent``; returns ``{"id", "path", "code", "name"}``."""
    from lms.people.tables import Unit

    unit_id = uuid4()
    path = (parent["path"] if parent else "/") + f"{unit_id}/"
    await Unit.insert(
        Unit(
            id=unit_id,
            code=code,
            name=name,
            kind=kind,
            parent=parent["id"] if parent else None,
            path=path,
            city=city or "Padang Panjang",
            timezone="Asia/Jakarta",
            created_at=_now(),
        )
    )
    return {"id": unit_id, "path": path, "code": code, "name": name}


async def make_person(
    unit_id: UUID | None,
    name: str | None = None,
    *,
    nip: str | None = None,
    asn_type: str = "pns",
    golongan: str = "III/b",
    front_title: str = "",
    back_title: str = "",
    jabatan: str = "Pengadministrasi Umum",
) -> UUID:
    """Insert a person; returns the id."""
    from lms.people.tables import Person

    person_id = uuid4()
    n = next(_counter)
    await Person.insert(
        Person(
            id=person_id,
            nip=nip,
            name=name or f"Peserta {n}",
            front_title=front_title,
            back_title=back_title,
            asn_type=asn_type,
            golongan=golongan,
            jabatan=jabatan,
            jabatan_type="pelaksana",
            unit=unit_id,
            email=f"peserta{n}@example.go.id",
            phone="081200000000",
            created_at=_now(),
            updated_at=_now(),
        )
    )
    return person_id


async def make_actor(
    app,
    role: str,
    *,
    unit_id: UUID | None = None,
    person_id: UUID | None = None,
    username: str | None = None,
    password: str = "rahasia-123",
) -> Actor:
    """Insert a user with ``role`` and return it with a bearer token."""
    from lms.auth.tables import User

    user_id = uuid4()
    username = username or f"{role}{next(_counter)}"
    await User.insert(
        User(
            id=user_id,
            username=username,
            password_hash=_password_hash(password),
            role=role,
            person=person_id,
            unit=unit_id,
            active=True,
            created_at=_now(),
        )
    )
    token = app.state.jwt_auth.create_token(identifier=str(user_id))
    return Actor(
        user_id=user_id,
        username=username,
        role=role,
        headers={"Authorization": f"Bearer {token}"},
        unit_id=unit_id,
        person_id=person_id,
        extra={"password": password},
    )


@pytest.fixture
async def root_unit(app) -> dict:
    """Pemerintah Kota Padang Panjang, the root of the unit tree."""
    return await make_unit("PEMKOT-PPJ", "Pemerintah Kota Padang Panjang", kind="pemda")


@pytest.fixture
async def unit(root_unit) -> dict:
    """DPMPTSP Kota Padang Panjang, the organizer's unit."""
    return await make_unit("DPMPTSP-PPJ", "DPMPTSP Kota Padang Panjang", root_unit, kind="opd")


@pytest.fixture
async def other_unit(root_unit) -> dict:
    """A sibling unit the organizer must not see (BKPSDM)."""
    return await make_unit("BKPSDM-PPJ", "BKPSDM Kota Padang Panjang", root_unit, kind="opd")


@pytest.fixture
async def admin(app) -> Actor:
    return await make_actor(app, "admin", username="admin-test")


@pytest.fixture
async def organizer(app, unit) -> Actor:
    return await make_actor(app, "organizer", unit_id=unit["id"])


@pytest.fixture
async def other_organizer(app, other_unit) -> Actor:
    return await make_actor(app, "organizer", unit_id=other_unit["id"])


@pytest.fixture
async def hr(app, root_unit) -> Actor:
    """HR of the whole city (root unit): sees every unit below."""
    return await make_actor(app, "hr", unit_id=root_unit["id"])


@pytest.fixture
async def trainer_user(app, unit) -> Actor:
    person_id = await make_person(unit["id"], "Narasumber Satu", jabatan="Widyaiswara")
    return await make_actor(app, "trainer", person_id=person_id, unit_id=unit["id"])


@pytest.fixture
async def participant(app, unit) -> Actor:
    person_id = await make_person(
        unit["id"], "Afrizal", nip="198609082018111001", back_title="S.Sos.", golongan="III/d"
    )
    return await make_actor(app, "participant", person_id=person_id, unit_id=unit["id"])


@pytest.fixture
async def web(app):
    """A browser-like client for the pages: https (the tests' LMS_PUBLIC_BASE_URL is https, so
    the session and CSRF cookies are Secure) and cookies kept between requests."""
    import httpx

    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50002))
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as c:
        yield c

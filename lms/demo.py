"""The demo of the lms core: Padang Panjang's unit tree, its 27 participants, one user per role.

``lms demo`` (and ``make run`` on an empty database) calls :func:`seed` first; the courses and
certificates demos run after it and read the ids it leaves in ``ctx``:

* ``ctx["units"]``: unit code → id (``ctx["units"]["DPMPTSP-PPJ"]`` is the organizer's unit);
* ``ctx["people"]``: the ids of the 27 people of the participant file, in file order;
* ``ctx["users"]``: role → user id (usernames are the role names);
* ``ctx["trainer_person_id"]``: the widyaiswara Dr. Hendra Gunawan, M.Si.

The participants come from the shared sample file
(``../shared/data/peserta_pelayanan_prima_angkatan_1.csv``) through the real import, so the
demo also shows the import at work; the kelurahan are placed under their kecamatan first so
the import matches them by name instead of creating them flat.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from uuid import uuid4

import msgspec

from lms.audit import services as audit
from lms.auth.passwords import hash_password
from lms.auth.tables import User
from lms.people.importing import import_people_table
from lms.people.schemas import PersonCreate, UnitCreate
from lms.people.services import PersonService
from lms.people.tables import Person, Unit
from lms.people.units import UnitService
from lms.shared.tabular import read_table

__all__ = ["DEMO_PASSWORDS", "SAMPLE_PEOPLE_FILE", "is_empty", "sample_people_bytes", "seed"]

DEMO_PASSWORDS: dict[str, str] = {
    "admin": "admin-prima-2026",
    "organizer": "organizer-prima-2026",
    "trainer": "trainer-prima-2026",
    "participant": "peserta-prima-2026",
    "hr": "hr-prima-2026",
}
"""Username (= role) → password of the demo accounts; README lists the same."""

SAMPLE_PEOPLE_FILE = "peserta_pelayanan_prima_angkatan_1.csv"

ROOT_CODE = "PEMKOT-PPJ"

# (code, name, kind, parent code); parents come before their children.
_UNITS: tuple[tuple[str, str, str, str | None], ...] = (
    (ROOT_CODE, "Pemerintah Kota Padang Panjang", "pemda", None),
    ("DPMPTSP-PPJ", "DPMPTSP Kota Padang Panjang", "opd", ROOT_CODE),
    ("BKPSDM-PPJ", "BKPSDM Kota Padang Panjang", "opd", ROOT_CODE),
    ("KEC-PPJ-TIMUR", "Kecamatan Padang Panjang Timur", "kecamatan", ROOT_CODE),
    ("KEC-PPJ-BARAT", "Kecamatan Padang Panjang Barat", "kecamatan", ROOT_CODE),
    ("KEL-EKOR-LUBUK", "Kelurahan Ekor Lubuk", "kelurahan", "KEC-PPJ-TIMUR"),
    ("KEL-GANTING", "Kelurahan Ganting", "kelurahan", "KEC-PPJ-TIMUR"),
    ("KEL-KOTO-PANJANG", "Kelurahan Koto Panjang", "kelurahan", "KEC-PPJ-TIMUR"),
    ("KEL-TANAH-HITAM", "Kelurahan Tanah Hitam", "kelurahan", "KEC-PPJ-TIMUR"),
    ("KEL-BALAI-BALAI", "Kelurahan Balai-Balai", "kelurahan", "KEC-PPJ-BARAT"),
    ("KEL-GUGUK-MALINTANG", "Kelurahan Guguk Malintang", "kelurahan", "KEC-PPJ-BARAT"),
    ("KEL-PASAR-USANG", "Kelurahan Pasar Usang", "kelurahan", "KEC-PPJ-BARAT"),
    ("KEL-SILAING-BAWAH", "Kelurahan Silaing Bawah", "kelurahan", "KEC-PPJ-BARAT"),
)

_TRAINER = {
    "name": "Hendra Gunawan",
    "front_title": "Dr.",
    "back_title": "M.Si.",
    "asn_type": "pns",
    "nip": "197503142000031002",
    "golongan": "IV/b",
    "jabatan": "Widyaiswara Ahli Madya",
    "jabatan_type": "fungsional",
    "email": "hendra.gunawan.wi@padangpanjang.go.id",
    "phone": "081266340210",
}


def _sample_candidates() -> list[Path]:
    # The repository sits beside ``shared/`` (both in development and in CI).
    repo = Path(__file__).resolve().parents[1]
    return [repo.parent / "shared" / "data" / SAMPLE_PEOPLE_FILE]


def sample_people_bytes() -> bytes:
    """The participant file of the demo, as an organizer would upload it.

    Raises:
        FileNotFoundError: the shared data folder is not beside the repository.
    """
    for path in _sample_candidates():
        if path.is_file():
            return path.read_bytes()
    raise FileNotFoundError(
        f"{SAMPLE_PEOPLE_FILE} not found; looked in: "
        + ", ".join(str(p) for p in _sample_candidates())
    )


async def _create_user(
    username: str,
    password: str,
    role: str,
    *,
    unit_id: Any = None,
    person_id: Any = None,
) -> Any:
    """Insert a demo account directly.

    Why not ``UserService.create``: its ``UserCreate`` asks for usernames of at least three
    characters, and the demo's HR account is called ``hr`` as the README documents.
    """
    user_id = uuid4()
    await User.insert(
        User(
            id=user_id,
            username=username,
            password_hash=hash_password(password),
            role=role,
            person=person_id,
            unit=unit_id,
            active=True,
            created_at=dt.datetime.now(dt.UTC),
        )
    )
    await audit.record(None, "user.create", "user", user_id, f"{username} ({role}), demo")
    return user_id


async def is_empty() -> bool:
    """True when there is no unit, person or user yet (a fresh database)."""
    return not (await Unit.exists() or await Person.exists() or await User.exists())


async def seed(ctx: dict[str, Any]) -> None:
    """Create the demo units, people and users, and put their ids in ``ctx``.

    Args:
        ctx: Shared with the demos that run after this one; ``ctx["passwords"]`` (role →
            password) overrides :data:`DEMO_PASSWORDS` when present.

    Raises:
        FileNotFoundError: the sample participant file cannot be found.
    """
    units = UnitService()
    unit_ids: dict[str, Any] = {}
    for code, name, kind, parent in _UNITS:
        data = msgspec.convert(
            {
                "code": code,
                "name": name,
                "kind": kind,
                "parent_id": str(unit_ids[parent]) if parent else None,
                "city": "Padang Panjang",
                "timezone": "Asia/Jakarta",
            },
            UnitCreate,
        )
        unit_ids[code] = (await units.create(None, data)).id

    table = read_table(
        sample_people_bytes(), SAMPLE_PEOPLE_FILE, max_rows=10_000, max_bytes=10 * 1024 * 1024
    )
    imported = await import_people_table(
        table, actor=None, parent_unit_id=unit_ids[ROOT_CODE], source=SAMPLE_PEOPLE_FILE
    )
    if imported.report.rejected or imported.report.units_created:
        raise RuntimeError(f"demo import did not go as planned: {imported.report.message}")
    people = [row.person_id for row in imported.rows]

    trainer = await PersonService().create(
        None,
        msgspec.convert({**_TRAINER, "unit_id": str(unit_ids["BKPSDM-PPJ"])}, PersonCreate),
    )
    first = await Person.select(Person.unit).where(Person.id == people[0]).first()

    passwords = {**DEMO_PASSWORDS, **ctx.get("passwords", {})}
    links: dict[str, dict[str, Any]] = {
        "admin": {},
        "organizer": {"unit_id": unit_ids["DPMPTSP-PPJ"]},
        "trainer": {"person_id": trainer.id, "unit_id": unit_ids["BKPSDM-PPJ"]},
        "participant": {"person_id": people[0], "unit_id": first["unit"] if first else None},
        "hr": {"unit_id": unit_ids[ROOT_CODE]},
    }
    user_ids = {
        role: await _create_user(role, passwords[role], role, **link)
        for role, link in links.items()
    }

    ctx["units"] = unit_ids
    ctx["people"] = people
    ctx["users"] = user_ids
    ctx["trainer_person_id"] = trainer.id

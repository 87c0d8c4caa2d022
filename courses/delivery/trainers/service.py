"""Trainers (narasumber, widyaiswara, fasilitator): people from the register or outsiders.

A trainer record belongs to the unit that created it (organizers see the trainers of their
unit and below; records without a unit, created by an admin, are shared). One person has at
most one trainer record per unit. A login (a user with the ``trainer`` role) linked to the
record, or to the same person, lets the trainer see their agenda and sessions.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID, uuid4

import msgspec

from courses.delivery.trainers.schemas import TrainerCreate, TrainerRead, TrainerUpdate
from courses.tables import Trainer
from lms.audit import services as audit
from lms.auth.caller import Caller
from lms.auth.tables import User
from lms.people.database import contains_text
from lms.people.reading import sees_person
from lms.people.tables import Person, Unit
from lms.shared.errors import Conflict, NotFound, RuleViolation
from lms.shared.indonesian import full_name
from lms.shared.schemas import Page

_COLUMNS = (
    Trainer.id,
    Trainer.person.as_alias("person_id"),
    Trainer.user.as_alias("user_id"),
    Trainer.unit.as_alias("unit_id"),
    Trainer.unit.path.as_alias("unit_path"),
    Trainer.name,
    Trainer.front_title,
    Trainer.back_title,
    Trainer.institution,
    Trainer.expertise,
    Trainer.created_at,
)


def _read(row: dict[str, Any]) -> TrainerRead:
    return msgspec.convert(
        {**row, "full_name": full_name(row["name"], row["front_title"], row["back_title"])},
        TrainerRead,
    )


def trainer_display_name(row: dict[str, Any], prefix: str = "") -> str:
    """The name with titles of a trainer row selected with ``name``, ``front_title`` and
    ``back_title``, or with ``{prefix}plain_name``, ``{prefix}front_title`` and
    ``{prefix}back_title`` when joined under a prefix."""
    return full_name(
        row.get(f"{prefix}plain_name" if prefix else "name") or "",
        row.get(f"{prefix}front_title"),
        row.get(f"{prefix}back_title"),
    )


def trainer_visible(caller: Caller, row: dict[str, Any]) -> bool:
    """True when the caller may see (and schedule) a trainer row with ``unit_id`` and
    ``unit_path``: admins all, organizers and HR their units' trainers and the shared ones."""
    if caller.is_admin:
        return True
    if row["unit_id"] is None:
        return caller.role in ("organizer", "hr")
    return caller.sees_unit(row["unit_path"])


class TrainerService:
    """Trainers for organizers; a trainer's own agenda lives in
    ``courses.delivery.agenda.service``."""

    async def get(self, caller: Caller, trainer_id: UUID) -> TrainerRead:
        """One trainer the caller may see, else 404."""
        row = await Trainer.select(*_COLUMNS).where(Trainer.id == trainer_id).first()
        if row is None or not trainer_visible(caller, row):
            raise NotFound("Narasumber tidak ditemukan.")
        return _read(row)

    async def list(
        self, caller: Caller, *, limit: int, offset: int, q: str | None = None
    ) -> Page[TrainerRead]:
        """Trainers of the caller's units (and shared ones), by name."""
        query = Trainer.select(*_COLUMNS).order_by(Trainer.name)
        count = Trainer.count()
        where = []
        if not caller.is_admin:
            if not caller.unit_path:
                return Page(items=[], total=0)
            where.append(Trainer.unit.is_null() | Trainer.unit.path.like(f"{caller.unit_path}%"))
        if q:
            where.append(
                contains_text(Trainer.name, q)
                | contains_text(Trainer.institution, q)
                | contains_text(Trainer.expertise, q)
            )
        for clause in where:
            query = query.where(clause)
            count = count.where(clause)
        rows = await query.limit(limit).offset(offset)
        return Page(items=[_read(row) for row in rows], total=await count)

    async def _check_user(self, caller: Caller, user_id: UUID) -> None:
        """Refuse a login the caller may not link: 404 when unknown or of a unit outside the
        caller's scope (its own unit, else its person's), 422 when not a trainer login.

        A login with neither unit nor person is an outside trainer's, shared like trainer
        records without a unit.
        """
        user = await (
            User.select(
                User.role,
                User.unit.path.as_alias("unit_path"),
                User.person.as_alias("person_id"),
                User.person._.unit._.path.as_alias("person_unit_path"),
            )
            .where(User.id == user_id)
            .first()
        )
        if user is not None and not caller.is_admin:
            path = user["unit_path"] or user["person_unit_path"]
            shared = path is None and user["person_id"] is None
            if not shared and not caller.sees_unit(path):
                user = None
        if user is None:
            raise NotFound(
                "Akun yang ditautkan tidak ditemukan.",
                errors=[{"field": "user_id", "message": "tidak ditemukan"}],
            )
        if user["role"] != "trainer":
            raise RuleViolation(
                "Akun narasumber harus berperan trainer.",
                errors=[{"field": "user_id", "message": f"peran akun: {user['role']}"}],
            )

    async def create(self, caller: Caller, data: TrainerCreate) -> TrainerRead:
        """Register a trainer (409 when the person already is one in that unit)."""
        unit_id = data.unit_id or caller.unit_id
        if unit_id is not None:
            unit = await Unit.select(Unit.path).where(Unit.id == unit_id).first()
            if unit is None or not caller.sees_unit(unit["path"]):
                raise RuleViolation(
                    "Unit tidak ada atau di luar cakupan Anda.",
                    errors=[{"field": "unit_id", "message": "tidak ditemukan"}],
                )
        name, front, back = (data.name or "").strip(), data.front_title, data.back_title
        institution = data.institution
        user_id = data.user_id
        if data.person_id is not None:
            person = await (
                Person.select(
                    Person.name,
                    Person.front_title,
                    Person.back_title,
                    Person.unit.name.as_alias("unit_name"),
                    Person.unit.path.as_alias("unit_path"),
                )
                .where(Person.id == data.person_id)
                .first()
            )
            # Someone of another unit is answered like nobody: linking them would reveal them
            # (name, titles, unit) and put them on this unit's agenda.
            if person is None or not sees_person(caller, data.person_id, person["unit_path"]):
                raise NotFound(
                    "Orang yang dipilih tidak ditemukan.",
                    errors=[{"field": "person_id", "message": "tidak ditemukan"}],
                )
            name = name or person["name"]
            front = front or person["front_title"]
            back = back or person["back_title"]
            institution = institution or (person["unit_name"] or "")
            if user_id is None:
                login = await (
                    User.select(User.id)
                    .where((User.person == data.person_id) & (User.role == "trainer"))
                    .first()
                )
                user_id = login["id"] if login else None
        if user_id is not None:
            await self._check_user(caller, user_id)
        trainer_id = uuid4()
        async with Trainer._meta.db.transaction():
            if data.person_id is not None:
                same_unit = Trainer.unit.is_null() if unit_id is None else Trainer.unit == unit_id
                if await Trainer.exists().where((Trainer.person == data.person_id) & same_unit):
                    raise Conflict(
                        f"{full_name(name, front, back)} sudah terdaftar sebagai narasumber."
                    )
            await Trainer.insert(
                Trainer(
                    id=trainer_id,
                    person=data.person_id,
                    user=user_id,
                    name=name,
                    front_title=front,
                    back_title=back,
                    institution=institution,
                    expertise=data.expertise,
                    unit=unit_id,
                    created_at=dt.datetime.now(dt.UTC),
                )
            )
            await audit.record(
                caller,
                "trainer.create",
                "trainer",
                trainer_id,
                full_name(name, front, back),
                {"person_id": data.person_id, "user_id": user_id, "institution": institution},
            )
        return await self.get(caller, trainer_id)

    async def update(self, caller: Caller, trainer_id: UUID, data: TrainerUpdate) -> TrainerRead:
        """Edit a trainer's name, titles, institution, expertise or login link."""
        await self.get(caller, trainer_id)
        values: dict[Any, Any] = {}
        changes: dict[str, Any] = {}
        for field in ("name", "front_title", "back_title", "institution", "expertise"):
            value = getattr(data, field)
            if value is not msgspec.UNSET:
                values[getattr(Trainer, field)] = value
                changes[field] = value
        if data.user_id is not msgspec.UNSET:
            if data.user_id is not None:
                await self._check_user(caller, data.user_id)
            values[Trainer.user] = data.user_id
            changes["user_id"] = data.user_id
        if values:
            async with Trainer._meta.db.transaction():
                await Trainer.update(values).where(Trainer.id == trainer_id)
                await audit.record(
                    caller, "trainer.update", "trainer", trainer_id, "narasumber diubah", changes
                )
        return await self.get(caller, trainer_id)

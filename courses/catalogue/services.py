"""Courses: creation, edits with versioning, scope, and the rules other features compute with.

Versioning rule: the *rules* of a course are its pass mark, minimum attendance, weights,
predikat bands, modules (and so its JP), validity, training type and jenis diklat. Editing them
while no session of the course has finalized results changes the course in place (every
session still follows it). Once a session has finalized results, such an edit bumps
``Course.version``; unfinalized sessions move to the new version and the finalized ones keep
theirs together with a snapshot of the rules they were finalized under
(``CourseSession.rules``, written here if ``courses.results`` has not already), so a later edit
never changes a past result. Title and description edits never bump the version.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import msgspec

from courses.catalogue.modules import modules_differ, replace_modules
from courses.catalogue.rules import (
    COURSE_COLUMNS,
    bands_to_json,
    cents,
    check_competencies,
    check_pass_mark,
    course_modules,
    course_read,
    course_row,
    course_rules,
    json_value,
    rules_from,
    session_rules,
    validate_bands,
    validate_weights,
    weights_to_json,
)
from courses.catalogue.schemas import (
    DEFAULT_PREDIKAT_BANDS,
    CourseCreate,
    CourseRead,
    CourseRules,
    CourseUpdate,
)
from courses.tables import Course, CourseSession
from lms.audit import services as audit
from lms.auth.caller import Caller
from lms.people.database import contains_text
from lms.people.tables import Unit
from lms.shared.errors import Conflict, NotFound, RuleViolation
from lms.shared.schemas import Page
from lms.shared.values import utcnow

__all__ = ["CourseService", "cents", "course_rules", "session_rules"]
"""``course_rules``, ``session_rules`` and ``cents`` live in ``courses.catalogue.rules``; they
are re-exported here because results and certificates import them from this module."""

_RULE_FIELDS = (
    "pass_mark",
    "min_attendance",
    "weights",
    "predikat_bands",
    "validity_months",
    "training_type",
    "jenis_diklat",
)


async def _unit_path(unit_id: UUID) -> str | None:
    row = await Unit.select(Unit.path).where(Unit.id == unit_id).first()
    return row["path"] if row else None


class CourseService:
    """The catalogue: organizers manage the courses of their unit and below."""

    async def _visible_row(self, caller: Caller, course_id: UUID) -> dict[str, Any]:
        row = await course_row(course_id)
        if row is None or not caller.sees_unit(row["unit_path"]):
            raise NotFound("Pelatihan tidak ditemukan.")
        return row

    async def get(self, caller: Caller, course_id: UUID) -> CourseRead:
        """One course the caller's unit scope covers, else 404."""
        row = await self._visible_row(caller, course_id)
        return course_read(row, await course_modules(course_id))

    async def list(
        self,
        caller: Caller,
        *,
        limit: int,
        offset: int,
        q: str | None = None,
        active: bool | None = None,
    ) -> Page[CourseRead]:
        """Courses of the caller's units, by code."""
        query = Course.select(*COURSE_COLUMNS).order_by(Course.code)
        count = Course.count()
        where = []
        if not caller.is_admin:
            if not caller.unit_path:
                return Page(items=[], total=0)
            where.append(Course.unit.path.like(f"{caller.unit_path}%"))
        if q:
            where.append(contains_text(Course.title, q) | contains_text(Course.code, q))
        if active is not None:
            where.append(Course.active == active)
        for clause in where:
            query = query.where(clause)
            count = count.where(clause)
        rows = await query.limit(limit).offset(offset)
        items = []
        for row in rows:
            items.append(course_read(row, await course_modules(row["id"])))
        return Page(items=items, total=await count)

    async def create(self, caller: Caller, data: CourseCreate) -> CourseRead:
        """Create a course with its modules (409 when the code is taken)."""
        unit_id = data.unit_id or caller.unit_id
        if unit_id is None:
            raise RuleViolation(
                "Unit pemilik pelatihan wajib diisi.",
                errors=[{"field": "unit_id", "message": "wajib"}],
            )
        if not caller.sees_unit(await _unit_path(unit_id)):
            raise RuleViolation(
                "Unit pemilik tidak ada atau di luar cakupan Anda.",
                errors=[{"field": "unit_id", "message": "tidak ditemukan"}],
            )
        weights = validate_weights(data.weights)
        bands = validate_bands(list(data.predikat_bands or DEFAULT_PREDIKAT_BANDS))
        check_pass_mark(data.pass_mark, bands)
        await check_competencies(data.competency_codes, "competency_codes")
        for index, module in enumerate(data.modules):
            await check_competencies(module.competency_codes, f"modules[{index}].competency_codes")
        course_id = uuid4()
        now = utcnow()
        async with Course._meta.db.transaction():
            if await Course.exists().where(Course.code == data.code):
                raise Conflict(f"Kode pelatihan '{data.code}' sudah dipakai.")
            await Course.insert(
                Course(
                    id=course_id,
                    code=data.code,
                    title=data.title,
                    description=data.description,
                    training_type=data.training_type,
                    jenis_diklat=data.jenis_diklat,
                    unit=unit_id,
                    pass_mark=data.pass_mark,
                    min_attendance=data.min_attendance,
                    weights=weights_to_json(weights),
                    predikat_bands=bands_to_json(bands),
                    validity_months=data.validity_months,
                    competency_codes=list(data.competency_codes),
                    version=1,
                    active=data.active,
                    created_at=now,
                    updated_at=now,
                )
            )
            await replace_modules(course_id, data.modules)
            await audit.record(
                caller,
                "course.create",
                "course",
                course_id,
                f"{data.code} {data.title}",
                {"modules": len(data.modules), "weights": weights_to_json(weights)},
            )
        return await self.get(caller, course_id)

    async def update(self, caller: Caller, course_id: UUID, data: CourseUpdate) -> CourseRead:
        """Edit a course; a rules edit after finalized results bumps its version."""
        row = await self._visible_row(caller, course_id)
        before = rules_from(row, await course_modules(course_id))
        values: dict[Any, Any] = {}
        changes: dict[str, Any] = {}
        for field in ("code", "title", "description", "training_type", "jenis_diklat"):
            value = getattr(data, field)
            if value is not msgspec.UNSET and value != row[field]:
                values[getattr(Course, field)] = value
                changes[field] = value
        for field in ("pass_mark", "min_attendance"):
            value = getattr(data, field)
            if value is not msgspec.UNSET and value != Decimal(row[field]):
                values[getattr(Course, field)] = value
                changes[field] = str(value)
        if data.weights is not msgspec.UNSET:
            weights = validate_weights(data.weights)
            if weights != before.weights:
                values[Course.weights] = weights_to_json(weights)
                changes["weights"] = weights_to_json(weights)
        bands = before.predikat_bands
        if data.predikat_bands is not msgspec.UNSET:
            bands = validate_bands(list(data.predikat_bands))
            if [(b.min_score, b.label) for b in bands] != [
                (b.min_score, b.label) for b in before.predikat_bands
            ]:
                values[Course.predikat_bands] = bands_to_json(bands)
                changes["predikat_bands"] = bands_to_json(bands)
        if (
            data.validity_months is not msgspec.UNSET
            and data.validity_months != (row["validity_months"])
        ):
            values[Course.validity_months] = data.validity_months
            changes["validity_months"] = data.validity_months
        if data.competency_codes is not msgspec.UNSET:
            await check_competencies(data.competency_codes, "competency_codes")
            values[Course.competency_codes] = list(data.competency_codes)
            changes["competency_codes"] = list(data.competency_codes)
        if data.active is not msgspec.UNSET and data.active != row["active"]:
            values[Course.active] = data.active
            changes["active"] = data.active
        if {"pass_mark", "predikat_bands"} & changes.keys():
            pass_mark = data.pass_mark if isinstance(data.pass_mark, Decimal) else before.pass_mark
            check_pass_mark(pass_mark, bands)
        modules_changed = False
        if data.modules is not msgspec.UNSET:
            for index, module in enumerate(data.modules):
                await check_competencies(
                    module.competency_codes, f"modules[{index}].competency_codes"
                )
            modules_changed = modules_differ(before.modules, data.modules)
            if modules_changed:
                changes["modules"] = [{"title": m.title, "jp": str(m.jp)} for m in data.modules]
        if not changes:
            return course_read(row, await course_modules(course_id))
        rules_changed = modules_changed or any(f in changes for f in _RULE_FIELDS)
        async with Course._meta.db.transaction():
            if "code" in changes and await Course.exists().where(
                (Course.code == changes["code"]) & (Course.id != course_id)
            ):
                raise Conflict(f"Kode pelatihan '{changes['code']}' sudah dipakai.")
            version = row["version"]
            finalized = await CourseSession.exists().where(
                (CourseSession.course == course_id) & CourseSession.finalized_at.is_not_null()
            )
            if rules_changed and finalized:
                version += 1
                values[Course.version] = version
                changes["version"] = version
                await _freeze_finalized_sessions(course_id, before)
                await CourseSession.update({CourseSession.course_version: version}).where(
                    (CourseSession.course == course_id) & CourseSession.finalized_at.is_null()
                )
            if modules_changed and data.modules is not msgspec.UNSET:
                await replace_modules(course_id, data.modules)
            values[Course.updated_at] = utcnow()
            await Course.update(values).where(Course.id == course_id)
            await audit.record(
                caller,
                "course.update",
                "course",
                course_id,
                f"{row['code']} diubah" + (f" (versi {version})" if "version" in changes else ""),
                {
                    "changes": changes,
                    "before": msgspec.to_builtins(before) if rules_changed else {},
                },
            )
        return await self.get(caller, course_id)


async def _freeze_finalized_sessions(course_id: UUID, rules: CourseRules) -> None:
    """Give every finalized session without a rules snapshot the rules it was finalized under."""
    rows = await CourseSession.select(CourseSession.id, CourseSession.rules).where(
        (CourseSession.course == course_id) & CourseSession.finalized_at.is_not_null()
    )
    snapshot = msgspec.to_builtins(rules)
    for row in rows:
        if not json_value(row["rules"]):
            await CourseSession.update({CourseSession.rules: snapshot}).where(
                CourseSession.id == row["id"]
            )

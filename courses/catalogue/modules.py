"""A course's modules (mata pelatihan): replacing the list while keeping modules by id."""

from __future__ import annotations

from uuid import UUID, uuid4

from courses.catalogue.schemas import ModuleInput, ModuleRule
from courses.tables import AgendaItem, Module
from lms.shared.errors import Conflict, RuleViolation


def modules_differ(current: list[ModuleRule], wanted: list[ModuleInput]) -> bool:
    """True when ``wanted`` is not exactly the current modules, in order."""
    if len(current) != len(wanted):
        return True
    for have, want in zip(current, wanted, strict=True):
        if (
            want.id != have.id
            or want.title != have.title
            or want.jp != have.jp
            or list(want.competency_codes) != list(have.competency_codes)
        ):
            return True
    return False


async def replace_modules(course_id: UUID, modules: list[ModuleInput]) -> None:
    """Make the course's modules exactly ``modules``, keeping those given by ``id``.

    A module left out is deleted, unless the agenda of a session uses it (409: the agenda
    would silently lose its items, since agenda rows cascade with their module).
    """
    existing = {
        row["id"]: row
        for row in await Module.select(Module.id, Module.title).where(Module.course == course_id)
    }
    given = [m.id for m in modules if m.id is not None]
    keep = set(given)
    if len(keep) != len(given):
        raise RuleViolation(
            "Satu modul disebut lebih dari sekali.",
            errors=[{"field": "modules", "message": "id modul berulang"}],
        )
    unknown = keep - set(existing)
    if unknown:
        raise RuleViolation(
            "Modul yang disebut tidak ada pada pelatihan ini.",
            errors=[
                {"field": "modules", "message": f"id tidak dikenal: {sorted(map(str, unknown))}"}
            ],
        )
    dropped = [module_id for module_id in existing if module_id not in keep]
    if dropped:
        used = await (
            AgendaItem.select(AgendaItem.module, AgendaItem.session.name.as_alias("session_name"))
            .where(AgendaItem.module.is_in(dropped))
            .first()
        )
        if used is not None:
            title = existing[used["module"]]["title"]
            raise Conflict(
                f"Modul '{title}' dipakai di agenda {used['session_name']}; "
                "hapus dulu dari agenda atau pertahankan modulnya."
            )
        await Module.delete().where(Module.id.is_in(dropped))
    # Two passes so a reorder never collides on the unique "{course}:{position}" key.
    for module_id in keep:
        await Module.update({Module.natural_key: f"{course_id}:tmp:{module_id}"}).where(
            Module.id == module_id
        )
    for position, module in enumerate(modules, start=1):
        values = {
            "title": module.title,
            "jp": module.jp,
            "competency_codes": list(module.competency_codes),
            "position": position,
            "natural_key": f"{course_id}:{position}",
        }
        if module.id is not None:
            await Module.update(
                {getattr(Module, key): value for key, value in values.items()}
            ).where(Module.id == module.id)
        else:
            await Module.insert(
                Module(
                    id=uuid4(),
                    course=course_id,
                    title=module.title,
                    jp=module.jp,
                    competency_codes=list(module.competency_codes),
                    position=position,
                    natural_key=f"{course_id}:{position}",
                )
            )

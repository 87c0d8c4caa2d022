"""The authenticated caller and the scope rules every service applies."""

from __future__ import annotations

from typing import TypeAlias
from uuid import UUID

import msgspec
from litestar import Request
from litestar.datastructures import State
from litestar.security.jwt import Token

ROLES = ("admin", "organizer", "trainer", "participant", "hr")


class Caller(msgspec.Struct, frozen=True, kw_only=True):
    """Who is calling: role, unit scope and linked person.

    ``unit_path`` is the materialised path of the caller's unit (``/<root>/.../<unit>/``);
    organizers and HR see that unit and every unit below it, which is a prefix test.
    """

    user_id: UUID
    username: str
    role: str
    unit_id: UUID | None = None
    unit_path: str = ""
    person_id: UUID | None = None

    @property
    def is_admin(self) -> bool:
        """Admins see everything."""
        return self.role == "admin"

    def sees_unit(self, unit_path: str | None) -> bool:
        """True when the caller's unit scope covers a unit with this path.

        Only admins, organizers and HR have a unit scope; an organizer or HR account without a
        unit sees nothing (fail closed).
        """
        if self.is_admin:
            return True
        if self.role not in ("organizer", "hr") or not self.unit_path or not unit_path:
            return False
        return unit_path.startswith(self.unit_path)

    def is_person(self, person_id: UUID | str | None) -> bool:
        """True when the caller's login is linked to this person."""
        return (
            self.person_id is not None
            and person_id is not None
            and str(self.person_id) == str(person_id)
        )


#: The request type of an authenticated route (``request.user`` is the :class:`Caller`).
CallerRequest: TypeAlias = Request[Caller, Token, State]

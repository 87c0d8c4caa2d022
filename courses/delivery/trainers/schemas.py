"""Request and response bodies of trainers (narasumber): people from the register or outsiders.

Trainers are a register of their own (per unit), put on the agenda of many sessions, so their
bodies are kept apart from the session bodies.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from uuid import UUID

import msgspec

from courses.delivery.sessions.fields import LongText, ShortText
from lms.shared.schemas import Input, NonEmptyStr, Output

TitleText = Annotated[str, msgspec.Meta(max_length=64)]
BackTitleText = Annotated[str, msgspec.Meta(max_length=128)]


class TrainerCreate(Input):
    """A trainer: a person from the register (``person_id``; name and titles are copied) or an
    outsider (``name`` with titles, ``institution``, ``expertise``). ``user_id`` links a login
    so the trainer sees their agenda; for a registered person with a trainer login it is found
    automatically."""

    person_id: UUID | None = None
    name: NonEmptyStr | None = None
    front_title: TitleText = ""
    back_title: BackTitleText = ""
    institution: ShortText = ""
    expertise: LongText = ""
    user_id: UUID | None = None
    unit_id: UUID | None = None

    def __post_init__(self) -> None:
        if self.person_id is None and not (self.name and self.name.strip()):
            raise ValueError("name: wajib untuk narasumber dari luar (atau isi person_id)")


class TrainerUpdate(Input):
    """A partial edit of a trainer."""

    name: NonEmptyStr | msgspec.UnsetType = msgspec.UNSET
    front_title: TitleText | msgspec.UnsetType = msgspec.UNSET
    back_title: BackTitleText | msgspec.UnsetType = msgspec.UNSET
    institution: ShortText | msgspec.UnsetType = msgspec.UNSET
    expertise: LongText | msgspec.UnsetType = msgspec.UNSET
    user_id: UUID | None | msgspec.UnsetType = msgspec.UNSET


class TrainerRead(Output):
    """A trainer."""

    id: UUID
    person_id: UUID | None
    user_id: UUID | None
    unit_id: UUID | None
    name: str
    front_title: str
    back_title: str
    full_name: str
    institution: str
    expertise: str
    created_at: dt.datetime

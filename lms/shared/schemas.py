"""Base msgspec Structs for the API boundary.

``Input``: ``forbid_unknown_fields=True`` so a typo in a field name is a 400, not silently
ignored; ``kw_only`` so adding a defaulted field never breaks ordering. ``Output``: plain,
``omit_defaults=False`` so clients always see every field.
"""

from __future__ import annotations

from typing import Annotated, Generic, TypeVar

import msgspec

T = TypeVar("T")


class Input(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Base of request bodies."""


class Output(msgspec.Struct, kw_only=True):
    """Base of response bodies."""


class Page(msgspec.Struct, Generic[T], kw_only=True):
    """A page of a list: ``{"items": [...], "total": n}``."""

    items: list[T]
    total: int


Limit = Annotated[int, msgspec.Meta(ge=1, le=200)]
Offset = Annotated[int, msgspec.Meta(ge=0)]
NonEmptyStr = Annotated[str, msgspec.Meta(min_length=1, max_length=255)]
Code = Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9][A-Za-z0-9._\-/]{0,63}$")]

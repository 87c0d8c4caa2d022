"""Annotated parameter types shared by every controller (Litestar 2.25's explicit markers)."""

from __future__ import annotations

from typing import Annotated

from litestar.params import QueryParameter

LimitQuery = Annotated[int, QueryParameter(ge=1, le=200, description="Page size (≤ 200)")]
OffsetQuery = Annotated[int, QueryParameter(ge=0, le=2**31 - 1, description="Rows to skip")]
SearchQuery = Annotated[str | None, QueryParameter(max_length=200, description="Search text")]

"""Routers of the ``certificates`` app, mounted by ``lms.app.create_app``."""

from __future__ import annotations

from litestar import Router

from lms.config import Settings


def build_routers(settings: Settings) -> list[Router]:
    """Every router of this app."""
    return []

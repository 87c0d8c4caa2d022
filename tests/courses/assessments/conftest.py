"""Fixtures of the assessment tests: an open session with confirmed participants and the
Indonesian question bank imported into the organizer's unit."""

from __future__ import annotations

import pytest

from tests.courses.builders.assessments import World, build_world
from tests.factories import make_actor, make_person


@pytest.fixture
async def world(app, client, organizer, participant) -> World:
    """The organizer's open session with ``participant`` confirmed, and the bank imported."""
    return await build_world(client, organizer, [participant])


@pytest.fixture
async def second_participant(app, unit):
    """Another confirmed-able participant of the organizer's unit."""
    person_id = await make_person(unit["id"], "Yulia Rahmi", jabatan="Operator Layanan")
    return await make_actor(app, "participant", person_id=person_id, unit_id=unit["id"])

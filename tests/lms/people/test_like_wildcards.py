"""``q`` is literal text in every search: ``%`` and ``_`` match themselves, not every row (the
probe's ``q=%`` listed everyone), on SQLite and PostgreSQL alike."""

from __future__ import annotations

import pytest

from lms.people.database import like_literal
from tests.certificates.verification.test_verification import insert_certificate
from tests.courses.builders.delivery import create_course, create_session, create_trainer
from tests.factories import make_person, make_unit


def test_like_literal_escapes_wildcards_and_the_escape_character():
    assert like_literal(r"100%_a\b") == r"100\%\_a\\b"


@pytest.fixture
async def searchable(client, organizer, unit, participant):
    """One row per searched list, none with ``%``, ``_`` or ``\\`` in its searched text."""
    await make_unit("BIDANG-A", "Bidang Pelayanan", parent=unit)
    await make_person(unit["id"], "Budi Santoso")
    await create_trainer(client, organizer)
    course = await create_course(client, organizer)
    await create_session(client, organizer, course["id"])
    await insert_certificate(unit)


SEARCHES = (
    "/api/v1/people",
    "/api/v1/units",
    "/api/v1/trainers",
    "/api/v1/courses",
    "/api/v1/sessions",
    "/api/v1/certificates",
)


@pytest.mark.usefixtures("searchable")
async def test_wildcards_match_only_themselves(client, organizer, admin):
    for path in SEARCHES:
        everything = await client.get(path, headers=organizer.headers)
        assert everything.json()["total"] >= 1, path
        for q in ("%", "_", "%%", "\\", "B_di", "Bu%"):
            resp = await client.get(path, params={"q": q}, headers=organizer.headers)
            assert resp.status_code == 200, (path, q, resp.text)
            assert resp.json() == {"items": [], "total": 0}, (path, q)
    for q in ("%", "_"):
        users = await client.get("/api/v1/users", params={"q": q}, headers=admin.headers)
        assert users.json() == {"items": [], "total": 0}, q


async def test_a_name_with_a_wildcard_is_still_found(client, organizer, unit):
    await make_person(unit["id"], "Rina_Marlina 100%")
    await make_person(unit["id"], "RinaXMarlina 1000")
    for q in ("Rina_M", "100%", "a_m"):
        resp = await client.get("/api/v1/people", params={"q": q}, headers=organizer.headers)
        assert [p["name"] for p in resp.json()["items"]] == ["Rina_Marlina 100%"], q

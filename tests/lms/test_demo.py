"""The demo seed: an empty database gets the unit tree, the 27 participants and five users."""

from __future__ import annotations

import httpx
import pytest

from lms import demo
from lms.people.tables import Person, Unit
from tests.conftest import SHARED_DATA


@pytest.fixture
async def own_address_client(app):
    """A client from its own address, so the per-address login limit of other tests does
    not count against this one."""
    transport = httpx.ASGITransport(app=app, client=("10.20.30.40", 50001))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


async def test_seed_creates_the_demo_and_every_user_logs_in(app, own_address_client):
    client = own_address_client
    assert await demo.is_empty()
    ctx: dict = {}
    await demo.seed(ctx)
    assert not await demo.is_empty()

    assert len(ctx["people"]) == 27
    assert await Person.count() == 28  # the 27 participants and the widyaiswara
    names = {
        row["id"]: row["name"]
        for row in await Person.select(Person.id, Person.name).where(Person.id.is_in(ctx["people"]))
    }
    assert [names[i] for i in (ctx["people"][0], ctx["people"][-1])] == [
        "Afrizal",
        "Putri Ayu Lestari",
    ]

    units = {r["code"]: r for r in await Unit.select(Unit.id, Unit.code, Unit.parent)}
    assert len(units) == 13
    assert units["DPMPTSP-PPJ"]["id"] == ctx["units"]["DPMPTSP-PPJ"]
    assert units["DPMPTSP-PPJ"]["parent"] == units["PEMKOT-PPJ"]["id"]
    assert units["KEL-EKOR-LUBUK"]["parent"] == units["KEC-PPJ-TIMUR"]["id"]
    assert units["KEL-PASAR-USANG"]["parent"] == units["KEC-PPJ-BARAT"]["id"]
    afrizal = await Person.select(Person.unit).where(Person.id == ctx["people"][0]).first()
    assert afrizal["unit"] == units["KEC-PPJ-TIMUR"]["id"]

    expected = {
        "admin": (None, None),
        "organizer": (ctx["units"]["DPMPTSP-PPJ"], None),
        "trainer": (ctx["units"]["BKPSDM-PPJ"], ctx["trainer_person_id"]),
        "participant": (ctx["units"]["KEC-PPJ-TIMUR"], ctx["people"][0]),
        "hr": (ctx["units"]["PEMKOT-PPJ"], None),
    }
    for role, password in demo.DEMO_PASSWORDS.items():
        login = await client.post(
            "/api/v1/auth/login", json={"username": role, "password": password}
        )
        assert login.status_code == 200, (role, login.text)
        token = login.json()["access_token"]
        me = await client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
        body = me.json()
        assert body["id"] == str(ctx["users"][role])
        assert body["role"] == role
        unit_id, person_id = expected[role]
        assert body["unit_id"] == (str(unit_id) if unit_id else None)
        assert body["person_id"] == (str(person_id) if person_id else None)

    trainer = await client.get(
        f"/api/v1/people/{ctx['trainer_person_id']}",
        headers={"Authorization": f"Bearer {token}"},  # the hr token, the last login
    )
    assert trainer.json()["full_name"] == "Dr. Hendra Gunawan, M.Si."
    assert trainer.json()["jabatan"] == "Widyaiswara Ahli Madya"


async def test_database_with_a_user_is_not_empty(app, admin):
    assert not await demo.is_empty()


def test_demo_reads_the_shared_sample_file():
    sample = SHARED_DATA / demo.SAMPLE_PEOPLE_FILE
    assert demo.sample_people_bytes() == sample.read_bytes()

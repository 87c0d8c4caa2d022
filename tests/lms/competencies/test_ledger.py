"""The ledger as courses writes it: session credits, certificates, revocation."""

from __future__ import annotations

import asyncio
import datetime as dt
from decimal import Decimal
from uuid import uuid4

import pytest

from lms.audit.services import entries_for
from lms.competencies.ledger import (
    attach_certificate,
    credit_session,
    restore_session_credit,
    revoke_session_credit,
)
from lms.competencies.tables import JpYearTotal, LearningRecord
from lms.competencies.totals import rebuild_year_totals
from lms.shared.errors import NotFound, RuleViolation
from tests.factories import make_person
from tests.lms.builders.competencies import credit


async def year_total(person_id, year) -> Decimal | None:
    row = (
        await JpYearTotal.select(JpYearTotal.jp)
        .where((JpYearTotal.person == person_id) & (JpYearTotal.year == year))
        .first()
    )
    return None if row is None else Decimal(str(row["jp"])).quantize(Decimal("0.01"))


async def test_credit_is_idempotent_per_session_and_person(unit):
    person = await make_person(unit["id"])
    session = uuid4()
    first = await credit(person, 16, session_id=session)
    again = await credit(person, "19.5", session_id=session, title="Pelayanan Prima (amandemen)")
    assert again == first
    rows = await LearningRecord.select().where(LearningRecord.person == person)
    assert len(rows) == 1
    assert rows[0]["title"] == "Pelayanan Prima (amandemen)"
    assert rows[0]["status"] == "approved"
    assert rows[0]["source"] == "session"
    assert rows[0]["source_ref"] == str(session)
    assert await year_total(person, 2026) == Decimal("19.50")
    actions = [e["action"] for e in await entries_for("learning_record", first)]
    assert actions == ["learning_record.credit", "learning_record.credit_update"]


async def test_jp_count_in_the_year_the_learning_ended(unit):
    person = await make_person(unit["id"])
    session = uuid4()
    await credit(
        person, 8, session_id=session, start=dt.date(2025, 12, 30), end=dt.date(2026, 1, 2)
    )
    assert await year_total(person, 2026) == Decimal("8.00")
    assert await year_total(person, 2025) is None
    # An amendment that moves the end date back into 2025 moves the JP with it.
    await credit(
        person, 8, session_id=session, start=dt.date(2025, 12, 29), end=dt.date(2025, 12, 31)
    )
    assert await year_total(person, 2025) == Decimal("8.00")
    assert await year_total(person, 2026) is None


async def test_totals_are_exact_sums_of_two_decimal_jp(unit):
    person = await make_person(unit["id"])
    for _ in range(9):
        await credit(person, "2.22")
    await credit(person, "0.02")
    assert await year_total(person, 2026) == Decimal("20.00")


async def test_certificate_number_is_attached_to_the_credit(unit):
    person = await make_person(unit["id"])
    session = uuid4()
    record = await credit(person, 24, session_id=session)
    assert (
        await attach_certificate(
            person_id=person, session_id=session, certificate_number="001/PP/DPMPTSP/III/2026"
        )
        == record
    )
    row = (
        await LearningRecord.select(LearningRecord.certificate_number)
        .where(LearningRecord.id == record)
        .first()
    )
    assert row["certificate_number"] == "001/PP/DPMPTSP/III/2026"
    with pytest.raises(NotFound):
        await attach_certificate(person_id=person, session_id=uuid4(), certificate_number="x")


async def test_revoked_certificate_takes_its_jp_out_and_keeps_the_row(unit):
    person = await make_person(unit["id"])
    session = uuid4()
    record = await credit(person, 24, session_id=session)
    await credit(person, 4)
    await revoke_session_credit(
        person_id=person, session_id=session, reason="Sertifikat dicabut", actor=None
    )
    row = await LearningRecord.select().where(LearningRecord.id == record).first()
    assert (row["status"], row["status_reason"]) == ("revoked", "Sertifikat dicabut")
    assert await year_total(person, 2026) == Decimal("4.00")
    # Finalizing the session again does not bring a revoked credit back ...
    await credit(person, 24, session_id=session)
    assert await year_total(person, 2026) == Decimal("4.00")
    # ... restoring it does.
    await restore_session_credit(person_id=person, session_id=session, actor=None)
    assert await year_total(person, 2026) == Decimal("28.00")
    actions = [e["action"] for e in await entries_for("learning_record", record)]
    assert actions.count("learning_record.revoke") == 1
    assert actions[-1] == "learning_record.restore"


async def test_bad_credits_are_refused(unit):
    person = await make_person(unit["id"])
    with pytest.raises(RuleViolation):
        await credit(person, 10, jenis_diklat=11)
    with pytest.raises(RuleViolation):
        await credit(person, 10, start=dt.date(2026, 3, 5), end=dt.date(2026, 3, 4))
    with pytest.raises(NotFound):
        await revoke_session_credit(person_id=person, session_id=uuid4(), reason="x", actor=None)


async def test_rebuild_gives_the_same_totals_as_the_incremental_upkeep(unit):
    people = [await make_person(unit["id"]) for _ in range(3)]
    await credit(people[0], "19.5")
    await credit(people[0], "0.5", end=dt.date(2025, 6, 1), start=dt.date(2025, 6, 1))
    await credit(people[1], "20")
    session = uuid4()
    await credit(people[2], "12.25", session_id=session)
    await revoke_session_credit(person_id=people[2], session_id=session, reason="x", actor=None)
    before = {
        (str(r["person"]), r["year"]): Decimal(str(r["jp"])).quantize(Decimal("0.01"))
        for r in await JpYearTotal.select()
    }
    await rebuild_year_totals()
    after = {
        (str(r["person"]), r["year"]): Decimal(str(r["jp"])).quantize(Decimal("0.01"))
        for r in await JpYearTotal.select()
    }
    assert (
        after
        == before
        == {
            (str(people[0]), 2026): Decimal("19.50"),
            (str(people[0]), 2025): Decimal("0.50"),
            (str(people[1]), 2026): Decimal("20.00"),
        }
    )


async def test_credit_session_is_the_interface_courses_calls(unit):
    """Keyword-only, returns the entry id (a UUID)."""
    person = await make_person(unit["id"])
    record = await credit_session(
        person_id=person,
        session_id=uuid4(),
        title="Pelayanan Prima",
        organizer="BPSDM Sumatera Barat",
        jenis_diklat=3,
        klasikal=False,
        start_date=dt.date(2026, 5, 4),
        end_date=dt.date(2026, 5, 6),
        jp=Decimal("24"),
        competency_codes=["PP-02", "PP-01", "PP-01"],
        actor=None,
    )
    row = (
        await LearningRecord.select()
        .where(LearningRecord.id == record)
        .output(load_json=True)
        .first()
    )
    assert row["competency_codes"] == ["PP-01", "PP-02"]
    assert row["klasikal"] is False
    assert row["year"] == 2026


async def test_concurrent_credits_of_one_session_make_one_entry(unit):
    person = await make_person(unit["id"])
    session = uuid4()
    ids = await asyncio.gather(*(credit(person, 8, session_id=session) for _ in range(5)))
    assert len(set(ids)) == 1
    assert await LearningRecord.count().where(LearningRecord.person == person) == 1
    assert await year_total(person, 2026) == Decimal("8.00")

"""Gap-free numbers under concurrency (both engines) and random verification codes."""

from __future__ import annotations

import asyncio
import datetime as dt
import re

import pytest

from certificates.issuing import numbering
from certificates.issuing.codes import new_verification_code

PATTERN = "{seq:03d}/PP/DPMPTSP/{month_roman}/{year}"


async def test_fifty_concurrent_issuers_get_1_to_50_without_gap(app, unit):
    from certificates.tables import NumberSequence

    async def issue_one() -> tuple[int, str]:
        async with NumberSequence._meta.db.transaction():
            return await numbering.next_number(unit["id"], PATTERN, dt.date(2026, 11, 22))

    results = await asyncio.gather(*(issue_one() for _ in range(50)))

    assert sorted(seq for seq, _ in results) == list(range(1, 51))
    assert sorted(number for _, number in results) == [
        f"{n:03d}/PP/DPMPTSP/XI/2026" for n in range(1, 51)
    ]
    rows = await NumberSequence.select(NumberSequence.last, NumberSequence.year)
    assert rows == [{"last": 50, "year": 2026}]


async def test_a_rolled_back_transaction_gives_its_number_back(app, unit):
    from certificates.tables import NumberSequence

    class Abort(Exception):
        pass

    with pytest.raises(Abort):
        async with NumberSequence._meta.db.transaction():
            assert await numbering.next_number(unit["id"], PATTERN, dt.date(2026, 11, 22)) == (
                1,
                "001/PP/DPMPTSP/XI/2026",
            )
            raise Abort
    async with NumberSequence._meta.db.transaction():
        assert await numbering.next_number(unit["id"], PATTERN, dt.date(2026, 11, 22)) == (
            1,
            "001/PP/DPMPTSP/XI/2026",
        )


async def test_each_year_counts_from_one(app, unit):
    from certificates.tables import NumberSequence

    async with NumberSequence._meta.db.transaction():
        last_year = await numbering.next_number(unit["id"], PATTERN, dt.date(2026, 12, 31))
        new_year = await numbering.next_number(unit["id"], PATTERN, dt.date(2027, 1, 2))
    assert (last_year, new_year) == ((1, "001/PP/DPMPTSP/XII/2026"), (1, "001/PP/DPMPTSP/I/2027"))


async def test_the_date_is_taken_where_the_certificate_is_issued(app, unit):
    from certificates.tables import NumberSequence

    # 31 December 2026, 18:00 UTC is already 1 January 2027 in Jakarta (UTC+7).
    at = dt.datetime(2026, 12, 31, 18, 0, tzinfo=dt.UTC)
    async with NumberSequence._meta.db.transaction():
        assert await numbering.next_number(unit["id"], PATTERN, at) == (1, "001/PP/DPMPTSP/I/2027")


async def test_claim_with_a_stale_expectation_changes_nothing(app):
    from certificates.tables import NumberSequence

    key = numbering.sequence_key(PATTERN, 2026)
    await numbering.ensure_sequence(key, PATTERN, 2026)
    await numbering.ensure_sequence(key, PATTERN, 2026)  # a second creation is a no-op
    async with NumberSequence._meta.db.transaction():
        assert await numbering.claim(key, 3, expected_last=0) == 3
    async with NumberSequence._meta.db.transaction():
        assert await numbering.claim(key, 2, expected_last=0) is None
    assert await numbering.current_last(key) == 3
    async with NumberSequence._meta.db.transaction():
        assert await numbering.claim(key, 2, expected_last=3) == 5


def test_unit_code_patterns_count_per_unit():
    shared = numbering.sequence_key(PATTERN, 2026, unit_code="DPMPTSP-PPJ")
    per_unit = "{seq:03d}/PP/{unit_code}/{year}"
    assert shared == numbering.sequence_key(PATTERN, 2026, unit_code="BKPSDM-PPJ")
    assert numbering.sequence_key(per_unit, 2026, unit_code="A") != numbering.sequence_key(
        per_unit, 2026, unit_code="B"
    )
    long_key = numbering.sequence_key("{seq}" + "x" * 199, 2026)
    assert len(long_key) <= 200 and long_key.startswith("2026:sha256:")


def test_verification_codes_are_random_readable_and_80_bits():
    codes = {new_verification_code() for _ in range(1000)}
    assert len(codes) == 1000
    # Crockford base32 (no I, L, O, U): 16 characters x 5 bits = 80 bits, grouped by four.
    crockford = "[0-9ABCDEFGHJKMNPQRSTVWXYZ]{4}"
    assert all(re.fullmatch("-".join([crockford] * 4), code) for code in codes)

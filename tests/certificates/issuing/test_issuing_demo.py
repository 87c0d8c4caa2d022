"""The certificates demo and the ``lms certificates issue`` command."""

from __future__ import annotations

import pytest

from certificates.tables import Certificate, IssuerProfile
from tests.certificates.builders.issuing import (  # noqa: F401 (render_pool is a fixture)
    finalized_session,
    issued_line,
    number,
    pdf_text,
    render_pool,
)

pytestmark = pytest.mark.usefixtures("render_pool")


async def test_demo_sets_the_profile_and_issues_the_session(app, client, organizer, unit):
    from certificates import demo
    from certificates.rendering.storage import store_for

    world = await finalized_session(organizer, unit)
    ctx = {
        "units": {"DPMPTSP-PPJ": unit["id"]},
        "users": {"organizer": organizer.user_id},
        "session_id": world.session_id,
    }

    await demo.seed(ctx)

    assert ctx["certificates"] == {"issued": 3, "skipped": 0, "failed": 0}
    profile = await IssuerProfile.select().where(IssuerProfile.unit == unit["id"]).first()
    assert (profile["number_pattern"], profile["city"], profile["signer_name"]) == (
        "{seq:03d}/PP/DPMPTSP/{month_roman}/{year}",
        "Padang Panjang",
        "Drs. H. Syahrul, M.Si.",
    )
    assert profile["logo_sha256"] and profile["signature_sha256"]
    rows = await Certificate.select(
        Certificate.number, Certificate.pdf_sha256, Certificate.issued_by
    ).order_by(Certificate.seq)
    assert [r["number"] for r in rows] == [number(1), number(2), number(3)]
    assert {r["issued_by"] for r in rows} == {organizer.user_id}
    text = pdf_text(store_for(app.state.settings).read_pdf(rows[0]["pdf_sha256"]))
    assert "DINAS PENANAMAN MODAL DAN PELAYANAN TERPADU SATU PINTU KOTA PADANG PANJANG" in text
    assert issued_line() in text
    assert "NIP 19680512 199403 1 004" in text


async def test_demo_leaves_an_unfinalized_session_alone(app, organizer, unit):
    from certificates import demo

    ctx = {"units": {"DPMPTSP-PPJ": unit["id"]}, "users": {"organizer": organizer.user_id}}
    await demo.seed(ctx)
    assert ctx["certificates"] == {"issued": 0, "skipped": 0, "failed": 0}
    assert await IssuerProfile.count() == 1

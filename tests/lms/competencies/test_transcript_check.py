"""The public check of a printed transcript: the QR code on the PDF opens ``/transkrip/{code}``.

An attacker's view: the code is random (not the person's id or NIP), an unknown or malformed
code gives the same 404, the page shows no more than the paper (the NIP masked, no
jabatan, no certificate numbers), what it shows is frozen at print, and a record changed
since is flagged.
"""

from __future__ import annotations

import io
import re

from pypdf import PdfReader

from lms.competencies.ledger import revoke_session_credit
from tests.lms.competencies.test_transcript import history  # noqa: F401  (the fixture)

CODE = re.compile(r"Kode pemeriksaan: ([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})")


async def _printed_code(client, actor, person) -> str:
    resp = await client.get(f"/api/v1/people/{person}/transcript.pdf", headers=actor.headers)
    assert resp.status_code == 200, resp.text
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(resp.content)).pages)
    match = CODE.search(text)
    assert match, text
    assert "/transkrip/" + match.group(1) in text.replace("\n", "")
    return match.group(1)


async def test_printed_transcript_verifies_by_its_qr_code(client, participant, hr, history):  # noqa: F811
    from lms.competencies.tables import LearningRecord

    code = await _printed_code(client, participant, history)
    # Printing the same content again keeps the same code (one copy per content).
    assert await _printed_code(client, hr, history) == code
    page = await client.get(f"/transkrip/{code}")
    assert page.status_code == 200, page.text
    html = page.text
    assert "Transkrip ini tercatat di Prima" in html
    assert "Afrizal, S.Sos." in html
    assert "1986**** ****** * 001" in html and "19860908" not in html
    assert "Pelayanan Prima Lanjutan" in html and "Bimtek Standar Pelayanan" in html
    assert "52 JP" in html and "Tahun 2025: 16 JP" in html
    # Not on the page: what the paper has that a stranger does not need.
    for private in ("Pengadministrasi Umum", "012/PP/DPMPTSP/III/2026", str(history)):
        assert private not in html
    # Typed by hand: lower case, spaces instead of dashes.
    typed = await client.get(f"/transkrip/{code.lower().replace('-', ' ')}")
    assert typed.status_code == 200
    # The record changes: the old paper still shows what it said, flagged as outdated.
    row = (
        await LearningRecord.select(LearningRecord.source_ref)
        .where(
            (LearningRecord.person == history)
            & (LearningRecord.title == "Pelayanan Prima Lanjutan")
        )
        .first()
    )
    from uuid import UUID

    await revoke_session_credit(
        person_id=history, session_id=UUID(row["source_ref"]), reason="dicabut", actor=None
    )
    later = (await client.get(f"/transkrip/{code}")).text
    assert "telah berubah sejak dicetak" in later
    assert "Pelayanan Prima Lanjutan" in later
    assert await _printed_code(client, participant, history) != code


async def test_unknown_and_odd_codes_are_the_same_404(client, participant, history):  # noqa: F811
    await _printed_code(client, participant, history)
    answers = [
        await client.get(f"/transkrip/{text}")
        for text in ("K7QM-2XW9-RT4H-BP3N", str(history), "x" * 300, "%27%20OR%201%3D1")
    ]
    assert {a.status_code for a in answers} == {404}
    assert len({a.text.replace(a.url.path, "") for a in answers}) <= 2

"""Trust end to end on really issued certificates: a finalized session is issued (signed PDFs,
JP credits), then verified by code and by PDF, corrected and re-issued, revoked and reinstated.
"""

from __future__ import annotations

import hashlib

from certificates.tables import Certificate
from lms.competencies.tables import LearningRecord
from tests.certificates.builders.issuing import (  # noqa: F401 - render_pool is a fixture
    finalized_session,
    issue_and_wait,
    render_pool,
    set_profile,
)


async def _certificate_of(person_id) -> dict:
    return await (
        Certificate.select()
        .where(Certificate.person_id == person_id)
        .order_by(Certificate.issued_at, ascending=False)
        .first()
    )


async def _credit_status(person_id, session_id) -> str:
    row = await (
        LearningRecord.select(LearningRecord.status)
        .where(
            (LearningRecord.person == person_id) & (LearningRecord.source_ref == str(session_id))
        )
        .first()
    )
    return row["status"]


async def test_issued_certificate_verifies_reissues_and_revokes(
    app,
    client,
    organizer,
    admin,
    hr,
    unit,
    render_pool,  # noqa: F811
):
    world = await finalized_session(organizer, unit)
    await set_profile(client, organizer)
    job = await issue_and_wait(client, organizer, world.session_id)
    assert job["status"] == "succeeded", job
    holder = next(h for h in world.holders if "Ma'ruf" in h.name)
    first = await _certificate_of(holder.person_id)

    # By code: valid, with the validity the course gives (36 months after the session).
    public = (await client.get(f"/api/v1/verify/{first['code']}")).json()
    assert public["status"] == "valid"
    assert public["holder"] == {
        "name": "Drs. Muh. Ma'ruf, S.Sos., M.Si.",
        "nip": "1986**** ****** * 001",
    }
    assert public["valid_until"] == first["valid_until"].isoformat()
    assert first["valid_until"].year == 2029

    # By PDF: the stored, signed file is ours, and its signature is this installation's.
    pdf = (
        await client.get(f"/api/v1/certificates/{first['id']}/pdf", headers=organizer.headers)
    ).content
    assert hashlib.sha256(pdf).hexdigest() == first["pdf_sha256"]
    checked = (
        await client.post(
            "/api/v1/verify/pdf",
            files={"file": ("sertifikat.pdf", pdf, "application/pdf")},
            headers=hr.headers,
        )
    ).json()
    assert checked["ours"] is True
    assert checked["certificate"]["number"] == first["number"]
    assert first["signed"] is True
    assert checked["signature"]["ok"] is True

    # A name fix on the person record, then a re-issue from the current data.
    patched = await client.patch(
        f"/api/v1/people/{holder.person_id}",
        json={"name": "Muhammad Ma'ruf"},
        headers=admin.headers,
    )
    assert patched.status_code == 200, patched.text
    reissued = await client.post(
        f"/api/v1/certificates/{first['id']}/reissue",
        json={"reason": "Nama ditulis Muh., seharusnya Muhammad"},
        headers=organizer.headers,
    )
    assert reissued.status_code == 201, reissued.text
    second = await _certificate_of(holder.person_id)
    assert second["id"] != first["id"]
    assert second["number"] != first["number"] and second["code"] != first["code"]
    assert second["supersedes"] == first["id"]
    old_public = (await client.get(f"/api/v1/verify/{first['code']}")).json()
    new_public = (await client.get(f"/api/v1/verify/{second['code']}")).json()
    assert old_public["status"] == "superseded"
    assert old_public["holder"]["name"] == "Drs. Muh. Ma'ruf, S.Sos., M.Si."
    assert old_public["superseded_by"]["number"] == second["number"]
    assert new_public["status"] == "valid"
    assert new_public["holder"]["name"] == "Drs. Muhammad Ma'ruf, S.Sos., M.Si."
    assert new_public["supersedes"]["number"] == first["number"]
    old_page = (await client.get(f"/verify/{first['code']}")).text
    assert f'<a href="/verify/{second["code"]}">{second["number"]}</a>' in old_page
    assert await _credit_status(holder.person_id, world.session_id) == "approved"

    # Revoking the current certificate takes the JP out of the ledger; reinstating restores.
    revoked = await client.post(
        f"/api/v1/certificates/{second['id']}/revoke",
        json={"category": "tidak_memenuhi_syarat", "reason": "Kehadiran ternyata 60%"},
        headers=organizer.headers,
    )
    assert revoked.status_code == 200
    assert (await client.get(f"/api/v1/verify/{second['code']}")).json()["status"] == "revoked"
    assert await _credit_status(holder.person_id, world.session_id) == "revoked"
    reinstated = await client.post(
        f"/api/v1/certificates/{second['id']}/reinstate",
        json={"reason": "Rekap kehadiran salah, sudah dikoreksi"},
        headers=admin.headers,
    )
    assert reinstated.status_code == 200
    assert await _credit_status(holder.person_id, world.session_id) == "approved"

"""A revoked certificate looks revoked on paper: its download carries the DICABUT stamp (the
stored original is kept as issued), and the verify page of a revoked or superseded
certificate shows no validity date."""

from __future__ import annotations

import datetime as dt
import hashlib
from zoneinfo import ZoneInfo

from certificates.tables import Certificate
from lms.shared.indonesian import format_date
from tests.certificates.builders.issuing import (  # noqa: F401 - render_pool is a fixture
    finalized_session,
    issue_and_wait,
    pdf_text,
    render_pool,
    set_profile,
)


async def _certificates(session_id) -> list[dict]:
    return await (
        Certificate.select().where(Certificate.session_id == session_id).order_by(Certificate.seq)
    )


async def test_revoked_download_is_stamped_and_verify_shows_no_validity(
    app,
    client,
    organizer,
    unit,
    render_pool,  # noqa: F811
):
    from certificates.rendering.storage import store_for
    from lms.config import get_settings as current_settings

    world = await finalized_session(organizer, unit)
    await set_profile(client, organizer)
    assert (await issue_and_wait(client, organizer, world.session_id))["status"] == "succeeded"
    first, second, third = await _certificates(world.session_id)
    page = (await client.get(f"/verify/{first['code']}")).text
    assert "Berlaku sampai" in page  # a valid certificate shows how long it is valid

    revoked = await client.post(
        f"/api/v1/certificates/{first['id']}/revoke",
        json={"category": "salah_data", "reason": "NIP salah ketik"},
        headers=organizer.headers,
    )
    assert revoked.status_code == 200, revoked.text
    resp = await client.get(f"/api/v1/certificates/{first['id']}/pdf", headers=organizer.headers)
    assert resp.status_code == 200
    assert resp.content.startswith(b"%PDF-")
    assert "_DICABUT.pdf" in resp.headers["content-disposition"]
    revoked_on = format_date(
        dt.datetime.fromisoformat(revoked.json()["revocation"]["at"])
        .astimezone(ZoneInfo("Asia/Jakarta"))
        .date()
    )
    text = pdf_text(resp.content)
    assert "DICABUT - sertifikat ini tidak berlaku" in text
    assert f"Nomor: {first['number']}" in text
    assert f"Tanggal pencabutan: {revoked_on}" in text
    assert "Kategori: Kesalahan data" in text
    assert first["holder_name"].split(",")[0] in text  # the certificate itself is still there
    stored = store_for(current_settings()).read_pdf(first["pdf_sha256"])
    assert hashlib.sha256(stored).hexdigest() == first["pdf_sha256"]
    assert resp.content != stored

    # A valid certificate downloads exactly as issued.
    valid = await client.get(f"/api/v1/certificates/{third['id']}/pdf", headers=organizer.headers)
    assert hashlib.sha256(valid.content).hexdigest() == third["pdf_sha256"]
    assert "DICABUT" not in pdf_text(valid.content)

    reissued = await client.post(
        f"/api/v1/certificates/{second['id']}/reissue",
        json={"reason": "Gelar ditulis salah"},
        headers=organizer.headers,
    )
    assert reissued.status_code == 201, reissued.text
    for row, status in ((first, "revoked"), (second, "superseded")):
        public = (await client.get(f"/api/v1/verify/{row['code']}")).json()
        assert (public["status"], public["valid_until"]) == (status, None)
        for lang in ("id", "en"):
            page = (await client.get(f"/verify/{row['code']}?lang={lang}")).text
            assert "Berlaku sampai" not in page and "Valid until" not in page
    fresh = reissued.json()["certificate"]
    assert fresh["valid_until"] == second["valid_until"].isoformat()
    new_page = (await client.get(fresh["verify_url"].split("127.0.0.1:8000")[-1])).text
    assert "Berlaku sampai" in new_page

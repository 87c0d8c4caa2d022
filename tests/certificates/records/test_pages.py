"""The organizer's certificate page of a session (``certificates/records/pages.py``): issue
with its progress, the ZIP and merged PDF, revoke and re-issue with errors beside the fields,
and 404 for another unit's organizer."""

from __future__ import annotations

import io
import re
import zipfile

import pytest

from lms.jobs.runner import wait_for_jobs
from tests.certificates.builders.issuing import (  # noqa: F401 (render_pool is a fixture)
    finalized_session,
    pdf_text,
    render_pool,
    set_profile,
)
from tests.lms.web.test_shell import csrf_of, login

pytestmark = pytest.mark.usefixtures("render_pool")


async def test_an_organizer_issues_follows_the_progress_and_downloads(client, web, organizer, unit):
    world = await finalized_session(organizer, unit)
    await set_profile(client, organizer)
    await login(web, organizer.username, "rahasia-123")
    base = f"/kelola/sesi/{world.session_id}/sertifikat"

    page = await web.get(base)
    assert page.status_code == 200
    assert "Terbitkan sertifikat untuk 3 peserta" in page.text
    issued = await web.post(base, data={"_csrf_token": csrf_of(page.text)})
    assert issued.status_code == 303
    progress_url = issued.headers["location"]
    assert re.fullmatch(rf"{base}/proses/[0-9a-f-]{{36}}", progress_url)

    await wait_for_jobs(300)
    status = await web.get(progress_url + "/status")
    assert status.json() == {
        "status": "succeeded",
        "done": 3,
        "total": 3,
        "percent": 100,
        "width": "w-100",
        "finished": True,
    }
    progress = await web.get(progress_url)
    assert 'aria-valuenow="100"' in progress.text and "3 diterbitkan" in progress.text
    assert "progress.js" in progress.text

    listing = await web.get(base)
    assert listing.text.count("<summary>Cabut sertifikat") == 3
    assert "Terbitkan sertifikat untuk" not in listing.text
    archive = await web.get(f"{base}/semua.zip")
    assert archive.status_code == 200
    assert len(zipfile.ZipFile(io.BytesIO(archive.content)).namelist()) == 3
    merged = await web.get(f"{base}/semua.pdf")
    assert merged.content.startswith(b"%PDF-")
    assert "Afrizal" in pdf_text(merged.content)


async def _issued(client, web, organizer, unit) -> tuple[str, str, str]:
    world = await finalized_session(organizer, unit)
    await set_profile(client, organizer)
    resp = await client.post(
        f"/api/v1/sessions/{world.session_id}/certificates", headers=organizer.headers
    )
    assert resp.status_code == 202
    await wait_for_jobs(300)
    await login(web, organizer.username, "rahasia-123")
    base = f"/kelola/sesi/{world.session_id}/sertifikat"
    page = await web.get(base)
    first = re.search(rf"{base}/([0-9a-f-]{{36}})/cabut", page.text)
    assert first
    return base, first.group(1), csrf_of(page.text)


async def test_revoke_needs_a_category_and_a_reason_then_shows_it_revoked(
    client, web, organizer, unit
):
    base, cert, token = await _issued(client, web, organizer, unit)
    refused = await web.post(
        f"{base}/{cert}/cabut", data={"_csrf_token": token, "category": "", "reason": "ok"}
    )
    assert refused.status_code == 422
    assert f'id="cat-{cert}-error"' in refused.text
    assert '<details class="card" open>' in refused.text

    done = await web.post(
        f"{base}/{cert}/cabut",
        data={"_csrf_token": token, "category": "salah_data", "reason": "NIP tertukar"},
    )
    assert done.status_code == 303
    page = await web.get(done.headers["location"])
    assert "Sertifikat sudah dicabut" in page.text and "dicabut</span>" in page.text
    api = await client.get(f"/api/v1/certificates/{cert}", headers=organizer.headers)
    assert api.json()["status"] == "revoked"


async def test_reissue_supersedes_the_certificate(client, web, organizer, unit):
    base, cert, token = await _issued(client, web, organizer, unit)
    empty = await web.post(f"{base}/{cert}/terbitkan-ulang", data={"_csrf_token": token})
    assert empty.status_code == 422 and f'id="re-{cert}-error"' in empty.text
    done = await web.post(
        f"{base}/{cert}/terbitkan-ulang",
        data={"_csrf_token": token, "reason": "Gelar belakang diperbaiki"},
    )
    assert done.status_code == 303
    page = await web.get(done.headers["location"])
    assert "Sertifikat pengganti sudah diterbitkan" in page.text
    assert "diganti</span>" in page.text
    api = await client.get(f"/api/v1/certificates/{cert}", headers=organizer.headers)
    assert api.json()["status"] == "superseded"


async def test_another_units_organizer_gets_404(client, web, organizer, other_organizer, unit):
    base, cert, _ = await _issued(client, web, organizer, unit)
    await web.post("/keluar", data={"_csrf_token": csrf_of((await web.get("/saya")).text)})
    await login(web, other_organizer.username, "rahasia-123")
    for path in ("", "/semua.zip", "/semua.pdf"):
        assert (await web.get(base + path)).status_code == 404, path
    token = csrf_of((await web.get("/kelola/sesi")).text)
    for action in ("cabut", "terbitkan-ulang"):
        resp = await web.post(
            f"{base}/{cert}/{action}",
            data={"_csrf_token": token, "category": "lainnya", "reason": "coba-coba"},
        )
        assert resp.status_code == 404, action
    api = await client.get(f"/api/v1/certificates/{cert}", headers=organizer.headers)
    assert api.json()["status"] == "valid"

"""The organizer's finalize checklist and results pages (``courses/results/organizer_pages.py``)."""

from __future__ import annotations

from lms.audit.tables import AuditEntry
from tests.courses.builders.results import build_world
from tests.lms.web.test_shell import csrf_of, login


async def test_the_checklist_blocks_finalize_until_each_item_is_ticked_with_a_reason(
    app, client, web, organizer, unit
):
    world = await build_world(app, client, organizer, unit, participants=2)
    sid = world.session_id
    await login(web, organizer.username, "rahasia-123")

    page = await web.get(f"/kelola/sesi/{sid}/finalisasi")
    assert page.status_code == 200
    html = page.text
    assert "Siap finalisasi" in html
    assert "Presensi tercatat untuk setiap hari" in html and "belum" in html
    assert "Peserta 001" in html  # the people an open item waits for are named
    token = csrf_of(html)

    # Nothing ticked, no reason: both errors beside their fields, nothing finalized.
    refused = await web.post(f"/kelola/sesi/{sid}/finalisasi", data={"_csrf_token": token})
    assert refused.status_code == 422
    assert 'id="f-ack-error"' in refused.text
    assert 'id="f-override_reason-error"' in refused.text
    assert 'aria-invalid="true"' in refused.text

    # Ticked but a too-short reason: still refused, the ticks are kept.
    ticks = {f"ack_{code}": "1" for code in ("session_ended", "post_tests", "attendance")}
    short = await web.post(
        f"/kelola/sesi/{sid}/finalisasi",
        data={"_csrf_token": token, **ticks, "override_reason": "singkat"},
    )
    assert short.status_code == 422
    assert 'id="f-override_reason-error"' in short.text and 'id="f-ack-error"' not in short.text

    reason = "Sesi dipercepat atas perintah kepala dinas, surat 12/2026."
    done = await web.post(
        f"/kelola/sesi/{sid}/finalisasi",
        data={"_csrf_token": token, **ticks, "override_reason": reason},
    )
    assert done.status_code == 303
    assert done.headers["location"] == f"/kelola/sesi/{sid}/hasil?pesan=final"
    audit = await AuditEntry.select().where(AuditEntry.action == "session.finalize_override")
    assert len(audit) == 1 and reason in str(audit[0])

    results = await web.get(done.headers["location"])
    assert results.status_code == 200
    assert "Nilai sudah difinalisasi" in results.text
    assert 'class="table-wrap"' in results.text
    assert "Peserta 001" in results.text and "Peserta 002" in results.text
    after = await web.get(f"/kelola/sesi/{sid}/finalisasi")
    assert "Nilai sesi ini sudah final" in after.text and "<textarea" not in after.text


async def test_the_results_rekap_downloads_as_xlsx_and_csv(app, client, web, organizer, unit):
    world = await build_world(app, client, organizer, unit, participants=2)
    await login(web, organizer.username, "rahasia-123")
    xlsx = await web.get(f"/kelola/sesi/{world.session_id}/hasil/rekap?format=xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert "attachment" in xlsx.headers["content-disposition"]
    csv = await web.get(f"/kelola/sesi/{world.session_id}/hasil/rekap?format=csv")
    assert csv.status_code == 200 and "Peserta 001" in csv.content.decode("utf-8-sig")


async def test_an_organizer_of_another_unit_gets_404_pages(
    app, client, web, organizer, other_organizer, unit
):
    world = await build_world(app, client, organizer, unit, participants=1)
    sid = world.session_id
    await login(web, other_organizer.username, "rahasia-123")
    for path in ("finalisasi", "hasil", "hasil/rekap"):
        resp = await web.get(f"/kelola/sesi/{sid}/{path}")
        assert resp.status_code == 404, path
        assert "Tidak ditemukan" in resp.text or "tidak ditemukan" in resp.text
    listing = await web.get("/kelola/sesi")
    post = await web.post(
        f"/kelola/sesi/{sid}/finalisasi",
        data={"_csrf_token": csrf_of(listing.text), "override_reason": "x" * 20},
    )
    assert post.status_code == 404

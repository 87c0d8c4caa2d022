"""The organizer's participants page acts on one enrollment: approve a request, withdraw
(after a confirm step, with a reason kept in the audit log) and enroll a withdrawn person
again. Another unit's organizer gets 404 on every one of them."""

from __future__ import annotations

from lms.audit.tables import AuditEntry
from tests.courses.builders.delivery import create_session, enroll, make_participants
from tests.lms.web.test_shell import csrf_of, login


async def _class(app, client, organizer, unit):
    """One seat, approval needed: A confirmed, B waitlisted, C requested (self-enrolled)."""
    session = await create_session(
        client, organizer, status="open", capacity=1, self_enroll=True, approval_required=True
    )
    a, b, c = await make_participants(app, unit["id"], 3)
    await enroll(client, organizer, session["id"], [a.person_id])
    await enroll(client, organizer, session["id"], [b.person_id])
    resp = await client.post(
        f"/api/v1/sessions/{session['id']}/enrollments", json={}, headers=c.headers
    )
    assert resp.status_code == 201, resp.text
    listing = await client.get(
        f"/api/v1/sessions/{session['id']}/enrollments", headers=organizer.headers
    )
    ids = {e["full_name"]: e["id"] for e in listing.json()["items"]}
    return session["id"], ids


async def _statuses(client, organizer, sid):
    listing = await client.get(f"/api/v1/sessions/{sid}/enrollments", headers=organizer.headers)
    return {e["full_name"]: e["status"] for e in listing.json()["items"]}


async def test_approve_withdraw_with_a_reason_and_enroll_again(app, client, web, organizer, unit):
    sid, ids = await _class(app, client, organizer, unit)
    await login(web, organizer.username, "rahasia-123")
    page = await web.get(f"/kelola/sesi/{sid}/peserta")
    assert page.status_code == 200
    html = page.text
    assert html.count(">Setujui<") == 1  # only the request
    assert html.count(">Mundurkan<") == 3
    assert "daftar tunggu (urutan 1)" in html
    token = csrf_of(html)

    approved = await web.post(
        f"/kelola/sesi/{sid}/peserta/{ids['Peserta 003']}/setujui", data={"_csrf_token": token}
    )
    assert approved.status_code == 303
    assert approved.headers["location"] == f"/kelola/sesi/{sid}/peserta?pesan=disetujui-tunggu"
    shown = await web.get(approved.headers["location"])
    assert "kelas penuh, peserta masuk daftar tunggu" in shown.text
    assert (await _statuses(client, organizer, sid))["Peserta 003"] == "waitlisted"

    confirm = await web.get(f"/kelola/sesi/{sid}/peserta/{ids['Peserta 001']}/mundur")
    assert confirm.status_code == 200
    assert "Mundurkan peserta" in confirm.text and "Peserta 001" in confirm.text
    assert "peserta pertama di daftar tunggu" in confirm.text  # a confirmed seat moves up
    assert (await _statuses(client, organizer, sid))["Peserta 001"] == "confirmed"  # a GET only

    empty = await web.post(
        f"/kelola/sesi/{sid}/peserta/{ids['Peserta 001']}/mundur",
        data={"_csrf_token": token, "reason": "  "},
    )
    assert empty.status_code == 422
    assert 'id="f-reason-error"' in empty.text and 'aria-invalid="true"' in empty.text
    assert (await _statuses(client, organizer, sid))["Peserta 001"] == "confirmed"

    reason = "Dipindahtugaskan ke Kecamatan Padang Panjang Timur"
    done = await web.post(
        f"/kelola/sesi/{sid}/peserta/{ids['Peserta 001']}/mundur",
        data={"_csrf_token": token, "reason": reason},
    )
    assert done.status_code == 303
    assert done.headers["location"] == f"/kelola/sesi/{sid}/peserta?pesan=mundur-naik"
    statuses = await _statuses(client, organizer, sid)
    assert statuses == {
        "Peserta 001": "withdrawn",
        "Peserta 002": "confirmed",
        "Peserta 003": "waitlisted",
    }
    entries = await AuditEntry.select().where(AuditEntry.action == "enrollment.withdraw")
    assert len(entries) == 1 and reason in str(entries[0])

    after = await web.get(f"/kelola/sesi/{sid}/peserta")
    assert ">Daftarkan kembali<" in after.text and "mengundurkan diri" in after.text
    again = await web.post(
        f"/kelola/sesi/{sid}/peserta/{ids['Peserta 001']}/daftar-ulang",
        data={"_csrf_token": token},
    )
    assert again.status_code == 303
    assert again.headers["location"] == f"/kelola/sesi/{sid}/peserta?pesan=kembali-tunggu"
    listing = await client.get(f"/api/v1/sessions/{sid}/enrollments", headers=organizer.headers)
    waitlist = {e["full_name"]: e["waitlist_position"] for e in listing.json()["items"]}
    assert waitlist["Peserta 003"] == 1 and waitlist["Peserta 001"] == 2  # end of the queue

    twice = await web.post(
        f"/kelola/sesi/{sid}/peserta/{ids['Peserta 002']}/daftar-ulang",
        data={"_csrf_token": token},
    )
    assert twice.status_code == 409 and "tidak sedang mundur" in twice.text


async def test_a_closed_session_offers_no_actions_and_refuses_them(
    app, client, web, organizer, unit
):
    sid, ids = await _class(app, client, organizer, unit)
    resp = await client.patch(
        f"/api/v1/sessions/{sid}", json={"status": "cancelled"}, headers=organizer.headers
    )
    assert resp.status_code == 200, resp.text
    await login(web, organizer.username, "rahasia-123")
    page = await web.get(f"/kelola/sesi/{sid}/peserta")
    assert ">Mundurkan<" not in page.text and ">Setujui<" not in page.text
    assert "Sesi sudah ditutup" in page.text
    confirm = await web.get(f"/kelola/sesi/{sid}/peserta/{ids['Peserta 001']}/mundur")
    assert confirm.status_code == 200 and "<textarea" not in confirm.text
    refused = await web.post(
        f"/kelola/sesi/{sid}/peserta/{ids['Peserta 001']}/mundur",
        data={"_csrf_token": csrf_of(page.text), "reason": "Tidak jadi ikut"},
    )
    assert refused.status_code == 422 and "tidak dapat diubah" in refused.text
    approve = await web.post(
        f"/kelola/sesi/{sid}/peserta/{ids['Peserta 003']}/setujui",
        data={"_csrf_token": csrf_of(page.text)},
    )
    assert approve.status_code == 422 and 'role="alert"' in approve.text


async def test_other_units_and_other_sessions_get_404(
    app, client, web, organizer, other_organizer, unit
):
    sid, ids = await _class(app, client, organizer, unit)
    other = await create_session(client, organizer, status="open")
    await login(web, other_organizer.username, "rahasia-123")
    token = csrf_of((await web.get("/kelola/sesi")).text)
    eid = ids["Peserta 003"]
    assert (await web.get(f"/kelola/sesi/{sid}/peserta/{eid}/mundur")).status_code == 404
    for action in ("mundur", "setujui", "daftar-ulang"):
        resp = await web.post(
            f"/kelola/sesi/{sid}/peserta/{eid}/{action}",
            data={"_csrf_token": token, "reason": "Bukan urusan saya"},
        )
        assert resp.status_code == 404, action
    # The right organizer, but the enrollment named under another session of theirs.
    await login(web, organizer.username, "rahasia-123")
    token = csrf_of((await web.get("/kelola/sesi")).text)
    assert (await web.get(f"/kelola/sesi/{other['id']}/peserta/{eid}/mundur")).status_code == 404
    resp = await web.post(
        f"/kelola/sesi/{other['id']}/peserta/{eid}/setujui", data={"_csrf_token": token}
    )
    assert resp.status_code == 404
    assert (await _statuses(client, organizer, sid))["Peserta 003"] == "requested"


async def test_the_api_withdrawal_keeps_an_optional_reason(app, client, organizer, unit):
    sid, ids = await _class(app, client, organizer, unit)
    resp = await client.request(
        "DELETE",
        f"/api/v1/enrollments/{ids['Peserta 002']}",
        json={"reason": "Sakit, surat dokter terlampir"},
        headers=organizer.headers,
    )
    assert resp.status_code == 200, resp.text
    assert resp.json()["enrollment"]["status"] == "withdrawn"
    plain = await client.delete(
        f"/api/v1/enrollments/{ids['Peserta 003']}", headers=organizer.headers
    )
    assert plain.status_code == 200, plain.text
    short = await client.request(
        "DELETE",
        f"/api/v1/enrollments/{ids['Peserta 001']}",
        json={"reason": "x"},
        headers=organizer.headers,
    )
    assert short.status_code == 400
    entries = await AuditEntry.select().where(AuditEntry.action == "enrollment.withdraw")
    assert sorted("Sakit" in str(e) for e in entries) == [False, True]

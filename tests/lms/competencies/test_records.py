"""Learning records over HTTP: training done elsewhere, HR's decision, proofs, visibility."""

from __future__ import annotations

import datetime as dt

from lms.audit.services import entries_for
from tests.factories import make_actor, make_person
from tests.lms.builders.competencies import credit

EXTERNAL = {
    "title": "Bimtek Standar Pelayanan Publik",
    "organizer": "Ombudsman RI Perwakilan Sumatera Barat",
    "jenis_diklat": 8,
    "klasikal": True,
    "start_date": "2026-02-10",
    "end_date": "2026-02-11",
    "jp": 12,
    "certificate_number": "045/BIMTEK/ORI-SB/II/2026",
}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def url(person_id, rest: str = "") -> str:
    return f"/api/v1/people/{person_id}/learning-records{rest}"


async def test_hr_records_training_done_elsewhere_approved_at_once(client, hr, participant):
    resp = await client.post(url(participant.person_id), json=EXTERNAL, headers=hr.headers)
    assert resp.status_code == 201, resp.text
    record = resp.json()
    assert record["status"] == "approved"
    assert record["source"] == "external"
    assert record["jenis_diklat_name"] == "Bimbingan Teknis"
    assert (record["jp"], record["year"]) == ("12.00", 2026)
    listed = await client.get(url(participant.person_id), headers=participant.headers)
    assert listed.json()["total"] == 1
    transcript = await client.get(
        f"/api/v1/people/{participant.person_id}/transcript", headers=participant.headers
    )
    assert transcript.json()["years"][0]["total_jp"] == "12.00"
    actions = [e["action"] for e in await entries_for("learning_record", record["id"])]
    assert actions == ["learning_record.create"]


async def test_self_report_is_pending_until_hr_approves(client, hr, participant):
    resp = await client.post(
        url(participant.person_id),
        json={**EXTERNAL, "jp": None, "minutes": 900},
        headers=participant.headers,
    )
    assert resp.status_code == 201, resp.text
    record = resp.json()
    assert (record["status"], record["jp"]) == ("pending", "20.00")  # 900 minutes = 20.00 JP

    def transcript_total():
        return client.get(f"/api/v1/people/{participant.person_id}/transcript", headers=hr.headers)

    assert (await transcript_total()).json()["years"] == []
    # The person cannot approve their own record.
    own = await client.post(
        url(participant.person_id, f"/{record['id']}/decision"),
        json={"decision": "approve"},
        headers=participant.headers,
    )
    assert own.status_code == 403
    decided = await client.post(
        url(participant.person_id, f"/{record['id']}/decision"),
        json={"decision": "approve", "note": "Sertifikat diperiksa"},
        headers=hr.headers,
    )
    assert decided.status_code == 200, decided.text
    assert decided.json()["status"] == "approved"
    assert (await transcript_total()).json()["years"][0]["total_jp"] == "20.00"
    twice = await client.post(
        url(participant.person_id, f"/{record['id']}/decision"),
        json={"decision": "approve"},
        headers=hr.headers,
    )
    assert twice.status_code == 409


async def test_rejection_needs_a_reason_and_leaves_the_ledger(client, hr, participant):
    record = (
        await client.post(url(participant.person_id), json=EXTERNAL, headers=participant.headers)
    ).json()
    no_reason = await client.post(
        url(participant.person_id, f"/{record['id']}/decision"),
        json={"decision": "reject"},
        headers=hr.headers,
    )
    assert no_reason.status_code == 400
    rejected = await client.post(
        url(participant.person_id, f"/{record['id']}/decision"),
        json={"decision": "reject", "note": "Bukti tidak terbaca"},
        headers=hr.headers,
    )
    assert rejected.json()["status"] == "rejected"
    assert rejected.json()["status_reason"] == "Bukti tidak terbaca"
    by_status = await client.get(
        url(participant.person_id), params={"status": "rejected"}, headers=participant.headers
    )
    assert by_status.json()["total"] == 1


async def test_session_credits_are_not_decided_by_hr(client, hr, participant):
    record = await credit(participant.person_id, 24)
    resp = await client.post(
        url(participant.person_id, f"/{record}/decision"),
        json={"decision": "reject", "note": "x"},
        headers=hr.headers,
    )
    assert resp.status_code == 409


async def test_rule_violations_are_422(client, hr, participant):
    future = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    resp = await client.post(
        url(participant.person_id),
        json={**EXTERNAL, "start_date": future, "end_date": future},
        headers=hr.headers,
    )
    assert resp.status_code == 422
    resp = await client.post(
        url(participant.person_id),
        json={**EXTERNAL, "competency_codes": ["PP-99"]},
        headers=hr.headers,
    )
    assert resp.status_code == 422
    assert resp.json()["errors"] == [{"field": "competency_codes", "message": "PP-99"}]


async def test_malformed_records_are_400(client, hr, participant):
    for change in (
        {"jp": 0},
        {"jp": "12.345"},
        {"jp": None},
        {"jp": 12, "minutes": 540},
        {"jenis_diklat": 11},
        {"end_date": "2026-02-09"},
        {"title": ""},
        {"title": "   "},
        {"organizer": " "},
    ):
        resp = await client.post(
            url(participant.person_id), json={**EXTERNAL, **change}, headers=hr.headers
        )
        assert resp.status_code == 400, change


async def test_who_sees_and_who_records(client, app, hr, organizer, participant, other_unit):
    stranger = await make_actor(
        app, "participant", person_id=await make_person(other_unit["id"]), unit_id=other_unit["id"]
    )
    other_hr = await make_actor(app, "hr", unit_id=other_unit["id"])
    trainer = await make_actor(app, "trainer", unit_id=organizer.unit_id)
    for actor in (stranger, other_hr, trainer):
        assert (
            await client.get(url(participant.person_id), headers=actor.headers)
        ).status_code == 404
        resp = await client.post(url(participant.person_id), json=EXTERNAL, headers=actor.headers)
        assert resp.status_code == 404
    assert (
        await client.get(url(participant.person_id), headers=organizer.headers)
    ).status_code == 200
    # Organizers read the ledger but the record is HR's to keep.
    resp = await client.post(url(participant.person_id), json=EXTERNAL, headers=organizer.headers)
    assert resp.status_code == 403


async def test_proof_upload_and_download(client, hr, participant, other_unit, app):
    record = (
        await client.post(url(participant.person_id), json=EXTERNAL, headers=participant.headers)
    ).json()
    bad = await client.post(
        url(participant.person_id, f"/{record['id']}/proof"),
        files={"file": ("bukti.txt", b"bukan pdf", "text/plain")},
        headers=participant.headers,
    )
    assert bad.status_code == 400
    ok = await client.post(
        url(participant.person_id, f"/{record['id']}/proof"),
        files={"file": ("sertifikat bimtek.pdf", PDF, "application/pdf")},
        headers=participant.headers,
    )
    assert ok.status_code == 200, ok.text
    assert ok.json()["proof_filename"] == "sertifikat bimtek.pdf"
    assert len(ok.json()["proof_sha256"]) == 64
    download = await client.get(
        url(participant.person_id, f"/{record['id']}/proof"), headers=hr.headers
    )
    assert download.status_code == 200
    assert download.content == PDF
    assert download.headers["content-type"].startswith("application/pdf")
    other_hr = await make_actor(app, "hr", unit_id=other_unit["id"])
    hidden = await client.get(
        url(participant.person_id, f"/{record['id']}/proof"), headers=other_hr.headers
    )
    assert hidden.status_code == 404

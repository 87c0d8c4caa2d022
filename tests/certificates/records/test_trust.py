"""Revocation, reinstatement, re-issue and the expiring list, on inserted certificates.

The end-to-end path through real issuing (a finalized session, PDFs, the JP ledger) is in
``test_trust_issued.py``.
"""

from __future__ import annotations

import datetime as dt
import json
from uuid import UUID, uuid4

import pytest

from certificates.rendering.snapshot import HolderSnapshot
from certificates.tables import Certificate
from lms.audit.services import entries_for
from tests.certificates.verification.test_verification import insert_certificate, jakarta_today

REVOKE = {"category": "salah_data", "reason": "NIP tertulis salah pada sertifikat"}


async def credited(unit: dict, person_id: UUID, session_id: UUID) -> UUID:
    """A JP credit of 24 in the person's ledger for the session."""
    from lms.competencies import ledger

    return await ledger.credit_session(
        person_id=person_id,
        session_id=session_id,
        title="Pelatihan Pelayanan Prima Angkatan I",
        organizer=unit["name"],
        jenis_diklat=3,
        klasikal=True,
        start_date=dt.date(2026, 11, 20),
        end_date=dt.date(2026, 11, 22),
        jp=24,
        competency_codes=[],
        actor=None,
    )


async def ledger_status(record_id: UUID) -> str:
    from lms.competencies.tables import LearningRecord

    row = (
        await LearningRecord.select(LearningRecord.status)
        .where(LearningRecord.id == record_id)
        .first()
    )
    return row["status"]


def changes(entry: dict) -> dict:
    value = entry["changes"]
    return json.loads(value) if isinstance(value, str) else value


async def stored(certificate_id: UUID) -> dict:
    return (
        await Certificate.select()
        .where(Certificate.id == certificate_id)
        .output(load_json=True)
        .first()
    )


# -- revoke ------------------------------------------------------------------------------------


async def test_revoke_takes_effect_everywhere_in_the_same_request(client, organizer, unit):
    person_id, session_id = (await _person(unit)), uuid4()
    record_id = await credited(unit, person_id, session_id)
    cert = await insert_certificate(unit, person_id=person_id, session_id=session_id)

    response = await client.post(
        f"/api/v1/certificates/{cert['id']}/revoke", json=REVOKE, headers=organizer.headers
    )
    public = await client.get(f"/api/v1/verify/{cert['code']}")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "revoked"
    assert body["revocation"]["category"] == "salah_data"
    assert body["revocation"]["category_label"] == "Kesalahan data"
    assert body["revocation"]["reason"] == "NIP tertulis salah pada sertifikat"
    assert body["revocation"]["by"] == organizer.username
    assert public.json()["status"] == "revoked"
    assert public.json()["revocation"]["category"] == "salah_data"
    row = await stored(cert["id"])
    assert row["status"] == "revoked" and row["revoked_at"] is not None
    assert row["number"] == cert["number"]  # the record stays
    assert await ledger_status(record_id) == "revoked"
    audit = await entries_for("certificate", cert["id"])
    assert [e["action"] for e in audit] == ["certificate.revoke"]
    assert audit[0]["actor_name"] == organizer.username
    assert changes(audit[0])["category"] == "salah_data"
    assert changes(audit[0])["ledger_record"] == str(record_id)


async def test_revoke_without_a_ledger_credit_still_revokes(client, admin, unit):
    cert = await insert_certificate(unit)

    response = await client.post(
        f"/api/v1/certificates/{cert['id']}/revoke",
        json={"category": "lainnya", "reason": "Diterbitkan untuk sesi yang keliru"},
        headers=admin.headers,
    )

    assert response.status_code == 200
    audit = await entries_for("certificate", cert["id"])
    assert changes(audit[0])["ledger_record"] is None


async def test_who_may_revoke(client, unit, other_organizer, hr, participant, organizer):
    cert = await insert_certificate(unit)
    url = f"/api/v1/certificates/{cert['id']}/revoke"

    other = await client.post(url, json=REVOKE, headers=other_organizer.headers)
    as_hr = await client.post(url, json=REVOKE, headers=hr.headers)
    as_participant = await client.post(url, json=REVOKE, headers=participant.headers)
    unknown = await client.post(
        f"/api/v1/certificates/{uuid4()}/revoke", json=REVOKE, headers=organizer.headers
    )
    bad_category = await client.post(
        url, json={"category": "bosan", "reason": "alasan"}, headers=organizer.headers
    )
    no_reason = await client.post(
        url, json={"category": "lainnya", "reason": ""}, headers=organizer.headers
    )

    assert [r.status_code for r in (other, as_hr, as_participant, unknown)] == [404, 403, 403, 404]
    assert [bad_category.status_code, no_reason.status_code] == [400, 400]
    assert (await stored(cert["id"]))["status"] == "valid"


async def test_revoke_twice_or_a_superseded_one(client, organizer, unit):
    cert = await insert_certificate(unit, number="001/X")
    old = await insert_certificate(unit, number="002/X", status="superseded")
    first = await client.post(
        f"/api/v1/certificates/{cert['id']}/revoke", json=REVOKE, headers=organizer.headers
    )
    again = await client.post(
        f"/api/v1/certificates/{cert['id']}/revoke", json=REVOKE, headers=organizer.headers
    )
    superseded = await client.post(
        f"/api/v1/certificates/{old['id']}/revoke", json=REVOKE, headers=organizer.headers
    )
    assert [first.status_code, again.status_code, superseded.status_code] == [200, 409, 422]


# -- reinstate ---------------------------------------------------------------------------------


async def test_admin_reinstates_with_a_reason_and_the_jp_return(client, organizer, admin, unit):
    person_id, session_id = (await _person(unit)), uuid4()
    record_id = await credited(unit, person_id, session_id)
    cert = await insert_certificate(unit, person_id=person_id, session_id=session_id)
    await client.post(
        f"/api/v1/certificates/{cert['id']}/revoke", json=REVOKE, headers=organizer.headers
    )
    url = f"/api/v1/certificates/{cert['id']}/reinstate"

    by_organizer = await client.post(url, json={"reason": "keliru"}, headers=organizer.headers)
    by_admin = await client.post(
        url, json={"reason": "Pencabutan keliru, NIP ternyata benar"}, headers=admin.headers
    )
    again = await client.post(url, json={"reason": "sekali lagi"}, headers=admin.headers)

    assert by_organizer.status_code == 403
    assert by_admin.status_code == 200
    assert by_admin.json()["status"] == "valid"
    assert by_admin.json()["revocation"] is None
    assert again.status_code == 409
    assert (await client.get(f"/api/v1/verify/{cert['code']}")).json()["status"] == "valid"
    assert await ledger_status(record_id) == "approved"
    row = await stored(cert["id"])
    assert row["revoked_at"] is None
    history = row["revocation"]["history"]
    assert len(history) == 1
    assert history[0]["category"] == "salah_data"
    assert history[0]["reinstate_reason"] == "Pencabutan keliru, NIP ternyata benar"
    assert history[0]["reinstated_by"] == admin.username
    actions = [e["action"] for e in await entries_for("certificate", cert["id"])]
    assert actions == ["certificate.revoke", "certificate.reinstate"]


async def test_reinstate_refused_when_another_valid_certificate_exists(client, admin, unit):
    person_id, session_id = uuid4(), uuid4()
    revoked = await insert_certificate(
        unit,
        number="001/X",
        person_id=person_id,
        session_id=session_id,
        status="revoked",
        revocation={"category": "salah_data", "reason": "x", "history": []},
    )
    await insert_certificate(unit, number="002/X", person_id=person_id, session_id=session_id)

    response = await client.post(
        f"/api/v1/certificates/{revoked['id']}/reinstate",
        json={"reason": "coba pulihkan"},
        headers=admin.headers,
    )

    assert response.status_code == 409
    assert "002/X" in response.json()["detail"]


# -- re-issue (issuing replaced by a stand-in that inserts the row) ----------------------------


@pytest.fixture
def fake_issuing(monkeypatch, unit):
    """Replace ``certificates.issuing.service.issue_one`` with a stand-in that inserts a row."""
    calls: list[dict] = []

    async def issue_one(*, settings, session_id, person_id, actor, supersedes=None, overrides=None):
        calls.append({"session_id": session_id, "person_id": person_id, "supersedes": supersedes})
        new = await insert_certificate(
            unit,
            number=f"{100 + len(calls):03d}/PP/DPMPTSP/XII/2026",
            person_id=person_id,
            session_id=session_id,
            holder=HolderSnapshot(name_with_titles="Muhammad Ma'ruf, S.Sos., M.Si."),
        )
        return await Certificate.select().where(Certificate.id == new["id"]).first()

    import certificates.issuing.service

    monkeypatch.setattr(certificates.issuing.service, "issue_one", issue_one)
    return calls


async def test_reissue_links_both_ways_and_audits(client, organizer, unit, fake_issuing):
    old = await insert_certificate(unit)

    response = await client.post(
        f"/api/v1/certificates/{old['id']}/reissue",
        json={"reason": "Nama depan disingkat, seharusnya Muhammad"},
        headers=organizer.headers,
    )

    assert response.status_code == 201
    body = response.json()
    new_id = body["certificate"]["id"]
    assert fake_issuing[0]["supersedes"] == old["id"]
    assert body["certificate"]["number"] == "101/PP/DPMPTSP/XII/2026"
    assert body["certificate"]["status"] == "valid"
    assert body["certificate"]["supersedes"]["id"] == str(old["id"])
    assert body["previous"]["status"] == "superseded"
    assert body["previous"]["superseded_by"] == {
        "id": new_id,
        "number": "101/PP/DPMPTSP/XII/2026",
        "verify_url": body["certificate"]["verify_url"],
    }
    old_public = (await client.get(f"/api/v1/verify/{old['code']}")).json()
    assert old_public["status"] == "superseded"
    assert old_public["superseded_by"]["number"] == "101/PP/DPMPTSP/XII/2026"
    new_row = await stored(UUID(new_id))
    assert new_row["supersedes"] == old["id"]
    assert [e["action"] for e in await entries_for("certificate", old["id"])] == [
        "certificate.reissue"
    ]
    assert [e["action"] for e in await entries_for("certificate", new_id)] == [
        "certificate.reissued_from"
    ]


async def test_reissue_refusals(client, organizer, other_organizer, unit, fake_issuing):
    revoked = await insert_certificate(unit, number="001/X", status="revoked")
    superseded = await insert_certificate(unit, number="002/X", status="superseded")
    valid = await insert_certificate(unit, number="003/X")
    body = {"reason": "perbaikan nama"}

    answers = [
        await client.post(
            f"/api/v1/certificates/{revoked['id']}/reissue", json=body, headers=organizer.headers
        ),
        await client.post(
            f"/api/v1/certificates/{superseded['id']}/reissue",
            json=body,
            headers=organizer.headers,
        ),
        await client.post(
            f"/api/v1/certificates/{valid['id']}/reissue",
            json=body,
            headers=other_organizer.headers,
        ),
    ]

    assert [a.status_code for a in answers] == [422, 409, 404]
    assert fake_issuing == []


# -- expiring ----------------------------------------------------------------------------------


async def test_expiring_lists_what_ends_within_the_window(
    client, organizer, other_organizer, hr, unit
):
    today = jakarta_today()
    person, course = uuid4(), uuid4()
    soon = await insert_certificate(unit, number="001/X", valid_until=today + dt.timedelta(days=10))
    await insert_certificate(unit, number="002/X", valid_until=today + dt.timedelta(days=91))
    await insert_certificate(unit, number="003/X", valid_until=today - dt.timedelta(days=1))
    await insert_certificate(unit, number="004/X")  # no expiry
    await insert_certificate(
        unit, number="005/X", valid_until=today + dt.timedelta(days=5), status="revoked"
    )
    last_day = await insert_certificate(unit, number="006/X", valid_until=today)
    # Already recertified: a newer valid certificate of the same course for the same person.
    await insert_certificate(
        unit,
        number="007/X",
        person_id=person,
        course_id=course,
        valid_until=today + dt.timedelta(days=20),
    )
    await insert_certificate(
        unit,
        number="008/X",
        person_id=person,
        course_id=course,
        valid_until=today + dt.timedelta(days=20 + 3 * 365),
    )

    response = await client.get("/api/v1/certificates/expiring?days=90", headers=organizer.headers)
    as_hr = await client.get("/api/v1/certificates/expiring", headers=hr.headers)
    outside = await client.get("/api/v1/certificates/expiring", headers=other_organizer.headers)

    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 2
    assert [(i["number"], i["days_left"]) for i in body["items"]] == [("006/X", 0), ("001/X", 10)]
    first = body["items"][1]
    assert first["certificate_id"] == str(soon["id"])
    assert first["holder_name"] == "Muh. Ma'ruf, S.Sos., M.Si."
    assert first["nip"] == "19860926 201505 1 001"
    assert first["course"] == "Pelatihan Pelayanan Prima"
    assert first["valid_until"] == (today + dt.timedelta(days=10)).isoformat()
    assert first["verify_url"] == f"https://prima.test/verify/{soon['code']}"
    assert body["items"][0]["certificate_id"] == str(last_day["id"])
    assert as_hr.json()["total"] == 2
    assert outside.json() == {"items": [], "total": 0}


async def test_expiring_is_for_organizers_and_hr(client, participant, app):
    refused = await client.get("/api/v1/certificates/expiring", headers=participant.headers)
    bad_days = await client.get("/api/v1/certificates/expiring?days=0", headers=participant.headers)
    assert refused.status_code == 403
    assert bad_days.status_code in (400, 403)


async def _person(unit: dict) -> UUID:
    from tests.factories import make_person

    return await make_person(unit["id"], "Muh. Ma'ruf", nip="198609262015051001")

"""Open Badges 3.0 on really issued certificates: the credential, its two proofs (checked here
and by openbadgeslib, an independent implementation), 1EdTech's schema, the baked PNG, the
DID document, the status list after a re-issue and a revocation, and the upload check.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from openbadgeslib.ob3.ldp import OB3LdpVerifier, verify_data_integrity_proof
from openbadgeslib.ob3.verifier import OB3VerificationError, OB3Verifier

from certificates.badges import baking, status_list
from certificates.badges.keys import public_from_multikey
from certificates.tables import BadgeCredential, Certificate
from tests.certificates.badges.ob3 import public_pem, validate_ob3_schema
from tests.certificates.builders.issuing import (  # noqa: F401 - render_pool is a fixture
    finalized_session,
    holder_actor,
    issue_and_wait,
    render_pool,
    set_profile,
)

DID = "did:web:prima.test"
STATUS_URL = "https://prima.test/api/v1/badges/status/1"
REVOKE = {"category": "salah_data", "reason": "NIP tertulis salah pada sertifikat"}


def badge_service(app: Any) -> Any:

    for router_handler in app.route_handler_method_map.get("/.well-known/did.json", {}).values():
        provider = router_handler.resolve_dependencies()["badge_service"]
        return provider.dependency()
    raise AssertionError("no did.json route")


async def issued(client, organizer, unit) -> tuple[Any, list[dict]]:
    world = await finalized_session(organizer, unit)
    await set_profile(client, organizer)
    job = await issue_and_wait(client, organizer, world.session_id)
    assert job["status"] == "succeeded", job
    rows = await Certificate.select().where(Certificate.session_id == world.session_id)
    return world, sorted(rows, key=lambda r: r["number"])


async def status_bits(client) -> bytes:
    resp = await client.get("/api/v1/badges/status/1")
    assert resp.status_code == 200, resp.text
    assert resp.headers["cache-control"] == "no-store"
    body = resp.json()
    assert body["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert body["issuer"] == DID
    return status_list.decode(body["credentialSubject"]["encodedList"])


async def test_a_certificate_as_an_open_badge(
    app,
    client,
    organizer,
    unit,
    render_pool,  # noqa: F811
):
    world, rows = await issued(client, organizer, unit)
    first = rows[0]
    holder = next(h for h in world.holders if h.person_id == first["person_id"])
    actor = await holder_actor(app, holder, unit)

    # The holder downloads it from the certificate (the API) and it is the one the public
    # verify page offers.
    resp = await client.get(f"/api/v1/certificates/{first['id']}/badge", headers=actor.headers)
    assert resp.status_code == 200, resp.text
    assert resp.headers["content-type"].startswith("application/vc+ld+json")
    assert "attachment" in resp.headers["content-disposition"]
    credential = resp.json()
    public = await client.get(f"/verify/{first['code']}/badge.json")
    assert public.json() == credential
    # Made once: a second request answers the same stored credential.
    again = await client.get(f"/api/v1/certificates/{first['id']}/badge", headers=actor.headers)
    assert again.json() == credential
    assert await BadgeCredential.count() == 1

    validate_ob3_schema(credential)
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert credential["id"] == f"urn:uuid:{first['id']}"
    assert credential["issuer"]["id"] == DID
    assert credential["issuer"]["type"] == ["Profile"]
    subject = credential["credentialSubject"]
    achievement = subject["achievement"]
    assert achievement["creditsAvailable"] == 24
    assert subject["creditsEarned"] == 24
    assert achievement["criteria"]["narrative"]
    assert subject["licenseNumber"] == first["number"]
    values = {r["value"] for r in subject["result"]}
    assert holder.predikat in values and holder.score in values
    # The holder only as salted hashes: the NIP's digits are nowhere in the credential.
    snapshot = (
        json.loads(first["snapshot"]) if isinstance(first["snapshot"], str) else first["snapshot"]
    )
    nip = "".join(ch for ch in snapshot["holder"]["nip_display"] or "" if ch.isdigit())
    text = json.dumps(credential)
    assert nip and nip not in text
    ident = next(i for i in subject["identifier"] if i["identityType"] == "ext:NIP")
    from certificates.badges.credential import identity_hash

    assert ident["hashed"] is True
    assert ident["identityHash"] == identity_hash(nip, ident["salt"])
    assert credential["validFrom"].endswith("Z")
    assert "validUntil" in credential  # the course is valid 36 months
    entry = credential["credentialStatus"]
    assert entry["type"] == "BitstringStatusListEntry"
    assert entry["statusListCredential"] == STATUS_URL

    # The DID document names the key that signed.
    did = (await client.get("/.well-known/did.json")).json()
    assert did["id"] == DID
    method = did["verificationMethod"][0]
    assert credential["proof"][0]["verificationMethod"] == method["id"] == f"{DID}#key-1"
    service = badge_service(app)
    key = public_from_multikey(method["publicKeyMultibase"])
    assert key.public_bytes_raw() == service.key.public.public_bytes_raw()

    # Independent check of both proofs (openbadgeslib: PyJWT for the JWT, its own
    # eddsa-rdfc-2022 and compaction checks for the Data Integrity proof).
    pem = public_pem(service)
    verify_data_integrity_proof(credential, pem)
    OB3LdpVerifier(pem).verify(credential)
    jwt = (
        await client.get(
            f"/api/v1/certificates/{first['id']}/badge?format=jwt", headers=actor.headers
        )
    ).text
    decoded = OB3Verifier(pem).verify(jwt)
    assert decoded.issuer.id == DID

    # Our own check accepts both forms; one changed byte is refused by us and by openbadgeslib.
    for body in ({"credential": credential}, {"jwt": jwt}):
        answer = (await client.post("/api/v1/verify/badge", json=body)).json()
        assert answer["valid"] is True, answer
        assert answer["status"] == "valid"
        assert answer["certificate"]["number"] == first["number"]
    tampered = copy.deepcopy(credential)
    tampered["credentialSubject"]["achievement"]["creditsAvailable"] = 240
    answer = (await client.post("/api/v1/verify/badge", json={"credential": tampered})).json()
    assert answer["valid"] is False
    assert {c["check"]: c["ok"] for c in answer["checks"]}["proof"] is False
    with pytest.raises(OB3VerificationError):
        verify_data_integrity_proof(tampered, pem)
    # A member no context defines would not change the signed RDF: refused as not as issued.
    extra = copy.deepcopy(credential)
    extra["credentialSubject"]["achievement"]["undefinedTerm"] = "Lulus dengan pujian"
    answer = (await client.post("/api/v1/verify/badge", json={"credential": extra})).json()
    assert answer["valid"] is False
    assert {c["check"]: c["ok"] for c in answer["checks"]}["content"] is False
    head, payload, signature = jwt.split(".")
    flipped = payload[:40] + ("A" if payload[40] != "A" else "B") + payload[41:]
    answer = (
        await client.post("/api/v1/verify/badge", json={"jwt": f"{head}.{flipped}.{signature}"})
    ).json()
    assert answer["valid"] is False
    with pytest.raises(OB3VerificationError):
        OB3Verifier(pem).verify(f"{head}.{flipped}.{signature}")

    # The PNG carries the credential in its openbadgecredential iTXt chunk.
    png = await client.get(f"/verify/{first['code']}/badge.png")
    assert png.status_code == 200
    assert png.headers["content-type"] == "image/png"
    assert json.loads(baking.extract(png.content)) == credential
    checked = await client.post(
        "/api/v1/verify/badge/png", files={"file": ("badge.png", png.content, "image/png")}
    )
    assert checked.status_code == 200, checked.text
    assert checked.json()["valid"] is True
    not_png = await client.post(
        "/api/v1/verify/badge/png", files={"file": ("x.png", b"GIF89a", "image/png")}
    )
    assert not_png.status_code == 400

    # Revocation sets the bit in the very request that revokes; the upload check says so.
    index = int(entry["statusListIndex"])
    assert status_list.bit(await status_bits(client), index) is False
    revoked = await client.post(
        f"/api/v1/certificates/{first['id']}/revoke", json=REVOKE, headers=organizer.headers
    )
    assert revoked.status_code == 200, revoked.text
    assert status_list.bit(await status_bits(client), index) is True
    answer = (await client.post("/api/v1/verify/badge", json={"credential": credential})).json()
    assert answer["valid"] is False
    assert answer["status"] == "revoked"
    # A revoked certificate that never had a badge gets none.
    second = rows[1]
    await client.post(
        f"/api/v1/certificates/{second['id']}/revoke", json=REVOKE, headers=organizer.headers
    )
    refused = await client.get(f"/verify/{second['code']}/badge.json")
    assert refused.status_code == 422


async def test_a_reissue_supersedes_the_old_badge(
    app,
    client,
    organizer,
    unit,
    render_pool,  # noqa: F811
):
    world, rows = await issued(client, organizer, unit)
    first = rows[0]
    old = (await client.get(f"/verify/{first['code']}/badge.json")).json()
    reissued = await client.post(
        f"/api/v1/certificates/{first['id']}/reissue",
        json={"reason": "Nama ditulis Muh., seharusnya Muhammad"},
        headers=organizer.headers,
    )
    assert reissued.status_code == 201, reissued.text
    new_row = await Certificate.select().where(Certificate.supersedes == first["id"]).first()
    new_code = new_row["code"]
    bits = await status_bits(client)
    assert status_list.bit(bits, int(old["credentialStatus"]["statusListIndex"])) is True
    answer = (await client.post("/api/v1/verify/badge", json={"credential": old})).json()
    assert answer["status"] == "superseded" and answer["valid"] is False
    new = (await client.get(f"/verify/{new_code}/badge.json")).json()
    assert new["id"] != old["id"]
    assert new["credentialStatus"]["statusListIndex"] != old["credentialStatus"]["statusListIndex"]
    answer = (await client.post("/api/v1/verify/badge", json={"credential": new})).json()
    assert answer["valid"] is True, answer
    validate_ob3_schema(new)


async def test_foreign_and_malformed_uploads(app, client):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from certificates.badges import proofs
    from certificates.badges.keys import BadgeKey

    foreign = BadgeKey(Ed25519PrivateKey.generate(), "did:web:elsewhere.example")
    document = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": "urn:uuid:00000000-0000-0000-0000-000000000001",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": "did:web:elsewhere.example",
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {"id": "urn:x"},
    }
    signed = proofs.add_proof(document, foreign, __import__("datetime").datetime.now())
    answer = (await client.post("/api/v1/verify/badge", json={"credential": signed})).json()
    assert answer["valid"] is False
    checks = {c["check"]: c["ok"] for c in answer["checks"]}
    assert checks["issuer"] is False and checks["proof"] is False and checks["status"] is False
    for body in ({}, {"credential": {}, "jwt": "a.b.c"}, {"jwt": 5}, "not json"):
        resp = await client.post("/api/v1/verify/badge", json=body)
        assert resp.status_code == 400, (body, resp.text)
    unknown_context = {**signed, "@context": ["https://evil.example/context"]}
    answer = (
        await client.post("/api/v1/verify/badge", json={"credential": unknown_context})
    ).json()
    assert answer["valid"] is False


async def test_badge_download_is_404_for_whoever_may_not_see(
    app,
    client,
    organizer,
    other_organizer,
    unit,
    render_pool,  # noqa: F811
):
    _world, rows = await issued(client, organizer, unit)
    url = f"/api/v1/certificates/{rows[0]['id']}/badge"
    assert (await client.get(url, headers=other_organizer.headers)).status_code == 404
    assert (await client.get(url)).status_code == 401
    assert (await client.get("/verify/NO-SUCH-CODE/badge.json")).status_code == 404
    png = await client.get(url + "?format=png", headers=organizer.headers)
    assert png.status_code == 200 and png.content.startswith(baking.PNG_SIGNATURE)


async def test_the_verify_page_offers_the_badge_and_linkedin(app, client, unit):
    from urllib.parse import parse_qs, urlsplit

    from tests.certificates.verification.test_verification import insert_certificate

    valid = await insert_certificate(unit, number="010/PP/DPMPTSP/XI/2026")
    page = await client.get(f"/verify/{valid['code']}")
    assert page.status_code == 200
    html = page.text
    assert f'href="/verify/{valid["code"]}/badge.json"' in html
    assert f'href="/verify/{valid["code"]}/badge.png"' in html
    assert "Tambahkan ke profil LinkedIn" in html
    assert f'href="/verify/{valid["code"]}/linkedin"' in html
    redirect = await client.get(f"/verify/{valid['code']}/linkedin")
    assert redirect.status_code == 303
    link = redirect.headers["location"]
    assert link.startswith("https://www.linkedin.com/profile/add?")
    query = parse_qs(urlsplit(link).query)
    assert query["startTask"] == ["CERTIFICATION_NAME"]
    assert query["certId"] == ["010/PP/DPMPTSP/XI/2026"]
    assert query["certUrl"] == [f"https://prima.test/verify/{valid['code']}"]
    assert query["issueYear"] == ["2026"] and query["issueMonth"] == ["11"]
    assert query["name"] and query["organizationName"]
    # The inserted certificate (no session rules, no course row) still makes a valid badge.
    credential = (await client.get(f"/verify/{valid['code']}/badge.json")).json()
    validate_ob3_schema(credential)
    answer = (await client.post("/api/v1/verify/badge", json={"credential": credential})).json()
    assert answer["valid"] is True, answer

    revoked = await insert_certificate(unit, number="011/PP/DPMPTSP/XI/2026", status="revoked")
    html = (await client.get(f"/verify/{revoked['code']}")).text
    assert "badge.json" not in html and "linkedin" not in html.lower()
    refused = await client.get(f"/verify/{revoked['code']}/linkedin")
    assert refused.status_code == 422


async def test_revoke_sets_and_reinstate_clears_the_bit(app, client, organizer, admin, unit):
    from tests.certificates.verification.test_verification import insert_certificate

    cert = await insert_certificate(unit)
    credential = (await client.get(f"/verify/{cert['code']}/badge.json")).json()
    index = int(credential["credentialStatus"]["statusListIndex"])
    before = await client.get("/api/v1/badges/status/1")
    assert status_list.bit(await status_bits(client), index) is False
    await client.post(
        f"/api/v1/certificates/{cert['id']}/revoke", json=REVOKE, headers=organizer.headers
    )
    after = await client.get("/api/v1/badges/status/1")
    assert status_list.bit(await status_bits(client), index) is True
    # The list is itself signed by the office (and re-signed when a bit changes).
    service = badge_service(app)
    from certificates.badges import proofs

    for body in (before.json(), after.json()):
        proofs.verify_proof(body, service.key.public)
        verify_data_integrity_proof(body, public_pem(service))
    assert before.json()["proof"] != after.json()["proof"]
    reinstated = await client.post(
        f"/api/v1/certificates/{cert['id']}/reinstate",
        json={"reason": "Pencabutan keliru, NIP ternyata benar"},
        headers=admin.headers,
    )
    assert reinstated.status_code == 200
    assert status_list.bit(await status_bits(client), index) is False
    answer = (await client.post("/api/v1/verify/badge", json={"credential": credential})).json()
    assert answer["valid"] is True, answer


async def test_competencies_of_the_course_become_alignments(app, client, organizer, unit):
    import datetime as dt
    from uuid import uuid4

    import msgspec

    from courses.catalogue.schemas import CourseCreate
    from courses.catalogue.services import CourseService
    from lms.competencies.tables import Competency
    from tests.certificates.builders.issuing import COURSE, organizer_caller
    from tests.certificates.verification.test_verification import insert_certificate

    for code, name in (("PP-SIKAP", "Sikap melayani"), ("PP-ADUAN", "Penanganan pengaduan")):
        await Competency.insert(
            Competency(
                id=uuid4(), code=code, name=name, description="", created_at=dt.datetime.now(dt.UTC)
            )
        )
    course = await CourseService().create(
        organizer_caller(organizer, unit),
        msgspec.convert(
            {
                **COURSE,
                "code": f"PP-{uuid4().hex[:6]}",
                "unit_id": str(unit["id"]),
                "competency_codes": ["PP-SIKAP", "PP-ADUAN"],
                "description": "Melayani dengan standar pelayanan prima.",
            },
            CourseCreate,
        ),
    )
    cert = await insert_certificate(unit, course_id=course.id)
    credential = (await client.get(f"/verify/{cert['code']}/badge.json")).json()
    achievement = credential["credentialSubject"]["achievement"]
    assert achievement["description"] == "Melayani dengan standar pelayanan prima."
    assert [(a["targetCode"], a["targetName"]) for a in achievement["alignment"]] == [
        ("PP-SIKAP", "Sikap melayani"),
        ("PP-ADUAN", "Penanganan pengaduan"),
    ]
    validate_ob3_schema(credential)

"""LTI Advantage against the fake platform: the course's roster (27 people of the sample list,
over two NRPS pages) enrolled into a session with a per-row report, and the final scores sent to
the gradebook once (unchanged scores are not sent again; a refusal is kept and retried)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import AsyncIterator
from decimal import Decimal
from uuid import uuid4

import msgspec
import pytest

from courses.lti import delivery
from lms.jobs import runner
from lms.lti.tables import LtiScore
from tests.certificates.builders.issuing import COURSE, organizer_caller
from tests.conftest import SHARED_DATA
from tests.factories import make_person
from tests.lms.lti.fake_platform import INSTRUCTOR, LEARNER, FakePlatform
from tests.lms.lti.test_launch import _launch, _login, _register

SAMPLE = SHARED_DATA / "peserta_pelayanan_prima_angkatan_1.csv"


@pytest.fixture(autouse=True)
def quick_backoff(monkeypatch):
    """The score job's delays in milliseconds instead of minutes."""
    monkeypatch.setattr(delivery, "BACKOFF", (0.0, 0.05, 0.05))


@pytest.fixture
async def platform() -> AsyncIterator[FakePlatform]:
    fake = FakePlatform()
    await fake.start()
    yield fake
    await fake.stop()


def _sample_people() -> list[dict[str, str]]:
    text = SAMPLE.read_text(encoding="utf-8-sig")
    return list(csv.DictReader(io.StringIO(text), delimiter=";"))


async def _session(organizer, unit):
    from courses.catalogue.schemas import CourseCreate
    from courses.catalogue.services import CourseService
    from courses.delivery.sessions.schemas import SessionCreate
    from courses.delivery.sessions.service import SessionService

    caller = organizer_caller(organizer, unit)
    course = await CourseService().create(
        caller,
        msgspec.convert(
            {**COURSE, "code": f"PP-{uuid4().hex[:6]}", "unit_id": str(unit["id"])}, CourseCreate
        ),
    )
    return await SessionService().create(
        caller,
        SessionCreate(
            course_id=course.id,
            name="Angkatan I",
            start_date=dt.date(2026, 12, 14),
            end_date=dt.date(2026, 12, 16),
            venue="Aula DPMPTSP",
            city="Padang Panjang",
        ),
    )


async def test_roster_and_scores_round_trip(
    app, client, admin, organizer, unit, platform, root_unit
):
    await _register(client, admin, platform)
    platform.tool_jwks = (await client.get("/.well-known/jwks.json")).json()
    imported = await client.post(
        "/api/v1/people/import",
        headers=admin.headers,
        files={"file": (SAMPLE.name, SAMPLE.read_bytes(), "text/csv")},
    )
    assert imported.status_code == 200, imported.text
    people = _sample_people()
    assert len(people) == 27
    platform.members = [
        {
            "user_id": f"m-{i}",
            "name": p["Nama"],
            "email": p["Email"],
            "roles": [LEARNER],
            "status": "Active",
            "lis_person_sourcedid": p["NIP"],
        }
        for i, p in enumerate(people)
    ] + [
        {"user_id": "teacher", "name": "Dr. Hendra", "roles": [INSTRUCTOR], "status": "Active"},
        {
            "user_id": "stranger",
            "name": "Bukan ASN",
            "roles": [LEARNER],
            "status": "Active",
            "email": "stranger@example.com",
        },
    ]
    session = await _session(organizer, unit)

    # A learner launches: the placement is remembered with its NRPS and AGS URLs.
    first_nip = people[0]["NIP"]
    id_token, state = platform.id_token(await _login(client, platform), sub="m-0", nip=first_nip)
    assert (await _launch(client, id_token, state)).status_code == 303
    links = (await client.get("/api/v1/lti/links", headers=organizer.headers)).json()
    assert len(links) == 1 and links[0]["has_roster"] and links[0]["has_gradebook"]
    link_id = links[0]["id"]

    resp = await client.post(
        f"/api/v1/sessions/{session.id}/lti/roster",
        json={"link_id": link_id},
        headers=organizer.headers,
    )
    assert resp.status_code == 200, resp.text
    report = resp.json()
    assert report["total_rows"] == 28  # 27 learners + 1 stranger; the instructor is no row
    assert report["confirmed"] + report["waitlisted"] == 27 and report["rejected"] == 1
    assert report["confirmed"] == 27  # capacity 30
    (rejected,) = [r for r in report["rows"] if r["outcome"] == "rejected"]
    assert rejected["name"] == "Bukan ASN"
    assert rejected["errors"] == ["NIP tidak dibagikan LMS dan email tidak cocok"]
    assert len(platform.token_requests) == 1  # one token for both pages
    again = await client.post(
        f"/api/v1/sessions/{session.id}/lti/roster",
        json={"link_id": link_id},
        headers=organizer.headers,
    )
    assert again.json()["already_enrolled"] == 27 and again.json()["confirmed"] == 0

    # Finalized results go to the gradebook: only the person who came from the LMS has a
    # platform id; the others are reported skipped.
    from courses.tables import Enrollment, Result
    from lms.people.tables import Person

    now = dt.datetime.now(dt.UTC)
    enrolled = await Enrollment.select(Enrollment.person).where(Enrollment.session == session.id)
    for row in enrolled:
        await Result.insert(
            Result(
                id=uuid4(),
                session=session.id,
                person=row["person"],
                components={},
                attendance_percent=Decimal("100"),
                final_score=Decimal("86.50"),
                passed=True,
                predikat="Memuaskan",
                rules={},
                finalized_at=now,
                amendments=[],
                note="",
                updated_at=now,
                natural_key=f"{session.id}:{row['person']}",
            )
        )
    send = {"json": {"link_id": link_id}, "headers": organizer.headers}
    url = f"/api/v1/sessions/{session.id}/lti/scores"
    first = (await client.post(url, **send)).json()
    assert (first["sent"], first["skipped"], first["failed"]) == (1, 26, 0), first
    (score,) = platform.scores
    assert score["userId"] == "m-0" and score["scoreGiven"] == 86.5
    assert score["activityProgress"] == "Completed" and score["gradingProgress"] == "FullyGraded"
    assert score["scoreMaximum"] == 100 and score["comment"] == "Memuaskan"

    assert (await client.post(url, **send)).json()["unchanged"] == 1
    assert len(platform.scores) == 1  # the same score is not sent twice

    person = await Person.select(Person.id).where(Person.nip == first_nip).first()
    await Result.update({Result.final_score: Decimal("91.00")}).where(Result.person == person["id"])
    platform.fail_scores = True
    failed = (await client.post(url, **send)).json()
    (refused,) = [row for row in failed["rows"] if row["outcome"] == "failed"]
    assert failed["failed"] == 1 and "menolak nilai (503)" in refused["reason"]
    # The refusal is retried by a job with backoff; still refused after the last try, it is
    # marked failed for the organizer.
    assert failed["retry_job_id"]
    await runner.wait_for_jobs(30)
    stored = await LtiScore.select().first()
    assert (stored["status"], stored["tries"]) == ("failed", 3)
    platform.fail_scores = False
    retried = (await client.post(url, **send)).json()
    assert retried["sent"] == 1 and platform.scores[-1]["scoreGiven"] == 91.0

    # A 500 once: the job's next try delivers it, without the organizer.
    await Result.update({Result.final_score: Decimal("93.00")}).where(Result.person == person["id"])
    platform.score_failures = 1
    assert (await client.post(url, **send)).json()["failed"] == 1
    await runner.wait_for_jobs(30)
    assert platform.scores[-1]["scoreGiven"] == 93.0 and len(platform.scores) == 3
    assert (await LtiScore.select().first())["status"] == "sent"


async def test_roster_of_another_organizers_session_is_404(
    app, client, admin, organizer, other_organizer, unit, platform
):
    await _register(client, admin, platform)
    session = await _session(organizer, unit)
    resp = await client.post(
        f"/api/v1/sessions/{session.id}/lti/roster",
        json={"link_id": str(uuid4())},
        headers=other_organizer.headers,
    )
    assert resp.status_code == 404


async def test_deep_linking_places_a_session_and_the_certificate(
    app, client, admin, organizer, unit, platform
):
    from joserfc import jwt
    from joserfc.jwk import KeySet

    from lms.auth.tables import User

    await _register(client, admin, platform)
    session = await _session(organizer, unit)
    person = await make_person(unit["id"], "Siti", nip="199001152015032002")
    await User.update({User.person: person}).where(User.id == organizer.user_id)
    from lms.lti.tables import LtiPlatform

    await LtiPlatform.update({LtiPlatform.instructor_role: "organizer"}).where(
        LtiPlatform.issuer == platform.issuer
    )
    dl = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
    id_token, state = platform.id_token(
        await _login(client, platform),
        sub="teacher-1",
        roles=(INSTRUCTOR,),
        nip="199001152015032002",
        message_type="LtiDeepLinkingRequest",
        resource_link=None,
        **{
            dl: {
                "deep_link_return_url": f"{platform.issuer}/deep-link-return",
                "accept_types": ["ltiResourceLink"],
                "accept_multiple": True,
                "data": "opaque-42",
            }
        },
    )
    page = await _launch(client, id_token, state)
    assert page.status_code == 200, page.text
    assert "Pilih konten Prima" in page.text and f"session:{session.id}" in page.text
    choice = re.search(r'name="choice" value="([^"]+)"', page.text).group(1)

    chosen = await client.post(
        "/lti/deep-link",
        data={"choice": choice, "item": [f"session:{session.id}", "certificate"]},
    )
    assert chosen.status_code == 200, chosen.text
    assert f'action="{platform.issuer}/deep-link-return"' in chosen.text
    response = re.search(r'name="JWT" value="([^"]+)"', chosen.text).group(1)
    tool = KeySet.import_key_set((await client.get("/.well-known/jwks.json")).json())
    claims = jwt.decode(response, tool, algorithms=["RS256"]).claims
    assert claims["iss"] == platform.client_id and claims["aud"] == platform.issuer
    lti = "https://purl.imsglobal.org/spec/lti/claim/"
    assert claims[lti + "message_type"] == "LtiDeepLinkingResponse"
    assert claims[lti + "deployment_id"] == platform.deployment_id
    assert claims["https://purl.imsglobal.org/spec/lti-dl/claim/data"] == "opaque-42"
    items = claims["https://purl.imsglobal.org/spec/lti-dl/claim/content_items"]
    assert [i["custom"]["prima_kind"] for i in items] == ["certificate", "session"]
    assert all(i["type"] == "ltiResourceLink" for i in items)
    assert items[1]["custom"]["session_id"] == str(session.id)

    # A forged choice form is refused with its code.
    forged = await client.post("/lti/deep-link", data={"choice": "x.y.z", "item": "certificate"})
    assert forged.status_code == 400 and "LTI-DEEPLINK" in forged.text

"""Downloads and lists: who sees which certificate, the ZIP, the merged PDF, and certificates
that outlive their person, session and course."""

from __future__ import annotations

import hashlib
import io
import zipfile

import pypdf
import pytest

from tests.certificates.builders.issuing import (  # noqa: F401 (render_pool is a fixture)
    finalized_session,
    holder_actor,
    issue_and_wait,
    number,
    pdf_text,
    render_pool,
    set_profile,
)
from tests.factories import make_actor, make_unit

pytestmark = pytest.mark.usefixtures("render_pool")


@pytest.fixture
async def issued(app, client, organizer, unit):
    """The default world with its three certificates issued."""
    world = await finalized_session(organizer, unit)
    await set_profile(client, organizer)
    job = await issue_and_wait(client, organizer, world.session_id)
    assert job["result"]["issued"] == 3
    return world


async def _list(client, actor, **params) -> dict:
    resp = await client.get("/api/v1/certificates", params=params, headers=actor.headers)
    assert resp.status_code == 200, resp.text
    return resp.json()


async def test_zip_holds_each_pdf_named_by_number_and_name(client, organizer, hr, issued):
    resp = await client.get(
        f"/api/v1/sessions/{issued.session_id}/certificates.zip", headers=organizer.headers
    )

    assert resp.status_code == 200
    assert resp.headers["content-type"] == "application/zip"
    assert resp.headers["content-disposition"] == (
        'attachment; filename="sertifikat_Pelatihan_Pelayanan_Prima_Angkatan_I.zip"'
    )
    archive = zipfile.ZipFile(io.BytesIO(resp.content))
    prefix = [number(n).replace("/", "-") for n in (1, 2, 3)]
    assert archive.namelist() == [
        f"{prefix[0]}_Afrizal,_S.Sos.pdf",
        f"{prefix[1]}_Drs._Muh._Maruf,_S.Sos.,_M.Si.pdf",
        f"{prefix[2]}_Ni_Made_Ayu_Suartini,_A.Md.pdf",
    ]
    listed = {c["number"]: c for c in (await _list(client, organizer))["items"]}
    for name, seq in zip(archive.namelist(), (1, 2, 3), strict=True):
        detail = await client.get(listed[number(seq)]["links"]["self"], headers=organizer.headers)
        content = archive.read(name)
        assert hashlib.sha256(content).hexdigest() == detail.json()["pdf_sha256"]
    hr_zip = await client.get(
        f"/api/v1/sessions/{issued.session_id}/certificates.zip", headers=hr.headers
    )
    assert hr_zip.status_code == 200 and hr_zip.content == resp.content


async def test_merged_pdf_has_every_certificate_for_printing(client, organizer, issued):
    resp = await client.get(
        f"/api/v1/sessions/{issued.session_id}/certificates.pdf", headers=organizer.headers
    )

    assert resp.status_code == 200
    assert resp.headers["content-type"] == "application/pdf"
    reader = pypdf.PdfReader(io.BytesIO(resp.content))
    assert len(reader.pages) == 6  # certificate + modules page, three holders
    fronts = [" ".join(reader.pages[i].extract_text().split()) for i in (0, 2, 4)]
    assert [number(n) in page for n, page in zip((1, 2, 3), fronts, strict=True)] == [True] * 3
    assert "Ni Made Ayu Suartini, A.Md." in fronts[2]


async def test_who_sees_which_certificate(
    app, client, organizer, other_organizer, hr, trainer_user, unit, issued
):
    afrizal, muh = issued.holders[0], issued.holders[1]
    me = await holder_actor(app, afrizal, unit)
    everyone = (await _list(client, organizer))["items"]
    mine = next(c for c in everyone if c["person_id"] == str(afrizal.person_id))
    theirs = next(c for c in everyone if c["person_id"] == str(muh.person_id))

    own = await _list(client, me)
    assert [c["number"] for c in own["items"]] == [mine["number"]]
    assert (await client.get(mine["links"]["pdf"], headers=me.headers)).status_code == 200
    assert (await client.get(theirs["links"]["pdf"], headers=me.headers)).status_code == 404
    assert (await client.get(theirs["links"]["self"], headers=me.headers)).status_code == 404

    assert (await _list(client, hr))["total"] == 3
    assert (await client.get(theirs["links"]["pdf"], headers=hr.headers)).status_code == 200

    assert (await _list(client, other_organizer)) == {"items": [], "total": 0}
    for url in (theirs["links"]["pdf"], theirs["links"]["self"]):
        assert (await client.get(url, headers=other_organizer.headers)).status_code == 404
    for suffix in ("zip", "pdf"):
        url = f"/api/v1/sessions/{issued.session_id}/certificates.{suffix}"
        assert (await client.get(url, headers=other_organizer.headers)).status_code == 404
        assert (await client.get(url, headers=me.headers)).status_code == 403
    assert (await client.get("/api/v1/certificates", headers=trainer_user.headers)).status_code == (
        403
    )
    unknown = "/api/v1/certificates/00000000-0000-4000-8000-000000000000/pdf"
    assert (await client.get(unknown, headers=organizer.headers)).status_code == 404


async def test_list_filters(client, organizer, issued):
    everything = await _list(client, organizer)
    assert everything["total"] == 3
    year = everything["items"][0]["year"]

    by_name = await _list(client, organizer, q="ma'ruf")
    assert [c["holder_name"] for c in by_name["items"]] == ["Drs. Muh. Ma'ruf, S.Sos., M.Si."]
    by_number = await _list(client, organizer, q=number(3))
    assert [c["holder_name"] for c in by_number["items"]] == ["Ni Made Ayu Suartini, A.Md."]
    person = str(issued.holders[0].person_id)
    assert [
        c["person_id"] for c in (await _list(client, organizer, person_id=person))["items"]
    ] == [person]
    assert (await _list(client, organizer, course_id=str(issued.course_id)))["total"] == 3
    assert (await _list(client, organizer, year=year))["total"] == 3
    assert (await _list(client, organizer, year=year - 1))["total"] == 0
    assert (await _list(client, organizer, status="valid"))["total"] == 3
    assert (await _list(client, organizer, status="revoked"))["total"] == 0
    page = await _list(client, organizer, limit=2, offset=2)
    assert (len(page["items"]), page["total"]) == (1, 3)
    bad = await client.get(
        "/api/v1/certificates", params={"status": "lost"}, headers=organizer.headers
    )
    assert bad.status_code == 400


async def test_expired_is_shown_from_valid_until(client, organizer, issued):
    import datetime as dt

    from certificates.tables import Certificate

    await Certificate.update({Certificate.valid_until: dt.date(2020, 1, 1)}).where(
        Certificate.holder_name == "Afrizal, S.Sos."
    )
    expired = await _list(client, organizer, status="expired")
    assert [(c["holder_name"], c["status"]) for c in expired["items"]] == [
        ("Afrizal, S.Sos.", "expired")
    ]
    assert (await _list(client, organizer, status="valid"))["total"] == 2


async def test_a_certificate_survives_its_person_session_and_course(client, organizer, hr, issued):
    from courses.tables import Course, CourseSession, Module, Result
    from lms.competencies.tables import LearningRecord
    from lms.people.tables import Person

    muh = issued.holders[1]
    before = next(
        c for c in (await _list(client, organizer))["items"] if c["person_id"] == str(muh.person_id)
    )
    pdf = (await client.get(before["links"]["pdf"], headers=organizer.headers)).content

    await LearningRecord.delete().where(LearningRecord.person == muh.person_id)
    await Person.delete().where(Person.id == muh.person_id)
    await Result.delete().where(Result.session == issued.session_id)
    await CourseSession.delete().where(CourseSession.id == issued.session_id)
    await Module.delete().where(Module.course == issued.course_id)
    await Course.delete().where(Course.id == issued.course_id)

    listed = await _list(client, organizer, person_id=str(muh.person_id))
    assert [(c["number"], c["holder_name"], c["course_title"]) for c in listed["items"]] == [
        (
            before["number"],
            "Drs. Muh. Ma'ruf, S.Sos., M.Si.",
            "Pelatihan Pelayanan Prima Angkatan I",
        )
    ]
    again = await client.get(before["links"]["pdf"], headers=hr.headers)
    assert again.status_code == 200 and again.content == pdf
    assert "Drs. Muh. Ma'ruf, S.Sos., M.Si." in pdf_text(again.content)
    detail = (await client.get(before["links"]["self"], headers=organizer.headers)).json()
    assert detail["snapshot"]["holder"]["nip_display"] == "19860926 201505 1 001"
    bundle = await client.get(
        f"/api/v1/sessions/{issued.session_id}/certificates.zip", headers=organizer.headers
    )
    assert len(zipfile.ZipFile(io.BytesIO(bundle.content)).namelist()) == 3


async def test_certificates_follow_their_unit_when_it_moves(
    app, client, admin, organizer, hr, unit, issued
):
    # Another tree: the unit leaves the city (HR of the city and its organizers lose it) and
    # joins a regency, whose organizer gains it. The unit's own organizer keeps everything.
    regency = await make_unit("PEMKAB", "Pemerintah Kabupaten Tanah Datar", kind="pemda")
    regency_organizer = await make_actor(app, "organizer", unit_id=regency["id"])
    moved = await client.patch(
        f"/api/v1/units/{unit['id']}", json={"parent_id": str(regency["id"])}, headers=admin.headers
    )
    assert moved.status_code == 200, moved.text

    listed = await _list(client, organizer)
    assert listed["total"] == 3
    first = listed["items"][0]
    pdf = await client.get(first["links"]["pdf"], headers=organizer.headers)
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF-")
    assert (await _list(client, regency_organizer))["total"] == 3
    assert (await _list(client, hr)) == {"items": [], "total": 0}
    assert (await client.get(first["links"]["pdf"], headers=hr.headers)).status_code == 404
    revoked = await client.post(
        f"{first['links']['self']}/revoke",
        json={"category": "salah_data", "reason": "NIP tertulis salah pada sertifikat"},
        headers=organizer.headers,
    )
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["status"] == "revoked"

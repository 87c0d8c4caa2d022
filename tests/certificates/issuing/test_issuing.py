"""Issuing a finalized session's certificates through the API: the job, the PDFs, re-runs."""

from __future__ import annotations

import hashlib
import io

import pypdf
import pytest

from lms.config import get_settings
from tests.certificates.builders.issuing import (  # noqa: F401 (render_pool is a fixture)
    finalized_session,
    issue_and_wait,
    issued_line,
    job_row,
    number,
    pdf_text,
    render_pool,
    set_profile,
    today_jakarta,
)

pytestmark = pytest.mark.usefixtures("render_pool")


async def _certificates(client, actor, **params) -> list[dict]:
    resp = await client.get("/api/v1/certificates", params=params, headers=actor.headers)
    assert resp.status_code == 200, resp.text
    return resp.json()["items"]


async def test_issue_session_end_to_end(app, client, organizer, unit):
    from certificates.rendering.storage import store_for
    from lms.competencies.tables import LearningRecord

    world = await finalized_session(organizer, unit)
    await set_profile(client, organizer)

    job = await issue_and_wait(client, organizer, world.session_id)

    assert (job["status"], job["done"], job["total"], job["errors"]) == ("succeeded", 3, 3, [])
    assert job["result"] == {"issued": 3, "skipped": 0, "failed": 0}
    items = await _certificates(client, organizer, session_id=str(world.session_id))
    by_number = sorted(items, key=lambda item: item["number"])
    assert [(c["number"], c["holder_name"], c["status"]) for c in by_number] == [
        (number(1), "Afrizal, S.Sos.", "valid"),
        (number(2), "Drs. Muh. Ma'ruf, S.Sos., M.Si.", "valid"),
        (number(3), "Ni Made Ayu Suartini, A.Md.", "valid"),
    ]
    assert {c["course_title"] for c in items} == {"Pelatihan Pelayanan Prima Angkatan I"}
    assert {c["valid_until"] for c in items} == {"2029-11-20"}

    muh = by_number[1]
    resp = await client.get(muh["links"]["pdf"], headers=organizer.headers)
    assert resp.status_code == 200
    assert resp.headers["content-type"] == "application/pdf"
    pdf = resp.content
    assert pdf.startswith(b"%PDF-")
    text = pdf_text(pdf)
    for expected in (
        "SERTIFIKAT",
        f"Nomor: {number(2)}",
        "Drs. Muh. Ma'ruf, S.Sos., M.Si.",
        "19860926 201505 1 001",
        "Penata Muda Tingkat I, III/b",
        "Kepala Seksi Pelayanan",
        "DPMPTSP Kota Padang Panjang",
        "Pelatihan Pelayanan Prima Angkatan I",
        "18–20 November 2026",
        "24 (dua puluh empat) Jam Pelajaran",
        "SANGAT MEMUASKAN",
        issued_line(),
        "Drs. H. Syahrul, M.Si.",
        "NIP 19680512 199403 1 004",
        "Berlaku sampai dengan 20 November 2029",
        "DAFTAR MATA PELATIHAN",
        "Penanganan Pengaduan",
    ):
        assert expected in text, expected

    detail = (await client.get(muh["links"]["self"], headers=organizer.headers)).json()
    assert detail["pdf_sha256"] == hashlib.sha256(pdf).hexdigest()
    assert detail["signed"] is True
    assert detail["links"]["verify"] == f"https://prima.test/verify/{detail['code']}"
    assert detail["snapshot"]["verify_url"] == detail["links"]["verify"]
    assert detail["snapshot"]["holder"] == {
        "name_with_titles": "Drs. Muh. Ma'ruf, S.Sos., M.Si.",
        "nip_display": "19860926 201505 1 001",
        "pangkat_golongan": "Penata Muda Tingkat I, III/b",
        "jabatan": "Kepala Seksi Pelayanan",
        "unit_name": "DPMPTSP Kota Padang Panjang",
    }
    assert detail["snapshot"]["jp"] == 24
    assert detail["snapshot"]["issued_place_date"] == issued_line()
    assert detail["code"] not in detail["number"] and len(detail["code"]) == 19
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert "/Sig" in {f.get("/FT") for f in reader.get_fields().values()}

    stored = store_for(app.state.settings).pdf_path(detail["pdf_sha256"])
    sha = detail["pdf_sha256"]
    assert stored.relative_to(app.state.settings.data_dir).as_posix() == (
        f"certificates/{sha[:2]}/{sha[2:4]}/{sha}.pdf"
    )
    assert stored.read_bytes() == pdf

    pppk = (await client.get(by_number[2]["links"]["pdf"], headers=organizer.headers)).content
    assert "19860427 2022 21 1 011" in pdf_text(pppk)

    ledger = await LearningRecord.select(
        LearningRecord.person, LearningRecord.certificate_number
    ).where(LearningRecord.source_ref == str(world.session_id))
    assert sorted(r["certificate_number"] for r in ledger) == [number(1), number(2), number(3)]


async def test_running_again_skips_who_holds_one(app, client, organizer, unit):
    world = await finalized_session(organizer, unit)
    await set_profile(client, organizer)
    first = await issue_and_wait(
        client, organizer, world.session_id, {"person_ids": [str(world.holders[1].person_id)]}
    )
    assert first["result"] == {"issued": 1, "skipped": 0, "failed": 0}

    again = await issue_and_wait(client, organizer, world.session_id)

    assert again["result"] == {"issued": 2, "skipped": 1, "failed": 0}
    assert (again["done"], again["total"]) == (3, 3)
    once_more = await issue_and_wait(client, organizer, world.session_id)
    assert once_more["result"] == {"issued": 0, "skipped": 3, "failed": 0}
    items = await _certificates(client, organizer, session_id=str(world.session_id))
    assert sorted((c["number"], c["holder_name"]) for c in items) == [
        (number(1), "Drs. Muh. Ma'ruf, S.Sos., M.Si."),
        (number(2), "Afrizal, S.Sos."),
        (number(3), "Ni Made Ayu Suartini, A.Md."),
    ]


async def test_issue_refuses_what_cannot_be_issued(
    app, client, organizer, other_organizer, participant, unit
):
    world = await finalized_session(organizer, unit)
    url = f"/api/v1/sessions/{world.session_id}/certificates"

    no_profile = await client.post(url, headers=organizer.headers)
    assert no_profile.status_code == 422
    assert "Profil penerbit" in no_profile.json()["detail"]

    await set_profile(client, organizer)
    failed = world.holders[3]
    resp = await client.post(
        url, json={"person_ids": [str(failed.person_id)]}, headers=organizer.headers
    )
    assert resp.status_code == 422
    assert resp.json()["errors"] == [
        {"field": "person_ids", "message": f"{failed.person_id}: tidak lulus"}
    ]
    assert (await client.post(url, headers=other_organizer.headers)).status_code == 404
    assert (await client.post(url, headers=participant.headers)).status_code == 403
    resp = await client.post(url, json={"person_ids": []}, headers=organizer.headers)
    assert resp.status_code == 400


async def test_unfinalized_session_is_a_422(app, client, organizer, unit):
    from courses.tables import CourseSession

    world = await finalized_session(organizer, unit)
    await set_profile(client, organizer)
    await CourseSession.update({CourseSession.finalized_at: None}).where(
        CourseSession.id == world.session_id
    )
    resp = await client.post(
        f"/api/v1/sessions/{world.session_id}/certificates", headers=organizer.headers
    )
    assert resp.status_code == 422
    assert resp.json()["detail"].startswith("Hasil sesi belum difinalisasi")


async def test_job_reports_errors_per_participant(app, client, organizer, unit):
    from lms.jobs import runner

    world = await finalized_session(organizer, unit)
    await set_profile(client, organizer)
    failed = world.holders[3]
    job_id = await runner.submit(
        "certificates.issue",
        {
            "session_id": str(world.session_id),
            "person_ids": [str(world.holders[0].person_id), str(failed.person_id)],
        },
        actor=None,
        settings=get_settings(),
    )
    await runner.wait_for_jobs(300)

    job = await job_row(job_id)
    assert (job["status"], job["done"], job["total"]) == ("succeeded", 2, 2)
    assert job["errors"] == [
        {
            "item": str(failed.person_id),
            "message": "Peserta ini tidak lulus pada sesi tersebut, atau datanya sudah tidak ada.",
            "person_id": str(failed.person_id),
            "name": None,
        }
    ]
    assert job["result"] == {"issued": 1, "skipped": 0, "failed": 1}


async def test_a_name_with_html_prints_as_text(app, client, organizer, unit):
    people = [("<b>Budi</b> & Sons", "", "", None, "non_asn", "", True, "Memuaskan", "85.00")]
    world = await finalized_session(organizer, unit, people)
    await set_profile(client, organizer)
    job = await issue_and_wait(client, organizer, world.session_id)
    assert job["result"]["issued"] == 1
    [item] = await _certificates(client, organizer, session_id=str(world.session_id))
    text = pdf_text((await client.get(item["links"]["pdf"], headers=organizer.headers)).content)
    assert "<b>Budi</b> & Sons" in text
    assert "NIP" not in text.split("Pembina Utama Muda")[0].split("diberikan kepada")[1]
    assert today_jakarta().year == item["year"]


async def test_an_interrupted_job_resumes_after_a_restart(app, client, organizer, unit):
    """A job left running by a dead server is picked up by ``recover_unfinished_jobs``."""
    import datetime as dt
    from uuid import uuid4

    from lms.jobs import runner
    from lms.jobs.tables import Job

    world = await finalized_session(organizer, unit)
    await set_profile(client, organizer)
    first = await issue_and_wait(
        client, organizer, world.session_id, {"person_ids": [str(world.holders[0].person_id)]}
    )
    assert first["result"]["issued"] == 1
    job_id = uuid4()
    await Job.insert(
        Job(
            id=job_id,
            kind="certificates.issue",
            status="running",
            done=1,
            total=3,
            params={"session_id": str(world.session_id)},
            result={},
            errors=[],
            created_at=dt.datetime.now(dt.UTC),
            started_at=dt.datetime.now(dt.UTC),
        )
    )

    await runner.recover_unfinished_jobs(get_settings())
    await runner.wait_for_jobs(300)

    job = await job_row(job_id)
    assert (job["status"], job["done"], job["total"]) == ("succeeded", 3, 3)
    assert job["result"] == {"issued": 2, "skipped": 1, "failed": 0}
    items = await _certificates(client, organizer, session_id=str(world.session_id))
    assert sorted(c["number"] for c in items) == [number(1), number(2), number(3)]

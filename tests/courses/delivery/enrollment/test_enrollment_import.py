"""Importing the participant list into a session: people created, seats given, rows reported."""

from __future__ import annotations

from uuid import UUID

from courses.tables import Enrollment
from lms.people.tables import Person
from tests.conftest import SHARED_DATA
from tests.courses.builders.delivery import create_session

PARTICIPANTS = SHARED_DATA / "peserta_pelayanan_prima_angkatan_1.csv"


async def _upload(client, actor, session_id, content: bytes, name: str):
    return await client.post(
        f"/api/v1/sessions/{session_id}/enrollments/import",
        files={"file": (name, content, "text/csv")},
        headers=actor.headers,
    )


async def test_import_the_27_participants_then_again(client, organizer):
    session = await create_session(client, organizer, status="open", capacity=25)
    content = PARTICIPANTS.read_bytes()
    resp = await _upload(client, organizer, session["id"], content, PARTICIPANTS.name)
    assert resp.status_code == 200, resp.text
    report = resp.json()
    assert (
        report["total_rows"],
        report["people_created"],
        report["confirmed"],
        report["waitlisted"],
        report["rejected"],
    ) == (
        27,
        27,
        25,
        2,
        0,
    )
    first = report["rows"][0]
    assert (
        first["row_number"],
        first["nip"],
        first["name"],
        first["outcome"],
        first["person_created"],
    ) == (
        2,
        "198609082018111001",
        "Afrizal",
        "confirmed",
        True,
    )
    assert [r["outcome"] for r in report["rows"][-2:]] == ["waitlisted", "waitlisted"]
    person = (
        await Person.select(Person.back_title, Person.jabatan)
        .where(Person.id == UUID(first["person_id"]))
        .first()
    )
    assert person == {"back_title": "S.Sos.", "jabatan": "Kepala Seksi Pelayanan"}
    enrolled = await Enrollment.count().where(Enrollment.session == UUID(session["id"]))
    assert enrolled == 27

    again = (await _upload(client, organizer, session["id"], content, PARTICIPANTS.name)).json()
    assert (again["people_created"], again["already_enrolled"], again["confirmed"]) == (0, 27, 0)
    assert await Enrollment.count().where(Enrollment.session == UUID(session["id"])) == 27


async def test_bad_rows_are_reported_and_the_rest_enrolled(client, organizer, other_organizer):
    session = await create_session(client, organizer, status="open")
    content = (
        b"No;NIP;Nama;Gelar Depan;Gelar Belakang;Jenis ASN;Golongan;Jabatan;Unit Kerja\r\n"
        b"1;198609082018111001;Afrizal;;S.Sos.;PNS;III/d;Kasi;DPMPTSP Kota Padang Panjang\r\n"
        b"2;12345;Tanpa NIP Benar;;;PNS;III/a;Staf;DPMPTSP Kota Padang Panjang\r\n"
        b"3;;Dewi Honorer;;;Non ASN;;Operator;DPMPTSP Kota Padang Panjang\r\n"
    )
    resp = await _upload(client, organizer, session["id"], content, "peserta.csv")
    assert resp.status_code == 200, resp.text
    report = resp.json()
    assert [(r["row_number"], r["outcome"]) for r in report["rows"]] == [
        (2, "confirmed"),
        (3, "rejected"),
        (4, "confirmed"),
    ]
    assert report["rows"][1]["name"] == "Tanpa NIP Benar"
    assert report["rows"][1]["errors"]
    assert (
        await _upload(client, other_organizer, session["id"], content, "peserta.csv")
    ).status_code == 404
    unreadable = await _upload(client, organizer, session["id"], b"\x00\x01binary", "peserta.pdf")
    assert unreadable.status_code == 400


async def test_people_of_other_units_are_enrolled_but_not_changed(client, organizer, other_unit):
    from tests.factories import make_person

    outsider = await make_person(
        other_unit["id"], "Rina Yulianti", nip="198001062013082008", jabatan="Sekretaris Lurah"
    )
    session = await create_session(client, organizer, status="open")
    content = (
        b"No;NIP;Nama;Gelar Depan;Gelar Belakang;Jenis ASN;Golongan;Jabatan;Unit Kerja\r\n"
        b"1;198001062013082008;Rina Yulianti;;S.E.;PNS;III/c;Lurah;BKPSDM Kota Padang Panjang\r\n"
    )
    report = (await _upload(client, organizer, session["id"], content, "peserta.csv")).json()
    row = report["rows"][0]
    assert (row["outcome"], row["person_id"], row["person_created"]) == (
        "confirmed",
        str(outsider),
        False,
    )
    # The people import's message is a note: a confirmed row carries no error.
    assert row["errors"] == []
    assert row["notes"] and "unit" in row["notes"][0].lower(), row
    person = (
        await Person.select(Person.jabatan, Person.back_title).where(Person.id == outsider).first()
    )
    assert person == {"jabatan": "Sekretaris Lurah", "back_title": ""}


async def test_a_large_list_is_enrolled_by_a_job_and_resumed_after_a_restart(
    client, organizer, monkeypatch
):
    import datetime as dt
    from uuid import uuid4

    import msgspec

    from courses.delivery.enrollment.import_job import EnrollmentImportJobParams
    from lms.auth.caller import Caller
    from lms.config import get_settings
    from lms.jobs import runner
    from lms.jobs.tables import Job
    from lms.people import import_job

    monkeypatch.setattr(import_job, "SYNC_ROWS", 10)  # 27 rows: "large" here
    session = await create_session(client, organizer, status="open", capacity=25)
    content = PARTICIPANTS.read_bytes()
    resp = await _upload(client, organizer, session["id"], content, PARTICIPANTS.name)
    assert resp.status_code == 202, resp.text
    url = resp.json()["url"]
    await runner.wait_for_jobs(120)
    job = (await client.get(url, headers=organizer.headers)).json()
    assert (job["kind"], job["status"], job["done"], job["total"]) == (
        "enrollments.import",
        "succeeded",
        27,
        27,
    )
    result = job["result"]
    assert (result["confirmed"], result["waitlisted"], result["rejected"]) == (25, 2, 0)
    assert await Enrollment.count() == 27

    # A server killed while running the same import: the next start runs it again, and
    # nothing is enrolled twice.
    settings = get_settings()
    caller = Caller(
        user_id=organizer.user_id,
        username="organizer",
        role="organizer",
        unit_id=organizer.unit_id,
        unit_path=(await _unit_path(organizer.unit_id)),
    )
    params = EnrollmentImportJobParams(
        actor=caller,
        session_id=UUID(session["id"]),
        path=await import_job.keep_upload(settings, content),
        filename=PARTICIPANTS.name,
        max_rows=settings.max_import_rows,
        max_bytes=settings.max_upload_bytes,
    )
    job_id = uuid4()
    await Job.insert(
        Job(
            id=job_id,
            kind="enrollments.import",
            status="running",
            done=0,
            total=27,
            params=msgspec.to_builtins(params),
            result={},
            errors=[],
            created_at=dt.datetime.now(dt.UTC),
            started_at=dt.datetime.now(dt.UTC),
        )
    )
    await runner.recover_unfinished_jobs(get_settings())
    await runner.wait_for_jobs(120)
    again = await Job.select().where(Job.id == job_id).output(load_json=True).first()
    assert again["status"] == "succeeded", again["errors"]
    assert again["result"]["already_enrolled"] == 27
    assert await Enrollment.count() == 27


async def _unit_path(unit_id) -> str:
    from lms.people.tables import Unit

    row = await Unit.select(Unit.path).where(Unit.id == unit_id).first()
    return row["path"]

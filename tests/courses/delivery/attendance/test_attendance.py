"""Attendance marks in bulk, summaries and the percentages results are computed from."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from uuid import UUID

from courses.delivery.attendance.service import attendance_percentages
from courses.tables import CourseSession
from lms.audit.services import entries_for
from tests.courses.builders.delivery import (
    create_course,
    create_session,
    create_trainer,
    enroll,
    wib,
)
from tests.factories import make_actor, make_person

DAYS = ("2026-11-18", "2026-11-19", "2026-11-20")


async def _running_session_with(client, organizer, unit, names):
    session = await create_session(client, organizer, status="running")
    people = [await make_person(unit["id"], name) for name in names]
    await enroll(client, organizer, session["id"], people)
    return session, people


async def test_bulk_marks_give_each_participant_a_percentage(client, organizer, unit):
    session, (andi, budi, cici) = await _running_session_with(
        client, organizer, unit, ["Andi", "Budi", "Cici"]
    )
    marks = [
        *({"person_id": str(andi), "day": day, "status": "present"} for day in DAYS),
        {"person_id": str(budi), "day": DAYS[0], "status": "present"},
        {"person_id": str(budi), "day": DAYS[1], "status": "late"},
        {"person_id": str(budi), "day": DAYS[2], "status": "absent"},
        {"person_id": str(cici), "day": DAYS[0], "status": "excused"},
        {"person_id": str(cici), "day": DAYS[1], "status": "absent"},
    ]
    url = f"/api/v1/sessions/{session['id']}/attendance"
    resp = await client.post(url, json=marks, headers=organizer.headers)
    assert resp.status_code == 200, resp.text
    assert resp.json() == {"saved": 8, "created": 8, "updated": 0}
    summary = (await client.get(url, headers=organizer.headers)).json()
    assert summary["days"] == list(DAYS)
    lines = {p["full_name"]: p for p in summary["people"]}
    assert [p["full_name"] for p in summary["people"]] == ["Andi", "Budi", "Cici"]
    assert [
        (
            name,
            p["attended_days"],
            p["late_days"],
            p["excused_days"],
            p["absent_days"],
            p["unmarked_days"],
            p["percent"],
        )
        for name, p in lines.items()
    ] == [
        ("Andi", 3, 0, 0, 0, 0, "100.00"),
        ("Budi", 2, 1, 0, 1, 0, "66.67"),
        ("Cici", 0, 0, 1, 1, 1, "0.00"),
    ]
    assert lines["Budi"]["marks"] == [
        {"day": DAYS[0], "status": "present"},
        {"day": DAYS[1], "status": "late"},
        {"day": DAYS[2], "status": "absent"},
    ]
    assert await attendance_percentages(UUID(session["id"])) == {
        andi: Decimal("100.00"),
        budi: Decimal("66.67"),
        cici: Decimal("0.00"),
    }
    # Changing a mark updates it; an unchanged one is not counted.
    again = await client.post(
        url,
        json=[
            {"person_id": str(cici), "day": DAYS[2], "status": "present"},
            {"person_id": str(andi), "day": DAYS[0], "status": "present"},
            {"person_id": str(budi), "day": DAYS[2], "status": "late"},
        ],
        headers=organizer.headers,
    )
    assert again.json() == {"saved": 2, "created": 1, "updated": 1}
    assert (await attendance_percentages(UUID(session["id"])))[budi] == Decimal("100.00")
    audit = await entries_for("session", session["id"])
    assert [e["action"] for e in audit].count("attendance.mark") == 2


async def test_bad_marks_are_all_reported_and_nothing_is_saved(client, organizer, unit):
    session, (andi,) = await _running_session_with(client, organizer, unit, ["Andi"])
    stranger = await make_person(unit["id"], "Bukan Peserta")
    resp = await client.post(
        f"/api/v1/sessions/{session['id']}/attendance",
        json=[
            {"person_id": str(andi), "day": DAYS[0], "status": "present"},
            {"person_id": str(andi), "day": "2026-11-21", "status": "present"},
            {"person_id": str(stranger), "day": DAYS[0], "status": "present"},
            {"person_id": str(andi), "day": DAYS[0], "status": "late"},
        ],
        headers=organizer.headers,
    )
    assert resp.status_code == 422
    assert [e["field"] for e in resp.json()["errors"]] == ["[1].day", "[2].person_id", "[3]"]
    assert await attendance_percentages(UUID(session["id"])) == {andi: Decimal("0.00")}
    bad_status = await client.post(
        f"/api/v1/sessions/{session['id']}/attendance",
        json=[{"person_id": str(andi), "day": DAYS[0], "status": "sakit"}],
        headers=organizer.headers,
    )
    assert bad_status.status_code == 400


async def test_who_may_mark_and_read(client, app, organizer, other_organizer, participant, unit):
    course = await create_course(client, organizer)
    session = await create_session(client, organizer, course["id"], status="running")
    await enroll(client, organizer, session["id"], [participant.person_id])
    other = await make_person(unit["id"], "Peserta Lain")
    await enroll(client, organizer, session["id"], [other])
    teaching = await make_actor(app, "trainer")
    idle = await make_actor(app, "trainer")
    trainer = await create_trainer(client, organizer, name="Rina", user_id=str(teaching.user_id))
    await client.post(
        f"/api/v1/sessions/{session['id']}/agenda",
        json={
            "starts_at": wib(DAYS[0], "08:00"),
            "ends_at": wib(DAYS[0], "12:00"),
            "module_id": course["modules"][0]["id"],
            "trainer_id": trainer["id"],
        },
        headers=organizer.headers,
    )
    url = f"/api/v1/sessions/{session['id']}/attendance"
    mark = [{"person_id": str(participant.person_id), "day": DAYS[0], "status": "present"}]
    assert (await client.post(url, json=mark, headers=teaching.headers)).status_code == 200
    assert (await client.post(url, json=mark, headers=idle.headers)).status_code == 404
    assert (await client.post(url, json=mark, headers=other_organizer.headers)).status_code == 404
    assert (await client.post(url, json=mark, headers=participant.headers)).status_code == 403
    own = (await client.get(url, headers=participant.headers)).json()
    assert [(p["full_name"], p["percent"]) for p in own["people"]] == [("Afrizal, S.Sos.", "33.33")]
    assert len((await client.get(url, headers=teaching.headers)).json()["people"]) == 2


async def test_no_marks_on_drafts_or_after_finalize(client, organizer, unit):
    draft = await create_session(client, organizer)
    person = await make_person(unit["id"])
    await enroll(client, organizer, draft["id"], [person])
    mark = [{"person_id": str(person), "day": DAYS[0], "status": "present"}]
    resp = await client.post(
        f"/api/v1/sessions/{draft['id']}/attendance", json=mark, headers=organizer.headers
    )
    assert resp.status_code == 422
    await client.patch(
        f"/api/v1/sessions/{draft['id']}", json={"status": "open"}, headers=organizer.headers
    )
    ok = await client.post(
        f"/api/v1/sessions/{draft['id']}/attendance", json=mark, headers=organizer.headers
    )
    assert ok.status_code == 200
    await CourseSession.update({CourseSession.finalized_at: dt.datetime.now(dt.UTC)}).where(
        CourseSession.id == UUID(draft["id"])
    )
    frozen = await client.post(
        f"/api/v1/sessions/{draft['id']}/attendance", json=mark, headers=organizer.headers
    )
    assert frozen.status_code == 409


async def test_attendance_recap_as_xlsx_and_csv(client, organizer, other_organizer, unit):
    import io

    from openpyxl import load_workbook

    session, (andi, budi) = await _running_session_with(client, organizer, unit, ["Andi", "=1+2"])
    marks = [
        *({"person_id": str(andi), "day": day, "status": "present"} for day in DAYS),
        {"person_id": str(budi), "day": DAYS[0], "status": "late"},
        {"person_id": str(budi), "day": DAYS[1], "status": "excused"},
    ]
    base = f"/api/v1/sessions/{session['id']}/attendance"
    assert (await client.post(base, json=marks, headers=organizer.headers)).status_code == 200
    resp = await client.get(base + "/recap", headers=organizer.headers)
    assert resp.status_code == 200, resp.text
    assert 'filename="rekap-kehadiran-' in resp.headers["content-disposition"]
    sheet = load_workbook(io.BytesIO(resp.content))["Rekap kehadiran"]
    values = list(sheet.values)
    assert values[:2] == [
        ("PEMERINTAH KOTA PADANG PANJANG", *[None] * 11),
        ("DPMPTSP KOTA PADANG PANJANG", *[None] * 11),
    ]
    assert values[2][0].startswith("REKAP KEHADIRAN PESERTA: ")
    assert values[5] == (
        "No", "NIP", "Nama", "18/11", "19/11", "20/11", "Hadir", "Terlambat", "Izin", "Alpa",
        "Belum diisi", "Kehadiran %",
    )  # fmt: skip
    assert values[6:] == [
        (1, None, "=1+2", "T", "I", None, 1, 1, 1, 0, 1, 33.33),
        (2, None, "Andi", "H", "H", "H", 3, 0, 0, 0, 0, 100),
    ]
    assert sheet["C7"].data_type == "s"  # the name is text, not a formula
    assert sheet.freeze_panes == "A7" and sheet.auto_filter.ref == "A6:L8"

    csv = await client.get(base + "/recap", params={"format": "csv"}, headers=organizer.headers)
    assert csv.content.decode("utf-8-sig").split("\r\n") == [
        "No;NIP;Nama;18/11;19/11;20/11;Hadir;Terlambat;Izin;Alpa;Belum diisi;Kehadiran %",
        "1;;'=1+2;T;I;;1;1;1;0;1;33,33",
        "2;;Andi;H;H;H;3;0;0;0;0;100,00",
        "",
    ]
    assert (await client.get(base + "/recap", headers=other_organizer.headers)).status_code == 404

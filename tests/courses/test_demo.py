"""The courses demo: one course, one completed session with its 27 participants and agenda."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from courses.catalogue.services import course_rules
from courses.delivery.attendance.service import attendance_percentages
from courses.delivery.enrollment.participants import session_participants
from tests.factories import make_actor, make_person


async def _lms_ctx(app, root_unit, unit) -> dict[str, Any]:
    """What ``lms.demo.seed`` leaves in ``ctx``, built with the test factories."""
    people = [
        await make_person(unit["id"], f"Peserta {n:02d}", nip=f"1986090820181110{n:02d}")
        for n in range(1, 28)
    ]
    hendra = await make_person(
        root_unit["id"],
        "Hendra Gunawan",
        front_title="Dr.",
        back_title="M.Si.",
        jabatan="Widyaiswara Ahli Madya",
    )
    admin = await make_actor(app, "admin")
    organizer = await make_actor(app, "organizer", unit_id=unit["id"])
    trainer = await make_actor(app, "trainer", person_id=hendra, unit_id=root_unit["id"])
    return {
        "units": {"PEMKOT-PPJ": root_unit["id"], "DPMPTSP-PPJ": unit["id"]},
        "people": people,
        "users": {
            "admin": admin.user_id,
            "organizer": organizer.user_id,
            "trainer": trainer.user_id,
        },
        "trainer_person_id": hendra,
    }


async def test_demo_runs_a_whole_session(app, client, root_unit, unit):
    from courses import demo as courses_demo

    ctx = await _lms_ctx(app, root_unit, unit)
    await courses_demo.seed(ctx)

    rules = await course_rules(ctx["course_id"])
    assert (rules.code, rules.total_jp, rules.pass_mark, rules.min_attendance) == (
        "PP-2026",
        Decimal("24.00"),
        Decimal("70.01"),
        Decimal("80.00"),
    )
    assert [m.title for m in rules.modules] == [
        "Konsep Pelayanan Prima",
        "Standar Pelayanan dan Maklumat",
        "Komunikasi dan Etika Pelayanan",
        "Penanganan Pengaduan",
    ]
    participants = await session_participants(ctx["session_id"])
    assert [p.person_id for p in participants] == ctx["people"]
    assert {p.status for p in participants} == {"completed"}
    percentages = await attendance_percentages(ctx["session_id"])
    assert (
        sorted(percentages.values())
        == [Decimal("33.33"), Decimal("66.67")] + [Decimal("100.00")] * 25
    )
    assert percentages[ctx["people"][4]] == Decimal("66.67")

    # The demo logins see it: the organizer the session, the trainer their agenda.
    token = app.state.jwt_auth.create_token
    organizer = {"Authorization": f"Bearer {token(identifier=str(ctx['users']['organizer']))}"}
    session = (await client.get(f"/api/v1/sessions/{ctx['session_id']}", headers=organizer)).json()
    assert (session["status"], session["confirmed_count"], session["venue"]) == (
        "completed",
        27,
        "Aula DPMPTSP Kota Padang Panjang",
    )
    agenda = (
        await client.get(f"/api/v1/sessions/{ctx['session_id']}/agenda", headers=organizer)
    ).json()
    assert (agenda["jp_planned"], agenda["jp_course"], agenda["jp_mismatch"]) == (
        "24.00",
        "24.00",
        False,
    )
    trainer = {"Authorization": f"Bearer {token(identifier=str(ctx['users']['trainer']))}"}
    mine = (await client.get("/api/v1/trainers/me/agenda", headers=trainer)).json()
    assert [(i["day"], i["module_title"]) for i in mine["items"]][:2] == [
        ("2026-11-18", "Konsep Pelayanan Prima"),
        ("2026-11-19", "Komunikasi dan Etika Pelayanan"),
    ]
    assert mine["items"][0]["trainer_name"] == "Dr. Hendra Gunawan, M.Si."
    assert len(ctx["trainer_ids"]) == 2

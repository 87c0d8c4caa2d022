"""The trainer's agenda page (/latih): their own teaching days with the links to run them."""

from __future__ import annotations

import datetime as dt

from tests.courses.builders.delivery import create_session, local_today, teach
from tests.factories import make_actor, make_person
from tests.lms.web.test_shell import login


async def test_my_agenda_lists_my_days_today_first_and_nobody_elses(
    app, web, client, organizer, unit, trainer_user, participant
):
    today = local_today()
    session = await create_session(
        client,
        organizer,
        status="open",
        name="Angkatan Mengajar",
        start_date=(today - dt.timedelta(days=1)).isoformat(),
        end_date=(today + dt.timedelta(days=1)).isoformat(),
    )
    await teach(client, organizer, session, trainer_user, today, title="Sikap melayani")
    await teach(
        client, organizer, session, trainer_user, today - dt.timedelta(days=1), title="Pembukaan"
    )
    other_person = await make_person(unit["id"], "Narasumber Dua", jabatan="Widyaiswara")
    other = await make_actor(app, "trainer", person_id=other_person, unit_id=unit["id"])
    elsewhere = await create_session(
        client,
        organizer,
        status="open",
        name="Angkatan Lain",
        venue="Aula Kantor Camat",
        start_date=today.isoformat(),
        end_date=today.isoformat(),
    )
    await teach(client, organizer, elsewhere, other, today, title="Materi orang lain")

    await login(web, trainer_user.username, "rahasia-123")
    page = await web.get("/latih")

    assert page.status_code == 200
    html = page.text
    assert "Agenda mengajar" in html and "hari ini" in html
    assert "Sikap melayani" in html and "Pelatihan Pelayanan Prima · Angkatan Mengajar" in html
    assert "pukul 08.00–10.00 WIB" in html
    assert f'href="/latih/sesi/{session["id"]}/proyektor?tanggal={today.isoformat()}"' in html
    assert f'href="/latih/sesi/{session["id"]}/kehadiran?tanggal={today.isoformat()}"' in html
    # Today comes under "today and later", yesterday under "past".
    coming, past = html.split("Sudah lewat")
    assert "Sikap melayani" in coming and "Pembukaan" in past
    assert "Materi orang lain" not in html and "Angkatan Lain" not in html

    web.cookies.clear()
    await login(web, participant.username, "rahasia-123")
    assert (await web.get("/latih")).status_code == 403

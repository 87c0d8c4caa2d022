"""The organizer's session hub (open, start, complete) and the new-session form."""

from __future__ import annotations

from courses.tables import CourseSession
from tests.courses.builders.delivery import create_course, create_session
from tests.lms.web.test_shell import csrf_of, login


async def test_a_new_session_is_made_from_the_form_and_opened_then_started(client, web, organizer):
    course = await create_course(client, organizer)
    await login(web, organizer.username, "rahasia-123")
    form = await web.get(f"/kelola/sesi/baru?kursus={course['id']}")
    assert form.status_code == 200
    assert f'<option value="{course["id"]}" selected>' in form.text
    token = csrf_of(form.text)

    bad = await web.post(
        "/kelola/sesi/baru",
        data={
            "_csrf_token": token,
            "course_id": course["id"],
            "name": "",
            "start_date": "2026-11-20",
            "end_date": "2026-11-18",
            "capacity": "30",
        },
    )
    assert bad.status_code == 422
    assert 'id="f-name-error"' in bad.text and "wajib diisi" in bad.text

    backwards = await web.post(
        "/kelola/sesi/baru",
        data={
            "_csrf_token": token,
            "course_id": course["id"],
            "name": "Angkatan II",
            "start_date": "2026-11-20",
            "end_date": "2026-11-18",
            "capacity": "30",
        },
    )
    assert backwards.status_code == 422 and 'aria-invalid="true"' in backwards.text
    assert 'value="Angkatan II"' in backwards.text  # what was typed stays

    made = await web.post(
        "/kelola/sesi/baru",
        data={
            "_csrf_token": token,
            "course_id": course["id"],
            "name": "Angkatan II",
            "start_date": "2026-12-14",
            "end_date": "2026-12-16",
            "venue": "Aula DPMPTSP",
            "city": "Padang Panjang",
            "capacity": "25",
        },
    )
    assert made.status_code == 303
    hub_path = made.headers["location"].split("?")[0]
    hub = await web.get(made.headers["location"])
    assert "Sesi sudah dibuat sebagai draf" in hub.text
    assert "Angkatan II" in hub.text and "0 dari 25 kursi" in hub.text
    for link in ("peserta", "akun", "kehadiran", "kuis", "finalisasi", "hasil", "sertifikat"):
        assert f'href="{hub_path}/{link}"' in hub.text

    for step, button in (("open", "Buka pendaftaran"), ("running", "Mulai sesi")):
        assert button in hub.text
        moved = await web.post(f"{hub_path}/status", data={"_csrf_token": token, "status": step})
        assert moved.status_code == 303
        hub = await web.get(moved.headers["location"])
    row = (
        await CourseSession.select(CourseSession.status)
        .where(CourseSession.id == hub_path.rsplit("/", 1)[1])
        .first()
    )
    assert row == {"status": "running"}
    assert "Tandai sesi selesai" in hub.text

    wrong = await web.post(f"{hub_path}/status", data={"_csrf_token": token, "status": "open"})
    assert wrong.status_code == 422 and "tidak dapat diubah" in wrong.text


async def test_another_units_organizer_gets_404(client, web, organizer, other_organizer):
    session = await create_session(client, organizer)
    await login(web, other_organizer.username, "rahasia-123")
    assert (await web.get(f"/kelola/sesi/{session['id']}")).status_code == 404
    token = csrf_of((await web.get("/kelola/sesi")).text)
    moved = await web.post(
        f"/kelola/sesi/{session['id']}/status", data={"_csrf_token": token, "status": "open"}
    )
    assert moved.status_code == 404
    form = await web.get("/kelola/sesi/baru")
    assert session["course_id"] not in form.text  # another unit's course is not offered
    made = await web.post(
        "/kelola/sesi/baru",
        data={
            "_csrf_token": token,
            "course_id": session["course_id"],
            "name": "Angkatan X",
            "start_date": "2026-12-14",
            "end_date": "2026-12-16",
            "capacity": "25",
        },
    )
    assert made.status_code in (404, 422)
    assert await CourseSession.count().where(CourseSession.name == "Angkatan X") == 0


async def test_the_session_is_corrected_from_its_edit_page(client, web, organizer, other_organizer):
    session = await create_session(client, organizer, capacity=30)
    await login(web, organizer.username, "rahasia-123")
    path = f"/kelola/sesi/{session['id']}/ubah"
    form = await web.get(path)
    assert form.status_code == 200 and 'value="Aula DPMPTSP Kota Padang Panjang"' in form.text
    token = csrf_of(form.text)
    fields = {
        "_csrf_token": token,
        "name": "Angkatan I (revisi)",
        "start_date": "2026-11-18",
        "end_date": "2026-11-20",
        "venue": "",
        "city": "Padang Panjang",
        "capacity": "0",
    }
    bad = await web.post(path, data=fields)
    assert bad.status_code == 422 and 'id="f-capacity-error"' in bad.text
    saved = await web.post(path, data={**fields, "capacity": "40"})
    assert saved.status_code == 303
    hub = await web.get(saved.headers["location"])
    assert "Perubahan sesi sudah disimpan" in hub.text and "0 dari 40 kursi" in hub.text
    row = (
        await CourseSession.select(CourseSession.name, CourseSession.venue)
        .where(CourseSession.id == session["id"])
        .first()
    )
    assert row == {"name": "Angkatan I (revisi)", "venue": ""}

    await web.post("/keluar", data={"_csrf_token": token})
    await login(web, other_organizer.username, "rahasia-123")
    assert (await web.get(path)).status_code == 404
    other_token = csrf_of((await web.get("/kelola/sesi")).text)
    assert (await web.post(path, data={**fields, "_csrf_token": other_token})).status_code == 404

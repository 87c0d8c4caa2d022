"""The organizer's course pages: list, create and edit, errors beside their fields, and 404
for another unit's course."""

from __future__ import annotations

from courses.tables import Course
from tests.courses.builders.delivery import create_course
from tests.lms.web.test_shell import csrf_of, login


def course_form(token: str, **changes: str) -> dict[str, str]:
    form = {
        "_csrf_token": token,
        "code": "PP-WEB-1",
        "title": "Pelayanan Prima Berbasis Web",
        "description": "",
        "training_type": "klasikal",
        "jenis_diklat": "3",
        "m0_id": "",
        "m0_title": "Etika pelayanan",
        "m0_jp": "6",
        "m1_id": "",
        "m1_title": "Standar pelayanan",
        "m1_jp": "6",
        "m2_id": "",
        "m2_title": "",
        "m2_jp": "",
        "pass_mark": "70.01",
        "min_attendance": "80",
        "w_attendance": "10",
        "w_post_test": "60",
        "w_trainer_assessment": "30",
        "w_assignment": "",
        "w_project": "",
        "validity_months": "",
        "active": "1",
    }
    form.update(changes)
    return form


async def test_an_organizer_creates_then_edits_a_course(web, organizer):
    await login(web, organizer.username, "rahasia-123")
    page = await web.get("/kelola/kursus/baru")
    assert page.status_code == 200 and 'value="70.01"' in page.text
    token = csrf_of(page.text)

    bad = await web.post("/kelola/kursus/baru", data=course_form(token, title="", w_post_test="50"))
    assert bad.status_code == 422 and 'id="f-title-error"' in bad.text

    weights = await web.post("/kelola/kursus/baru", data=course_form(token, w_post_test="50"))
    assert weights.status_code == 422 and 'id="f-weights-error"' in weights.text
    assert 'value="Etika pelayanan"' in weights.text  # what was typed stays

    made = await web.post("/kelola/kursus/baru", data=course_form(token))
    assert made.status_code == 303
    course = await Course.select().where(Course.code == "PP-WEB-1").first()
    assert course is not None
    edit = await web.get(made.headers["location"])
    assert "Kursus sudah dibuat" in edit.text and 'value="Standar pelayanan"' in edit.text

    modules = await web.get(f"/kelola/kursus/{course['id']}")
    assert "m1_id" in modules.text
    saved = await web.post(
        f"/kelola/kursus/{course['id']}",
        data=course_form(token, title="Pelayanan Prima (revisi)", m2_title="Inovasi", m2_jp="4"),
    )
    assert saved.status_code == 303
    listing = await web.get("/kelola/kursus")
    assert "Pelayanan Prima (revisi)" in listing.text and "16.00 JP" in listing.text
    assert f'href="/kelola/sesi/baru?kursus={course["id"]}"' in listing.text


async def test_another_units_course_is_404(client, web, organizer, other_organizer):
    course = await create_course(client, organizer)
    await login(web, other_organizer.username, "rahasia-123")
    assert (await web.get(f"/kelola/kursus/{course['id']}")).status_code == 404
    listing = await web.get("/kelola/kursus")
    assert course["code"] not in listing.text
    resp = await web.post(
        f"/kelola/kursus/{course['id']}", data=course_form(csrf_of(listing.text), title="Diubah")
    )
    assert resp.status_code == 404
    row = await Course.select(Course.title).where(Course.id == course["id"]).first()
    assert row is not None and row["title"] != "Diubah"


async def test_an_emptied_description_is_saved_empty(client, web, organizer):
    await login(web, organizer.username, "rahasia-123")
    token = csrf_of((await web.get("/kelola/kursus/baru")).text)
    made = await web.post(
        "/kelola/kursus/baru", data=course_form(token, description="Untuk petugas loket.")
    )
    assert made.status_code == 303
    course = await Course.select().where(Course.code == "PP-WEB-1").first()
    assert course["description"] == "Untuk petugas loket."
    form = course_form(token, description="")
    for n in range(2):  # keep the saved modules by id
        form[f"m{n}_id"] = (
            (await web.get(f"/kelola/kursus/{course['id']}"))
            .text.split(f'name="m{n}_id" value="')[1]
            .split('"')[0]
        )
    saved = await web.post(f"/kelola/kursus/{course['id']}", data=form)
    assert saved.status_code == 303, saved.text
    row = await Course.select(Course.description).where(Course.id == course["id"]).first()
    assert row["description"] == ""
    # The API's PATCH has the same meaning: "" clears, an absent field keeps.
    resp = await client.patch(
        f"/api/v1/courses/{course['id']}", json={"description": "Lagi"}, headers=organizer.headers
    )
    assert resp.status_code == 200 and resp.json()["description"] == "Lagi"
    kept = await client.patch(
        f"/api/v1/courses/{course['id']}", json={"title": "Judul baru"}, headers=organizer.headers
    )
    assert kept.json()["description"] == "Lagi"
    cleared = await client.patch(
        f"/api/v1/courses/{course['id']}", json={"description": ""}, headers=organizer.headers
    )
    assert cleared.status_code == 200 and cleared.json()["description"] == ""

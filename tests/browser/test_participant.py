"""A participant's day in chromium at 390×844: log in, check in with the code on the
projector, take a quiz with the connection cut for one answer (queued in the browser, sent when
it returns), submit after the confirmation lists the unanswered question, see the result; then
the evaluation, results, certificates and JP pages. axe runs on every page and each is
photographed into ``docs/screenshots/peserta-*.png``.

The course, session, trainer, person, account, bank and quiz are made through the API as the
demo's organizer, so the demo's own sessions are left as they are for the other tests.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from zoneinfo import ZoneInfo

import pytest

from tests.browser.conftest import requires_chromium
from tests.browser.test_pages import api, shoot, token_of

pytestmark = [
    pytest.mark.own_server,
    requires_chromium,
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.timeout(600),
]

GIFT = """
::Sikap::Pelayanan prima mengutamakan kepuasan masyarakat yang dilayani.{TRUE}

::SOP::[html]<p>Kepanjangan <b>SOP</b> dalam pelayanan publik adalah ...</p>{
=<b>Standar</b> Operasional Prosedur
~Sistem Operasi Pelayanan
~Surat Order Pelayanan
}

::Hari::Berapa hari kerja paling lama untuk izin dalam maklumat contoh ini?{#5}
"""


def _class_of_one(base: str) -> dict:
    """A running session of today with one participant with an account, and a quiz."""
    token = token_of(base, "organizer", "organizer-prima-2026")
    today = dt.datetime.now(ZoneInfo("Asia/Jakarta")).date()
    suffix = random.randint(1000, 9999)
    course = api(
        base,
        "POST",
        "/api/v1/courses",
        {
            "code": f"PP-B{suffix}",
            "title": "Pelayanan Prima Kelas Peserta",
            "modules": [{"title": "Etika pelayanan", "jp": "2"}],
            "pass_mark": "70.01",
            "min_attendance": 80,
            "weights": {"attendance": 10, "post_test": 60, "trainer_assessment": 30},
            "jenis_diklat": 3,
        },
        token,
    )
    session = api(
        base,
        "POST",
        "/api/v1/sessions",
        {
            "course_id": course["id"],
            "name": f"Angkatan Uji {suffix}",
            "start_date": today.isoformat(),
            "end_date": today.isoformat(),
            "timezone": "Asia/Jakarta",
            "venue": "Aula DPMPTSP",
            "city": "Padang Panjang",
            "capacity": 10,
        },
        token,
    )
    sid = session["id"]
    api(base, "PATCH", f"/api/v1/sessions/{sid}", {"status": "open"}, token)
    trainer = api(
        base,
        "POST",
        "/api/v1/trainers",
        {"name": "Rina Marlina", "back_title": "M.Si.", "institution": "BPSDM Sumbar"},
        token,
    )
    api(
        base,
        "POST",
        f"/api/v1/sessions/{sid}/agenda",
        {
            "starts_at": f"{today.isoformat()}T08:00:00+07:00",
            "ends_at": f"{today.isoformat()}T09:30:00+07:00",
            "trainer_id": trainer["id"],
            "module_id": course["modules"][0]["id"],
        },
        token,
    )
    nip = (
        f"1990{random.randint(1, 12):02d}{random.randint(10, 28)}2015011{random.randint(100, 999)}"
    )
    person = api(
        base,
        "POST",
        "/api/v1/people",
        {"name": "Dewi Lestari", "asn_type": "pns", "nip": nip, "golongan": "III/a"},
        token,
    )
    api(base, "POST", f"/api/v1/sessions/{sid}/enrollments", {"person_ids": [person["id"]]}, token)
    api(base, "PATCH", f"/api/v1/sessions/{sid}", {"status": "running"}, token)
    accounts = api(base, "POST", f"/api/v1/sessions/{sid}/accounts", None, token)
    account = next(a for a in accounts["created"] if a["person_id"] == person["id"])
    bank = api(base, "POST", "/api/v1/question-banks", {"name": f"Bank uji {suffix}"}, token)
    api(
        base,
        "POST",
        f"/api/v1/question-banks/{bank['id']}/import",
        {"format": "gift", "text": GIFT},
        token,
    )
    questions = api(base, "GET", f"/api/v1/question-banks/{bank['id']}/questions", None, token)
    by_title = {q["title"]: q["id"] for q in questions["items"]}
    quiz = api(
        base,
        "POST",
        f"/api/v1/sessions/{sid}/quizzes",
        {
            "kind": "quiz",
            "title": "Kuis etika pelayanan",
            "selection": [by_title["Sikap"], by_title["SOP"], by_title["Hari"]],
            "shuffle_questions": False,
            "shuffle_options": False,
            "time_limit_minutes": 20,
            "review": {"after_submit": "correct", "after_close": "correct"},
        },
        token,
    )
    return {
        "token": token,
        "session_id": sid,
        "quiz_id": quiz["id"],
        "username": account["username"],
        "password": account["initial_password"],
    }


async def test_a_participant_checks_in_takes_a_quiz_offline_for_one_answer_and_sees_the_result(
    page, demo_server
):
    world = _class_of_one(demo_server)
    sid = world["session_id"]

    # First login with the slip's password, then the participant's own.
    await page.goto("/masuk")
    await page.get_by_label("Nama pengguna atau NIP").fill(world["username"])
    await page.get_by_label("Kata sandi").fill(world["password"])
    await page.get_by_role("button", name="Masuk").click()
    await page.wait_for_url("**/saya/kata-sandi")
    await page.get_by_label("Kata sandi saat ini").fill(world["password"])
    await page.get_by_label("Kata sandi baru", exact=True).fill("sandi-dewi-2026")
    await page.get_by_label("Ulangi kata sandi baru").fill("sandi-dewi-2026")
    await page.get_by_role("button", name="Simpan kata sandi").click()
    await page.wait_for_url("**/saya?pesan=sandi-diganti")
    await shoot(page, "peserta-beranda")

    # Today's session from the home, and the check-in with the code on the projector.
    await page.get_by_role("link", name=re.compile("Pelayanan Prima Kelas Peserta")).click()
    await page.wait_for_url(f"**/saya/sesi/{sid}")
    assert await page.get_by_role("heading", name="Agenda").is_visible()
    assert "Rina Marlina" in await page.content()
    await shoot(page, "peserta-sesi")
    await page.get_by_label("Kode presensi hari ini").fill("000000")
    await page.get_by_role("button", name="Catat kehadiran").click()
    await page.wait_for_url(f"**/saya/sesi/{sid}/hadir")
    if "Kode presensi salah" in await page.content():  # 000000 may be today's code
        await shoot(page, "peserta-presensi-salah")
    code = api(demo_server, "GET", f"/api/v1/sessions/{sid}/check-in-code", None, world["token"])
    await page.get_by_label("Kode presensi").fill(code["code"])
    await page.get_by_role("button", name=re.compile("Kirim kode|Konfirmasi hadir")).click()
    await page.wait_for_url(f"**/saya/sesi/{sid}?pesan=hadir")
    assert "Hadir hari ini" in await page.content()
    await shoot(page, "peserta-sesi-hadir")

    # The quiz: start, one answer online, one with the connection cut.
    await page.get_by_role("link", name=re.compile("Kuis etika pelayanan")).click()
    await page.wait_for_url(f"**/saya/kuis/{world['quiz_id']}")
    await shoot(page, "peserta-kuis")
    await page.get_by_role("button", name="Mulai mengerjakan").click()
    await page.wait_for_url("**/saya/percobaan/*")
    attempt_url = page.url
    assert re.search(r"Sisa waktu: \d+:\d\d", await page.locator(".countdown").inner_text())
    first = page.locator("fieldset.question").nth(0)
    second = page.locator("fieldset.question").nth(1)
    await first.get_by_label("Benar").check()
    await first.locator(".save-state.saved").wait_for()
    saved = await first.locator(".save-state").inner_text()
    assert re.fullmatch(r"Tersimpan pukul \d\d\.\d\d WIB", saved), saved

    # An [html] question shows its (cleaned) markup, not its tags.
    assert await second.locator(".qtext.rich b").inner_text() == "SOP"
    assert "<b>" not in await second.inner_text()
    await page.context.set_offline(True)
    await second.get_by_label("Standar Operasional Prosedur").check()
    await second.locator(".save-state.waiting").wait_for()
    assert await second.locator(".save-state").inner_text() == "Menunggu koneksi"
    status = page.locator("[data-net-state]")
    assert "Menunggu koneksi: 1 jawaban" in await status.inner_text()
    await shoot(page, "peserta-kuis-offline")
    await page.context.set_offline(False)
    await second.locator(".save-state.saved").wait_for()
    assert "Semua jawaban tersimpan." in await status.inner_text()

    # A reload resumes with both answers from the server.
    await page.reload()
    assert (
        await page.locator("fieldset.question")
        .nth(1)
        .get_by_label("Standar Operasional Prosedur")
        .is_checked()
    )
    assert "2 dari 3 soal terjawab" in await status.inner_text()
    await shoot(page, "peserta-kuis-tersimpan")

    # Submitting asks first and names the unanswered question.
    await page.get_by_role("button", name="Kumpulkan…").click()
    await page.wait_for_url(f"{attempt_url}/kumpulkan")
    assert "2 dari 3" in await page.content()
    assert await page.get_by_role("link", name="Soal 3").is_visible()
    await shoot(page, "peserta-kumpulkan")
    await page.get_by_role("button", name="Ya, kumpulkan").click()
    await page.wait_for_url(f"{attempt_url}/ulasan?pesan=terkirim")
    score = await page.locator(".score").inner_text()
    assert score.startswith("Nilai ") and "2 dari 3 poin" in score
    assert await page.get_by_text("Benar", exact=True).count() >= 2
    await shoot(page, "peserta-hasil-kuis")

    # The rest of the participant's pages.
    for path, name in (
        (f"/saya/sesi/{sid}/evaluasi", "peserta-evaluasi"),
        ("/saya/hasil", "peserta-hasil"),
        ("/saya/sertifikat", "peserta-sertifikat"),
        ("/saya/jp", "peserta-jp"),
    ):
        response = await page.goto(path)
        assert response is not None and response.status == 200, path
        await shoot(page, name)

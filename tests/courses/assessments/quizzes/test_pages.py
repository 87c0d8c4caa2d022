"""The organizer's quiz page: a GIFT upload into a bank with its report (stored questions and
the unreadable ones with their line), a quiz drawn from a bank category, errors beside the
fields, and 404 for another unit's organizer."""

from __future__ import annotations

from courses.tables import Quiz
from tests.conftest import SHARED_DATA
from tests.courses.builders.delivery import create_session
from tests.lms.web.test_shell import csrf_of, login

BANK = SHARED_DATA / "bank_soal_pelayanan_prima.gift"
BROKEN = b"""$CATEGORY: Uji/Rusak

::Baik::Langit berwarna biru.{T}

::Rusak::Soal tanpa kunci {
  ~satu
  ~dua
}
"""


async def test_a_gift_upload_reports_and_a_quiz_draws_from_its_category(client, web, organizer):
    session = await create_session(client, organizer, status="open")
    await login(web, organizer.username, "rahasia-123")
    path = f"/kelola/sesi/{session['id']}/kuis"
    page = await web.get(path)
    assert page.status_code == 200 and "Unggah soal ke bank terlebih dahulu" in page.text
    token = csrf_of(page.text)

    missing = await web.post(
        f"{path}/bank", data={"_csrf_token": token}, files={"berkas": ("", b"", "")}
    )
    assert missing.status_code == 422
    assert 'id="f-berkas-error"' in missing.text and 'id="f-bank_name-error"' in missing.text

    uploaded = await web.post(
        f"{path}/bank",
        data={"_csrf_token": token, "bank_name": "Bank Pelayanan Prima"},
        files={"berkas": (BANK.name, BANK.read_bytes(), "text/plain")},
    )
    assert uploaded.status_code == 200, uploaded.text
    assert "Laporan unggah soal" in uploaded.text and "soal tersimpan" in uploaded.text
    assert "Pelayanan Prima/Dasar Hukum" in uploaded.text  # its categories are offered

    broken = await web.post(
        f"{path}/bank",
        data={"_csrf_token": token, "bank_name": "Bank Rusak"},
        files={"berkas": ("rusak.gift", BROKEN, "text/plain")},
    )
    assert broken.status_code == 200
    assert "1 soal tersimpan" in broken.text and "1 tidak terbaca" in broken.text
    assert 'aria-label="Soal yang tidak terbaca"' in broken.text

    source = next(
        line.split('"')[1]
        for line in broken.text.splitlines()
        if "Pelayanan Prima/Dasar Hukum" in line and "<option" in line
    )
    no_count = await web.post(
        path,
        data={
            "_csrf_token": token,
            "kind": "pre_test",
            "source": source,
            "count": "",
            "attempts_allowed": "1",
        },  # fmt: skip
    )
    assert no_count.status_code == 422 and 'id="f-count-error"' in no_count.text
    made = await web.post(
        path,
        data={
            "_csrf_token": token,
            "kind": "pre_test",
            "title": "Pre-test Angkatan I",
            "source": source,
            "count": "3",
            "time_limit_minutes": "15",
            "attempts_allowed": "1",
        },  # fmt: skip
    )
    assert made.status_code == 303
    listing = await web.get(made.headers["location"])
    assert "Kuis sudah dibuat" in listing.text and "Pre-test Angkatan I" in listing.text
    quiz = await Quiz.select().where(Quiz.session == session["id"]).first()
    assert quiz is not None and quiz["kind"] == "pre_test"


async def test_another_units_organizer_gets_404(client, web, organizer, other_organizer):
    session = await create_session(client, organizer, status="open")
    await login(web, other_organizer.username, "rahasia-123")
    path = f"/kelola/sesi/{session['id']}/kuis"
    assert (await web.get(path)).status_code == 404
    token = csrf_of((await web.get("/kelola/sesi")).text)
    upload = await web.post(
        f"{path}/bank",
        data={"_csrf_token": token, "bank_name": "Bank Asing"},
        files={"berkas": (BANK.name, BANK.read_bytes(), "text/plain")},
    )
    assert upload.status_code == 404
    made = await web.post(
        path, data={"_csrf_token": token, "kind": "quiz", "source": "x|y", "count": "1"}
    )
    assert made.status_code == 404

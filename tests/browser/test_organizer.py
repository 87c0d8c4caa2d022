"""An organizer's whole class in chromium at 390×844, on a course and session of its own (the
demo's sessions are left alone): create the course and the session, open it, import the class
from an .xlsx and read the per-row report, start it, go through the "siap finalisasi"
checklist with a written reason, read the results, issue the certificates and watch the bar
reach 100%. axe runs on every page; screenshots go to ``docs/screenshots/kelola-*.png``."""

from __future__ import annotations

import io
import random
import re

import pytest
from playwright.async_api import expect

from tests.browser.conftest import requires_chromium
from tests.browser.test_pages import api, token_of
from tests.browser.test_pages import shoot as check_and_save

pytestmark = [
    pytest.mark.own_server,
    requires_chromium,
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.timeout(600),
]
ORGANIZER = ("organizer", "organizer-prima-2026")
CLASS_SIZE = 4


async def shoot(page, name: str) -> None:
    """axe, then the screenshot of the page's top (a form scrolls to its last field)."""
    await page.evaluate("window.scrollTo(0, 0)")
    await check_and_save(page, name)


def class_workbook(code: str) -> bytes:
    """Four new people and one row with a wrong NIP, as an .xlsx from the BKPSDM."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["No", "NIP", "Nama", "Gelar Depan", "Gelar Belakang", "Jenis ASN",
                  "Golongan", "Jabatan", "Unit Kerja"])  # fmt: skip
    names = ["Sri Wahyuni", "Hendra Saputra", "Desi Ratnasari", "Arif Rahman"]
    seed = random.Random(code)
    for n, name in enumerate(names, start=1):
        nip = f"199{n}0{n}1{n}20{10 + n}0{n}{1 + n % 2}{seed.randrange(100, 999)}"
        sheet.append([n, nip, name, "", "S.E.", "PNS", "III/a", "Pengadministrasi Layanan",
                      "DPMPTSP Kota Padang Panjang"])  # fmt: skip
    sheet.append([5, "12345", "Baris Keliru", "", "", "PNS", "III/a", "Staf", "DPMPTSP"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def test_an_organizer_runs_a_class_from_import_to_certificates(page, demo_server, tmp_path):
    code = f"PP-UJI-{random.randrange(10_000, 99_999)}"
    await page.goto("/masuk")
    await page.get_by_label("Nama pengguna atau NIP").fill(ORGANIZER[0])
    await page.get_by_label("Kata sandi").fill(ORGANIZER[1])
    await page.get_by_role("button", name="Masuk").click()
    await page.wait_for_url("**/kelola/sesi")

    # A course of its own: attendance is the whole score, 60.01 passes.
    await page.goto("/kelola/kursus/baru")
    await page.get_by_label("Kode").fill(code)
    await page.get_by_label("Judul").fill("Uji Pelayanan Prima")
    await page.get_by_label("Mata pelatihan 1", exact=True).fill("Etika pelayanan publik")
    await page.get_by_label("JP mata pelatihan 1").fill("6")
    await page.get_by_label("Nilai lulus").fill("60.01")
    await page.get_by_label("Kehadiran minimal (%)").fill("60")
    await page.get_by_label("Kehadiran (%)", exact=True).fill("100")
    await page.get_by_label("Post-test (%)").fill("")
    await page.get_by_label("Penilaian narasumber (%)").fill("")
    await shoot(page, "kelola-kursus-baru")
    await page.get_by_role("button", name="Buat kursus").click()
    await page.wait_for_url("**/kelola/kursus/*?pesan=dibuat")
    await shoot(page, "kelola-kursus-ubah")
    course_page = page.url
    await page.goto("/kelola/kursus")
    await page.get_by_role("link", name=re.compile(code)).first.wait_for()
    await shoot(page, "kelola-kursus")
    await page.goto(course_page)

    # Its session, last month (so it has ended; before the demo's, which stays first in the
    # organizer's list for the other browser tests), then open it.
    await page.get_by_role("link", name="Jadwalkan sesinya").click()
    await page.get_by_label("Nama sesi (angkatan)").fill("Angkatan Uji")
    await page.get_by_label("Tanggal mulai").fill("2026-11-09")
    await page.get_by_label("Tanggal selesai").fill("2026-11-11")
    await page.get_by_label("Tempat").fill("Aula DPMPTSP")
    await page.get_by_label("Kapasitas (kursi)").fill("3")
    await shoot(page, "kelola-sesi-baru")
    await page.get_by_role("button", name="Simpan sebagai draf").click()
    await page.wait_for_url("**/kelola/sesi/*?pesan=dibuat")
    hub = page.url.split("?")[0]
    session_id = hub.rsplit("/", 1)[1]
    await page.get_by_role("button", name="Buka pendaftaran").click()
    await page.wait_for_url("**?pesan=status")
    await shoot(page, "kelola-sesi-hub")

    # Import the class: 3 seats, so one waits; the wrong NIP is rejected with its reason.
    await page.get_by_role("link", name="Peserta", exact=True).click()
    workbook = tmp_path / "kelas.xlsx"
    workbook.write_bytes(class_workbook(code))
    await page.get_by_label("Berkas .xlsx atau .csv").set_input_files(str(workbook))
    await page.get_by_role("button", name="Impor dan daftarkan").click()
    report = page.get_by_role("region", name="Laporan impor per baris")
    await report.wait_for()
    summary = await page.get_by_role("status").inner_text()
    assert "5 baris · 3 terdaftar · 1 daftar tunggu" in summary and "1 ditolak" in summary
    assert await report.locator("tbody tr").count() == 5
    assert "Baris Keliru" in await report.inner_text()
    await shoot(page, "kelola-peserta-impor")

    # Withdraw one of the seated (a confirm step with a written reason): the one waiting
    # moves up; enrolled again, the withdrawn one waits at the end of the queue.
    await page.get_by_role("link", name=re.compile("Mundurkan Sri Wahyuni")).click()
    await page.get_by_role("heading", name="Mundurkan peserta").wait_for()
    await page.get_by_label("Alasan (dicatat di log audit)").fill(
        "Dipindahtugaskan ke Kecamatan Padang Panjang Timur."
    )
    await shoot(page, "kelola-peserta-mundur")
    await page.get_by_role("button", name="Ya, mundurkan").click()
    await page.wait_for_url("**/peserta?pesan=mundur-naik")
    assert "daftar tunggu" in await page.get_by_role("status").inner_text()
    page.on("dialog", lambda dialog: dialog.accept())  # the data-confirm questions
    await page.get_by_role("button", name=re.compile("Daftarkan kembali Sri Wahyuni")).click()
    await page.wait_for_url("**/peserta?pesan=kembali-tunggu")
    row = page.locator(".list li", has_text="Sri Wahyuni")
    assert "daftar tunggu (urutan 1)" in await row.inner_text()
    await page.evaluate("document.getElementById('kelas').scrollIntoView()")
    await check_and_save(page, "kelola-peserta")  # the class, not the import form on top

    # Questions into a bank of its own (a category no demo quiz draws from), then a pre-test.
    await page.goto(hub)
    await page.get_by_role("link", name="Kuis", exact=True).click()
    gift = tmp_path / "soal.gift"
    gift.write_text(
        f"$CATEGORY: Uji {code}\n\n::Maklumat::Maklumat pelayanan wajib dipublikasikan.{{T}}\n\n"
        "::SKM::Berapa unsur SKM? {#9}\n\n::Rusak::Soal tanpa kunci {\n~satu\n~dua\n}\n",
        encoding="utf-8",
    )
    await page.get_by_label("Nama bank baru").fill(f"Bank {code}")
    await page.get_by_label("Berkas GIFT atau Aiken").set_input_files(str(gift))
    await page.get_by_role("button", name="Unggah soal").click()
    await page.get_by_role("region", name="Soal yang tidak terbaca").wait_for()
    assert "2 soal tersimpan" in await page.get_by_role("status").inner_text()
    await shoot(page, "kelola-kuis-unggah")
    await page.get_by_label("Bank dan kategori soal").select_option(
        label=f"Bank {code} · Uji {code}"
    )
    await page.get_by_label("Jumlah soal per percobaan").fill("2")
    await page.get_by_role("button", name="Buat kuis").click()
    await page.wait_for_url("**/kuis?pesan=dibuat")
    await shoot(page, "kelola-kuis")

    # Start it; two of three days are marked present (the trainer's job, here by the API).
    await page.goto(hub)
    await page.get_by_role("button", name="Mulai sesi").click()
    await page.wait_for_url("**?pesan=status")
    token = token_of(demo_server, *ORGANIZER)
    enrolled = api(
        demo_server,
        "GET",
        f"/api/v1/sessions/{session_id}/enrollments?status=confirmed",
        token=token,
    )
    marks = [
        {"person_id": e["person_id"], "day": day, "status": "present"}
        for e in enrolled["items"]
        for day in ("2026-11-09", "2026-11-10")
    ]
    api(demo_server, "POST", f"/api/v1/sessions/{session_id}/attendance", marks, token=token)
    await page.get_by_role("link", name="Kehadiran", exact=True).click()
    await page.get_by_role("region", name="Tabel kehadiran").wait_for()
    await shoot(page, "kelola-kehadiran")

    # The checklist: day 3 has no marks; finalize anyway with each item ticked and a reason.
    await page.goto(hub + "/finalisasi")
    assert (
        "Presensi tercatat untuk setiap hari" in await page.locator(".checks li.open").inner_text()
    )
    await shoot(page, "kelola-finalisasi")
    await page.get_by_label("Alasan tertulis (dicatat di log audit)").fill(
        "Hari ketiga diliburkan oleh surat Sekda nomor 800/12/2026."
    )
    await page.get_by_role("button", name="Finalisasi dengan alasan").click()
    await page.locator("#f-ack-error").wait_for()  # the open item not ticked: said beside it
    await page.get_by_role(
        "checkbox", name=re.compile("Presensi tercatat untuk setiap hari")
    ).check()
    await page.get_by_role("button", name="Finalisasi dengan alasan").click()
    await page.wait_for_url("**/hasil?pesan=final")
    table = page.get_by_role("region", name="Tabel hasil peserta")
    assert await table.locator("tbody .badge.ok").count() == 3
    await shoot(page, "kelola-hasil")

    # Certificates: issue, watch the bar (progress.js) reach 100%, then the downloads.
    await page.get_by_role("link", name="Sertifikat").last.click()
    await page.wait_for_url("**/sertifikat")
    await shoot(page, "kelola-sertifikat")
    await page.get_by_role("button", name="Terbitkan sertifikat untuk 3 peserta").click()
    await page.wait_for_url("**/sertifikat/proses/*")
    bar = page.get_by_role("progressbar")
    await expect(bar).to_have_attribute("aria-valuenow", "100", timeout=60_000)
    await page.get_by_text("Selesai: 3 diterbitkan").wait_for(timeout=30_000)
    assert await bar.get_attribute("aria-valuenow") == "100"
    await shoot(page, "kelola-sertifikat-progres")
    await page.get_by_role("link", name="Ke daftar sertifikat").click()
    assert await page.locator("summary", has_text="Cabut sertifikat").count() == 3
    async with page.expect_download() as download_info:
        await page.get_by_role("link", name="Unduh PDF gabungan").click()
    merged = tmp_path / "semua.pdf"
    await (await download_info.value).save_as(merged)
    assert merged.read_bytes().startswith(b"%PDF-")
    await page.locator("summary", has_text="Cabut sertifikat").first.click()
    await shoot(page, "kelola-sertifikat-daftar")


def _ended_class_with_a_post_test(base: str) -> dict:
    """A session that ended last month, two participants, a post-test neither handed in."""
    token = token_of(base, *ORGANIZER)
    suffix = random.randint(1000, 9999)
    course = api(
        base,
        "POST",
        "/api/v1/courses",
        {
            "code": f"PP-X{suffix}",
            "title": "Uji Pembebasan Post-test",
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
            "name": f"Angkatan Bebas {suffix}",
            "start_date": "2026-11-02",
            "end_date": "2026-11-02",
            "timezone": "Asia/Jakarta",
            "venue": "Aula DPMPTSP",
            "city": "Padang Panjang",
            "capacity": 10,
        },
        token,
    )
    sid = session["id"]
    api(base, "PATCH", f"/api/v1/sessions/{sid}", {"status": "open"}, token)
    people = [
        api(base, "POST", "/api/v1/people", {"name": name, "asn_type": "non_asn"}, token)
        for name in ("Rudi Hartono", "Maya Sari")
    ]
    api(
        base,
        "POST",
        f"/api/v1/sessions/{sid}/enrollments",
        {"person_ids": [p["id"] for p in people]},
        token,
    )
    bank = api(base, "POST", "/api/v1/question-banks", {"name": f"Bank bebas {suffix}"}, token)
    api(
        base,
        "POST",
        f"/api/v1/question-banks/{bank['id']}/import",
        {"format": "gift", "text": "::Maklumat::Maklumat pelayanan wajib dipajang.{T}\n"},
        token,
    )
    questions = api(base, "GET", f"/api/v1/question-banks/{bank['id']}/questions", None, token)
    api(
        base,
        "POST",
        f"/api/v1/sessions/{sid}/quizzes",
        {"kind": "post_test", "selection": [q["id"] for q in questions["items"]]},
        token,
    )
    api(base, "PATCH", f"/api/v1/sessions/{sid}", {"status": "running"}, token)
    return {"session_id": sid}


async def test_an_organizer_excuses_one_participant_from_the_post_test(page, demo_server):
    world = _ended_class_with_a_post_test(demo_server)
    await page.goto("/masuk")
    await page.get_by_label("Nama pengguna atau NIP").fill(ORGANIZER[0])
    await page.get_by_label("Kata sandi").fill(ORGANIZER[1])
    await page.get_by_role("button", name="Masuk").click()
    await page.wait_for_url("**/kelola/sesi")

    await page.goto(f"/kelola/sesi/{world['session_id']}/finalisasi")
    post_tests = page.locator(".checks li", has_text="Post-test lengkap")
    assert "2 peserta belum mengumpulkan post-test" in await post_tests.inner_text()
    await page.get_by_text(re.compile("Bebaskan dari post-test Maya Sari")).click()
    await page.get_by_label(re.compile("Alasan pembebasan")).last.fill(
        "Sakit pada hari pelatihan, surat dokter 02/XI/2026."
    )
    await page.get_by_role("button", name="Bebaskan Maya Sari").click()
    await page.wait_for_url("**/finalisasi?pesan=bebas")
    text = await page.locator(".checks li", has_text="Post-test lengkap").inner_text()
    assert "Maya Sari — Sakit pada hari pelatihan" in text
    assert "1 peserta belum mengumpulkan post-test" in text
    await shoot(page, "kelola-finalisasi-bebas")

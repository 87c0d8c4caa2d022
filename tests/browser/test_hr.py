"""HR in chromium at 390×844: compliance by unit down to a person's transcript, the exports
and the SKM report, one typed certificate number and a file of many. Read-only on the demo
(the batch check and the pages change nothing)."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import requires_chromium
from tests.browser.test_pages import api, shoot, token_of

pytestmark = [
    pytest.mark.own_server,
    requires_chromium,
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.timeout(600),
]


async def _login_hr(page) -> None:
    await page.goto("/masuk?lanjut=/sdm")
    await page.get_by_label("Nama pengguna atau NIP").fill("hr")
    await page.get_by_label("Kata sandi").fill("hr-prima-2026")
    await page.get_by_role("button", name="Masuk").click()
    await page.wait_for_url("**/sdm")


async def test_hr_drills_from_a_unit_to_a_transcript_and_sees_the_reports(page, demo_server):
    await _login_hr(page)
    assert (await page.get_by_role("heading", level=1).inner_text()).startswith("Kepatuhan JP")
    await shoot(page, "sdm-kepatuhan")

    await page.locator("ul.list a[href^='/sdm/unit/']").first.click()
    await page.wait_for_url(re.compile(r"/sdm/unit/[0-9a-f-]+\?tahun=\d+$"))
    await shoot(page, "sdm-unit")
    # Down the tree until a unit lists people short of target, then open one.
    for _ in range(4):
        people = page.locator("#belum ~ ul.list a[href^='/sdm/pegawai/']")
        if await people.count():
            break
        await page.locator("ul.list a[href^='/sdm/unit/']").first.click()
        await page.wait_for_load_state()
    name = await people.first.inner_text()
    await people.first.click()
    await page.wait_for_url(re.compile(r"/sdm/pegawai/[0-9a-f-]+$"))
    assert await page.get_by_role("heading", level=2, name=name).count() == 1
    link = page.get_by_role("link", name="Unduh transkrip (PDF)")
    assert (await link.get_attribute("href") or "").endswith("/transkrip.pdf")
    await shoot(page, "sdm-pegawai")

    await page.get_by_role("link", name="Ekspor").click()
    await page.wait_for_url("**/sdm/ekspor")
    async with page.expect_download() as download:
        await page.get_by_role("link", name="Excel (XLSX)").first.click()
    assert (await download.value).suggested_filename.startswith("kepatuhan-jp-")
    await shoot(page, "sdm-ekspor")

    await page.get_by_role("link", name="SKM & dampak").click()
    await page.wait_for_url("**/sdm/skm")
    assert await page.locator("figure svg[role='img']").count() == 1
    assert await page.get_by_role("table", name="Nilai unsur per periode").count() == 1
    await page.locator("figure").scroll_into_view_if_needed()
    await shoot(page, "sdm-skm")


async def test_hr_checks_a_typed_number_and_a_file_of_many(page, demo_server, tmp_path):
    token = token_of(demo_server, "organizer", "organizer-prima-2026")
    certificate = api(demo_server, "GET", "/api/v1/certificates?limit=1", token=token)["items"][0]
    await _login_hr(page)

    await page.get_by_role("link", name="Verifikasi").click()
    await page.wait_for_url("**/sdm/verifikasi")
    await shoot(page, "sdm-verifikasi")
    await page.get_by_label("Nomor sertifikat atau kode verifikasi").fill(certificate["number"])
    await page.get_by_role("button", name="Cek sertifikat").click()
    await page.wait_for_url(f"**/verify/{certificate['code']}")
    assert await page.locator(".status-word").inner_text() == "SAH"

    listing = tmp_path / "daftar.csv"
    listing.write_text(
        f"nomor\n{certificate['number']}\n{certificate['code'].lower()}\n999/TIDAK/ADA\n"
    )
    await page.goto("/sdm/verifikasi")
    await page.get_by_label("Berkas daftar (.csv atau .xlsx)").set_input_files(str(listing))
    await page.get_by_role("button", name="Periksa berkas").click()
    await page.wait_for_url("**/sdm/verifikasi")
    status = await page.get_by_role("status").inner_text()
    assert "2 dari 3 ditemukan" in status
    rows = page.get_by_role("list", name="Hasil pemeriksaan per baris").locator("> li")
    assert await rows.count() == 3
    await page.locator("#hasil").scroll_into_view_if_needed()
    await shoot(page, "sdm-verifikasi-hasil")


async def test_hr_sees_each_certificate_with_its_siasn_status(page, demo_server):
    """The demo has no SIASN access: the page says so, points to the export, and lists every
    certificate as not sent, without a send button."""
    await _login_hr(page)
    await page.get_by_role("link", name="SIASN").click()
    await page.wait_for_url("**/sdm/siasn")
    heading = await page.get_by_role("heading", level=1).inner_text()
    assert heading.startswith("Pengiriman ke SIASN")
    assert await page.get_by_role("link", name="ekspor CSV atau Excel").count() == 1
    listed = page.get_by_role("list", name="Sertifikat dan status SIASN")
    if await listed.count():
        assert await listed.locator(".badge").first.inner_text() == "belum dikirim"
    assert await page.get_by_role("button", name=re.compile("Kirim")).count() == 0
    await shoot(page, "sdm-siasn")

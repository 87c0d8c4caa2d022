"""The pages in chromium at 390×844: the landing page's certificate check, an organizer making
a class's accounts and printing the slips, and a participant's first login with a slip."""

from __future__ import annotations

import json
import re
import subprocess
import urllib.request

import pytest

from tests.browser.conftest import SCREENSHOTS, requires_chromium

# The first test also starts the server and loads the demo (about a minute on a quiet machine).
pytestmark = [
    pytest.mark.own_server,
    requires_chromium,
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.timeout(600),
]

PASSWORD = re.compile(
    r"(?<![\w-])(?:[34679abcdefghjkmnpqrtuvwxy]{4}-){2}[34679abcdefghjkmnpqrtuvwxy]{4}(?![\w-])"
)
_LOOK_ALIKE = str.maketrans({"0": "O", "O": "0", "1": "l", "l": "1", "I": "1"})


async def check_accessibility(page, name: str) -> None:
    """axe-core in the page: no serious or critical violation."""
    from axe_playwright_python.async_playwright import Axe

    results = await Axe().run(page)
    bad = [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not bad, f"{name}: {bad}"


async def shoot(page, name: str) -> None:
    """Check the page with axe and keep a phone-sized screenshot of it."""
    await check_accessibility(page, name)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def api(base: str, method: str, path: str, body: dict | None = None, token: str = "") -> dict:
    request = urllib.request.Request(
        base + path,
        method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"content-type": "application/json"}
        | ({"authorization": f"Bearer {token}"} if token else {}),
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.loads(answer.read())


def token_of(base: str, username: str, password: str) -> str:
    body = {"username": username, "password": password}
    return api(base, "POST", "/api/v1/auth/login", body)["access_token"]


def mangle(code: str) -> str:
    """What a person may type from paper: other case, spaces, O/0 and l/1 swapped."""
    swapped = code.translate(_LOOK_ALIKE).swapcase()
    return " ".join(swapped[i : i + 4] for i in range(0, len(swapped), 4))


async def test_the_landing_page_checks_a_typed_certificate_code(page, demo_server):
    token = token_of(demo_server, "organizer", "organizer-prima-2026")
    certificate = api(demo_server, "GET", "/api/v1/certificates?limit=1", token=token)["items"][0]

    await page.goto("/")
    assert (await page.get_by_role("heading", level=1).inner_text()).startswith("Prima")
    await shoot(page, "beranda")
    field = page.get_by_label("Nomor sertifikat atau kode verifikasi")
    await field.fill(mangle(certificate["code"]))
    await page.get_by_role("button", name="Cek sertifikat").click()

    await page.wait_for_url(f"**/verify/{certificate['code']}")
    assert await page.locator(".status-word").inner_text() == "SAH"
    assert certificate["number"] in await page.content()
    await shoot(page, "verifikasi")

    await page.goto("/verify")
    await page.get_by_label("Nomor sertifikat atau kode verifikasi").fill("999/XX/TIDAK/ADA")
    await page.get_by_role("button", name="Cek sertifikat").click()
    await page.wait_for_url("**/verify?q=*")
    assert "tidak ditemukan" in await page.locator(".error").inner_text()
    await shoot(page, "cek-sertifikat-tidak-ditemukan")


async def test_an_organizer_prints_the_class_slips_and_a_participant_logs_in_with_one(
    page, demo_server, tmp_path
):
    # The organizer logs in and makes the accounts of the demo class.
    await page.goto("/masuk")
    await shoot(page, "masuk")
    await page.get_by_label("Nama pengguna atau NIP").fill("organizer")
    await page.get_by_label("Kata sandi").fill("organizer-prima-2026")
    await page.get_by_role("button", name="Masuk").click()
    await page.wait_for_url("**/kelola/sesi")
    await shoot(page, "kelola-sesi")
    await page.get_by_role("link", name="Akun peserta").first.click()
    await page.wait_for_url("**/akun")
    await shoot(page, "akun-peserta")
    await page.get_by_role("button", name=re.compile(r"^Buat akun untuk \d+ peserta$")).click()
    await page.wait_for_url("**/akun/hasil/**")
    assert "akun dibuat" in await page.get_by_role("status").inner_text()
    await shoot(page, "akun-dibuat")
    accounts = page.locator("ul.accounts > li")
    assert await accounts.count() >= 20
    first_name = await accounts.nth(0).locator(".account-name").inner_text()
    username = await accounts.nth(0).locator(".account-username").inner_text()

    async with page.expect_download() as download_info:
        await page.get_by_role("link", name="Unduh slip (PDF)").click()
    slips = tmp_path / "slip.pdf"
    await (await download_info.value).save_as(slips)
    assert slips.read_bytes().startswith(b"%PDF-")
    text = subprocess.run(
        ["pdftotext", "-layout", str(slips), "-"], capture_output=True, check=True
    ).stdout.decode()
    password = PASSWORD.search(text[text.index(username) :]).group(0)  # type: ignore[union-attr]
    async with page.expect_download() as xlsx_info:
        await page.get_by_role("link", name="Unduh tabel (XLSX)").click()
    assert (await xlsx_info.value).suggested_filename.endswith(".xlsx")
    await page.get_by_role("button", name="Keluar").click()
    await page.wait_for_url(re.compile(r"/$"))

    # The participant logs in with the slip, must choose a password, then sees their home.
    await page.goto("/masuk")
    nip = username
    await page.get_by_label("Nama pengguna atau NIP").fill(
        f"{nip[:8]} {nip[8:14]} {nip[14]} {nip[15:]}"
    )
    await page.get_by_label("Kata sandi").fill(password)
    await page.get_by_role("button", name="Masuk").click()
    await page.wait_for_url("**/saya/kata-sandi")
    await shoot(page, "ganti-kata-sandi-pertama")
    await page.goto("/saya")  # no way around it
    await page.wait_for_url("**/saya/kata-sandi")
    await page.get_by_label("Kata sandi saat ini").fill(password)
    await page.get_by_label("Kata sandi baru", exact=True).fill("pendek")
    await page.get_by_label("Ulangi kata sandi baru").fill("pendek")
    await page.get_by_role("button", name="Simpan kata sandi").click()
    assert "Paling sedikit 8 karakter." in await page.locator(".error").first.inner_text()
    await shoot(page, "ganti-kata-sandi-salah")
    await page.get_by_label("Kata sandi saat ini").fill(password)
    await page.get_by_label("Kata sandi baru", exact=True).fill("sandi-sendiri-2026")
    await page.get_by_label("Ulangi kata sandi baru").fill("sandi-sendiri-2026")
    await page.get_by_role("button", name="Simpan kata sandi").click()
    await page.wait_for_url("**/saya?pesan=sandi-diganti")
    heading = await page.get_by_role("heading", level=1).inner_text()
    assert heading.startswith("Halo, ") and heading[6:] in first_name
    assert await page.get_by_role("heading", name="Pelatihan saya").is_visible()
    assert await page.get_by_role("heading", name="Sertifikat saya").is_visible()
    assert await page.get_by_role("heading", name=re.compile(r"^JP saya tahun \d{4}$")).is_visible()
    await shoot(page, "saya")
    async with page.expect_download() as certificate_info:
        await page.get_by_role("link", name="Unduh PDF").first.click()
    certificate = tmp_path / "sertifikat.pdf"
    await (await certificate_info.value).save_as(certificate)
    assert certificate.read_bytes().startswith(b"%PDF-")
    jp = page.get_by_role("heading", name=re.compile(r"^JP saya"))
    await jp.evaluate("heading => heading.parentElement.scrollIntoView({block: 'start'})")
    await shoot(page, "saya-jp")

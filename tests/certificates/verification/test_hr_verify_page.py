"""HR's check page (/sdm/verifikasi): one typed number goes to the public page, a file of many
answers a table with the batch's rows."""

from __future__ import annotations

import io

import openpyxl

from tests.certificates.verification.test_verification_hr import two_certificates
from tests.factories import make_actor
from tests.lms.web.test_shell import csrf_of, login


async def _as_hr(app, web, unit) -> str:
    hr = await make_actor(app, "hr", unit_id=unit["id"], username="hr-cek")
    assert (await login(web, "hr-cek", "rahasia-123")).status_code == 303
    page = await web.get("/sdm/verifikasi")
    assert page.status_code == 200
    assert hr.role == "hr"
    return page.text


async def test_a_typed_number_opens_the_verify_page(app, web, unit):
    await two_certificates(unit)
    html = await _as_hr(app, web, unit)
    assert 'action="/verify"' in html and 'name="q"' in html
    found = await web.get("/verify", params={"q": "001/pp/dpmptsp/xi/2026"})
    assert found.status_code == 303 and found.headers["location"] == "/verify/KODEVALID0001"


async def test_a_file_of_numbers_answers_a_row_each(app, web, unit):
    await two_certificates(unit)
    html = await _as_hr(app, web, unit)
    book = openpyxl.Workbook()
    sheet = book.active
    for value in ("nomor", "001/PP/DPMPTSP/XI/2026", "KODEREVOKED02", "999/PP/DPMPTSP/XI/2026"):
        sheet.append([value])
    buffer = io.BytesIO()
    book.save(buffer)

    resp = await web.post(
        "/sdm/verifikasi",
        data={"_csrf_token": csrf_of(html)},
        files={"berkas": ("daftar.xlsx", buffer.getvalue())},
    )

    assert resp.status_code == 200, resp.text
    page = resp.text
    assert "<strong>2</strong> dari 3 ditemukan, <strong>1</strong> berlaku" in page
    results = page[page.index('<ol class="list results"') :]
    assert results.count("<li>") == 3
    assert "SAH" in page and "tidak ditemukan" in page
    assert 'href="/verify/KODEVALID0001"' in page
    assert "19860926 201505 1 001" in page  # whole NIP within HR's scope


async def test_a_bad_file_or_no_token_is_refused_on_the_page(app, web, unit):
    html = await _as_hr(app, web, unit)
    bad = await web.post(
        "/sdm/verifikasi",
        data={"_csrf_token": csrf_of(html)},
        files={"berkas": ("daftar.csv", b"")},
    )
    assert bad.status_code == 400 and 'role="alert"' in bad.text
    none = await web.post("/sdm/verifikasi", data={"_csrf_token": csrf_of(html)})
    assert none.status_code == 400 and "Pilih berkas" in none.text
    forged = await web.post("/sdm/verifikasi", files={"berkas": ("a.csv", b"nomor\n1\n")})
    assert forged.status_code == 403


async def test_organizers_do_not_open_the_hr_check_page(app, web, organizer):
    assert (await login(web, organizer.username, "rahasia-123")).status_code == 303
    assert (await web.get("/sdm/verifikasi")).status_code == 403

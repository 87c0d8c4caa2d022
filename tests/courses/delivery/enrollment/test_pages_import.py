"""The organizer's participants page: import a list (.csv or .xlsx) and see the per-row
report as a table; errors on the page; another unit's organizer gets 404."""

from __future__ import annotations

import io

import openpyxl

from tests.conftest import SHARED_DATA
from tests.courses.builders.delivery import create_session
from tests.lms.web.test_shell import csrf_of, login

PARTICIPANTS = SHARED_DATA / "peserta_pelayanan_prima_angkatan_1.csv"


def workbook(rows: list[list[str]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["NIP", "Nama", "Gelar Depan", "Gelar Belakang", "Jenis ASN", "Golongan",
                  "Jabatan", "Unit Kerja"])  # fmt: skip
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def test_the_csv_import_shows_each_row_and_the_class(client, web, organizer):
    session = await create_session(client, organizer, status="open", capacity=25)
    await login(web, organizer.username, "rahasia-123")
    path = f"/kelola/sesi/{session['id']}/peserta"
    page = await web.get(path)
    assert page.status_code == 200 and 'enctype="multipart/form-data"' in page.text

    resp = await web.post(
        path,
        data={"_csrf_token": csrf_of(page.text)},
        files={"berkas": (PARTICIPANTS.name, PARTICIPANTS.read_bytes(), "text/csv")},
    )
    assert resp.status_code == 200, resp.text
    html = resp.text
    assert "Laporan impor: peserta_pelayanan_prima_angkatan_1.csv" in html
    assert "27 baris · 25 terdaftar · 2 daftar tunggu" in html
    assert html.count('<td class="num">') >= 27  # one row number cell per row
    assert "Afrizal" in html and "daftar tunggu" in html
    assert 'class="table-wrap"' in html


async def test_an_xlsx_with_a_bad_row_reports_it_rejected(client, web, organizer):
    session = await create_session(client, organizer, status="open")
    await login(web, organizer.username, "rahasia-123")
    path = f"/kelola/sesi/{session['id']}/peserta"
    page = await web.get(path)
    content = workbook(
        [
            ["198703152010011002", "Afrizal", "", "S.Sos.", "PNS", "III/d", "Kasi", "DPMPTSP"],
            ["12345", "Salah NIP", "", "", "PNS", "III/a", "Staf", "DPMPTSP"],
        ]
    )
    resp = await web.post(
        path,
        data={"_csrf_token": csrf_of(page.text)},
        files={"berkas": ("kelas.xlsx", content, "application/octet-stream")},
    )
    assert resp.status_code == 200, resp.text
    assert "2 baris · 1 terdaftar" in resp.text and "1 ditolak" in resp.text
    assert "Salah NIP" in resp.text and "ditolak</span>" in resp.text


async def test_no_file_or_an_unreadable_one_is_said_on_the_page(client, web, organizer):
    session = await create_session(client, organizer, status="open")
    await login(web, organizer.username, "rahasia-123")
    path = f"/kelola/sesi/{session['id']}/peserta"
    token = csrf_of((await web.get(path)).text)
    empty = await web.post(path, data={"_csrf_token": token}, files={"berkas": ("", b"", "")})
    assert empty.status_code == 422 and "Pilih berkas daftar peserta" in empty.text
    junk = await web.post(
        path, data={"_csrf_token": token}, files={"berkas": ("x.csv", b"a;b\n1;2\n", "text/csv")}
    )
    assert junk.status_code == 400 and 'role="alert"' in junk.text


async def test_another_units_organizer_gets_404(client, web, organizer, other_organizer):
    session = await create_session(client, organizer, status="open")
    await login(web, other_organizer.username, "rahasia-123")
    path = f"/kelola/sesi/{session['id']}/peserta"
    assert (await web.get(path)).status_code == 404
    token = csrf_of((await web.get("/kelola/sesi")).text)
    resp = await web.post(
        path,
        data={"_csrf_token": token},
        files={"berkas": (PARTICIPANTS.name, PARTICIPANTS.read_bytes(), "text/csv")},
    )
    assert resp.status_code == 404

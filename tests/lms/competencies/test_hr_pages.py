"""HR's pages (/sdm): compliance by unit, a unit's people, a transcript and its PDF, the
exports, the SKM upload with the impact report; the scope is the API's (another unit is 404)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import httpx
import pytest

from lms.competencies.chart import element_bars
from tests.factories import make_actor, make_person, make_unit
from tests.lms.builders.competencies import credit
from tests.lms.web.test_shell import csrf_of, login

SKM_FILE = (
    Path(__file__).parents[3] / "lms" / "competencies" / "demo_data" / "skm_dpmptsp_2025_2026.csv"
)
YEAR = 2026


@pytest.fixture
async def world(app, root_unit, unit, other_unit):
    """HR of DPMPTSP (and its sub-unit), people in both, and one person of BKPSDM."""
    bidang = await make_unit("DPMPTSP-PPJ-PEL", "Bidang Pelayanan", unit)
    rina = await make_person(unit["id"], "Rina Marlina", nip="198609262015052001")
    yoga = await make_person(bidang["id"], "Yoga Pratama", nip="199001012019031002")
    outsider = await make_person(other_unit["id"], "Orang Lain", nip="198001012005011003")
    await credit(rina, 24, start=dt.date(YEAR, 3, 2), end=dt.date(YEAR, 3, 4))
    await credit(yoga, "7.5", start=dt.date(YEAR, 3, 2), end=dt.date(YEAR, 3, 4))
    hr = await make_actor(app, "hr", unit_id=unit["id"], username="hr-dpmptsp")
    return {
        "unit": unit,
        "bidang": bidang,
        "rina": rina,
        "yoga": yoga,
        "outsider": outsider,
        "other_unit": other_unit,
        "hr": hr,
    }


async def _as(web: httpx.AsyncClient, actor) -> None:
    done = await login(web, actor.username, actor.extra["password"])
    assert done.status_code == 303, done.text


async def test_hr_drills_from_the_units_to_a_persons_transcript(web, world):
    await _as(web, world["hr"])

    home = await web.get(f"/sdm?tahun={YEAR}")
    assert home.status_code == 200, home.text
    html = home.text
    assert "Kepatuhan JP 2026" in html and "DPMPTSP Kota Padang Panjang" in html
    assert "50%" in html and "1 dari 2 pegawai" in html
    assert f'href="/sdm/unit/{world["bidang"]["id"]}?tahun=2026"' in html
    assert '<option value="2026" selected>' in html

    unit = await web.get(f"/sdm/unit/{world['unit']['id']}?tahun={YEAR}")
    assert unit.status_code == 200
    assert "Belum mencapai target (1)" in unit.text
    assert "Yoga Pratama" in unit.text and "kurang 12,5 JP" in unit.text
    assert f'href="/sdm/pegawai/{world["yoga"]}"' in unit.text
    found = await web.get(f"/sdm/unit/{world['unit']['id']}?tahun={YEAR}&q=rina")
    assert f'href="/sdm/pegawai/{world["rina"]}"' in found.text

    page = await web.get(f"/sdm/pegawai/{world['yoga']}")
    assert page.status_code == 200
    assert "Transkrip pembelajaran" in page.text and "Yoga Pratama" in page.text
    assert "Pelatihan Pelayanan Prima Angkatan I" in page.text
    assert "Kurang 12,5 JP dari target 20 JP" in page.text
    assert "style=" not in page.text and "<script>" not in page.text
    pdf = await web.get(f"/sdm/pegawai/{world['yoga']}/transkrip.pdf")
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


async def test_another_units_person_or_unit_is_404_for_hr(web, world):
    await _as(web, world["hr"])
    for path in (
        f"/sdm/pegawai/{world['outsider']}",
        f"/sdm/pegawai/{world['outsider']}/transkrip.pdf",
        f"/sdm/unit/{world['other_unit']['id']}",
        f"/sdm/ekspor/kepatuhan-jp.xlsx?unit={world['other_unit']['id']}",
    ):
        resp = await web.get(path)
        assert resp.status_code == 404, path
        assert "Tidak ditemukan" in resp.text
    assert "Orang Lain" not in (await web.get(f"/sdm/unit/{world['unit']['id']}?q=orang")).text


@pytest.mark.parametrize("role", ["organizer", "participant", "trainer"])
async def test_only_hr_and_admin_open_the_hr_pages(app, web, world, role):
    actor = await make_actor(app, role, unit_id=world["unit"]["id"])
    await _as(web, actor)
    assert (await web.get("/sdm")).status_code == 403


async def test_anonymous_visitors_are_sent_to_the_login(web, world):
    resp = await web.get("/sdm/skm")
    assert resp.status_code == 303 and resp.headers["location"] == "/masuk?lanjut=/sdm/skm"


async def test_admin_sees_every_unit(app, web, world):
    admin = await make_actor(app, "admin", username="admin-sdm")
    await _as(web, admin)
    html = (await web.get(f"/sdm?tahun={YEAR}")).text
    assert "Semua unit" in html and "Pemerintah Kota Padang Panjang" in html
    assert (await web.get(f"/sdm/pegawai/{world['outsider']}")).status_code == 200


async def test_exports_download_with_the_page_session(web, world):
    await _as(web, world["hr"])
    page = await web.get(f"/sdm/ekspor?tahun={YEAR}")
    assert 'href="/sdm/ekspor/kepatuhan-jp.xlsx?tahun=2026"' in page.text
    xlsx = await web.get(f"/sdm/ekspor/kepatuhan-jp.xlsx?tahun={YEAR}")
    assert xlsx.status_code == 200 and xlsx.content.startswith(b"PK")
    assert 'filename="kepatuhan-jp-2026.xlsx"' in xlsx.headers["content-disposition"]
    csv = await web.get(f"/sdm/ekspor/kepatuhan-jp.csv?tahun={YEAR}")
    assert csv.status_code == 200 and "DPMPTSP Kota Padang Panjang" in csv.content.decode(
        "utf-8-sig"
    )
    siasn = await web.get(f"/sdm/ekspor/siasn.csv?tahun={YEAR}")
    assert siasn.status_code == 200 and siasn.headers["content-type"].startswith("text/csv")
    assert (await web.get(f"/sdm/ekspor/siasn.xlsx?tahun={YEAR}")).content.startswith(b"PK")
    assert (await web.get("/sdm/ekspor/lain.exe")).status_code in (400, 404)


async def test_skm_upload_shows_the_impact_chart_and_its_table(web, world):
    await _as(web, world["hr"])
    empty = await web.get("/sdm/skm")
    assert "Belum ada data SKM" in empty.text
    token = csrf_of(empty.text)
    refused = await web.post("/sdm/skm", files={"berkas": ("skm.csv", SKM_FILE.read_bytes())})
    assert refused.status_code == 403

    done = await web.post(
        "/sdm/skm",
        data={"_csrf_token": token},
        files={"berkas": ("skm.csv", SKM_FILE.read_bytes(), "text/csv")},
    )
    assert done.status_code == 200, done.text
    html = done.text
    assert "120 jawaban disimpan" in html
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in html and 'role="img"' in html
    assert "<caption>Nilai unsur per periode</caption>" in html
    assert re.search(r"<th scope=\"col\">2025-S1</th>", html)
    assert f'href="/sdm/skm/dampak.pdf?unit={world["unit"]["id"]}"' in html

    again = await web.post(
        "/sdm/skm",
        data={"_csrf_token": token},
        files={"berkas": ("skm.csv", SKM_FILE.read_bytes(), "text/csv")},
    )
    assert again.status_code == 400 and "notice-error" in again.text
    wrong = await web.post(
        "/sdm/skm", data={"_csrf_token": token}, files={"berkas": ("x.csv", b"a,b\n1,2\n")}
    )
    assert wrong.status_code == 400 and 'role="alert"' in wrong.text

    shown = await web.get(f"/sdm/skm?unit={world['unit']['id']}")
    assert "Dampak pelatihan: DPMPTSP Kota Padang Panjang" in shown.text
    pdf = await web.get(f"/sdm/skm/dampak.pdf?unit={world['unit']['id']}")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_the_page_chart_names_itself_and_escapes_periods():
    svg = element_bars(["<b>", "2026-S1"], [{"U1": 80.0}, {"U1": 90.5}], title="Grafik & data")
    assert svg.startswith("<svg") and 'role="img"' in svg
    assert '<title id="grafik-judul">Grafik &amp; data</title>' in svg
    assert "&lt;b&gt;" in svg and "<b>" not in svg
    assert "90,5" in svg

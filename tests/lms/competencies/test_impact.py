"""The training-impact report: SKM per period beside the staff trained by then."""

from __future__ import annotations

import datetime as dt
import io
from uuid import uuid4

import pytest
from pypdf import PdfReader

from lms.competencies.chart import element_chart
from lms.competencies.ledger import revoke_session_credit
from tests.conftest import SHARED_DATA
from tests.factories import make_actor, make_person, make_unit
from tests.lms.builders.competencies import credit

IMPACT = "/api/v1/reports/training-impact"


@pytest.fixture
async def trained_unit(app, client, hr, unit, other_unit):
    """DPMPTSP with the sample SKM file, the sample framework and seven staff."""
    for name in ("competencies_pelayanan_publik.csv", "skm_dpmptsp_2025_2026.csv"):
        url = "/api/v1/competencies/import" if name.startswith("comp") else "/api/v1/skm/surveys"
        data = (SHARED_DATA / name).read_bytes()
        resp = await client.post(url, files={"file": (name, data, "text/csv")}, headers=hr.headers)
        assert resp.is_success, resp.text
    front_office = await make_unit("FO-DPMPTSP", "Front Office", unit)
    staff = {n: await make_person(unit["id"], n) for n in "ABDEFH"}
    staff["C"] = await make_person(front_office["id"], "C")
    outsider = await make_person(other_unit["id"], "G")
    nov, feb = dt.date(2025, 11, 20), dt.date(2026, 2, 10)
    await credit(staff["A"], 24, start=nov, end=nov, title="Pelatihan PELAYANAN PRIMA Angkatan I")
    await credit(staff["B"], 8, start=feb, end=feb, title="Bimtek Komunikasi", codes=["PP-02"])
    await credit(
        staff["C"],
        8,
        start=dt.date(2025, 3, 1),
        end=dt.date(2025, 3, 1),
        title="Integritas Layanan",
        codes=["PP-06"],
    )
    await credit(staff["D"], 16, title="Pengelolaan Keuangan Daerah", codes=["PP-04"])
    hr_url = f"/api/v1/people/{staff['E']}/learning-records"
    e_actor = await make_actor(app, "participant", person_id=staff["E"], unit_id=unit["id"])
    pending = await client.post(
        hr_url,
        json={
            "title": "Kursus daring",
            "organizer": "LAN",
            "jenis_diklat": 3,
            "start_date": "2025-05-01",
            "end_date": "2025-05-02",
            "jp": 8,
            "competency_codes": ["PP-01"],
        },
        headers=e_actor.headers,
    )
    assert pending.json()["status"] == "pending"
    revoked = uuid4()
    await credit(staff["F"], 24, session_id=revoked, start=nov, end=nov, title="Pelayanan Prima")
    await revoke_session_credit(person_id=staff["F"], session_id=revoked, reason="x", actor=None)
    july = dt.date(2026, 7, 15)
    await credit(staff["H"], 24, start=july, end=july, title="Pelayanan Prima Angkatan II")
    await credit(outsider, 24, start=nov, end=nov, title="Pelayanan Prima")
    return unit


async def test_impact_report_puts_ikm_beside_trained_staff(client, organizer, trained_unit):
    resp = await client.get(IMPACT, headers=organizer.headers)
    assert resp.status_code == 200, resp.text
    report = resp.json()
    assert report["unit_code"] == "DPMPTSP-PPJ"
    assert report["service_competency_codes"] == ["PP-01", "PP-02", "PP-06"]
    rows = [
        (
            p["period"],
            p["ikm"],
            p["category"],
            p["u6_nrr"],
            p["u7_nrr"],
            p["u6_ikm"],
            p["u7_ikm"],
            p["staff"],
            p["trained_staff"],
            p["trained_share_percent"],
        )
        for p in report["periods"]
    ]
    assert rows == [
        ("2025-S1", "77.22", "B", "2.9667", "3.1000", "74.17", "77.50", 7, 1, "14.29"),
        ("2026-S1", "80.42", "B", "3.3833", "3.5167", "84.58", "87.92", 7, 3, "42.86"),
    ]
    assert report["change"] == {
        "from_period": "2025-S1",
        "to_period": "2026-S1",
        "ikm_change": "3.20",
        "u6_nrr_change": "0.4166",
        "u7_nrr_change": "0.4167",
        "trained_staff_change": 2,
    }
    assert (
        "U6" in report["training_definition"] and "pelayanan prima" in report["training_definition"]
    )


async def test_impact_pdf_is_readable(client, hr, trained_unit):
    resp = await client.get(
        IMPACT, params={"unit_id": str(trained_unit["id"]), "format": "pdf"}, headers=hr.headers
    )
    assert resp.status_code == 200, resp.text
    assert resp.content.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(resp.content))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert "DAMPAK PELATIHAN TERHADAP KUALITAS PELAYANAN" in text
    assert "77,22 → 80,42" in text
    assert "2,97 → 3,38" in text  # U6 NRR before and after
    assert "1 / 7" in text and "3 / 7" in text
    assert "IKM +3,20 poin" in text
    assert "2025-S1" in text and "2026-S1" in text  # chart legend and table
    # The unit's population is not set: the report says the sample cannot be judged.
    words = " ".join(text.split())
    assert "Kecukupan sampel" in words and "belum diatur (60 responden)" in words


def test_chart_draws_nine_groups_of_bars_per_period():
    svg = element_chart(
        ["2025-S1", "<b>2026</b>"],
        [{f"U{i}": 70.0 + i for i in range(1, 10)}, {f"U{i}": 80.0 for i in range(1, 10)}],
    )
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert svg.count("<rect") == 18 + 2  # 9 elements x 2 periods + 2 legend swatches
    assert "&lt;b&gt;2026&lt;/b&gt;" in svg and "<b>" not in svg
    assert 'font-weight="bold">U6<' in svg and 'font-weight="bold">U7<' in svg
    assert "76,0" in svg  # U6 before, printed the Indonesian way


async def test_unit_without_surveys_and_scope(client, hr, admin, organizer, other_unit):
    empty = (
        await client.get(IMPACT, params={"unit_id": str(other_unit["id"])}, headers=hr.headers)
    ).json()
    assert empty["periods"] == [] and empty["change"] is None
    pdf = await client.get(
        IMPACT, params={"unit_id": str(other_unit["id"]), "format": "pdf"}, headers=hr.headers
    )
    assert "Belum ada survei" in PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    hidden = await client.get(
        IMPACT, params={"unit_id": str(other_unit["id"])}, headers=organizer.headers
    )
    assert hidden.status_code == 404
    assert (await client.get(IMPACT, headers=admin.headers)).status_code == 400

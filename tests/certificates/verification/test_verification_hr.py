"""HR verification: a batch of numbers or codes (JSON, CSV, XLSX) and an uploaded PDF."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from functools import cache

import openpyxl
import pytest

from certificates.verification.batch import MAX_BATCH_ITEMS
from tests.certificates.verification.test_verification import insert_certificate


async def two_certificates(unit: dict) -> tuple[dict, dict]:
    valid = await insert_certificate(unit, number="001/PP/DPMPTSP/XI/2026", code="KODEVALID0001")
    revoked = await insert_certificate(
        unit,
        number="002/PP/DPMPTSP/XI/2026",
        code="KODEREVOKED02",
        status="revoked",
        revoked_at=dt.datetime(2026, 12, 1, tzinfo=dt.UTC),
        revocation={"category": "salah_data", "reason": "Nama salah"},
    )
    return valid, revoked


async def test_batch_answers_one_row_per_item_in_order(client, hr, unit):
    valid, revoked = await two_certificates(unit)
    items = [
        "001/PP/DPMPTSP/XI/2026",
        "  KODEREVOKED02 ",
        "https://prima.test/verify/KODEVALID0001?lang=en",
        "999/PP/DPMPTSP/XI/2026",
        "001/PP/DPMPTSP/XI/2026",
    ]

    response = await client.post("/api/v1/verify/batch", json={"items": items}, headers=hr.headers)

    assert response.status_code == 200
    body = response.json()
    assert (body["total"], body["found"]) == (5, 4)
    rows = body["items"]
    assert [row["input"] for row in rows] == items
    assert [row["found"] for row in rows] == [True, True, True, False, True]
    assert [row["status"] for row in rows] == ["valid", "revoked", "valid", None, "valid"]
    assert rows[0] == {
        "input": "001/PP/DPMPTSP/XI/2026",
        "found": True,
        "status": "valid",
        "status_label": "SAH",
        "certificate_id": str(valid["id"]),
        "number": "001/PP/DPMPTSP/XI/2026",
        "verify_url": "https://prima.test/verify/KODEVALID0001",
        "holder_name": "Muh. Ma'ruf, S.Sos., M.Si.",
        "nip": "19860926 201505 1 001",
        "course": "Pelatihan Pelayanan Prima",
        "jp": "24.00",
        "issued_at": "2026-11-22T03:00:00Z",
        "valid_until": None,
        "superseded_by": None,
    }
    assert rows[1]["certificate_id"] == str(revoked["id"])
    assert rows[3] == {
        "input": "999/PP/DPMPTSP/XI/2026",
        "found": False,
        "status": None,
        "status_label": None,
        "certificate_id": None,
        "number": None,
        "verify_url": None,
        "holder_name": None,
        "nip": None,
        "course": None,
        "jp": None,
        "issued_at": None,
        "valid_until": None,
        "superseded_by": None,
    }


async def test_batch_masks_the_nip_outside_the_callers_scope(client, other_organizer, unit):
    await two_certificates(unit)

    response = await client.post(
        "/api/v1/verify/batch",
        json={"items": ["KODEVALID0001"]},
        headers=other_organizer.headers,
    )

    row = response.json()["items"][0]
    assert (row["found"], row["status"]) == (True, "valid")
    assert row["nip"] == "1986**** ****** * 001"
    assert row["certificate_id"] is None


async def test_batch_reads_a_csv_by_its_nomor_column(client, hr, unit):
    await two_certificates(unit)
    csv = (
        "\ufeffNo;Nama;Nomor\r\n"
        "1;Muh. Ma'ruf;001/PP/DPMPTSP/XI/2026\r\n"
        "2;Siapa;404/PP/DPMPTSP/XI/2026\r\n"
        "3;Lagi;002/PP/DPMPTSP/XI/2026\r\n"
    ).encode()

    response = await client.post(
        "/api/v1/verify/batch",
        files={"file": ("cek.csv", csv, "text/csv")},
        headers=hr.headers,
    )

    assert response.status_code == 200
    rows = response.json()["items"]
    assert [(r["input"], r["status"]) for r in rows] == [
        ("001/PP/DPMPTSP/XI/2026", "valid"),
        ("404/PP/DPMPTSP/XI/2026", None),
        ("002/PP/DPMPTSP/XI/2026", "revoked"),
    ]


async def test_batch_reads_the_first_column_of_an_xlsx(client, hr, unit):
    await two_certificates(unit)
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Sertifikat", "Keterangan"])
    sheet.append(["KODEREVOKED02", "dari pelamar"])
    sheet.append(["KODEVALID0001", ""])
    buffer = io.BytesIO()
    workbook.save(buffer)

    response = await client.post(
        "/api/v1/verify/batch",
        files={"file": ("cek.xlsx", buffer.getvalue(), "application/octet-stream")},
        headers=hr.headers,
    )

    assert response.status_code == 200
    rows = response.json()["items"]
    assert [(r["input"], r["status"], r["number"]) for r in rows] == [
        ("KODEREVOKED02", "revoked", "002/PP/DPMPTSP/XI/2026"),
        ("KODEVALID0001", "valid", "001/PP/DPMPTSP/XI/2026"),
    ]


async def test_batch_refuses_more_than_5000_items(client, hr):
    items = [f"{n:04d}/PP/X/2026" for n in range(MAX_BATCH_ITEMS + 1)]
    too_many = await client.post("/api/v1/verify/batch", json={"items": items}, headers=hr.headers)
    rows = "kode\n" + "\n".join(items) + "\n"
    too_many_rows = await client.post(
        "/api/v1/verify/batch",
        files={"file": ("cek.csv", rows.encode(), "text/csv")},
        headers=hr.headers,
    )
    just_enough = await client.post(
        "/api/v1/verify/batch", json={"items": items[:MAX_BATCH_ITEMS]}, headers=hr.headers
    )

    assert too_many.status_code == 413
    assert too_many_rows.status_code == 413
    assert "5000" in too_many_rows.json()["detail"]
    assert just_enough.status_code == 200
    assert just_enough.json()["found"] == 0


async def test_batch_bad_bodies_are_400(client, hr):
    not_json = await client.post(
        "/api/v1/verify/batch",
        content=b"{items",
        headers={**hr.headers, "content-type": "application/json"},
    )
    wrong_shape = await client.post(
        "/api/v1/verify/batch", json={"items": "KODE"}, headers=hr.headers
    )
    unknown_field = await client.post(
        "/api/v1/verify/batch", json={"items": [], "x": 1}, headers=hr.headers
    )
    no_file = await client.post(
        "/api/v1/verify/batch", files={"other": ("a.csv", b"x", "text/csv")}, headers=hr.headers
    )
    not_a_table = await client.post(
        "/api/v1/verify/batch",
        files={"file": ("a.pdf", b"%PDF-1.7", "application/pdf")},
        headers=hr.headers,
    )
    assert [
        r.status_code for r in (not_json, wrong_shape, unknown_field, no_file, not_a_table)
    ] == [400, 400, 400, 400, 400]


async def test_batch_and_pdf_are_for_hr_organizers_and_admins(client, participant, admin):
    anonymous = await client.post("/api/v1/verify/batch", json={"items": ["x"]})
    as_participant = await client.post(
        "/api/v1/verify/batch", json={"items": ["x"]}, headers=participant.headers
    )
    pdf_participant = await client.post(
        "/api/v1/verify/pdf",
        files={"file": ("a.pdf", b"%PDF-1.7", "application/pdf")},
        headers=participant.headers,
    )
    as_admin = await client.post(
        "/api/v1/verify/batch", json={"items": ["x"]}, headers=admin.headers
    )
    assert [anonymous.status_code, as_participant.status_code, pdf_participant.status_code] == [
        401,
        403,
        403,
    ]
    assert as_admin.status_code == 200


# -- uploaded PDF ------------------------------------------------------------------------------


@cache
def _rendered_pdf() -> bytes:
    from weasyprint import HTML

    return HTML(string="<h1>SERTIFIKAT</h1><p>Muh. Ma'ruf, S.Sos., M.Si.</p>").write_pdf()


@pytest.fixture
def signed_pdf(app) -> bytes:
    """A PDF signed by this installation's signer (the demo one in tests)."""
    from certificates.rendering.signer_config import get_signer

    return get_signer(app.state.settings).sign(_rendered_pdf())


async def test_pdf_byte_for_byte_is_ours_with_its_status(client, hr, unit, signed_pdf):
    digest = hashlib.sha256(signed_pdf).hexdigest()
    cert = await insert_certificate(unit, pdf_sha256=digest, code="KODEPDF000001")

    response = await client.post(
        "/api/v1/verify/pdf",
        files={"file": ("sertifikat.pdf", signed_pdf, "application/pdf")},
        headers=hr.headers,
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["ours"], body["sha256"], body["size"]) == (True, digest, len(signed_pdf))
    assert body["certificate"]["number"] == cert["number"]
    assert body["certificate"]["status"] == "valid"
    assert body["certificate"]["verify_url"] == "https://prima.test/verify/KODEPDF000001"
    signature = body["signature"]
    assert signature["ok"] is True
    assert [signature[k] for k in ("present", "intact", "valid", "ours", "covers_whole_file")] == [
        True,
        True,
        True,
        True,
        True,
    ]
    assert "Penandatangan Demo Prima" in signature["signer"]


async def test_an_edited_pdf_is_not_ours_even_with_the_same_text(client, hr, unit, signed_pdf):
    import pypdf

    await insert_certificate(unit, pdf_sha256=hashlib.sha256(signed_pdf).hexdigest())
    # The same pages written again (what "print to PDF" or an editor does): same text.
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(signed_pdf)))
    rewritten = io.BytesIO()
    writer.write(rewritten)
    # One byte changed inside the signed range.
    flipped = bytearray(signed_pdf)
    position = signed_pdf.index(b"stream") + 20
    flipped[position] ^= 0x01

    same_text = await client.post(
        "/api/v1/verify/pdf",
        files={"file": ("s.pdf", rewritten.getvalue(), "application/pdf")},
        headers=hr.headers,
    )
    one_byte = await client.post(
        "/api/v1/verify/pdf",
        files={"file": ("s.pdf", bytes(flipped), "application/pdf")},
        headers=hr.headers,
    )

    assert "SERTIFIKAT" in pypdf.PdfReader(io.BytesIO(rewritten.getvalue())).pages[0].extract_text()
    for response in (same_text, one_byte):
        assert response.status_code == 200
        body = response.json()
        assert (body["ours"], body["certificate"]) == (False, None)
        assert body["signature"]["ok"] is False
    assert one_byte.json()["signature"]["present"] is True
    assert one_byte.json()["signature"]["intact"] is False


async def test_an_unsigned_unknown_pdf_and_a_non_pdf(client, organizer):
    unsigned = await client.post(
        "/api/v1/verify/pdf",
        files={"file": ("x.pdf", _rendered_pdf(), "application/pdf")},
        headers=organizer.headers,
    )
    not_pdf = await client.post(
        "/api/v1/verify/pdf",
        files={"file": ("x.pdf", b"GIF89a....", "application/pdf")},
        headers=organizer.headers,
    )

    assert unsigned.status_code == 200
    assert unsigned.json()["ours"] is False
    assert unsigned.json()["signature"] == {
        "present": False,
        "intact": False,
        "valid": False,
        "ours": False,
        "trusted": False,
        "covers_whole_file": False,
        "signer": None,
        "signed_at": None,
        "ok": False,
    }
    assert not_pdf.status_code == 400

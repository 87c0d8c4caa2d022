"""Verification codes people can type: case, spaces, dashes and look-alikes are forgiven, and
every code issued before (20 mixed-case characters) still verifies exactly."""

from __future__ import annotations

import pytest

from certificates.issuing.codes import lookup_forms, new_verification_code, normalize_code
from tests.certificates.verification.test_verification import insert_certificate

CODE = "K7QM-2XW9-RT4H-BP3N"


@pytest.mark.parametrize(
    "typed",
    [
        "K7QM-2XW9-RT4H-BP3N",
        "k7qm-2xw9-rt4h-bp3n",
        "K7QM2XW9RT4HBP3N",
        " k7qm 2xw9 rt4h bp3n ",
        "K7QM – 2XW9 – RT4H – BP3N",
    ],
)
def test_typed_forms_normalize_to_the_printed_code(typed):
    assert normalize_code(typed) == CODE


def test_look_alikes_read_as_digits():
    assert normalize_code("OOOO-IIII-LLLL-oil1") == "0000-1111-1111-0111"


@pytest.mark.parametrize(
    "typed", ["", "K7QM-2XW9-RT4H", "K7QM-2XW9-RT4H-BP3N-X", "U7QM2XW9RT4HBP3N"]
)
def test_what_cannot_be_a_code_normalizes_to_none(typed):
    assert normalize_code(typed) is None


def test_the_exact_text_is_looked_up_first():
    old = "Ab3dEfGh1jKlMnOpQr_-"
    assert lookup_forms(old) == [old]
    assert lookup_forms("k7qm2xw9rt4hbp3n") == ["k7qm2xw9rt4hbp3n", CODE]
    assert lookup_forms(CODE) == [CODE]
    assert normalize_code(new_verification_code()) is not None


async def test_public_verify_forgives_case_spaces_dashes_and_look_alikes(client, unit):
    await insert_certificate(unit, code="K7Q0-2XW9-RT4H-BP31")
    for typed in (
        "K7Q0-2XW9-RT4H-BP31",
        "k7qo2xw9rt4hbp3l",
        "K7QO 2XW9 RT4H BP3I",
    ):
        response = await client.get(f"/api/v1/verify/{typed}")
        assert response.status_code == 200, typed
        assert response.json()["status"] == "valid"
        page = await client.get(f"/verify/{typed}")
        assert page.status_code == 200, typed
        assert "001/PP/DPMPTSP/XI/2026" in page.text
    assert (await client.get("/api/v1/verify/K7Q0-2XW9-RT4H-BP32")).status_code == 404


async def test_codes_issued_before_still_verify_exactly(client, unit):
    old = await insert_certificate(unit, code="Ab3dEfGh1jKlMnOpQr_-")
    response = await client.get(f"/api/v1/verify/{old['code']}")
    assert response.status_code == 200
    assert response.json()["number"] == old["number"]
    # Old codes are case-sensitive: another case is another (unknown) code.
    assert (await client.get("/api/v1/verify/ab3defgh1jklmnopqr_-")).status_code == 404


async def test_hr_batch_finds_typed_codes(client, hr, unit):
    await insert_certificate(unit, code="K7Q0-2XW9-RT4H-BP31")
    old = await insert_certificate(
        unit, number="002/PP/DPMPTSP/XI/2026", code="Ab3dEfGh1jKlMnOpQr_-"
    )
    response = await client.post(
        "/api/v1/verify/batch",
        json={"items": ["k7qo 2xw9 rt4h bp3l", old["code"], "https://x/verify/K7Q02XW9RT4HBP31"]},
        headers=hr.headers,
    )
    assert response.status_code == 200, response.text
    assert [(row["found"], row.get("number")) for row in response.json()["items"]] == [
        (True, "001/PP/DPMPTSP/XI/2026"),
        (True, "002/PP/DPMPTSP/XI/2026"),
        (True, "001/PP/DPMPTSP/XI/2026"),
    ]

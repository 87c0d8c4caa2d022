"""The "cek sertifikat" form: what a person types from paper finds the certificate."""

from __future__ import annotations

import pytest

from certificates.verification.lookup import clean_typed, fold_typed
from tests.certificates.verification.test_verification import insert_certificate

CODE = "Ol1I0aZk-Q_xYlOo9sTe"


@pytest.mark.parametrize(
    ("typed", "folded"),
    [
        ("  001 / PP / DPMPTSP / XI / 2026 ", "001/PP/DPMPTSP/X1/2026"),
        ("ol1i0azk-q_xylOo9ste", "01110AZK-Q_XY1009STE"),
        ("https://prima.test/verify/Ol1I0aZk-Q_xYlOo9sTe?lang=en", "01110AZK-Q_XY1009STE"),
    ],
)
def test_typed_text_folds_case_spaces_and_look_alikes(typed, folded):
    assert fold_typed(typed) == folded


def test_clean_keeps_case_and_drops_spaces():
    assert clean_typed(" Ol1I 0aZk ") == "Ol1I0aZk"


@pytest.mark.parametrize(
    "typed",
    [
        CODE,
        "0L1l OAzK-q_Xy1o0 9STE",  # case, spaces, O/0 and l/1/I swapped
        "001/pp/dpmptsp/xi/2026",
        "OO1 / PP / DPMPTSP / Xl / 2O26",
        f"https://prima.test/verify/{CODE}",
    ],
)
async def test_the_form_opens_the_certificates_page(web, unit, typed):
    await insert_certificate(unit, code=CODE)

    resp = await web.get("/verify", params={"q": typed})

    assert resp.status_code == 303
    assert resp.headers["location"] == f"/verify/{CODE}"


async def test_nothing_found_shows_the_form_again_with_the_reason(web, unit):
    await insert_certificate(unit, code=CODE)

    resp = await web.get("/verify", params={"q": "999/PP/<b>X</b>"})

    assert resp.status_code == 404
    assert "Sertifikat dengan nomor atau kode ini tidak ditemukan." in resp.text
    assert 'value="999/PP/&lt;b&gt;X&lt;/b&gt;"' in resp.text
    assert 'aria-invalid="true"' in resp.text


async def test_a_nul_in_the_address_is_refused_before_the_page(web, unit):
    # NUL is refused the same way on every route and both engines (lms.shared.input_guard).
    await insert_certificate(unit, code=CODE)
    resp = await web.get("/verify", params={"q": "\x00abc"})
    assert resp.status_code == 400


async def test_verify_without_a_code_is_the_form(web):
    resp = await web.get("/verify")

    assert resp.status_code == 200
    assert "<h1>Cek sertifikat</h1>" in resp.text
    assert 'name="q"' in resp.text


@pytest.mark.parametrize("typed", ["a" * 300, "%", "'; DROP TABLE certificate; --"])
async def test_odd_input_is_not_found_not_an_error(web, unit, typed):
    await insert_certificate(unit, code=CODE)

    resp = await web.get("/verify", params={"q": typed})

    assert resp.status_code == 404
    assert "tidak ditemukan" in resp.text


async def test_the_verify_page_is_gzipped_for_a_phone_that_accepts_it(web, unit):
    await insert_certificate(unit, code=CODE)

    plain = await web.get(f"/verify/{CODE}", headers={"accept-encoding": "identity"})
    packed = await web.get(f"/verify/{CODE}", headers={"accept-encoding": "gzip"})

    assert plain.status_code == packed.status_code == 200
    assert "content-encoding" not in plain.headers
    assert packed.headers["content-encoding"] == "gzip"
    assert packed.text == plain.text
    assert int(packed.headers["content-length"]) < len(plain.content) / 2

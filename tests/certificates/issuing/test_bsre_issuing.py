"""Issuing with BSrE signing (``LMS_SIGNER=bsre``) through the API, against the fake Esign
Client: signed certificates that the PDF check trusts, the per-certificate signing log, and a
refusal or a timeout failing the job with nothing stored and no number used."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec
import pytest

from lms.config import get_settings
from tests.certificates.builders.issuing import (  # noqa: F401 (render_pool is a fixture)
    finalized_session,
    issue_and_wait,
    number,
    render_pool,
    set_profile,
)
from tests.fakes.bsre import NIK, PASSPHRASE, PASSWORD, USER, FakeBsre, make_test_ca

pytestmark = pytest.mark.usefixtures("render_pool")


@pytest.fixture(scope="module")
def server() -> Iterator[FakeBsre]:
    fake = FakeBsre(make_test_ca()).start()
    yield fake
    fake.stop()


@pytest.fixture
def bsre(server: FakeBsre, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeBsre]:
    """The app signs with BSrE (the fake), and its PDF check trusts the fake's root.

    The app under test was built with the suite's settings (the demo signer), so the two places
    that ask which signer is configured are pointed at a BSrE setup built from real settings.
    """
    from certificates.issuing import remote_signing
    from certificates.rendering import signer_config
    from certificates.verification import controllers

    server.fault, server.fail_times, server.delay = "", 1, 0.0
    server.calls.clear()
    settings = msgspec.structs.replace(
        get_settings(),
        signer="bsre",
        bsre_url=server.url,
        bsre_user=USER,
        bsre_password=PASSWORD,
        bsre_nik=NIK,
        bsre_passphrase=PASSPHRASE,
        bsre_trust_roots=str(server.write_roots(tmp_path)),
        bsre_timeout=5,
        bsre_retries=1,
        bsre_location="Padang Panjang",
    )
    setup = signer_config.signer_setup(settings)
    setup.signer.backoff = 0.0
    monkeypatch.setattr(remote_signing, "signer_setup", lambda _settings: setup)
    monkeypatch.setattr(controllers, "signer_setup", lambda _settings: setup)
    yield server
    signer_config.reset_signer_cache()


async def _issued(client, organizer, session_id) -> list[dict]:
    resp = await client.get(
        "/api/v1/certificates", params={"session_id": str(session_id)}, headers=organizer.headers
    )
    assert resp.status_code == 200, resp.text
    return sorted(resp.json()["items"], key=lambda item: item["number"])


async def _check_pdf(client, hr, pdf: bytes) -> dict:
    resp = await client.post(
        "/api/v1/verify/pdf",
        files={"file": ("sertifikat.pdf", pdf, "application/pdf")},
        headers=hr.headers,
    )
    assert resp.status_code == 200, resp.text
    return resp.json()


async def test_certificates_signed_by_bsre_verify_and_tampering_fails(
    app, client, organizer, hr, unit, bsre
):
    world = await finalized_session(organizer, unit)
    await set_profile(client, organizer)

    job = await issue_and_wait(client, organizer, world.session_id)

    assert (job["status"], job["errors"]) == ("succeeded", [])
    assert job["result"] == {"issued": 3, "skipped": 0, "failed": 0}
    assert len(bsre.calls) == 3
    assert {call["body"]["signatureProperties"][0]["tampilan"] for call in bsre.calls} == {
        "INVISIBLE"
    }
    items = await _issued(client, organizer, world.session_id)
    assert [item["number"] for item in items] == [number(1), number(2), number(3)]

    detail = await client.get(items[1]["links"]["self"], headers=organizer.headers)
    assert detail.status_code == 200
    body = detail.json()
    assert body["signed"] is True
    log = body["signing_log"]
    assert [
        (c["endpoint"], c["attempt"], c["outcome"], c["http_status"], c["error_code"]) for c in log
    ] == [("/api/v2/sign/pdf", 1, "signed", 200, "")]
    assert NIK not in detail.text and PASSPHRASE not in detail.text

    pdf = (await client.get(items[1]["links"]["pdf"], headers=organizer.headers)).content
    check = await _check_pdf(client, hr, pdf)
    assert check["ours"] is True
    assert check["certificate"]["number"] == number(2)
    signature = check["signature"]
    assert signature["ok"] is True
    assert (signature["trusted"], signature["covers_whole_file"]) == (True, True)
    assert "Syahrul" in signature["signer"]

    tampered = bytearray(pdf)
    tampered[pdf.index(b"stream") + 20] ^= 0x01
    check = await _check_pdf(client, hr, bytes(tampered))
    assert (check["ours"], check["certificate"]) == (False, None)
    assert (check["signature"]["ok"], check["signature"]["intact"]) == (False, False)


async def test_a_suspended_certificate_fails_the_job_and_keeps_numbering_gap_free(
    app, client, organizer, unit, bsre
):
    from certificates.tables import Certificate, CertificateSigningCall

    world = await finalized_session(organizer, unit)
    await set_profile(client, organizer)
    bsre.fault = "suspended"

    job = await issue_and_wait(client, organizer, world.session_id)

    assert job["status"] == "failed"
    assert [error["message"] for error in job["errors"]] == [
        "Pekerjaan gagal: BSrE menolak: sertifikat elektronik penandatangan dibekukan."
    ]
    assert await Certificate.count() == 0
    calls = await CertificateSigningCall.select().order_by(CertificateSigningCall.at)
    assert {(c["outcome"], c["http_status"], c["error_code"], c["bsre_code"]) for c in calls} == {
        ("refused", 400, "certificate_suspended", 2050)
    }
    assert {str(c["job_id"]) for c in calls} == {job["id"]}

    bsre.fault = ""
    again = await issue_and_wait(client, organizer, world.session_id)

    assert again["status"] == "succeeded"
    items = await _issued(client, organizer, world.session_id)
    assert [item["number"] for item in items] == [number(1), number(2), number(3)]
    first = await client.get(items[0]["links"]["self"], headers=organizer.headers)
    outcomes = [c["outcome"] for c in first.json()["signing_log"]]
    assert outcomes[-1] == "signed"


async def test_a_timeout_is_retried_then_fails_the_job(app, client, organizer, unit, bsre):
    from certificates.tables import Certificate, CertificateSigningCall

    world = await finalized_session(organizer, unit, credit=False)
    await set_profile(client, organizer)
    bsre.fault, bsre.delay = "slow", 3.0
    signer = bsre_signer()
    signer.timeout = 0.3

    job = await issue_and_wait(client, organizer, world.session_id)

    assert job["status"] == "failed"
    assert job["errors"][0]["message"] == (
        "Pekerjaan gagal: Layanan BSrE tidak menjawab dalam batas waktu."
    )
    assert await Certificate.count() == 0
    calls = await CertificateSigningCall.select(
        CertificateSigningCall.attempt, CertificateSigningCall.error_code
    ).order_by(CertificateSigningCall.attempt)
    assert [(c["attempt"], c["error_code"]) for c in calls][:2] == [
        (1, "timeout"),
        (2, "timeout"),
    ]


async def test_a_server_error_is_retried_and_logged(app, client, web, organizer, unit, bsre):
    from tests.lms.web.test_shell import login

    world = await finalized_session(organizer, unit)
    await set_profile(client, organizer)
    bsre.fault, bsre.fail_times = "server_error", 1

    job = await issue_and_wait(client, organizer, world.session_id)

    assert job["status"] == "succeeded"
    items = await _issued(client, organizer, world.session_id)
    logs = []
    for item in items:
        detail = await client.get(item["links"]["self"], headers=organizer.headers)
        logs.append([(c["outcome"], c["http_status"]) for c in detail.json()["signing_log"]])
    assert sorted(logs) == [
        [("failed", 500), ("signed", 200)],
        [("signed", 200)],
        [("signed", 200)],
    ]
    await login(web, organizer.username, "rahasia-123")
    page = await web.get(f"/kelola/sesi/{world.session_id}/sertifikat")
    assert page.status_code == 200
    text = " ".join(page.text.split())
    assert text.count("Log tanda tangan BSrE (1 panggilan)") == 2
    assert text.count("Log tanda tangan BSrE (2 panggilan)") == 1
    assert 'percobaan 1 · <span class="badge bad">gagal</span> · HTTP 500' in text
    assert "Layanan BSrE sedang bermasalah (galat server)." in text
    assert NIK not in page.text


async def test_the_template_places_a_visible_signature(app, client, organizer, unit, bsre):
    world = await finalized_session(organizer, unit)
    builtin = await client.get("/api/v1/certificate-templates/default", headers=organizer.headers)
    placement = {"visible": True, "page": 1, "x": 560, "y": 36, "width": 180, "height": 80}
    created = await client.post(
        "/api/v1/certificate-templates",
        json={
            "name": "Dengan tanda tangan tampak",
            "html": builtin.json()["html"],
            "css": builtin.json()["css"],
            "signature_placement": placement,
        },
        headers=organizer.headers,
    )
    assert created.status_code == 201, created.text
    assert created.json()["signature_placement"] == placement
    await set_profile(client, organizer, template_id=created.json()["id"])

    job = await issue_and_wait(client, organizer, world.session_id)

    assert job["status"] == "succeeded"
    properties = bsre.calls[0]["body"]["signatureProperties"][0]
    assert {k: properties[k] for k in ("tampilan", "page", "originX", "originY")} == {
        "tampilan": "VISIBLE",
        "page": 1,
        "originX": 560.0,
        "originY": 36.0,
    }
    assert (properties["width"], properties["height"]) == (180.0, 80.0)
    assert properties["location"] == "Padang Panjang"


async def test_a_reissue_refused_by_bsre_is_a_502_problem(app, client, organizer, unit, bsre):
    world = await finalized_session(organizer, unit)
    await set_profile(client, organizer)
    await issue_and_wait(client, organizer, world.session_id)
    items = await _issued(client, organizer, world.session_id)
    bsre.fault = "suspended"

    resp = await client.post(
        f"{items[0]['links']['self']}/reissue",
        json={"reason": "Perbaikan penulisan gelar"},
        headers=organizer.headers,
    )

    assert resp.status_code == 502, resp.text
    problem = resp.json()
    assert problem["detail"] == "BSrE menolak: sertifikat elektronik penandatangan dibekukan."
    assert problem["error_code"] == "certificate_suspended"
    assert [item["number"] for item in await _issued(client, organizer, world.session_id)] == [
        number(1),
        number(2),
        number(3),
    ]


def bsre_signer():
    """The BSrE signer the ``bsre`` fixture installed (to shorten its timeout)."""
    from certificates.issuing import remote_signing

    return remote_signing.signer_setup(get_settings()).signer


async def _chunk_signing(bsre_fake: FakeBsre, fault: str) -> tuple[list[bytes], dict]:
    """The distributed chunk's BSrE step on three rendered PDFs with ``fault`` set."""
    from types import SimpleNamespace
    from uuid import uuid4

    from certificates.issuing import distributed
    from certificates.issuing.remote_signing import RemoteSigning
    from certificates.rendering.bsre import INVISIBLE
    from tests.certificates.rendering.test_bsre import _pdf

    ctx: Any = SimpleNamespace(
        session=SimpleNamespace(id=uuid4()),
        issuer=SimpleNamespace(signature_placement=INVISIBLE, signature_image=None),
    )
    rows = [
        {"id": uuid4(), "code": f"KODE{i}", "person_id": uuid4(), "number": f"00{i}/PP"}
        for i in range(3)
    ]
    items: Any = [(row, None) for row in rows]
    errors: dict = {}
    bsre_fake.fault = fault
    signed = await distributed._sign_remote(
        RemoteSigning(bsre_signer(), ctx, uuid4()), items, [_pdf()] * 3, errors
    )
    return signed, {row["code"]: errors.get(row["id"]) for row in rows}


async def test_distributed_chunks_sign_each_pdf(app, bsre):
    signed, errors = await _chunk_signing(bsre, "")

    assert all(pdf.startswith(b"%PDF-") for pdf in signed)
    assert set(errors.values()) == {None}
    assert len(bsre.calls) == 3


async def test_distributed_chunk_refusal_keeps_numbers_with_the_reason(app, bsre):
    from certificates.tables import CertificateSigningCall

    signed, errors = await _chunk_signing(bsre, "suspended")

    assert signed == [b"", b"", b""]
    reason = "BSrE menolak: sertifikat elektronik penandatangan dibekukan."
    assert errors == {"KODE0": reason, "KODE1": reason, "KODE2": reason}
    assert len(bsre.calls) == 1  # the signer is refused: not asked again for the rest
    logged = await CertificateSigningCall.select(CertificateSigningCall.code)
    assert [row["code"] for row in logged] == ["KODE0"]


async def test_distributed_chunk_bad_pdfs_are_per_document(app, bsre):
    signed, errors = await _chunk_signing(bsre, "unsigned")

    assert signed == [b"", b"", b""]
    assert set(errors.values()) == {"PDF dari BSrE tidak memuat tanda tangan elektronik."}
    assert len(bsre.calls) == 3


async def test_distributed_chunk_timeout_fails_the_task(app, bsre):
    from certificates.rendering.bsre import BsreError

    bsre.delay = 3.0
    bsre_signer().timeout = 0.3

    with pytest.raises(BsreError) as caught:
        await _chunk_signing(bsre, "slow")

    assert caught.value.transient is True

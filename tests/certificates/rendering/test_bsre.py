"""The BSrE signer against the fake Esign Client: signatures, refusals, retries and checks."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

from certificates.rendering.bsre import (
    BsreError,
    BsreSigner,
    SignaturePlacement,
    SigningCallRecord,
    check_signed_pdf,
    decode_totp_secret,
    totp_code,
)
from tests.fakes.bsre import (
    NIK,
    PASSPHRASE,
    PASSWORD,
    SUBSCRIBER,
    TOTP_SECRET,
    USER,
    FakeBsre,
    make_test_ca,
    totp_secret_b32,
)


@cache
def _pdf() -> bytes:
    from weasyprint import HTML

    return HTML(string="<h1>SERTIFIKAT</h1><p>Afrizal, S.Sos.</p>").write_pdf()


@pytest.fixture(scope="module")
def server() -> Iterator[FakeBsre]:
    fake = FakeBsre(make_test_ca()).start()
    yield fake
    fake.stop()


@pytest.fixture
def fake(server: FakeBsre) -> FakeBsre:
    server.fault, server.fail_times, server.delay = "", 1, 0.0
    server.calls.clear()
    return server


def _signer(fake: FakeBsre, **changes) -> BsreSigner:
    options = {
        "url": fake.url,
        "user": USER,
        "password": PASSWORD,
        "nik": NIK,
        "passphrase": PASSPHRASE,
        "trust_roots": (fake.ca.root_der,),
        "retries": 2,
        "backoff": 0.0,
        "timeout": 5.0,
    }
    return BsreSigner(**(options | changes))


async def _check(signed: bytes, fake: FakeBsre) -> None:
    """``check_signed_pdf`` in a thread, as the signer runs it (it runs its own event loop)."""
    await asyncio.to_thread(check_signed_pdf, signed, (fake.ca.root_der,))


async def _refusal(signer: BsreSigner, log: list[SigningCallRecord]) -> BsreError:
    with pytest.raises(BsreError) as caught:
        await signer.sign_async(_pdf(), on_call=log.append)
    return caught.value


async def test_a_person_signs_invisibly_and_the_pdf_is_checked(fake):
    log: list[SigningCallRecord] = []

    signed = await _signer(fake).sign_async(_pdf(), on_call=log.append)

    await _check(signed, fake)  # trusted, intact, whole file
    assert signed.startswith(_pdf())  # an incremental update of what was rendered
    (call,) = fake.calls
    assert call["path"] == "/api/v2/sign/pdf"
    assert call["auth_ok"] is True
    body = call["body"]
    assert (body["nik"], body["passphrase"]) == (NIK, PASSPHRASE)
    assert body["signatureProperties"] == [
        {"tampilan": "INVISIBLE", "location": "", "reason": "Penerbitan sertifikat pelatihan"}
    ]
    assert len(body["file"]) == 1
    assert [(c.endpoint, c.attempt, c.outcome, c.http_status, c.error_code) for c in log] == [
        ("/api/v2/sign/pdf", 1, "signed", 200, "")
    ]


async def test_a_visible_signature_is_placed_as_the_template_says(fake):
    placement = SignaturePlacement(visible=True, page=1, x=600, y=40, width=160, height=70)

    signed = await _signer(fake, location="Padang Panjang").sign_async(
        _pdf(), placement=placement, image="iVBORw0KGgo="
    )

    properties = fake.calls[0]["body"]["signatureProperties"][0]
    assert properties == {
        "tampilan": "VISIBLE",
        "location": "Padang Panjang",
        "reason": "Penerbitan sertifikat pelatihan",
        "page": 1,
        "originX": 600.0,
        "originY": 40.0,
        "width": 160.0,
        "height": 70.0,
        "imageBase64": "iVBORw0KGgo=",
    }
    await _check(signed, fake)


async def test_the_seal_sends_the_subscriber_and_the_current_totp(fake):
    seal = _signer(
        fake, mode="seal", nik="", passphrase="", subscriber_id=SUBSCRIBER,
        totp_secret=decode_totp_secret(totp_secret_b32()),
    )  # fmt: skip

    signed = await seal.sign_async(_pdf())

    body = fake.calls[0]["body"]
    assert fake.calls[0]["path"] == "/api/v2/seal/pdf"
    assert body["idSubscriber"] == SUBSCRIBER
    assert body["totp"].isdigit() and len(body["totp"]) == 6
    assert "nik" not in body and "passphrase" not in body
    await _check(signed, fake)
    assert seal.describe() == {
        "kind": "bsre",
        "mode": "seal",
        "url": fake.url,
        "signer": f"segel {SUBSCRIBER}",
    }


def test_totp_follows_rfc_6238():
    # RFC 6238 appendix B, SHA-1, T = 59 s: 94287082 (8 digits), so 287082 with 6.
    assert totp_code(b"12345678901234567890", 59) == "287082"
    assert decode_totp_secret("gezd gnbv gy3t qojq gezd gnbv gy3t qojq") == b"12345678901234567890"
    with pytest.raises(ValueError):
        decode_totp_secret("not base32!")


async def test_a_wrong_totp_is_refused(fake):
    seal = _signer(
        fake, mode="seal", nik="", passphrase="", subscriber_id=SUBSCRIBER,
        totp_secret=TOTP_SECRET + b"x",
    )  # fmt: skip
    log: list[SigningCallRecord] = []

    error = await _refusal(seal, log)

    assert (error.code, error.transient) == ("wrong_totp", False)
    assert len(fake.calls) == 1


async def test_a_wrong_passphrase_is_refused_at_once(fake):
    log: list[SigningCallRecord] = []

    error = await _refusal(_signer(fake, passphrase="salah"), log)

    assert (error.code, error.transient, error.bsre_code) == ("wrong_passphrase", False, 2031)
    assert error.message == "BSrE menolak: passphrase penandatangan salah."
    assert len(fake.calls) == 1  # never retried
    assert [(c.outcome, c.http_status, c.error_code, c.bsre_code) for c in log] == [
        ("refused", 400, "wrong_passphrase", 2031)
    ]


async def test_an_unregistered_nik_and_wrong_basic_auth(fake):
    nik = await _refusal(_signer(fake, nik="1375019999990001"), [])
    auth = await _refusal(_signer(fake, password="salah"), [])

    assert (nik.code, nik.bsre_code) == ("not_registered", 2011)
    assert (auth.code, auth.http_status) == ("auth_failed", 401)
    assert "NIK penandatangan tidak terdaftar" in nik.message


async def test_a_suspended_certificate_is_a_clear_refusal(fake):
    fake.fault = "suspended"
    log: list[SigningCallRecord] = []

    error = await _refusal(_signer(fake), log)

    assert (error.code, error.transient) == ("certificate_suspended", False)
    assert error.message == "BSrE menolak: sertifikat elektronik penandatangan dibekukan."
    assert error.status == 502
    assert len(fake.calls) == 1


async def test_a_server_error_is_retried_then_signed(fake):
    fake.fault, fake.fail_times = "server_error", 2
    log: list[SigningCallRecord] = []

    signed = await _signer(fake).sign_async(_pdf(), on_call=log.append)

    await _check(signed, fake)
    assert [(c.attempt, c.outcome, c.http_status, c.error_code) for c in log] == [
        (1, "failed", 500, "server_error"),
        (2, "failed", 500, "server_error"),
        (3, "signed", 200, ""),
    ]


async def test_server_errors_beyond_the_retries_fail(fake):
    fake.fault, fake.fail_times = "server_error", 5

    error = await _refusal(_signer(fake, retries=1), [])

    assert (error.code, error.transient) == ("server_error", True)
    assert len(fake.calls) == 2


async def test_a_slow_service_times_out_after_its_retries(fake):
    fake.fault, fake.delay = "slow", 2.0
    log: list[SigningCallRecord] = []

    error = await _refusal(_signer(fake, timeout=0.3, retries=1), log)

    assert (error.code, error.transient, error.http_status) == ("timeout", True, None)
    assert error.message == "Layanan BSrE tidak menjawab dalam batas waktu."
    assert [(c.attempt, c.outcome, c.error_code) for c in log] == [
        (1, "failed", "timeout"),
        (2, "failed", "timeout"),
    ]


async def test_an_unreachable_service():
    signer = BsreSigner(
        url="http://127.0.0.1:9",
        user=USER,
        password=PASSWORD,
        nik=NIK,
        passphrase=PASSPHRASE,
        retries=0,
    )

    error = await _refusal(signer, [])

    assert error.code == "unreachable"


@pytest.mark.parametrize(
    ("fault", "code"),
    [
        ("unsigned", "unsigned_pdf"),
        ("appended", "partial_signature"),
        ("garbage", "bad_response"),
    ],
)
async def test_a_bad_pdf_from_bsre_is_refused(fake, fault, code):
    fake.fault = fault
    log: list[SigningCallRecord] = []

    error = await _refusal(_signer(fake), log)

    assert (error.code, error.transient) == (code, False)
    assert [(c.outcome, c.http_status, c.error_code) for c in log] == [("refused", 200, code)]


async def test_a_signature_under_another_root_is_not_trusted(fake):
    other_root = make_test_ca().root_der

    error = await _refusal(_signer(fake, trust_roots=(other_root,)), [])

    assert error.code == "untrusted_signature"


def test_missing_settings_are_named():
    with pytest.raises(ValueError, match="LMS_BSRE_PASSPHRASE"):
        BsreSigner(url="http://x", user="u", password="p", nik=NIK)
    with pytest.raises(ValueError, match="LMS_BSRE_SUBSCRIBER_ID, LMS_BSRE_TOTP_SECRET"):
        BsreSigner(url="http://x", user="u", password="p", mode="seal")
    with pytest.raises(ValueError, match="'sign' or 'seal'"):
        BsreSigner(url="http://x", user="u", password="p", mode="stempel")


def test_describe_masks_the_nik_and_repr_hides_secrets(fake):
    signer = _signer(fake)

    assert signer.describe()["signer"] == "NIK 1375********0001"
    assert PASSPHRASE not in repr(signer) and PASSWORD not in repr(signer)


def test_settings_build_the_bsre_signer_with_secrets_from_files(tmp_path: Path, fake):
    import msgspec

    from certificates.rendering import pool
    from certificates.rendering.signer_config import reset_signer_cache, signer_setup
    from lms.config import Settings

    (tmp_path / "pass").write_text(PASSPHRASE + "\n")
    (tmp_path / "pw").write_text(PASSWORD)
    env = {
        "LMS_DATA_DIR": str(tmp_path),
        "LMS_SECRET_KEY": "k" * 40,
        "LMS_SIGNER": "bsre",
        "LMS_BSRE_URL": fake.url,
        "LMS_BSRE_USER": USER,
        "LMS_BSRE_PASSWORD_FILE": str(tmp_path / "pw"),
        "LMS_BSRE_NIK": NIK,
        "LMS_BSRE_PASSPHRASE_FILE": str(tmp_path / "pass"),
        "LMS_BSRE_TRUST_ROOTS": str(fake.write_roots(tmp_path)),
        "LMS_BSRE_TIMEOUT": "7",
    }
    settings = Settings.from_env(env)
    try:
        setup = signer_setup(settings)
        assert setup.remote is True
        assert setup.certificates == (fake.ca.root_der,)
        signer = setup.signer
        assert isinstance(signer, BsreSigner)
        assert (signer.timeout, signer.endpoint) == (7.0, "/api/v2/sign/pdf")
        # The render pool renders unsigned: BSrE signs in the issuing run.
        assert pool._signer_factory(settings) is None
        signed = signer.sign(_pdf())  # the Signer protocol, outside an event loop
        check_signed_pdf(signed, setup.certificates)

        unset = msgspec.structs.replace(settings, bsre_passphrase="")
        with pytest.raises(ValueError, match="LMS_BSRE_PASSPHRASE"):
            signer_setup(unset)
        wrong = msgspec.structs.replace(settings, signer="hsm")
        with pytest.raises(ValueError, match="LMS_SIGNER"):
            signer_setup(wrong)
    finally:
        reset_signer_cache()

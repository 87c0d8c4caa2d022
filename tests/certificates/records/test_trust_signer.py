"""Signed PDFs: which signer ``get_signer`` gives, and that pyHanko's validator accepts its
signature and rejects a PDF with one byte changed."""

from __future__ import annotations

import hashlib
import os
import stat
from io import BytesIO
from pathlib import Path

import pytest
from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from certificates.rendering.signer_config import (
    DEMO_P12_FILE,
    DEMO_PASSPHRASE_FILE,
    check_signature,
    get_signer,
    reset_signer_cache,
    signer_setup,
)
from certificates.rendering.signing import NullSigner, Pkcs12Signer, generate_self_signed_p12
from lms.config import Settings


@pytest.fixture
def settings(tmp_path: Path):
    reset_signer_cache()
    yield Settings(database_url="sqlite:///unused", data_dir=tmp_path, secret_key="x")
    reset_signer_cache()


@pytest.fixture(scope="module")
def rendered_pdf() -> bytes:
    """A real certificate PDF from the default template."""
    from certificates.rendering.snapshot import sample_snapshot
    from certificates.rendering.templating import default_template
    from certificates.rendering.workers import render_one

    return render_one(default_template(), sample_snapshot())


def validate(pdf: bytes, trusted_der: bytes):
    """pyHanko's own validation of the PDF's signature, trusting only ``trusted_der``."""
    reader = PdfFileReader(BytesIO(pdf))
    context = ValidationContext(
        trust_roots=[asn1_x509.Certificate.load(trusted_der)], allow_fetching=False
    )
    return validate_pdf_signature(reader.embedded_signatures[0], context)


def test_demo_signer_is_generated_once_and_kept_private(settings, caplog):
    signer = get_signer(settings)

    folder = settings.data_dir / "signing"
    p12, secret = folder / DEMO_P12_FILE, folder / DEMO_PASSPHRASE_FILE
    assert isinstance(signer, Pkcs12Signer)
    assert stat.S_IMODE(os.stat(p12).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(secret).st_mode) == 0o600
    assert len(secret.read_text()) >= 40
    assert "SELF-SIGNED DEMO" in caplog.text
    assert get_signer(settings) is signer  # cached per process
    p12_bytes = p12.read_bytes()
    fingerprint = signer_setup(settings).fingerprint

    reset_signer_cache()  # a restart: the same key, not a new one
    again = signer_setup(settings)
    assert again.signer is not signer
    assert again.fingerprint == fingerprint
    assert again.demo is True
    assert p12.read_bytes() == p12_bytes
    assert "Penandatangan Demo Prima" in again.signer.describe()["subject"]


def test_signed_pdf_validates_and_one_changed_byte_breaks_it(settings, rendered_pdf):
    setup = signer_setup(settings)
    signed = get_signer(settings).sign(rendered_pdf)

    status = validate(signed, setup.certificates[0])
    assert signed.startswith(rendered_pdf)  # an incremental update: the render is untouched
    assert (status.intact, status.valid, status.trusted, status.bottom_line) == (
        True,
        True,
        True,
        True,
    )
    assert hashlib.sha256(status.signing_cert.dump()).hexdigest() == setup.fingerprint

    tampered = bytearray(signed)
    position = rendered_pdf.index(b"stream", len(rendered_pdf) // 2) + 40
    tampered[position] ^= 0x01
    broken = validate(bytes(tampered), setup.certificates[0])
    assert broken.intact is False
    assert broken.bottom_line is False
    report = check_signature(setup, bytes(tampered))
    assert (report.present, report.intact, report.ok) == (True, False, False)


def test_a_configured_pkcs12_file_is_used(tmp_path, settings, rendered_pdf):
    p12 = generate_self_signed_p12(
        tmp_path / "kepala-dinas.p12",
        "Kepala DPMPTSP Kota Padang Panjang",
        "Pemerintah Kota Padang Panjang",
        "rahasia-p12",
    )
    configured = Settings(
        database_url="sqlite:///unused",
        data_dir=tmp_path / "data",
        secret_key="x",
        signing_p12=str(p12),
        signing_passphrase="rahasia-p12",
    )

    setup = signer_setup(configured)
    signed = setup.signer.sign(rendered_pdf)

    assert setup.demo is False
    assert "Kepala DPMPTSP Kota Padang Panjang" in setup.signer.describe()["subject"]
    assert not (tmp_path / "data" / "signing").exists()  # no demo key when one is configured
    assert check_signature(setup, signed).ok is True
    # A demo signature is not "ours" for an installation with a real key.
    demo_signed = get_signer(settings).sign(rendered_pdf)
    other = check_signature(setup, demo_signed)
    assert (other.present, other.intact, other.ours, other.ok) == (True, True, False, False)


def test_wrong_passphrase_and_disabled_signing(tmp_path, settings):
    p12 = generate_self_signed_p12(tmp_path / "a.p12", "A", "B", "benar")
    wrong = Settings(
        database_url="sqlite:///unused",
        data_dir=tmp_path,
        secret_key="x",
        signing_p12=str(p12),
        signing_passphrase="salah",
    )
    disabled = Settings(
        database_url="sqlite:///unused", data_dir=tmp_path, secret_key="x", signing_p12="none"
    )

    with pytest.raises(ValueError, match="cannot load PKCS#12"):
        get_signer(wrong)
    assert isinstance(get_signer(disabled), NullSigner)
    assert get_signer(disabled).sign(b"%PDF-1.7") == b"%PDF-1.7"

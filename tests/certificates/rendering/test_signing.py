import io
import stat

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from certificates.rendering.signing import NullSigner, Pkcs12Signer, generate_self_signed_p12
from certificates.rendering.snapshot import sample_snapshot
from certificates.rendering.templating import default_template
from certificates.rendering.workers import render_one


@pytest.fixture(scope="module")
def p12(tmp_path_factory):
    path = tmp_path_factory.mktemp("signer") / "demo.p12"
    return generate_self_signed_p12(
        path,
        "Kepala DPMPTSP Kota Padang Panjang (demo)",
        "Pemerintah Kota Padang Panjang",
        "rahasia",
    )


@pytest.fixture(scope="module")
def signer(p12):
    return Pkcs12Signer(p12, "rahasia", location="Padang Panjang")


@pytest.fixture(scope="module")
def pdf():
    return render_one(default_template(), sample_snapshot())


def _status(signer, signed: bytes):
    trust = ValidationContext(trust_roots=[signer._signer.signing_cert])
    signature = PdfFileReader(io.BytesIO(signed)).embedded_signatures[0]
    return signature, validate_pdf_signature(signature, trust)


def test_demo_key_file_is_private_and_never_overwritten(p12):
    assert stat.S_IMODE(p12.stat().st_mode) == 0o600
    with pytest.raises(FileExistsError):
        generate_self_signed_p12(p12, "x", "y", "z")


def test_describe_names_the_signer(signer):
    info = signer.describe()
    assert info["kind"] == "pkcs12"
    assert "Kepala DPMPTSP Kota Padang Panjang (demo)" in info["subject"]
    assert info["subject"] == info["issuer"]
    years = int(info["not_after"][:4]) - int(info["not_before"][:4])
    assert years == 5
    assert len(info["sha256_fingerprint"]) == 64


def test_signed_certificate_validates(signer, pdf):
    signed = signer.sign(pdf)
    assert signed.startswith(pdf)  # an incremental update: the rendered bytes stay as they were
    signature, status = _status(signer, signed)
    assert signature.field_name == "Signature1"
    assert signature.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
    assert status.intact and status.valid and status.trusted
    assert status.bottom_line
    assert status.md_algorithm == "sha256"
    assert status.coverage.name == "ENTIRE_FILE"


def test_a_changed_byte_breaks_the_signature(signer, pdf):
    signed = bytearray(signer.sign(pdf))
    at = signed.index(b"Sertifikat 001")
    signed[at] = ord("X")  # inside the signed range: the document title
    _, status = _status(signer, bytes(signed))
    assert not status.intact  # the document digest no longer matches
    assert not status.bottom_line


def test_untrusted_signer_is_not_trusted(signer, pdf, tmp_path):
    other = Pkcs12Signer(generate_self_signed_p12(tmp_path / "o.p12", "Lain", "Lain", "x"), "x")
    signed = other.sign(pdf)
    _, status = _status(signer, signed)
    assert status.intact and status.valid
    assert not status.trusted


def test_wrong_passphrase_is_refused(p12):
    with pytest.raises(ValueError, match="PKCS#12"):
        Pkcs12Signer(p12, "salah")


def test_null_signer_changes_nothing(pdf):
    assert NullSigner().sign(pdf) is pdf
    assert NullSigner().describe() == {"kind": "none"}

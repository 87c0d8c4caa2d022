"""Electronic signatures on issued certificate PDFs (PAdES, via pyHanko).

A QR code is only a link; the proof that a PDF is genuine and unchanged is a signature inside
the PDF, checked by any PAdES verifier (for BSrE-issued keys, the government's verifyPDF site).
An office with a BSrE certificate exports it as PKCS#12 and points ``Pkcs12Signer`` at it.
``generate_self_signed_p12`` makes a demo key so a fresh install signs something out of the box;
such a signature proves integrity only to whoever trusts that demo certificate.

The signature is added as an incremental update after the PDF is rendered, so the signed PDF
must never be re-rendered or rewritten afterwards: store exactly the bytes ``sign`` returns.
"""

import datetime as dt
import hashlib
import os
from io import BytesIO
from pathlib import Path
from typing import Any, Protocol

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers
from pyhanko.sign.fields import SigSeedSubFilter

SIGNATURE_FIELD = "Signature1"


class Signer(Protocol):
    """Something that signs a finished certificate PDF."""

    def sign(self, pdf_bytes: bytes) -> bytes:
        """Return the signed PDF (the input followed by a signature update)."""
        ...

    def describe(self) -> dict[str, Any]:
        """Return who signs, for the audit log and the verification page."""
        ...


class NullSigner:
    """Leaves PDFs unsigned: for installations that sign elsewhere or not at all."""

    def sign(self, pdf_bytes: bytes) -> bytes:
        """Return the PDF unchanged."""
        return pdf_bytes

    def describe(self) -> dict[str, Any]:
        """Say that nothing signs."""
        return {"kind": "none"}


class Pkcs12Signer:
    """Signs with the key and certificate chain of a PKCS#12 (.p12/.pfx) file.

    Args:
        path: the PKCS#12 file.
        passphrase: its passphrase (``None`` for an unencrypted file).
        reason: printed in the signature dictionary, e.g. "Penerbitan sertifikat pelatihan".
        location: the signing place, e.g. "Padang Panjang".

    Raises:
        ValueError: the file cannot be read with that passphrase.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        passphrase: str | bytes | None,
        *,
        reason: str | None = "Penerbitan sertifikat pelatihan",
        location: str | None = None,
    ) -> None:
        self.path = Path(path)
        secret = passphrase.encode() if isinstance(passphrase, str) else passphrase
        try:
            signer = signers.SimpleSigner.load_pkcs12(str(self.path), passphrase=secret)
        except (OSError, ValueError) as exc:
            raise ValueError(f"cannot load PKCS#12 file {self.path}: {exc}") from None
        if signer is None:  # pyHanko logs the reason and returns None on a bad passphrase
            raise ValueError(f"cannot load PKCS#12 file {self.path}: wrong passphrase or format")
        self._signer = signer
        # Room for the CMS container, known up front: without it pyHanko signs twice per PDF
        # (once only to measure the container), which doubles the signing cost.
        chain = [signer.signing_cert, *signer.cert_registry]
        reserved = 4096 + sum(len(cert.dump()) for cert in chain)
        self._bytes_reserved = reserved + reserved % 2  # pyHanko needs an even count
        self._metadata = signers.PdfSignatureMetadata(
            field_name=SIGNATURE_FIELD,
            md_algorithm="sha256",
            subfilter=SigSeedSubFilter.PADES,
            reason=reason,
            location=location,
        )

    def sign(self, pdf_bytes: bytes) -> bytes:
        """Return ``pdf_bytes`` with an invisible PAdES signature in field "Signature1"."""
        writer = IncrementalPdfFileWriter(BytesIO(pdf_bytes), strict=False)
        output = BytesIO()
        signers.PdfSigner(self._metadata, signer=self._signer).sign_pdf(
            writer, output=output, bytes_reserved=self._bytes_reserved
        )
        return output.getvalue()

    def describe(self) -> dict[str, Any]:
        """Return the signing certificate's subject, issuer, validity and fingerprint."""
        cert = self._signer.signing_cert
        return {
            "kind": "pkcs12",
            "subject": cert.subject.human_friendly,
            "issuer": cert.issuer.human_friendly,
            "serial_number": format(cert.serial_number, "x"),
            "not_before": cert.not_valid_before.isoformat(),
            "not_after": cert.not_valid_after.isoformat(),
            "sha256_fingerprint": hashlib.sha256(cert.dump()).hexdigest(),
        }


def generate_self_signed_p12(
    path: str | os.PathLike[str],
    common_name: str,
    organization: str,
    passphrase: str | bytes,
    *,
    valid_years: int = 5,
) -> Path:
    """Create a demo signing key (EC P-256) with a self-signed certificate as PKCS#12.

    EC P-256 signs in well under a millisecond, so signing adds little to a 1,000-certificate
    batch. The file is written with mode 0600 and never overwritten.

    Args:
        path: where to write the .p12 file (must not exist).
        common_name: the signer, e.g. "Kepala DPMPTSP Kota Padang Panjang (demo)".
        organization: e.g. "Pemerintah Kota Padang Panjang".
        passphrase: protects the private key in the file.
        valid_years: validity from now.

    Returns:
        The path written.
    """
    target = Path(path)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "ID"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=365 * valid_years + valid_years // 4))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    secret = passphrase.encode() if isinstance(passphrase, str) else passphrase
    data = pkcs12.serialize_key_and_certificates(
        common_name.encode(), key, cert, None, serialization.BestAvailableEncryption(secret)
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    return target

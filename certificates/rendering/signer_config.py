"""Which signer this installation signs certificate PDFs with, and checking its signatures.

Configuration (environment, read into ``Settings``):

* ``LMS_SIGNING_P12``: path to a PKCS#12 file (.p12/.pfx) holding the signing key and its
  certificate chain, e.g. the organizer's BSrE certificate exported from its token. The
  literal value ``none`` disables signing (``NullSigner``: PDFs are stored unsigned).
* ``LMS_SIGNING_PASSPHRASE``: that file's passphrase.
* Neither set: a **self-signed demo signer** is generated once into
  ``<LMS_DATA_DIR>/signing/demo-signer.p12`` with a random passphrase stored beside it in
  ``demo-signer.passphrase`` (both mode 600) and reused on every later start. Its signatures
  prove that a PDF is unchanged only to whoever trusts that demo certificate; a warning is logged
  each time a process loads it.

The signer is built once per process (loading a PKCS#12 file costs milliseconds; signing with
the loaded key well under one) and shared by every issuing call.

BSrE (``LMS_SIGNER=bsre``): certificates are signed by the office's BSrE Esign Client
(``certificates.rendering.bsre.BsreSigner``) with a person's NIK and passphrase or the
institution's seal; see docs/SIGNING.md for every ``LMS_BSRE_*`` variable. Secrets come from
the variable or from the file its ``*_FILE`` twin names. ``LMS_BSRE_TRUST_ROOTS`` (a PEM file of
BSrE's root and intermediate certificates) is what :func:`check_signature` and the check of each
returned PDF trust. BSrE is called from the issuing job (``certificates.issuing.remote_signing``),
not from the render pool: the calls are I/O, are logged per certificate, and a refusal must stop
the run before anything is stored.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import fcntl
import functools
import hashlib
import logging
import os
import secrets
from io import BytesIO
from pathlib import Path
from typing import Any

import msgspec
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives.serialization import Encoding, pkcs12

from certificates.rendering.signing import (
    NullSigner,
    Pkcs12Signer,
    Signer,
    generate_self_signed_p12,
)
from lms.config import Settings
from lms.shared.schemas import Output

__all__ = [
    "DEMO_PASSPHRASE_FILE",
    "DEMO_P12_FILE",
    "SignatureCheck",
    "SignerSetup",
    "check_signature",
    "ensure_demo_signer",
    "get_signer",
    "reset_signer_cache",
    "signer_setup",
]

LOGGER = logging.getLogger("certificates.rendering.signing")

SIGNING_DIR = "signing"
DEMO_P12_FILE = "demo-signer.p12"
DEMO_PASSPHRASE_FILE = "demo-signer.passphrase"
DEMO_COMMON_NAME = "Penandatangan Demo Prima (sertifikat uji, bukan BSrE)"
DEMO_ORGANIZATION = "Prima - instalasi demo"
DISABLED = "none"


class SignerSetup(msgspec.Struct, frozen=True):
    """The process's signer and the certificates its signatures are checked against.

    Attributes:
        signer: what issuing calls ``sign`` on.
        certificates: the signing certificate first, then the rest of its chain (DER).
        fingerprint: SHA-256 of the signing certificate (hex), ``None`` for ``NullSigner``.
        demo: ``True`` for the generated self-signed demo signer.
        path: the PKCS#12 file in use.
        remote: the signer is BSrE's (``certificates`` are its trust roots, not a key of ours).
    """

    signer: Any
    certificates: tuple[bytes, ...]
    fingerprint: str | None
    demo: bool
    path: str | None
    remote: bool = False


class SignatureCheck(Output):
    """What the signature inside an uploaded PDF says (extra information beside the hash).

    Attributes:
        present: the PDF carries at least one signature.
        intact: the signed bytes are unchanged (the digest matches).
        valid: the cryptographic signature is correct.
        ours: it was made with this installation's signing certificate (with BSrE: by a
            certificate chaining to the configured BSrE roots).
        trusted: the signer's certificate chains to a certificate we trust (ours).
        covers_whole_file: nothing was appended after the signature.
        signer: the signing certificate's subject.
        signed_at: the time the signer claims.
        ok: all of the above: a signature of ours over the whole, unchanged file.
    """

    present: bool
    intact: bool = False
    valid: bool = False
    ours: bool = False
    trusted: bool = False
    covers_whole_file: bool = False
    signer: str | None = None
    signed_at: dt.datetime | None = None
    ok: bool = False


def _write_secret(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def ensure_demo_signer(data_dir: Path) -> tuple[Path, str, bool]:
    """Return the demo PKCS#12 file and passphrase, generating both on the first call ever.

    A file lock makes concurrent workers agree on one demo key: the first generates, the others
    wait and read it.

    Returns:
        ``(p12 path, passphrase, created)``, ``created`` when this call generated them.
    """
    folder = Path(data_dir) / SIGNING_DIR
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    p12 = folder / DEMO_P12_FILE
    secret = folder / DEMO_PASSPHRASE_FILE
    with open(folder / ".lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if p12.exists() and secret.exists():
                return p12, secret.read_text().strip(), False
            for leftover in (p12, secret):  # a half-finished earlier attempt
                leftover.unlink(missing_ok=True)
            passphrase = secrets.token_urlsafe(32)
            _write_secret(secret, passphrase.encode())
            generate_self_signed_p12(p12, DEMO_COMMON_NAME, DEMO_ORGANIZATION, passphrase)
            return p12, passphrase, True
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _chain_der(path: Path, passphrase: str | None) -> tuple[bytes, ...]:
    secret = passphrase.encode() if passphrase else None
    _, cert, extra = pkcs12.load_key_and_certificates(path.read_bytes(), secret)
    if cert is None:
        raise ValueError(f"PKCS#12 file {path} holds no certificate")
    return tuple(c.public_bytes(Encoding.DER) for c in (cert, *(extra or ())))


@functools.lru_cache(maxsize=8)
def _load(p12: str, passphrase: str, data_dir: str) -> SignerSetup:
    if p12.strip().lower() == DISABLED:
        LOGGER.warning("PDF signing is disabled (LMS_SIGNING_P12=none): certificates are unsigned")
        return SignerSetup(NullSigner(), (), None, False, None)
    demo = not p12
    if demo:
        path, passphrase, created = ensure_demo_signer(Path(data_dir))
        LOGGER.warning(
            "%s a SELF-SIGNED DEMO signing certificate (%s): certificate PDFs are signed, but the "
            "signature is trusted nowhere. Set LMS_SIGNING_P12 and LMS_SIGNING_PASSPHRASE to the "
            "organizer's PKCS#12 file (e.g. a BSrE certificate) for real signatures.",
            "Generated" if created else "Using",
            path,
        )
    else:
        path = Path(p12)
    signer = Pkcs12Signer(path, passphrase or None)
    chain = _chain_der(path, passphrase or None)
    fingerprint = hashlib.sha256(chain[0]).hexdigest()
    if not demo:
        LOGGER.info("Signing certificate PDFs with %s (sha256 %s)", path, fingerprint)
    return SignerSetup(signer, chain, fingerprint, demo, str(path))


def _trust_roots(path: str) -> tuple[bytes, ...]:
    if not path:
        return ()
    from cryptography import x509

    try:
        certs = x509.load_pem_x509_certificates(Path(path).read_bytes())
    except (OSError, ValueError) as exc:
        raise ValueError(f"cannot read LMS_BSRE_TRUST_ROOTS {path}: {exc}") from None
    return tuple(cert.public_bytes(Encoding.DER) for cert in certs)


@functools.lru_cache(maxsize=8)
def _load_bsre(settings: Settings) -> SignerSetup:
    from certificates.rendering.bsre import BsreSigner, decode_totp_secret

    # Secrets given as LMS_BSRE_*_FILE were read by Settings.from_env (lms.config).
    totp = settings.bsre_totp_secret
    signer = BsreSigner(
        url=settings.bsre_url,
        user=settings.bsre_user,
        password=settings.bsre_password,
        mode=settings.bsre_mode,
        nik=settings.bsre_nik,
        passphrase=settings.bsre_passphrase,
        subscriber_id=settings.bsre_subscriber_id,
        totp_secret=decode_totp_secret(totp) if totp else b"",
        trust_roots=_trust_roots(settings.bsre_trust_roots),
        timeout=float(settings.bsre_timeout),
        retries=settings.bsre_retries,
        location=settings.bsre_location,
    )
    if not signer.trust_roots:
        LOGGER.warning(
            "LMS_BSRE_TRUST_ROOTS is not set: PDFs signed by BSrE are checked for integrity and "
            "coverage only, and the PDF check of the verify page cannot call them trusted"
        )
    LOGGER.info("Signing certificate PDFs with BSrE: %s", signer.describe())
    return SignerSetup(signer, signer.trust_roots, None, False, None, remote=True)


def signer_setup(settings: Settings) -> SignerSetup:
    """The process's signer with its certificates, built once per configuration.

    Raises:
        ValueError: the configured PKCS#12 file cannot be read with the passphrase, or a BSrE
            setting is missing or unreadable.
    """
    kind = settings.signer.strip().lower() or "pkcs12"
    if kind == "bsre":
        return _load_bsre(settings)
    if kind != "pkcs12":
        raise ValueError(f"LMS_SIGNER must be 'pkcs12' or 'bsre', not {settings.signer!r}")
    return _load(settings.signing_p12, settings.signing_passphrase, str(settings.data_dir))


def get_signer(settings: Settings) -> Signer:
    """The signer issuing applies to every rendered certificate before storing it.

    ``BsreSigner`` with ``LMS_SIGNER=bsre``; else ``Pkcs12Signer`` from ``LMS_SIGNING_P12`` /
    ``LMS_SIGNING_PASSPHRASE``; the self-signed demo signer (generated once into the data dir)
    when unset; ``NullSigner`` for ``none``.

    Raises:
        ValueError: the configured PKCS#12 file cannot be read with the passphrase.
    """
    return signer_setup(settings).signer  # type: ignore[no-any-return]


def reset_signer_cache() -> None:
    """Forget the loaded signers (tests, or after replacing the PKCS#12 file)."""
    _load.cache_clear()
    _load_bsre.cache_clear()


def check_signature(setup: SignerSetup, pdf_bytes: bytes) -> SignatureCheck:
    """Validate the last signature in a PDF against this installation's signing certificate.

    Synchronous and CPU-bound (run it in a thread); any unreadable or malformed PDF is reported
    as carrying no valid signature, never raised. Nothing is fetched from the network.
    """
    try:
        return _check(setup, pdf_bytes)
    except Exception:  # noqa: BLE001 - hostile uploads may break the parser in many ways
        LOGGER.debug("uploaded PDF: signature could not be read", exc_info=True)
        return SignatureCheck(present=False)


def _check(setup: SignerSetup, pdf_bytes: bytes) -> SignatureCheck:
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import async_validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    reader = PdfFileReader(BytesIO(pdf_bytes), strict=False)
    signatures = reader.embedded_signatures
    if not signatures:
        return SignatureCheck(present=False)
    embedded = signatures[-1]
    roots = [asn1_x509.Certificate.load(der) for der in setup.certificates]
    context = ValidationContext(
        trust_roots=roots or None, allow_fetching=False, revocation_mode="soft-fail"
    )
    status = asyncio.run(async_validate_pdf_signature(embedded, signer_validation_context=context))
    signing_cert = status.signing_cert
    if setup.remote:  # BSrE signs with the signer's own key: ours when it chains to BSrE
        ours = bool(status.trusted)
    else:
        ours = bool(setup.fingerprint) and (
            hashlib.sha256(signing_cert.dump()).hexdigest() == setup.fingerprint
        )
    whole = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    signed_at = status.signer_reported_dt
    return SignatureCheck(
        present=True,
        intact=bool(status.intact),
        valid=bool(status.valid),
        ours=ours,
        trusted=bool(status.trusted),
        covers_whole_file=whole,
        signer=signing_cert.subject.human_friendly,
        signed_at=signed_at,
        ok=bool(status.bottom_line) and ours and whole,
    )

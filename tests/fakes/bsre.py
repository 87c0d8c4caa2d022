"""A fake BSrE Esign Client (API v2) on a real local HTTP port, for tests only.

Built from the request and answer shapes in ``certificates.rendering.bsre``'s docstring:
``POST /api/v2/sign/pdf`` (NIK + passphrase) and ``POST /api/v2/seal/pdf`` (subscriber id +
TOTP) with HTTP basic auth and ``file: [base64]``; success ``{"time", "file": [base64]}``;
refusals ``{"status_code", "error"}``. It checks the basic auth, the NIK and passphrase or the
subscriber and the RFC 6238 code, then signs with pyHanko under a test CA made here, so the
tests see a signature that chains to a root only they trust.

``fault`` makes it misbehave: ``suspended`` (the certificate is suspended), ``server_error``
(HTTP 500 for the next ``fail_times`` calls, then normal), ``slow`` (answers 503 after
``delay`` seconds, by when the client has given up), ``unsigned`` (returns the PDF
unchanged), ``appended`` (signs, then adds a revision after the signature), ``garbage``
(base64 of something that is not a PDF).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import BytesIO
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from certificates.rendering.bsre import totp_code

NIK = "1375010101800001"
PASSPHRASE = "rahasia-penandatangan"
SUBSCRIBER = "SEAL-DPMPTSP-PP"
TOTP_SECRET = b"prima-test-seal-secret-20"  # raw bytes; base32 form: ``totp_secret_b32``
USER = "esign"
PASSWORD = "sandi-aplikasi"


def totp_secret_b32() -> str:
    return base64.b32encode(TOTP_SECRET).decode().rstrip("=")


@dataclass
class TestCa:
    """A root CA and a signer certificate under it, as BSrE's chain would be."""

    root_pem: bytes
    root_der: bytes
    p12: bytes
    p12_passphrase: bytes = b"p12-fake-bsre"


def make_test_ca(common_name: str = "Drs. H. Syahrul, M.Si.") -> TestCa:
    """A fresh root ("Fake BSrE Root CA") and a person's signing certificate under it."""
    now = dt.datetime.now(dt.UTC)
    root_key = ec.generate_private_key(ec.SECP256R1())
    root_name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "ID"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Fake BSSN"),
            x509.NameAttribute(NameOID.COMMON_NAME, "Fake BSrE Root CA"),
        ]
    )
    root = (
        x509.CertificateBuilder()
        .subject_name(root_name)
        .issuer_name(root_name)
        .public_key(root_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()), critical=False
        )
        .sign(root_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (
        x509.CertificateBuilder()
        .subject_name(
            x509.Name(
                [
                    x509.NameAttribute(NameOID.COUNTRY_NAME, "ID"),
                    x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Pemerintah Kota Padang Panjang"),
                    x509.NameAttribute(NameOID.COMMON_NAME, common_name),
                ]
            )
        )
        .issuer_name(root_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=365))
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
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()),
            critical=False,
        )
        .sign(root_key, hashes.SHA256())
    )
    ca = TestCa(
        root_pem=root.public_bytes(serialization.Encoding.PEM),
        root_der=root.public_bytes(serialization.Encoding.DER),
        p12=b"",
    )
    ca.p12 = pkcs12.serialize_key_and_certificates(
        b"signer", key, leaf, [root], serialization.BestAvailableEncryption(ca.p12_passphrase)
    )
    return ca


@dataclass
class FakeBsre:
    """The fake server's state: its faults and what it received (for assertions)."""

    ca: TestCa
    fault: str = ""
    fail_times: int = 1
    delay: float = 0.0
    calls: list[dict[str, Any]] = field(default_factory=list)
    url: str = ""
    _server: ThreadingHTTPServer | None = None
    _signer: Any = None

    def start(self) -> FakeBsre:
        from pyhanko.sign import signers

        self._signer = signers.SimpleSigner.load_pkcs12_data(
            self.ca.p12, other_certs=None, passphrase=self.ca.p12_passphrase
        )
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                length = int(self.headers.get("Content-Length", "0"))
                raw = self.rfile.read(length)
                status, body = fake.answer(self.path, self.headers.get("Authorization", ""), raw)
                data = json.dumps(body).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout)
                    pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def write_roots(self, folder: Path) -> Path:
        """The test CA's root as a PEM file (``LMS_BSRE_TRUST_ROOTS``)."""
        path = folder / "bsre-roots.pem"
        path.write_bytes(self.ca.root_pem)
        return path

    # -- the API -------------------------------------------------------------------------------

    def answer(self, path: str, authorization: str, raw: bytes) -> tuple[int, dict[str, Any]]:
        expected = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
        try:
            body = json.loads(raw)
        except ValueError:
            body = {}
        # The fault as it was when the call arrived: a slow call of an earlier test that wakes
        # up later must not act on (or use up) the fault a later test set.
        fault = self.fault
        call = {"path": path, "auth_ok": authorization == expected, "body": body}
        self.calls.append(call)
        if authorization != expected:
            return 401, {
                "timestamp": dt.datetime.now(dt.UTC).isoformat(),
                "status": 401,
                "error": "Unauthorized",
                "path": path,
            }
        if fault == "slow":
            time.sleep(self.delay)
            return 503, {"status": 503, "error": "Service Unavailable", "path": path}
        if fault == "server_error" and self.fail_times > 0:
            self.fail_times -= 1
            return 500, {"status": 500, "error": "Internal Server Error", "path": path}
        if path == "/api/v2/sign/pdf":
            if body.get("nik") != NIK:
                return 400, {"status_code": 2011, "error": "NIK belum terdaftar"}
            if body.get("passphrase") != PASSPHRASE:
                return 400, {"status_code": 2031, "error": "Passphrase anda salah"}
        elif path == "/api/v2/seal/pdf":
            now = time.time()
            valid = {totp_code(TOTP_SECRET, now + skew) for skew in (-30, 0, 30)}
            if body.get("idSubscriber") != SUBSCRIBER or body.get("totp") not in valid:
                return 400, {"status_code": 2052, "error": "TOTP tidak valid"}
        else:
            return 404, {"status": 404, "error": "Not Found", "path": path}
        if fault == "suspended":
            return 400, {
                "status_code": 2050,
                "error": "Sertifikat anda sedang di-suspend, hubungi RA instansi",
            }
        files = body.get("file")
        properties = body.get("signatureProperties")
        if not (isinstance(files, list) and files and isinstance(properties, list)):
            return 400, {"status_code": 1001, "error": "Parameter tidak lengkap"}
        pdf = base64.b64decode(files[0])
        signed = self._sign(pdf, properties[0], fault)
        return 200, {"time": 321, "file": [base64.b64encode(signed).decode()]}

    def _sign(self, pdf: bytes, properties: dict[str, Any], fault: str) -> bytes:
        from pyhanko.pdf_utils import generic
        from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
        from pyhanko.sign import fields, signers

        if fault == "unsigned":
            return pdf
        if fault == "garbage":
            return b"not a pdf at all"
        writer = IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
        name = f"BSrE{len(self.calls)}"
        spec = None
        if properties.get("tampilan") == "VISIBLE":
            x, y = float(properties["originX"]), float(properties["originY"])
            box = (x, y, x + float(properties["width"]), y + float(properties["height"]))
            spec = fields.SigFieldSpec(name, on_page=int(properties["page"]) - 1, box=box)
        out = BytesIO()
        signers.PdfSigner(
            signers.PdfSignatureMetadata(
                field_name=name,
                md_algorithm="sha256",
                subfilter=fields.SigSeedSubFilter.PADES,
                reason=properties.get("reason") or None,
                location=properties.get("location") or None,
            ),
            signer=self._signer,
            new_field_spec=spec,
        ).sign_pdf(writer, output=out)
        signed = out.getvalue()
        if fault == "appended":  # a revision after the signature: not covered by it
            after = IncrementalPdfFileWriter(BytesIO(signed), strict=False)
            after.root["/Lang"] = generic.pdf_string("id-ID")
            after.update_root()
            tail = BytesIO()
            after.write(tail)
            signed = tail.getvalue()
        return signed

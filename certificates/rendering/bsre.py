"""Signing certificate PDFs with the office's BSrE Esign Client (API v2).

BSrE (Balai Sertifikasi Elektronik, BSSN) does not publish an OpenAPI document; the shape used
here is the one of the "Esign-Client for User 2.2.0-beta" Postman collection that BSrE hands to
integrators, as public integrations use it (e.g. OpenSID, and the integration notes linked from
https://bsre.bssn.go.id/product/integrasi-esign-bsre/):

* ``POST /api/v2/sign/pdf`` (a person's signature) with HTTP basic auth and the JSON body
  ``{"nik", "passphrase", "signatureProperties": [{"tampilan": "INVISIBLE" | "VISIBLE",
  "imageBase64", "page", "originX", "originY", "width", "height", "location", "reason"}],
  "file": [<PDF as base64>]}``;
* ``POST /api/v2/seal/pdf`` (the institution's seal) with ``"idSubscriber"`` and ``"totp"``
  instead of ``nik`` / ``passphrase``;
* success: HTTP 200 ``{"time": <ms>, "file": [<signed PDF as base64>]}``;
* refusal: a JSON body ``{"status_code": <BSrE code>, "error": "<message>"}`` (for a wrong
  passphrase ``{"error": "Passphrase anda salah", "status_code": 2031}``, quoted in
  https://github.com/OpenSID/OpenSID/issues/10760); 2011 (``NOT_REGISTERED``) and 2021
  (``NO_CERTIFICATE``) are the codes of the user-status check. Wrong basic auth is HTTP 401
  with the server framework's ``{"timestamp", "status", "error", "path"}``; an unreadable PDF
  is reported as HTTP 500.

What the collection leaves open (docs/SIGNING.md says so to the office): the codes of a
suspended, revoked or expired certificate and of a wrong TOTP (they are recognised here by the
code when known, else by words in ``error``), the unit and origin of ``originX`` / ``originY``
(sent unchanged, in PDF points, as the template configures them), and whether ``imageBase64``
is required for a visible signature (the issuer's signature image is sent when there is one).

Whatever BSrE returns is checked before anyone stores it (``check_signed_pdf``): a signature
must be present, intact, cover the whole file (no bytes after its ``/ByteRange``) and, when
the office configured the BSrE root certificates, chain to them. A PDF that fails is refused
like any other error, so nothing half-signed is ever kept.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import datetime as dt
import hashlib
import time
from collections.abc import Callable
from io import BytesIO
from typing import Annotated, Any

import httpx
import msgspec
from cryptography.hazmat.primitives.hashes import SHA1
from cryptography.hazmat.primitives.twofactor.totp import TOTP

from lms.shared.errors import DomainError

__all__ = [
    "PER_DOCUMENT",
    "SEAL_PATH",
    "SIGN_PATH",
    "BsreError",
    "BsreSigner",
    "SignaturePlacement",
    "SigningCallRecord",
    "check_signed_pdf",
    "decode_totp_secret",
    "totp_code",
]

SIGN_PATH = "/api/v2/sign/pdf"
SEAL_PATH = "/api/v2/seal/pdf"
DEFAULT_REASON = "Penerbitan sertifikat pelatihan"

#: BSrE application codes known from public integrations (module docstring).
_BSRE_CODES = {
    2031: "wrong_passphrase",
    2011: "not_registered",
    2021: "no_certificate",
}
#: Words in BSrE's ``error`` text, checked in this order when the code is not one we know.
_BSRE_WORDS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("suspend", "dibekukan", "ditangguhkan"), "certificate_suspended"),
    (("revoke", "dicabut"), "certificate_revoked"),
    (("expired", "kedaluwarsa", "kadaluarsa", "kadaluwarsa"), "certificate_expired"),
    (("totp", "otp"), "wrong_totp"),
    (("passphrase",), "wrong_passphrase"),
    (("not registered", "tidak terdaftar", "belum terdaftar"), "not_registered"),
    (("sertifikat tidak", "no certificate", "tidak memiliki sertifikat"), "no_certificate"),
)

#: The Indonesian text an organizer reads for each error code (job errors, problem details).
MESSAGES = {
    "timeout": "Layanan BSrE tidak menjawab dalam batas waktu.",
    "unreachable": "Layanan BSrE (Esign Client) tidak dapat dihubungi.",
    "server_error": "Layanan BSrE sedang bermasalah (galat server).",
    "auth_failed": "Akun aplikasi untuk Esign Client BSrE ditolak (LMS_BSRE_USER/PASSWORD).",
    "wrong_passphrase": "BSrE menolak: passphrase penandatangan salah.",
    "wrong_totp": "BSrE menolak: kode TOTP segel elektronik salah atau kedaluwarsa.",
    "not_registered": "BSrE menolak: NIK penandatangan tidak terdaftar di BSrE.",
    "no_certificate": "BSrE menolak: penandatangan belum memiliki sertifikat elektronik aktif.",
    "certificate_suspended": "BSrE menolak: sertifikat elektronik penandatangan dibekukan.",
    "certificate_revoked": "BSrE menolak: sertifikat elektronik penandatangan sudah dicabut.",
    "certificate_expired": "BSrE menolak: sertifikat elektronik penandatangan kedaluwarsa.",
    "refused": "BSrE menolak permintaan tanda tangan.",
    "bad_response": "Jawaban BSrE tidak dapat dibaca (bukan PDF bertanda tangan).",
    "unsigned_pdf": "PDF dari BSrE tidak memuat tanda tangan elektronik.",
    "partial_signature": "Tanda tangan dalam PDF dari BSrE tidak mencakup seluruh berkas.",
    "invalid_signature": "Tanda tangan dalam PDF dari BSrE tidak sah atau isinya berubah.",
    "untrusted_signature": "Tanda tangan dalam PDF dari BSrE tidak berantai ke akar BSrE.",
}
#: Worth another try later: the service was slow or down, not refusing.
TRANSIENT = frozenset({"timeout", "unreachable", "server_error"})
#: About one returned PDF; any other refusal is about the signer and holds for every PDF.
PER_DOCUMENT = frozenset(
    {
        "bad_response",
        "unsigned_pdf",
        "partial_signature",
        "invalid_signature",
        "untrusted_signature",
    }
)


class BsreError(DomainError):
    """BSrE did not sign, or returned something that is not a proper signature.

    Attributes:
        code: our error code (a key of ``MESSAGES``), kept in the signing log.
        transient: worth retrying (timeout, unreachable, HTTP 5xx); otherwise a refusal that
            retrying will not change (wrong passphrase, suspended certificate, bad PDF).
        http_status: BSrE's HTTP status, if it answered.
        bsre_code: BSrE's ``status_code``, if it sent one.
    """

    status = 502
    title = "Penandatanganan BSrE gagal"
    type_slug = "signing-failed"

    def __init__(
        self,
        code: str,
        *,
        http_status: int | None = None,
        bsre_code: int | None = None,
        detail: str | None = None,
    ) -> None:
        message = MESSAGES.get(code, MESSAGES["refused"])
        if detail:
            message = f"{message} ({detail})"
        super().__init__(message, extra={"error_code": code})
        self.code = code
        self.message = message
        self.transient = code in TRANSIENT
        self.http_status = http_status
        self.bsre_code = bsre_code


class SignaturePlacement(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Where BSrE draws the signature, configured per certificate template.

    Attributes:
        visible: ``False`` (default) for an invisible signature (``tampilan: INVISIBLE``).
        page: the page (1 = first).
        x: ``originX`` in PDF points, passed to BSrE unchanged (docs/SIGNING.md: origin).
        y: ``originY`` in PDF points.
        width: the box's width in points.
        height: the box's height in points.
    """

    visible: bool = False
    page: Annotated[int, msgspec.Meta(ge=1, le=100)] = 1
    x: Annotated[float, msgspec.Meta(ge=0, le=5000)] = 0.0
    y: Annotated[float, msgspec.Meta(ge=0, le=5000)] = 0.0
    width: Annotated[float, msgspec.Meta(gt=0, le=5000)] = 150.0
    height: Annotated[float, msgspec.Meta(gt=0, le=5000)] = 75.0


INVISIBLE = SignaturePlacement()


class SigningCallRecord(msgspec.Struct, frozen=True, kw_only=True):
    """One HTTP call to BSrE as the signing log keeps it: no NIK, passphrase, TOTP or PDF.

    Attributes:
        at: when the call started (UTC).
        endpoint: the path called (``/api/v2/sign/pdf`` or ``/api/v2/seal/pdf``).
        attempt: 1 for the first try, 2 for the first retry...
        outcome: ``signed``, ``refused`` (BSrE said no, or its PDF failed our check),
            ``failed`` (timeout, unreachable, 5xx).
        http_status: BSrE's HTTP status (``None`` when it did not answer).
        duration_ms: how long the call took.
        error_code: our code (``MESSAGES``), empty when signed.
        bsre_code: BSrE's own ``status_code`` when it sent one.
    """

    at: dt.datetime
    endpoint: str
    attempt: int
    outcome: str
    http_status: int | None
    duration_ms: int
    error_code: str = ""
    bsre_code: int | None = None


def decode_totp_secret(text: str) -> bytes:
    """The shared TOTP secret as bytes, from its usual base32 form ("JBSW Y3DP ...").

    Raises:
        ValueError: not base32.
    """
    cleaned = "".join(text.split()).upper()
    cleaned += "=" * (-len(cleaned) % 8)
    try:
        return base64.b32decode(cleaned)
    except (binascii.Error, ValueError):
        raise ValueError("LMS_BSRE_TOTP_SECRET is not a base32 secret") from None


def totp_code(secret: bytes, at: float) -> str:
    """The RFC 6238 code (6 digits, SHA-1, 30 s: the authenticator-app default) at ``at``."""
    totp = TOTP(secret, 6, SHA1(), 30, enforce_key_length=False)
    return totp.generate(int(at)).decode()


def _classify(text: str) -> str:
    lowered = text.lower()
    for words, code in _BSRE_WORDS:
        if any(word in lowered for word in words):
            return code
    return "refused"


def _refusal(response: httpx.Response) -> BsreError:
    """The error for a response that carries no signed file."""
    status = response.status_code
    try:
        body = response.json()
    except ValueError:
        body = None
    bsre_code: int | None = None
    text = ""
    if isinstance(body, dict):
        raw_code = body.get("status_code")
        if isinstance(raw_code, int) and not isinstance(raw_code, bool):
            bsre_code = raw_code
        elif isinstance(raw_code, str) and raw_code.isdigit():
            bsre_code = int(raw_code)
        text = str(body.get("error") or body.get("message") or "")[:200]
    if bsre_code in _BSRE_CODES:
        code = _BSRE_CODES[bsre_code]
    elif status == 401:
        code = "auth_failed"
    elif text and _classify(text) != "refused":
        code = _classify(text)
    elif status >= 500:
        code = "server_error"
    elif 200 <= status < 300:
        code = "bad_response"
    else:
        code = "refused"
    # BSrE's own words help the office (e.g. "Sertifikat anda sedang di-suspend"); they carry
    # no secret, so they are kept with the reason (but not in the log).
    detail = text if text and code in {"refused", "bad_response"} else None
    return BsreError(code, http_status=status, bsre_code=bsre_code, detail=detail)


def check_signed_pdf(pdf: bytes, trust_roots: tuple[bytes, ...] = ()) -> None:
    """Refuse a PDF from BSrE unless its last signature is intact, valid and covers it all.

    Synchronous and CPU-bound (run it in a thread). Nothing is fetched from the network.

    Args:
        pdf: the signed PDF as BSrE returned it.
        trust_roots: DER certificates the signature must chain to (BSrE's roots); empty to
            check integrity and coverage only.

    Raises:
        BsreError: ``unsigned_pdf``, ``partial_signature``, ``invalid_signature`` or
            ``untrusted_signature``.
    """
    from asn1crypto import x509 as asn1_x509
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import async_validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    if not pdf.startswith(b"%PDF-"):
        raise BsreError("bad_response")
    try:
        reader = PdfFileReader(BytesIO(pdf), strict=False)
        signatures = reader.embedded_signatures
    except Exception:  # noqa: BLE001 - a broken file from BSrE is a refusal, whatever broke
        raise BsreError("bad_response") from None
    if not signatures:
        raise BsreError("unsigned_pdf")
    roots = [asn1_x509.Certificate.load(der) for der in trust_roots]
    context = ValidationContext(
        trust_roots=roots or None, allow_fetching=False, revocation_mode="soft-fail"
    )
    try:
        status = asyncio.run(
            async_validate_pdf_signature(signatures[-1], signer_validation_context=context)
        )
    except Exception:  # noqa: BLE001 - pyHanko raises many types for a malformed signature
        raise BsreError("invalid_signature") from None
    if status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
        raise BsreError("partial_signature")
    if not (status.intact and status.valid):
        raise BsreError("invalid_signature")
    if roots and not status.trusted:
        raise BsreError("untrusted_signature")


class BsreSigner:
    """Signs through the BSrE Esign Client: a person's signature or the institution's seal.

    Args:
        url: the Esign Client's base URL, e.g. ``http://10.1.2.3:8080``.
        user: the basic-auth user BSrE set up for this application.
        password: its password.
        mode: ``sign`` (NIK + passphrase) or ``seal`` (subscriber id + TOTP).
        nik: the signer's NIK (``sign``).
        passphrase: the signer's passphrase (``sign``).
        subscriber_id: the seal's ``idSubscriber`` (``seal``).
        totp_secret: the seal's shared TOTP secret, raw bytes (``seal``).
        trust_roots: DER certificates a returned signature must chain to.
        timeout: seconds for one call (connect, send, answer).
        retries: further tries after a timeout, an unreachable service or HTTP 5xx.
        backoff: seconds before the first retry, doubled before each next one.
        location: ``location`` printed in the signature (e.g. the city).
        reason: ``reason`` printed in the signature.
        transport: an httpx transport (tests); the network otherwise.
        clock: seconds since the epoch, for the TOTP (tests).

    Raises:
        ValueError: a setting this mode needs is missing.
    """

    def __init__(
        self,
        *,
        url: str,
        user: str,
        password: str,
        mode: str = "sign",
        nik: str = "",
        passphrase: str = "",
        subscriber_id: str = "",
        totp_secret: bytes = b"",
        trust_roots: tuple[bytes, ...] = (),
        timeout: float = 60.0,
        retries: int = 3,
        backoff: float = 1.0,
        location: str = "",
        reason: str = DEFAULT_REASON,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        missing = [name for name, value in (("URL", url), ("USER", user)) if not value]
        if mode == "sign":
            missing += [n for n, v in (("NIK", nik), ("PASSPHRASE", passphrase)) if not v]
        elif mode == "seal":
            missing += [
                n
                for n, v in (("SUBSCRIBER_ID", subscriber_id), ("TOTP_SECRET", totp_secret))
                if not v
            ]
        else:
            raise ValueError(f"LMS_BSRE_MODE must be 'sign' or 'seal', not {mode!r}")
        if missing:
            raise ValueError("BSrE signing needs " + ", ".join(f"LMS_BSRE_{m}" for m in missing))
        self.url = url.rstrip("/")
        self.mode = mode
        self.endpoint = SIGN_PATH if mode == "sign" else SEAL_PATH
        self.trust_roots = trust_roots
        self.timeout = timeout
        self.retries = max(0, retries)
        self.backoff = backoff
        self.location = location
        self.reason = reason
        self._auth = httpx.BasicAuth(user, password)
        self._nik = nik
        self._passphrase = passphrase
        self._subscriber_id = subscriber_id
        self._totp_secret = totp_secret
        self._transport = transport
        self._clock = clock

    def __repr__(self) -> str:  # never the secrets
        return f"BsreSigner(url={self.url!r}, mode={self.mode!r})"

    def describe(self) -> dict[str, Any]:
        """Who signs: the mode, the service and the signer (NIK masked), for audit and pages."""
        who = (
            f"NIK {self._nik[:4]}{'*' * max(0, len(self._nik) - 8)}{self._nik[-4:]}"
            if self.mode == "sign"
            else f"segel {self._subscriber_id}"
        )
        return {"kind": "bsre", "mode": self.mode, "url": self.url, "signer": who}

    def _body(self, pdf: bytes, placement: SignaturePlacement, image: str | None) -> dict[str, Any]:
        properties: dict[str, Any] = {
            "tampilan": "VISIBLE" if placement.visible else "INVISIBLE",
            "location": self.location,
            "reason": self.reason,
        }
        if placement.visible:
            properties |= {
                "page": placement.page,
                "originX": placement.x,
                "originY": placement.y,
                "width": placement.width,
                "height": placement.height,
            }
            if image:
                properties["imageBase64"] = image
        body: dict[str, Any]
        if self.mode == "sign":
            body = {"nik": self._nik, "passphrase": self._passphrase}
        else:
            code = totp_code(self._totp_secret, self._clock())
            body = {"idSubscriber": self._subscriber_id, "totp": code}
        body["signatureProperties"] = [properties]
        body["file"] = [base64.b64encode(pdf).decode("ascii")]
        return body

    async def _call_once(
        self,
        client: httpx.AsyncClient,
        pdf: bytes,
        placement: SignaturePlacement,
        image: str | None,
    ) -> tuple[bytes, int]:
        try:
            response = await client.post(self.endpoint, json=self._body(pdf, placement, image))
        except httpx.TimeoutException:
            raise BsreError("timeout") from None
        except httpx.TransportError:
            raise BsreError("unreachable") from None
        files = None
        if response.status_code == 200:
            try:
                body = response.json()
            except ValueError:
                body = None
            if isinstance(body, dict) and isinstance(body.get("file"), list):
                files = body["file"]
        if not files:
            raise _refusal(response)
        try:
            signed = base64.b64decode(files[0], validate=True)
        except (binascii.Error, ValueError, TypeError):
            raise BsreError("bad_response", http_status=response.status_code) from None
        try:
            await asyncio.to_thread(check_signed_pdf, signed, self.trust_roots)
        except BsreError as exc:
            exc.http_status = response.status_code
            raise
        return signed, response.status_code

    async def sign_async(
        self,
        pdf_bytes: bytes,
        *,
        placement: SignaturePlacement = INVISIBLE,
        image: str | None = None,
        on_call: Callable[[SigningCallRecord], Any] | None = None,
    ) -> bytes:
        """Have BSrE sign ``pdf_bytes``; return its signed PDF, checked (``check_signed_pdf``).

        Transient failures are tried again ``retries`` times with a doubling pause; refusals
        are not. ``on_call`` receives a record of every call (the signing log).

        Args:
            pdf_bytes: the rendered certificate.
            placement: visible or invisible, and where (the certificate's template).
            image: the picture for a visible signature, base64 (no ``data:`` prefix).
            on_call: called after each HTTP call with what the log keeps.

        Raises:
            BsreError: BSrE refused, was unreachable after every try, or returned a PDF that
                is not properly signed.
        """
        async with httpx.AsyncClient(
            base_url=self.url,
            auth=self._auth,
            timeout=self.timeout,
            transport=self._transport,
            headers={"Accept": "application/json"},
        ) as client:
            attempt = 0
            while True:
                attempt += 1
                at = dt.datetime.now(dt.UTC)
                began = time.perf_counter()
                try:
                    signed, status = await self._call_once(client, pdf_bytes, placement, image)
                except BsreError as exc:
                    if on_call is not None:
                        on_call(
                            SigningCallRecord(
                                at=at,
                                endpoint=self.endpoint,
                                attempt=attempt,
                                outcome="failed" if exc.transient else "refused",
                                http_status=exc.http_status,
                                duration_ms=round((time.perf_counter() - began) * 1000),
                                error_code=exc.code,
                                bsre_code=exc.bsre_code,
                            )
                        )
                    if not exc.transient or attempt > self.retries:
                        raise
                    await asyncio.sleep(self.backoff * 2 ** (attempt - 1))
                    continue
                if on_call is not None:
                    on_call(
                        SigningCallRecord(
                            at=at,
                            endpoint=self.endpoint,
                            attempt=attempt,
                            outcome="signed",
                            http_status=status,
                            duration_ms=round((time.perf_counter() - began) * 1000),
                        )
                    )
                return signed

    def sign(self, pdf_bytes: bytes) -> bytes:
        """``Signer.sign`` for scripts outside an event loop: invisible, no log."""
        return asyncio.run(self.sign_async(pdf_bytes))


def image_base64(data_uri: str | None) -> str | None:
    """The base64 part of a ``data:image/...;base64,...`` URI (the issuer's signature image)."""
    if not data_uri or ";base64," not in data_uri:
        return None
    return data_uri.split(";base64,", 1)[1]


def fingerprint(der: bytes) -> str:
    """SHA-256 of a certificate (hex), as the verify page shows it."""
    return hashlib.sha256(der).hexdigest()

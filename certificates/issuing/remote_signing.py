"""BSrE signing inside an issuing run, with the per-certificate signing log.

With ``LMS_SIGNER=bsre`` the render pool renders unsigned PDFs and the run hands each one to
the office's BSrE Esign Client (``certificates.rendering.bsre.BsreSigner``) *before* storing
it. Only the PDF BSrE returned, and only after ``check_signed_pdf`` accepted it, is stored and
gets a row; so a refusal or a bad answer leaves nothing half-signed, and the certificate's
number is not used (``IssuingRun``: numbers are claimed in the commit) or stays reserved for
the participant (distributed issuing), so numbering stays gap-free.

Every HTTP call is written to ``CertificateSigningCall`` as it ends (time, endpoint, attempt,
outcome, HTTP status, duration, error code; no secret), keyed by the certificate's
verification code, which the certificate row carries once issued.
"""

from __future__ import annotations

from uuid import UUID, uuid4

import msgspec

from certificates.issuing.recipients import IssueContext
from certificates.issuing.schemas import SigningCallRead
from certificates.rendering.bsre import BsreSigner, SigningCallRecord, image_base64
from certificates.rendering.signer_config import signer_setup
from certificates.tables import CertificateSigningCall
from lms.config import Settings


class Document(msgspec.Struct, frozen=True, kw_only=True):
    """A rendered certificate waiting for BSrE: whose, which number, and its PDF."""

    code: str
    person_id: UUID
    number: str
    pdf: bytes


def remote_signer(settings: Settings) -> BsreSigner | None:
    """The BSrE signer when this installation signs with BSrE, else ``None``."""
    signer = signer_setup(settings).signer
    return signer if isinstance(signer, BsreSigner) else None


class RemoteSigning:
    """Signs a run's PDFs with BSrE one at a time and logs every call.

    Args:
        signer: the configured BSrE signer.
        ctx: the run's issue context (the template's placement, the signature image).
        job_id: the issuing job, kept in the log.
    """

    def __init__(self, signer: BsreSigner, ctx: IssueContext, job_id: UUID | None = None) -> None:
        self.signer = signer
        self.ctx = ctx
        self.job_id = job_id
        self.placement = ctx.issuer.signature_placement
        self.image = image_base64(ctx.issuer.signature_image) if self.placement.visible else None

    async def sign(self, documents: list[Document]) -> list[bytes]:
        """The signed PDFs, in order.

        Raises:
            BsreError: BSrE refused one, or could not be reached after the retries: the caller
                stores none of this batch.
        """
        signed = []
        for document in documents:
            calls: list[SigningCallRecord] = []
            try:
                signed.append(
                    await self.signer.sign_async(
                        document.pdf,
                        placement=self.placement,
                        image=self.image,
                        on_call=calls.append,
                    )
                )
            finally:
                await self._log(document, calls)
        return signed

    async def _log(self, document: Document, calls: list[SigningCallRecord]) -> None:
        if not calls:
            return
        await CertificateSigningCall.insert(
            *[
                CertificateSigningCall(
                    id=uuid4(),
                    code=document.code,
                    session_id=self.ctx.session.id,
                    person_id=document.person_id,
                    number=document.number,
                    job_id=self.job_id,
                    at=call.at,
                    endpoint=call.endpoint,
                    attempt=call.attempt,
                    outcome=call.outcome,
                    http_status=call.http_status,
                    duration_ms=call.duration_ms,
                    error_code=call.error_code,
                    bsre_code=call.bsre_code,
                )
                for call in calls
            ]
        )


async def signing_log(code: str) -> list[SigningCallRead]:
    """Every BSrE call made for the certificate with this verification code, oldest first."""
    return (await signing_logs([code])).get(code, [])


async def signing_logs(codes: list[str]) -> dict[str, list[SigningCallRead]]:
    """The signing log of each of these verification codes (only those with calls)."""
    if not codes:
        return {}
    rows = (
        await CertificateSigningCall.select(
            CertificateSigningCall.code,
            CertificateSigningCall.at,
            CertificateSigningCall.endpoint,
            CertificateSigningCall.attempt,
            CertificateSigningCall.outcome,
            CertificateSigningCall.http_status,
            CertificateSigningCall.duration_ms,
            CertificateSigningCall.error_code,
            CertificateSigningCall.bsre_code,
        )
        .where(CertificateSigningCall.code.is_in(codes))
        .order_by(CertificateSigningCall.at)
    )
    out: dict[str, list[SigningCallRead]] = {}
    for row in rows:
        code = row.pop("code")
        out.setdefault(code, []).append(msgspec.convert(row, SigningCallRead))
    return out

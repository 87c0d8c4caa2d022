"""The certificates demo: DPMPTSP's issuer profile, then the demo session's certificates.

Runs after the results demo (which finalizes the demo session) and reads ``ctx["units"]``,
``ctx["users"]["organizer"]`` and ``ctx["session_id"]``. The profile is set through the same
service as ``PUT /api/v1/issuer-profile`` (pattern ``{seq:03d}/PP/DPMPTSP/{month_roman}/
{year}``, Padang Panjang, signed by the Kepala Dinas, with the bundled sample logo and
signature), and the certificates are issued synchronously through the same code path as the
issuing job, so ``make run`` starts with real, downloadable, signed certificates. A session that
is not finalized is left alone. It leaves ``ctx["certificates"]`` (counts).
"""

from __future__ import annotations

import base64
from typing import Any
from uuid import UUID

import msgspec

from certificates.issuing.issuer_profiles import IssuerProfileService
from certificates.issuing.schemas import IssuerProfileWrite
from certificates.issuing.service import issue_session
from certificates.rendering.pool import shutdown_renderer
from certificates.rendering.storage import store_for
from certificates.rendering.templating import TEMPLATES_DIR
from courses.delivery.sessions.access import load_session
from lms.auth.caller import Caller
from lms.auth.tables import User
from lms.config import get_settings

UNIT_CODE = "DPMPTSP-PPJ"
PROFILE = {
    "number_pattern": "{seq:03d}/PP/DPMPTSP/{month_roman}/{year}",
    "organizer_name": (
        "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu Kota Padang Panjang"
    ),
    "city": "Padang Panjang",
    "signer_name": "Drs. H. Syahrul, M.Si.",
    "signer_jabatan": (
        "Kepala Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu Kota Padang Panjang"
    ),
    "signer_nip": "196805121994031004",
    "signer_pangkat": "Pembina Utama Muda",
    "address": "Jl. Sutan Syahrir No. 178, Silaing Bawah, Padang Panjang 27122",
    "committee_name": "Rahmat Hidayat, S.Kom.",
    "committee_nip": "198703152010011002",
}


def _svg_uri(name: str) -> str:
    data = (TEMPLATES_DIR / "sample" / name).read_bytes()
    return "data:image/svg+xml;base64," + base64.b64encode(data).decode()


async def _organizer(user_id: UUID) -> Caller:
    row = await (
        User.select(User.id, User.username, User.role, User.unit, User.unit.path)
        .where(User.id == user_id)
        .first()
    )
    if row is None:
        raise LookupError(f"demo user {user_id} is missing")
    return Caller(
        user_id=row["id"],
        username=row["username"],
        role=row["role"],
        unit_id=row["unit"],
        unit_path=row["unit.path"] or "",
    )


async def seed(ctx: dict[str, Any]) -> None:
    """Set DPMPTSP's issuer profile and issue the demo session's certificates."""
    settings = get_settings()  # the demo runs in the CLI, with the process settings
    organizer = await _organizer(UUID(str(ctx["users"]["organizer"])))
    unit_id = UUID(str(ctx["units"][UNIT_CODE]))
    profile = msgspec.convert(
        {**PROFILE, "logo": _svg_uri("logo.svg"), "signature_image": _svg_uri("signature.svg")},
        IssuerProfileWrite,
    )
    await IssuerProfileService(settings, store_for(settings)).put(organizer, profile, unit_id)
    session_id = ctx.get("session_id")
    session = await load_session(UUID(str(session_id))) if session_id else None
    if session is None or session.finalized_at is None:
        ctx["certificates"] = {"issued": 0, "skipped": 0, "failed": 0}
        return
    try:
        report = await issue_session(session.id, settings=settings, actor=organizer)
    finally:
        await shutdown_renderer()  # the demo runs in the CLI; the server starts its own pool
    ctx["certificates"] = {
        "issued": report.issued,
        "skipped": report.skipped,
        "failed": report.failed,
    }

"""The sheets an organizer hands out: one slip per new account (PDF, to cut) or one table
(XLSX), and the few minutes the pages keep them.

Both are rendered from the creation's answer itself (``AccountsCreated``) in the same request,
so an initial password is never written anywhere in plain text. The pages show the answer and
offer both downloads afterwards: for that the answer is kept encrypted (AES-GCM, a key derived
from ``LMS_SECRET_KEY``) in a store for ``SLIP_TTL`` seconds, readable only by the organizer who
made it.
"""

from __future__ import annotations

import hashlib
import secrets
from pathlib import Path

import jinja2
import msgspec
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from litestar.stores.base import Store

from lms.auth.accounts import AccountsCreated, IssuedAccount
from lms.competencies.pdf import html_to_pdf
from lms.shared.tabular import write_xlsx

TEMPLATES = Path(__file__).parent / "templates"
SLIP_TTL = 15 * 60
PDF_MEDIA_TYPE = "application/pdf"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_ENV = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def slips_html(title: str, login_url: str, accounts: list[IssuedAccount]) -> str:
    """The slips sheet as HTML (exposed for tests of the wording)."""
    return _ENV.get_template("auth/slips_pdf.html").render(
        title=title, login_url=login_url, accounts=accounts
    )


async def slips_pdf(title: str, login_url: str, accounts: list[IssuedAccount]) -> bytes:
    """A4 sheets of slips, ten to a page, with cutting lines."""
    return await html_to_pdf(slips_html(title, login_url, accounts))


def slips_xlsx(title: str, login_url: str, accounts: list[IssuedAccount]) -> bytes:
    """The same accounts as one table."""
    return write_xlsx(
        "Akun peserta",
        ["No", "Nama", "NIP", "Nama pengguna", "Kata sandi awal", "Alamat masuk"],
        (
            [n, a.name, a.nip_display, a.username, a.initial_password, login_url]
            for n, a in enumerate(accounts, start=1)
        ),
    )


def file_name(title: str, extension: str) -> str:
    """``akun-angkatan-i.pdf``: ASCII letters and digits of the title."""
    slug = "".join(ch if ch.isascii() and ch.isalnum() else "-" for ch in title.lower())
    slug = "-".join(part for part in slug.split("-") if part)[:60] or "peserta"
    return f"akun-{slug}.{extension}"


class SlipStore:
    """Keeps a creation's answer encrypted for a few minutes, for its maker's downloads."""

    def __init__(self, store: Store, secret_key: str) -> None:
        self.store = store
        self.aead = AESGCM(hashlib.sha256(f"prima:slips:{secret_key}".encode()).digest())

    async def put(self, owner: str, result: AccountsCreated) -> str:
        """Store ``result`` for ``owner`` (a user id); returns the key to fetch it with."""
        key = secrets.token_urlsafe(16)
        nonce = secrets.token_bytes(12)
        sealed = self.aead.encrypt(nonce, msgspec.json.encode(result), f"{owner}:{key}".encode())
        await self.store.set(key, nonce + sealed, expires_in=SLIP_TTL)
        return key

    async def get(self, owner: str, key: str) -> AccountsCreated | None:
        """The stored answer, or None when expired, unknown or someone else's."""
        raw = await self.store.get(key) if key else None
        if not raw or len(raw) < 13:
            return None
        try:
            plain = self.aead.decrypt(raw[:12], raw[12:], f"{owner}:{key}".encode())
        except InvalidTag:  # another owner's key, or tampered
            return None
        return msgspec.json.decode(plain, type=AccountsCreated)

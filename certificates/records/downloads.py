"""Downloading issued PDFs: one certificate, a session's as a ZIP, or merged for printing.

Files come from the content-addressed store byte for byte (a signed PDF must not be rewritten),
so a download is exactly what was issued, except a revoked certificate's: its copy carries the
DICABUT stamp with the revocation date and category (``certificates.revoked_stamp``; the stored
original stays as issued and still hashes as issued). The ZIP is streamed as it is built (a
1,000-person session is ~30 MB) with stored, not deflated, entries: PDFs are compressed
already. The merged PDF re-writes the pages into one document for a print shop; it is for
paper, not for verification (its signatures do not carry over).

Session bundles hold the session's current certificates (not revoked, not superseded), in
number order, named ``<number with / as ->_<name>.pdf``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import logging
import re
import unicodedata
import zipfile
from collections.abc import AsyncIterator
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import msgspec
import pypdf

from certificates.records.revoked_stamp import STAMP_WORD, stamp_revoked
from certificates.records.schemas import REVOCATION_CATEGORIES
from certificates.records.service import course_title, get_visible, load_json, may_see
from certificates.rendering.storage import FileStore
from certificates.tables import Certificate
from lms.auth.caller import Caller
from lms.shared.errors import NotFound
from lms.shared.indonesian import format_date

LOGGER = logging.getLogger(__name__)

SESSION_NOT_FOUND = "Sertifikat sesi ini tidak ditemukan."
FILE_MISSING = "Berkas PDF sertifikat ini tidak ditemukan di penyimpanan."
_UNSAFE = re.compile(r"[^A-Za-z0-9.,_-]+")


def safe_filename(text: str, limit: int = 120) -> str:
    """``text`` as a portable file name part: ASCII letters, digits, ``.,_-``; spaces as ``_``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    ascii_text = ascii_text.replace("'", "").replace("/", "-")
    cleaned = _UNSAFE.sub("_", ascii_text).strip("._")
    return cleaned[:limit] or "sertifikat"


def pdf_filename(number: str, holder_name: str) -> str:
    """``001-PP-DPMPTSP-XI-2026_Muh._Maruf,_S.Sos.,_M.Si.pdf``."""
    return f"{safe_filename(number.replace('/', '-'))}_{safe_filename(holder_name)}.pdf"


class Download(msgspec.Struct, kw_only=True):
    """A file to send."""

    content: bytes
    filename: str


class Bundle(msgspec.Struct, kw_only=True):
    """A streamed file to send."""

    chunks: AsyncIterator[bytes]
    filename: str


class _Sink(io.RawIOBase):
    """A write-only, unseekable stream whose bytes are taken out as the ZIP grows."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []
        self._position = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        chunk = bytes(data)
        self._parts.append(chunk)
        self._position += len(chunk)
        return len(chunk)

    def tell(self) -> int:
        return self._position

    def take(self) -> bytes:
        data, self._parts = b"".join(self._parts), []
        return data


class DownloadService:
    """PDF, ZIP and merged downloads, checked against what the caller may see."""

    def __init__(self, store: FileStore, timezone: str = "Asia/Jakarta") -> None:
        self.store = store
        self.timezone = timezone

    async def _read(self, sha256: str) -> bytes | None:
        try:
            return await asyncio.to_thread(self.store.read_pdf, sha256)
        except (FileNotFoundError, ValueError):
            LOGGER.error("certificate PDF %s is missing from the store", sha256)
            return None

    async def pdf(self, caller: Caller, certificate_id: UUID) -> Download:
        """One certificate's PDF, as issued.

        Raises:
            NotFound: unknown, not visible to the caller, or its file is missing.
        """
        row = await get_visible(caller, certificate_id)
        content = await self._read(row["pdf_sha256"])
        if content is None:
            raise NotFound(FILE_MISSING)
        filename = pdf_filename(row["number"], row["holder_name"])
        if row["status"] == "revoked":
            content = await asyncio.to_thread(stamp_revoked, content, self._stamp_lines(row))
            filename = filename.removesuffix(".pdf") + "_DICABUT.pdf"
        return Download(content=content, filename=filename)

    def _stamp_lines(self, row: dict[str, Any]) -> list[str]:
        """The stamp's box: the word, the revocation date here, the category's label."""
        revocation = load_json(row["revocation"]) or {}
        category = str(revocation.get("category") or "lainnya")
        label = REVOCATION_CATEGORIES.get(category, REVOCATION_CATEGORIES["lainnya"])["id"]
        lines = [f"{STAMP_WORD} - sertifikat ini tidak berlaku", f"Nomor: {row['number']}"]
        revoked_at = row["revoked_at"]
        if revoked_at is not None:
            local = revoked_at.astimezone(ZoneInfo(self.timezone))
            lines.append(f"Tanggal pencabutan: {format_date(local.date())}")
        lines.append(f"Kategori: {label}")
        return lines

    async def session_rows(self, caller: Caller, session_id: UUID) -> list[dict[str, Any]]:
        """The session's current certificates the caller may see, in number order.

        Raises:
            NotFound: there is none (or none visible).
        """
        rows = await (
            Certificate.select(
                Certificate.id,
                Certificate.number,
                Certificate.holder_name,
                Certificate.pdf_sha256,
                Certificate.person_id,
                Certificate.unit_path,
                Certificate.snapshot,
                Certificate.issued_at,
            )
            .where((Certificate.session_id == session_id) & Certificate.status.is_in(["valid"]))
            .order_by(Certificate.year)
            .order_by(Certificate.seq)
            .order_by(Certificate.number)
        )
        visible = [row for row in rows if may_see(caller, row)]
        if not visible:
            raise NotFound(SESSION_NOT_FOUND)
        return visible

    @staticmethod
    def _bundle_name(row: dict[str, Any], extension: str) -> str:
        title = course_title(load_json(row["snapshot"])) or "sesi"
        return f"sertifikat_{safe_filename(title)}.{extension}"

    async def zip(self, caller: Caller, session_id: UUID) -> Bundle:
        """The session's certificates as a streamed ZIP.

        Raises:
            NotFound: the session has no certificate the caller may see.
        """
        rows = await self.session_rows(caller, session_id)
        return Bundle(chunks=self._zip_chunks(rows), filename=self._bundle_name(rows[0], "zip"))

    async def _zip_chunks(self, rows: list[dict[str, Any]]) -> AsyncIterator[bytes]:
        sink = _Sink()
        with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_STORED) as archive:
            for row in rows:
                content = await self._read(row["pdf_sha256"])
                if content is None:
                    continue
                # Each entry is dated when its certificate was issued (local time, as ZIP keeps
                # it), so the same certificates always give the same bytes: two downloads can
                # be compared, and the date a person sees in the archive is the certificate's.
                stamp = _zip_time(row["issued_at"])
                info = zipfile.ZipInfo(pdf_filename(row["number"], row["holder_name"]), stamp)
                info.external_attr = 0o644 << 16
                archive.writestr(info, content)
                yield sink.take()
        yield sink.take()

    async def merged(self, caller: Caller, session_id: UUID) -> Download:
        """The session's certificates as one PDF for printing.

        Raises:
            NotFound: the session has no certificate the caller may see.
        """
        rows = await self.session_rows(caller, session_id)
        contents = [await self._read(row["pdf_sha256"]) for row in rows]
        merged = await asyncio.to_thread(_merge, [c for c in contents if c is not None])
        return Download(content=merged, filename=self._bundle_name(rows[0], "pdf"))


def _merge(pdfs: list[bytes]) -> bytes:
    writer = pypdf.PdfWriter()
    for pdf in pdfs:
        writer.append(pypdf.PdfReader(io.BytesIO(pdf)), import_outline=False)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def _zip_time(issued_at: dt.datetime | None) -> tuple[int, int, int, int, int, int]:
    """A ZIP entry's date: the issue time in Asia/Jakarta (ZIP has no time zone; 1980 at
    the earliest)."""
    from zoneinfo import ZoneInfo

    when = (issued_at or dt.datetime(1980, 1, 1, tzinfo=dt.UTC)).astimezone(
        ZoneInfo("Asia/Jakarta")
    )
    return (max(when.year, 1980), when.month, when.day, when.hour, when.minute, when.second)

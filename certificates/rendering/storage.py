"""Immutable, content-addressed storage of issued PDFs and the images they print.

A file is named by the SHA-256 of its bytes (``<data dir>/certificates/ab/cd/<sha256>.pdf``), and
the certificate row keeps that hash, so:

- a stored PDF can never be swapped silently: its name is its checksum, and HR's "is this PDF
  ours?" check is a hash lookup;
- writing is idempotent: issuing the same bytes twice stores one file, and a file that exists
  is never overwritten (the new file is linked in with ``os.link``, which refuses to replace);
- a crash cannot leave a half-written file under a final name: bytes go to a temporary file in
  the same folder, are flushed to disk, then linked in atomically. A file whose row was never
  committed is harmless (nothing points at it).

Images a unit prints (logo, scanned signature) are kept the same way, as their ``data:`` URI text
under ``assets/``, so a snapshot can name them by hash instead of repeating them in every row.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Iterable
from pathlib import Path

from lms.config import Settings

_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def sha256_hex(data: bytes) -> str:
    """The lower-case hex SHA-256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


class FileStore:
    """Files named by their SHA-256 under ``root`` (see the module docstring).

    Args:
        root: the store's folder, created on first write.
    """

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def pdf_path(self, sha256: str) -> Path:
        """Where the PDF with this hash lives (whether or not it exists).

        Raises:
            ValueError: ``sha256`` is not 64 lower-case hex digits (never a path from outside).
        """
        return self._path(sha256, "", ".pdf")

    def asset_path(self, sha256: str) -> Path:
        """Where the image ``data:`` URI with this hash lives."""
        return self._path(sha256, "assets", ".uri")

    def _path(self, sha256: str, folder: str, suffix: str) -> Path:
        if not _SHA256.match(sha256):
            raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")
        base = self.root / folder if folder else self.root
        return base / sha256[:2] / sha256[2:4] / f"{sha256}{suffix}"

    def put_pdf(self, data: bytes) -> str:
        """Store a PDF (unless already stored) and return its SHA-256; blocking I/O."""
        sha = sha256_hex(data)
        _write_once(self.pdf_path(sha), data)
        return sha

    def put_pdfs(self, pdfs: Iterable[bytes]) -> list[str]:
        """``put_pdf`` for each PDF, in order (one call for a batch, e.g. in a thread)."""
        return [self.put_pdf(pdf) for pdf in pdfs]

    def read_pdf(self, sha256: str) -> bytes:
        """The stored PDF.

        Raises:
            FileNotFoundError: no such file.
        """
        return self.pdf_path(sha256).read_bytes()

    def has_pdf(self, sha256: str) -> bool:
        """True when the PDF with this hash is stored."""
        return self.pdf_path(sha256).is_file()

    def put_asset(self, data_uri: str) -> str:
        """Store an image ``data:`` URI and return the SHA-256 of its text."""
        data = data_uri.encode("ascii")
        sha = sha256_hex(data)
        _write_once(self.asset_path(sha), data)
        return sha

    def read_asset(self, sha256: str) -> str | None:
        """The stored ``data:`` URI, or ``None`` when it is missing."""
        try:
            return self.asset_path(sha256).read_text(encoding="ascii")
        except (FileNotFoundError, ValueError):
            return None


def _write_once(path: Path, data: bytes) -> None:
    if path.is_file():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        try:
            os.link(tmp, path)  # atomic, and refuses to replace an existing file
        except FileExistsError:
            pass  # the same bytes were stored meanwhile
    finally:
        os.unlink(tmp)


def store_for(settings: Settings) -> FileStore:
    """The store of this installation: ``<LMS_DATA_DIR>/certificates``."""
    return FileStore(settings.data_dir / "certificates")

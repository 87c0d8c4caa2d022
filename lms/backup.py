"""Backups: one checksummed archive of the database, the PDF store and the signing material.

A Prima installation is its database plus its data dir (content-addressed PDFs and proofs, the
secret key, the signer's key material). A backup that has one without the other is useless: a
certificate row whose PDF is gone cannot be downloaded, a PDF without its row does not verify. So
``lms backup`` writes both into one tar archive with a ``manifest.json`` listing every member's
SHA-256, and ``lms restore`` checks every checksum before it writes anything.

- SQLite: Python's ``sqlite3`` online backup API copies a consistent snapshot while the server
  keeps serving (a plain file copy of a WAL database can catch a half-applied transaction).
- PostgreSQL: ``pg_dump --format=custom`` (one consistent snapshot by MVCC); restored with
  ``pg_restore`` into an empty database.

The archive is plain tar, not compressed: the PDFs are already compressed, and an operator can
list it with ``tar tf``. It holds secrets (the JWT key, the signer's PKCS#12): keep it as
carefully as the data dir; the file is created mode 600.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from lms.config import Settings
from lms.jobs import runner
from lms.jobs.scheduled import scheduled

__all__ = ["BackupError", "BackupSummary", "backup", "restore"]

MANIFEST = "manifest.json"
FORMAT = "prima-backup/1"
_SQLITE_MEMBER = "database/lms.sqlite3"
_PG_MEMBER = "database/postgresql.dump"
_CHUNK = 1 << 20


class BackupError(Exception):
    """A backup or restore that cannot go on; the message is for the operator (Indonesian)."""


@dataclass(frozen=True)
class BackupSummary:
    """What a backup or restore handled, for the command's last line."""

    path: Path
    engine: str
    files: int
    bytes: int


def _sqlite_path(database_url: str) -> Path:
    return Path(database_url.split("sqlite:///", 1)[1].split("?", 1)[0])


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _data_files(settings: Settings, skip: set[Path]) -> Iterator[tuple[Path, str]]:
    """Every regular file of the data dir as (path, archive name), minus the live database."""
    root = settings.data_dir
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if Path(folder, d) not in skip)
        for name in sorted(files):
            path = Path(folder, name)
            if path in skip or path.is_symlink() or not path.is_file():
                continue
            if name.startswith(".tmp") or name.endswith((".tmp", "-wal", "-shm", "-journal")):
                continue  # half-written store files and SQLite's side files are not data
            yield path, "data/" + path.relative_to(root).as_posix()


def backup(
    settings: Settings,
    destination: Path | None = None,
    *,
    progress: Callable[[str], None] | None = None,
) -> BackupSummary:
    """Write a backup archive of ``settings``' database and data dir.

    Args:
        settings: the installation to back up.
        destination: the archive's path (ending ``.tar``), or a folder to put
            ``prima-backup-<UTC time>.tar`` in; default ``<data dir>/backups/``.
        progress: called with a short Indonesian line per stage.

    Returns:
        What was written.
    """
    say = progress or (lambda _line: None)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    backups_dir = settings.data_dir / "backups"
    target = destination or backups_dir
    if target.suffix != ".tar":  # a folder (made if missing) gets a time-stamped archive
        target.mkdir(parents=True, exist_ok=True)
        target = target / f"prima-backup-{stamp}.tar"
    if target.exists():
        raise BackupError(f"berkas cadangan sudah ada: {target}")
    target.parent.mkdir(parents=True, exist_ok=True)

    with tempfile.TemporaryDirectory(prefix="prima-backup-") as work:
        members: list[tuple[Path, str]] = []
        skip = {backups_dir.resolve(), target.resolve()}
        if settings.is_sqlite:
            say("Menyalin basis data SQLite (online backup)")
            live = _sqlite_path(settings.database_url)
            skip.add(live.resolve())
            copy = Path(work, "lms.sqlite3")
            _sqlite_backup(live, copy)
            members.append((copy, _SQLITE_MEMBER))
            engine = "sqlite"
        else:
            say("Menyalin basis data PostgreSQL (pg_dump)")
            dump = Path(work, "postgresql.dump")
            _run(
                [
                    "pg_dump",
                    "--format=custom",
                    "--no-owner",
                    "--file",
                    str(dump),
                    settings.database_url,
                ],
                "pg_dump",
            )
            members.append((dump, _PG_MEMBER))
            engine = "postgresql"
        say("Menyalin berkas sertifikat, bukti dan bahan tanda tangan")
        members.extend(_data_files(settings, {p.resolve() for p in skip}))
        external = Path(settings.signing_p12) if settings.signing_p12 else None
        if external and external.is_file() and settings.data_dir not in external.parents:
            members.append((external, "external/" + external.name))

        say(f"Menghitung checksum {len(members)} berkas")
        entries: list[dict[str, str | int]] = [
            {"name": name, "sha256": _sha256_file(path), "size": path.stat().st_size}
            for path, name in members
        ]
        manifest = {
            "format": FORMAT,
            "created_at": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
            "engine": engine,
            "files": entries,
        }
        partial = target.with_name(target.name + ".part")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w") as tar:
            body = json.dumps(manifest, indent=2).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mode, info.mtime = len(body), 0o600, int(datetime.now().timestamp())
            tar.addfile(info, io.BytesIO(body))
            for path, name in members:
                tar.add(path, arcname=name, recursive=False)
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(partial, target)  # a crash leaves a .part file, never a short archive
    total = sum(int(e["size"]) for e in entries)
    say(f"Cadangan selesai: {target}")
    return BackupSummary(target, engine, len(entries), total)


def _sqlite_backup(source: Path, copy: Path) -> None:
    if not source.exists():
        raise BackupError(f"basis data tidak ditemukan: {source}")
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(copy)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def _run(command: list[str], tool: str) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(f"{tool} tidak ditemukan; pasang paket postgresql-client")
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"{tool} gagal: {done.stderr.strip()[:500]}")


def _read_manifest(tar: tarfile.TarFile) -> dict:
    try:
        member = tar.getmember(MANIFEST)
        handle = tar.extractfile(member)
        manifest = json.loads(handle.read()) if handle else None
    except (KeyError, ValueError) as exc:
        raise BackupError("arsip ini bukan cadangan Prima (manifest.json tidak ada)") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError("format cadangan tidak dikenal")
    return manifest


def _safe_name(name: str) -> bool:
    parts = Path(name).parts
    return bool(parts) and not name.startswith("/") and ".." not in parts


def verify_archive(archive: Path) -> dict:
    """Check every member of ``archive`` against the manifest; return the manifest.

    Raises:
        BackupError: a member is missing, extra, unsafely named, or its checksum differs.
    """
    with tarfile.open(archive, mode="r:") as tar:
        manifest = _read_manifest(tar)
        expected = {e["name"]: e for e in manifest["files"]}
        seen = set()
        for member in tar.getmembers():
            if member.name == MANIFEST:
                continue
            if member.name not in expected or not member.isfile() or not _safe_name(member.name):
                raise BackupError(f"isi arsip tidak tercatat di manifest: {member.name}")
            handle = tar.extractfile(member)
            digest = hashlib.sha256()
            while handle and (chunk := handle.read(_CHUNK)):
                digest.update(chunk)
            if digest.hexdigest() != expected[member.name]["sha256"]:
                raise BackupError(f"checksum tidak cocok: {member.name}")
            seen.add(member.name)
        missing = set(expected) - seen
        if missing:
            raise BackupError(f"berkas hilang dari arsip: {sorted(missing)[0]}")
    return manifest


def restore(
    settings: Settings,
    archive: Path,
    *,
    progress: Callable[[str], None] | None = None,
) -> BackupSummary:
    """Bring a backup back into an empty installation (empty data dir, empty database).

    Every checksum is verified before anything is written; an installation that holds data
    is refused rather than merged into.
    """
    say = progress or (lambda _line: None)
    say("Memeriksa checksum arsip")
    manifest = verify_archive(archive)
    engine = "sqlite" if settings.is_sqlite else "postgresql"
    if manifest["engine"] != engine:
        raise BackupError(f"cadangan ini dari {manifest['engine']}, instalasi ini memakai {engine}")
    data_dir = settings.data_dir
    # The secret key file may have been created by reading the settings: it is not data.
    present = [p for p in data_dir.iterdir() if p.name != "secret_key"] if data_dir.exists() else []
    if settings.is_sqlite:
        live = _sqlite_path(settings.database_url)
        if live.exists() and live.stat().st_size > 0:
            raise BackupError(f"basis data tujuan tidak kosong: {live}")
    if present:
        raise BackupError(f"folder data tujuan tidak kosong: {data_dir}")
    data_dir.mkdir(parents=True, exist_ok=True)
    written = 0
    with tarfile.open(archive, mode="r:") as tar, tempfile.TemporaryDirectory() as work:
        for entry in manifest["files"]:
            name = entry["name"]
            member = tar.getmember(name)
            handle = tar.extractfile(member)
            assert handle is not None  # verify_archive checked every member is a file
            if name == _SQLITE_MEMBER:
                say("Memulihkan basis data SQLite")
                target = _sqlite_path(settings.database_url)
            elif name == _PG_MEMBER:
                target = Path(work, "postgresql.dump")
            elif name.startswith("data/"):
                target = data_dir / name.removeprefix("data/")
            else:  # external signer material: put beside the data, say where
                target = data_dir / "restored-external" / Path(name).name
            target.parent.mkdir(parents=True, exist_ok=True)
            secret = name.endswith(("secret_key", ".p12", ".pem", ".key"))
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600 if secret else 0o644)
            with os.fdopen(fd, "wb") as out:
                shutil.copyfileobj(handle, out, _CHUNK)
            written += entry["size"]
            if name == _PG_MEMBER:
                say("Memulihkan basis data PostgreSQL (pg_restore)")
                _pg_restore_into_empty(settings.database_url, target)
    say("Pemulihan selesai")
    return BackupSummary(archive, engine, len(manifest["files"]), written)


def _pg_restore_into_empty(database_url: str, dump: Path) -> None:
    done = subprocess.run(
        [
            "psql",
            "-tA",
            "-c",
            "select count(*) from information_schema.tables where table_schema = 'public'",
            database_url,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise BackupError(f"psql gagal: {done.stderr.strip()[:500]}")
    if done.stdout.strip() not in {"0", ""}:
        raise BackupError("basis data tujuan tidak kosong; pulihkan ke basis data baru")
    _run(
        ["pg_restore", "--no-owner", "--exit-on-error", "--dbname", database_url, str(dump)],
        "pg_restore",
    )


def prune_backups(folder: Path, keep: int) -> list[Path]:
    """Remove all but the newest ``keep`` time-stamped archives (``prima-backup-*.tar``) of
    ``folder``; return the removed ones. Other files there are left alone."""
    archives = sorted(folder.glob("prima-backup-*.tar"), key=lambda p: p.name, reverse=True)
    removed = archives[max(keep, 1) :]
    for path in removed:
        path.unlink(missing_ok=True)
    return removed


@scheduled("backup", "30 1 * * *")
async def nightly_backup(ctx: runner.JobContext) -> dict[str, Any]:
    """The scheduled backup: one archive into ``<data dir>/backups/``, then only the newest
    ``LMS_BACKUP_KEEP`` archives there are kept."""
    settings = ctx.settings
    await ctx.set_total(1)
    summary = await asyncio.to_thread(backup, settings)
    removed = prune_backups(summary.path.parent, settings.backup_keep)
    await ctx.progress(1)
    return {
        "archive": summary.path.name,
        "files": summary.files,
        "bytes": summary.bytes,
        "removed": [path.name for path in removed],
    }

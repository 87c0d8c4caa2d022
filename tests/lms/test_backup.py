"""Backup and restore: back up a live installation with issued certificates, restore it into an
empty one, and check every certificate still verifies there (served by a real server on the
restored files) and every stored PDF's SHA-256 and signature match.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import sqlite3
import tarfile
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from certificates.tables import Certificate
from lms.backup import BackupError, backup, restore, verify_archive
from lms.config import Settings, get_settings
from tests.certificates.builders.issuing import (  # noqa: F401 - render_pool is a fixture
    finalized_session,
    issue_and_wait,
    render_pool,
    set_profile,
)
from tests.conftest import IS_POSTGRES
from tests.live_server import live_server


def _target_settings(tmp_path: Path) -> Settings:
    """An empty installation: a new data dir and a new database on the same engine."""
    data_dir = tmp_path / "restored"
    if IS_POSTGRES:
        import asyncpg

        base = get_settings().database_url.rsplit("/", 1)[0]
        name = "prima_restore_test"

        async def recreate() -> None:
            admin = await asyncpg.connect(f"{base}/postgres")
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
            await admin.execute(f'CREATE DATABASE "{name}"')
            await admin.close()

        url = f"{base}/{name}"
        _run_blocking(recreate())
    else:
        url = f"sqlite:///{data_dir / 'lms.sqlite3'}"
    return Settings.from_env(
        {
            "LMS_DATABASE_URL": url,
            "LMS_DATA_DIR": str(data_dir),
            "LMS_SECRET_KEY": "restored-secret-not-used-0123456789-abcdef",
        }
    )


def _run_blocking(coro) -> None:
    """Run ``coro`` on a fresh loop in a thread (the test's own loop is busy)."""
    import threading

    errors: list[BaseException] = []

    def target() -> None:
        try:
            asyncio.run(coro)
        except BaseException as exc:  # noqa: BLE001 - re-raised below
            errors.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]


def _verify_on_server(settings: Settings, codes: list[str]) -> list[dict]:
    """Serve the restored installation (``lms migrate`` then ``lms serve``, as an operator
    would after a restore) and verify each code over HTTP."""
    extra = {} if settings.is_sqlite else {"LMS_DATABASE_URL": settings.database_url}
    answers = []
    with live_server(settings.data_dir, **extra) as base:
        for code in codes:
            with urllib.request.urlopen(f"{base}/api/v1/verify/{code}", timeout=10) as resp:
                answers.append(json.loads(resp.read()))
    return answers


async def test_backup_destroy_restore_every_certificate_still_verifies(
    app,
    client,
    organizer,
    unit,
    tmp_path,
    render_pool,  # noqa: F811
):
    world = await finalized_session(organizer, unit)
    await set_profile(client, organizer)
    job = await issue_and_wait(client, organizer, world.session_id)
    assert job["status"] == "succeeded", job
    issued = await Certificate.select().where(Certificate.session_id == world.session_id)
    assert len(issued) == 3

    archive = backup(get_settings(), tmp_path / "cadangan")
    assert archive.path.parent == tmp_path / "cadangan" and archive.path.suffix == ".tar"
    assert oct(archive.path.stat().st_mode & 0o777) == "0o600"  # it holds the keys
    manifest = verify_archive(archive.path)
    names = {entry["name"] for entry in manifest["files"]}
    for row in issued:
        sha = row["pdf_sha256"]
        assert f"data/certificates/{sha[:2]}/{sha[2:4]}/{sha}.pdf" in names
    assert any(name.startswith("data/signing/") for name in names)

    target = _target_settings(tmp_path)
    summary = restore(target, archive.path)
    assert summary.files == len(manifest["files"])

    # The restored files: every PDF is byte-for-byte the one issued, and still signed by the
    # restored signer.
    from certificates.rendering.signer_config import check_signature, signer_setup
    from certificates.rendering.storage import store_for

    store = store_for(target)
    setup = signer_setup(target)
    for row in issued:
        pdf = store.pdf_path(row["pdf_sha256"]).read_bytes()
        assert hashlib.sha256(pdf).hexdigest() == row["pdf_sha256"]
        check = await asyncio.to_thread(check_signature, setup, pdf)
        assert check.ok, check

    # The restored database, served: every certificate verifies as it did.
    answers = await asyncio.to_thread(_verify_on_server, target, [row["code"] for row in issued])
    assert [a["status"] for a in answers] == ["valid"] * 3
    assert sorted(a["number"] for a in answers) == sorted(row["number"] for row in issued)


async def test_restore_refuses_a_changed_byte_and_a_full_target(app, tmp_path):
    archive = backup(get_settings(), tmp_path / "a.tar").path
    tampered = tmp_path / "b.tar"
    data = bytearray(archive.read_bytes())
    with tarfile.open(archive) as tar:
        member = next(m for m in tar.getmembers() if m.name.startswith("database/"))
        data[member.offset_data + member.size // 2] ^= 0x01
    tampered.write_bytes(bytes(data))

    target = _target_settings(tmp_path)
    with pytest.raises(BackupError, match="checksum tidak cocok"):
        restore(target, tampered)
    assert not (target.data_dir / "certificates").exists()  # nothing was written

    restore(target, archive)
    with pytest.raises(BackupError, match="tidak kosong"):
        restore(target, archive)  # never merged into an installation that holds data


@pytest.mark.sqlite_only
def test_backup_command_writes_an_archive_while_the_database_is_open(tmp_path):
    settings = get_settings()
    conn = sqlite3.connect(settings.database_url.split("sqlite:///", 1)[1])
    try:
        conn.execute("BEGIN IMMEDIATE")  # a writer holds the database during the backup
        from lms.cli import main

        result = CliRunner().invoke(main, ["backup", "--to", str(tmp_path)])
    finally:
        conn.rollback()
        conn.close()
    assert result.exit_code == 0, result.output
    assert "Cadangan selesai" in result.output
    (archive,) = tmp_path.glob("prima-backup-*.tar")
    assert verify_archive(archive)["engine"] == "sqlite"

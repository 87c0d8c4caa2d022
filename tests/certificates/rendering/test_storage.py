"""The content-addressed PDF store: names are hashes, files are never overwritten."""

from __future__ import annotations

import hashlib
import os

import pytest

from certificates.rendering.storage import FileStore


def test_a_pdf_is_stored_under_its_sha256(tmp_path):
    store = FileStore(tmp_path)
    data = b"%PDF-1.7 sertifikat"
    sha = store.put_pdf(data)

    assert sha == hashlib.sha256(data).hexdigest()
    assert store.pdf_path(sha) == tmp_path / sha[:2] / sha[2:4] / f"{sha}.pdf"
    assert store.read_pdf(sha) == data
    assert store.has_pdf(sha)
    assert oct(store.pdf_path(sha).stat().st_mode & 0o777) == "0o644"
    assert [p.name for p in store.pdf_path(sha).parent.iterdir()] == [f"{sha}.pdf"]


def test_an_existing_file_is_never_overwritten(tmp_path):
    store = FileStore(tmp_path)
    data = b"%PDF-1.7 asli"
    sha = store.put_pdf(data)
    path = store.pdf_path(sha)
    path.write_bytes(b"tampered")  # whatever is there stays: the store never rewrites a name
    inode = path.stat().st_ino

    assert store.put_pdf(data) == sha
    assert path.read_bytes() == b"tampered"
    assert path.stat().st_ino == inode
    assert [p.name for p in path.parent.iterdir()] == [f"{sha}.pdf"]  # no temporary left


def test_batch_and_assets(tmp_path):
    store = FileStore(tmp_path)
    shas = store.put_pdfs([b"a", b"b", b"a"])
    assert shas == [hashlib.sha256(x).hexdigest() for x in (b"a", b"b", b"a")]
    uri = "data:image/png;base64,iVBORw0KGgo="
    sha = store.put_asset(uri)
    assert store.read_asset(sha) == uri
    assert store.asset_path(sha).parent.parent.parent == tmp_path / "assets"
    assert store.read_asset("0" * 64) is None


def test_paths_come_only_from_hashes(tmp_path):
    store = FileStore(tmp_path)
    for bad in ("../../etc/passwd", "A" * 64, "0" * 63, ""):
        with pytest.raises(ValueError):
            store.pdf_path(bad)
    with pytest.raises(FileNotFoundError):
        store.read_pdf("0" * 64)
    assert not os.listdir(tmp_path)

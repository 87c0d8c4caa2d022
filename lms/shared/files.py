"""Files kept under the data dir: written once, atomically, named by their content."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_once(path: Path, content: bytes) -> None:
    """Write a content-addressed file atomically; an existing file is the same bytes.

    A reader never sees half a file (the bytes go to a temporary file that is renamed), and
    two writers of the same content leave one file.
    """
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
    with os.fdopen(fd, "wb") as fh:
        fh.write(content)
    os.replace(tmp, path)

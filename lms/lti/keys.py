"""The tool's signing keys: RSA keys in ``<data dir>/lti/keys/``, published as a JWKS.

The newest key signs; every key in the folder is published, so after ``lms lti rotate-key`` a
platform that cached the old key still verifies what was signed before, until an admin retires
it (``lms lti retire-key KID`` moves it to ``retired/``). ``LMS_LTI_PRIVATE_KEY`` (a PEM) takes
the place of the folder when keys come from a secret store.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from joserfc.jwk import KeySet, RSAKey

from lms.config import Settings


@dataclass(frozen=True)
class ToolKeys:
    """The signing key and the published set."""

    signing: RSAKey
    published: KeySet

    def jwks(self) -> dict[str, Any]:
        """The public JWKS (``/.well-known/jwks.json``)."""
        return dict(self.published.as_dict(private=False))


def keys_dir(settings: Settings) -> Path:
    return settings.data_dir / "lti" / "keys"


def _new_key() -> RSAKey:
    key = RSAKey.generate_key(2048, private=True, auto_kid=True)
    return key


def _write_key(folder: Path, key: RSAKey) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{int(time.time() * 1000):015d}-{key.kid}.pem"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(key.as_pem(private=True))
    return path


def _load(path: Path) -> RSAKey:
    kid = path.stem.split("-", 1)[1]
    return RSAKey.import_key(
        path.read_bytes(), parameters={"kid": kid, "use": "sig", "alg": "RS256"}
    )


def tool_keys(settings: Settings) -> ToolKeys:
    """Load (creating the first on first use) the tool's keys."""
    pem = os.environ.get("LMS_LTI_PRIVATE_KEY", "")
    if pem:
        key = RSAKey.import_key(pem.encode(), parameters={"use": "sig", "alg": "RS256"})
        key.ensure_kid()
        return ToolKeys(key, KeySet([key]))
    folder = keys_dir(settings)
    paths = sorted(folder.glob("*.pem")) if folder.is_dir() else []
    if not paths:
        paths = [_write_key(folder, _new_key())]
    keys = [_load(p) for p in paths]
    return ToolKeys(keys[-1], KeySet(list[Any](keys)))


def rotate(settings: Settings) -> str:
    """Add a new signing key (the old ones stay published); return its kid."""
    key = _new_key()
    _write_key(keys_dir(settings), key)
    return str(key.kid)


def retire(settings: Settings, kid: str) -> bool:
    """Stop publishing ``kid`` (never the signing key); True when it was found."""
    folder = keys_dir(settings)
    paths = sorted(folder.glob("*.pem"))
    for path in paths[:-1]:
        if path.stem.split("-", 1)[1] == kid:
            retired = folder / "retired"
            retired.mkdir(exist_ok=True)
            path.rename(retired / path.name)
            return True
    return False

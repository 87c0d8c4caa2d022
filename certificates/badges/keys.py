"""The office's Ed25519 badge key and its ``did:web`` identity.

The key lives beside the other signing material in the data dir
(``<data dir>/badges/ed25519.pem``, mode 0600, made on first use) or comes from
``LMS_BADGE_PRIVATE_KEY`` (a PKCS#8 PEM) when keys come from a secret store. The issuer is
``did:web`` on ``LMS_PUBLIC_BASE_URL`` (``https://prima.kota.go.id`` →
``did:web:prima.kota.go.id``); its DID document, served at ``/.well-known/did.json``, lists the
public key as a Multikey (for the Data Integrity proof) and as a JWK (for the VC-JWT), under
the one verification method ``<did>#key-1``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from joserfc.jwk import OKPKey

from certificates.badges import contexts
from lms.config import Settings

KEY_FRAGMENT = "key-1"
_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
#: Multicodec prefix of an Ed25519 public key (0xed, varint-encoded).
_ED25519_PUB = b"\xed\x01"


def base58btc(data: bytes) -> str:
    """Bitcoin base58 (the multibase ``z`` alphabet)."""
    number = int.from_bytes(data, "big")
    out = ""
    while number:
        number, rest = divmod(number, 58)
        out = _B58[rest] + out
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + out


def from_base58btc(text: str) -> bytes:
    """Decode base58 (raises ``ValueError`` on a character outside the alphabet)."""
    number = 0
    for char in text:
        index = _B58.find(char)
        if index < 0:
            raise ValueError("bukan base58")
        number = number * 58 + index
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * (len(text) - len(text.lstrip("1"))) + body


def multikey(public: Ed25519PublicKey) -> str:
    """The ``publicKeyMultibase`` of an Ed25519 key (``z6Mk...``)."""
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "z" + base58btc(_ED25519_PUB + raw)


def public_from_multikey(value: str) -> Ed25519PublicKey:
    """The key of a ``z6Mk...`` Multikey (``ValueError`` if it is not an Ed25519 one)."""
    if not value.startswith("z"):
        raise ValueError("bukan multibase base58btc")
    raw = from_base58btc(value[1:])
    if not raw.startswith(_ED25519_PUB) or len(raw) != 34:
        raise ValueError("bukan kunci Ed25519")
    return Ed25519PublicKey.from_public_bytes(raw[2:])


def did_web(public_base_url: str) -> str:
    """``did:web`` for a base URL: the host (a port as ``%3A``), then path segments by ``:``."""
    parts = urlsplit(public_base_url)
    host = parts.hostname or "localhost"
    if parts.port:
        host = f"{host}%3A{parts.port}"
    segments = [quote(s, safe="") for s in parts.path.split("/") if s]
    return ":".join(["did:web", host, *segments])


@dataclass(frozen=True)
class BadgeKey:
    """The private key with the identifiers that name it."""

    private: Ed25519PrivateKey
    did: str

    @property
    def public(self) -> Ed25519PublicKey:
        return self.private.public_key()

    @property
    def verification_method(self) -> str:
        return f"{self.did}#{KEY_FRAGMENT}"

    def jwk(self, *, private: bool = False) -> OKPKey:
        """The key for joserfc, with ``kid`` = the verification method."""
        pem = self.private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        key = OKPKey.import_key(pem, parameters={"kid": self.verification_method, "alg": "EdDSA"})
        if private:
            return key
        return OKPKey.import_key(key.as_dict(private=False))

    def did_document(self) -> dict[str, Any]:
        """The DID document served at ``/.well-known/did.json``."""
        jwk = {
            k: v for k, v in self.jwk().as_dict(private=False).items() if k in {"kty", "crv", "x"}
        }
        method = self.verification_method
        return {
            "@context": [contexts.DID_V1, contexts.MULTIKEY_V1],
            "id": self.did,
            "verificationMethod": [
                {
                    "id": method,
                    "type": "Multikey",
                    "controller": self.did,
                    "publicKeyMultibase": multikey(self.public),
                    "publicKeyJwk": jwk,
                }
            ],
            "assertionMethod": [method],
            "authentication": [method],
        }


def key_path(settings: Settings) -> Path:
    return settings.data_dir / "badges" / "ed25519.pem"


def _load_pem(pem: bytes) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("LMS_BADGE_PRIVATE_KEY / ed25519.pem bukan kunci Ed25519")
    return key


def badge_key(settings: Settings) -> BadgeKey:
    """Load (creating it on first use) the office's badge key."""
    did = did_web(settings.public_base_url)
    pem = os.environ.get("LMS_BADGE_PRIVATE_KEY", "")
    if pem:
        return BadgeKey(_load_pem(pem.encode()), did)
    path = key_path(settings)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fresh = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process made it first: use theirs
        else:
            with os.fdopen(fd, "wb") as fh:
                fh.write(fresh)
    return BadgeKey(_load_pem(path.read_bytes()), did)

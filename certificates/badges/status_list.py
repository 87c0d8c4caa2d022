"""The office's revocation list as a W3C Bitstring Status List credential.

One list of ``LIST_SIZE`` bits (131,072: the spec's minimum, so a list says little about how
many badges an office issued); bit ``i`` is 1 when the certificate whose badge holds index
``i`` is revoked or superseded. The bits are gzip-compressed and written as multibase
base64url (``u...``) in ``credentialSubject.encodedList``. Bit 0 is the most significant bit
of the first byte, as the spec says.
"""

from __future__ import annotations

import base64
import datetime as dt
import gzip
import io
from collections.abc import Iterable
from typing import Any

from certificates.badges import contexts

LIST_SIZE = 131_072
REVOKED_STATUSES = ("revoked", "superseded")


def encode(indexes: Iterable[int], size: int = LIST_SIZE) -> str:
    """``encodedList`` with the given bits set."""
    bits = bytearray(size // 8)
    for index in indexes:
        bits[index // 8] |= 0x80 >> (index % 8)
    packed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(packed).decode().rstrip("=")


def decode(encoded: str, max_bytes: int = 16 * 1024 * 1024) -> bytes:
    """The raw bits of an ``encodedList`` (``ValueError`` if malformed)."""
    if not encoded.startswith("u"):
        raise ValueError("encodedList harus multibase base64url (u...)")
    body = encoded[1:]
    packed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    with gzip.GzipFile(fileobj=io.BytesIO(packed)) as fh:
        raw = fh.read(max_bytes + 1)
    if len(raw) > max_bytes:
        raise ValueError("encodedList terlalu besar")
    return raw


def bit(raw: bytes, index: int) -> bool:
    """Whether bit ``index`` is set (``IndexError`` outside the list)."""
    if index < 0 or index >= len(raw) * 8:
        raise IndexError(index)
    return bool(raw[index // 8] & (0x80 >> (index % 8)))


def status_list_credential(
    url: str, issuer_did: str, revoked: Iterable[int], valid_from: dt.datetime
) -> dict[str, Any]:
    """The unsigned status list credential published at ``url``."""
    return {
        "@context": [contexts.VC_V2],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_did,
        "validFrom": valid_from.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encode(revoked),
        },
    }

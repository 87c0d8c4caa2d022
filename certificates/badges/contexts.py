"""The JSON-LD contexts an Open Badges credential names, served from vendored files only.

``document_loader`` is handed to pyld: it answers the four pinned URLs (see
``vendored/README.md``) and refuses every other URL, so canonicalization never touches the
network and a credential naming an unknown context fails to verify instead of fetching it.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from importlib import resources
from typing import Any

VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB_V3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
DATA_INTEGRITY_V2 = "https://w3id.org/security/data-integrity/v2"
MULTIKEY_V1 = "https://w3id.org/security/multikey/v1"
DID_V1 = "https://www.w3.org/ns/did/v1"

FILES = {
    VC_V2: "credentials-v2.jsonld",
    OB_V3: "ob-v3p0-context-3.0.3.jsonld",
    DATA_INTEGRITY_V2: "data-integrity-v2.jsonld",
    MULTIKEY_V1: "multikey-v1.jsonld",
}


class UnknownContext(ValueError):
    """A document names a context that is not vendored (it is never fetched)."""


@cache
def _load(name: str) -> dict[str, Any]:
    text = resources.files("certificates.badges").joinpath("vendored", name).read_text("utf-8")
    return dict(json.loads(text))


def context(url: str) -> dict[str, Any]:
    """The parsed context document of ``url``."""
    name = FILES.get(url)
    if name is None:
        raise UnknownContext(f"context tidak dikenal: {url[:200]}")
    return _load(name)


def document_loader(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """pyld's document loader over the vendored files (no network, unknown URLs refused)."""
    return {
        "contextUrl": None,
        "documentUrl": url,
        "document": copy.deepcopy(context(url)),
    }

"""What the Open Badges tests share: 1EdTech's JSON Schema and the independent verifier.

1EdTech's published OB 3.0 JSON Schema (``ob_v3p0_achievementcredential_schema.json``) is not
in any package on the registries we install from, and its text is not part of this repository:
it is read from ``LMS_OB3_SCHEMA`` or from ``ob3/ob_v3p0_achievementcredential_schema.json`` in
the shared folder beside the checkout (see docs/CREDENTIALS.md). Without it the other checks
of each test still run, and ``test_badge_parts.py::test_1edtech_schema_is_at_hand`` skips and
says why.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization

SCHEMA_NAME = "ob_v3p0_achievementcredential_schema.json"
ROOT = Path(__file__).resolve().parents[3]


def schema_path() -> Path | None:
    candidates = [
        os.environ.get("LMS_OB3_SCHEMA", ""),
        str(ROOT.parent / "shared" / "ob3" / SCHEMA_NAME),
        str(ROOT.parent.parent / "shared" / "ob3" / SCHEMA_NAME),
    ]
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    return None


MISSING = f"{SCHEMA_NAME} not found (set LMS_OB3_SCHEMA): see docs/CREDENTIALS.md"


def validate_ob3_schema(credential: dict[str, Any]) -> bool:
    """Validate against 1EdTech's schema; False (checked nothing) when it is not at hand."""
    import jsonschema_rs

    path = schema_path()
    if path is None:
        return False
    schema = json.loads(path.read_text("utf-8"))
    assert schema["$id"].startswith("https://purl.imsglobal.org/spec/ob/v3p0/schema/json/")
    validator = jsonschema_rs.validator_for(schema, validate_formats=True)
    errors = [f"{e.instance_path}: {e.message}" for e in validator.iter_errors(credential)]
    assert not errors, errors
    return True


def require_schema() -> None:
    if schema_path() is None:
        pytest.skip(MISSING)


def public_pem(service: Any) -> bytes:
    return service.key.public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )

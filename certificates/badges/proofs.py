"""The two ways a credential is secured: an embedded ``eddsa-rdfc-2022`` proof and a VC-JWT.

Data Integrity (W3C vc-di-eddsa, ``eddsa-rdfc-2022``): the credential without ``proof`` and
the proof options (with the credential's ``@context``) are each canonicalized with RDFC-1.0
(pyld, contexts from ``certificates.badges.contexts`` only), hashed with SHA-256, and the two
hashes concatenated (options first) are signed with Ed25519; ``proofValue`` is the signature
in multibase base58btc (``z...``).

VC-JWT (Open Badges 3.0 §8.2, VC-JOSE-COSE): the JWT's payload is the credential itself plus
the registered claims ``iss`` (issuer id), ``jti`` (credential id), ``nbf`` / ``exp`` (from
``validFrom`` / ``validUntil``) and ``sub`` when the subject has an id; header ``alg: EdDSA``,
``kid`` = the issuer's verification method, ``typ: JWT``. Signed with joserfc.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import hashlib
import json
import warnings
from collections.abc import Iterator
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from joserfc import jws
from joserfc.errors import JoseError, SecurityWarning
from joserfc.jwk import OKPKey
from pyld import jsonld

from certificates.badges import contexts
from certificates.badges.keys import BadgeKey, base58btc, from_base58btc

CRYPTOSUITE = "eddsa-rdfc-2022"
#: ``EdDSA`` is the name wallets and Open Badges verifiers know (RFC 8037); RFC 9864 renames it
#: ``Ed25519`` (same signature) and joserfc warns about the old name: the warning is silenced
#: around our own calls only (``_old_name``). A token named ``Ed25519`` verifies as well.
JWT_ALGORITHM = "EdDSA"
JWT_ALGORITHMS = ["EdDSA", "Ed25519"]


@contextlib.contextmanager
def _old_name() -> Iterator[None]:
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "EdDSA is deprecated", SecurityWarning)
        yield


#: Limits on a document before it is canonicalized: RDFC-1.0 on hostile input (many blank
#: nodes arranged to defeat the hashing) can take exponential time, and uploads are public.
#: A Prima credential has ~15 blank nodes, ~150 values and a depth of 7.
MAX_DOCUMENT_BYTES = 128 * 1024
MAX_NODES = 2_000
MAX_BLANK_NODES = 64
MAX_DEPTH = 24
MAX_PROOF_VALUE = 200


class ProofError(ValueError):
    """A proof that does not verify, with the reason in Indonesian."""


def screen(document: Any) -> None:
    """Refuse a document too big or too tangled to canonicalize safely (``ProofError``)."""
    nodes = blank = 0
    stack: list[tuple[Any, int]] = [(document, 0)]
    while stack:
        value, depth = stack.pop()
        nodes += 1
        if depth > MAX_DEPTH or nodes > MAX_NODES:
            raise ProofError("kredensial terlalu besar atau terlalu dalam untuk diperiksa")
        if isinstance(value, dict):
            if "id" not in value and "@id" not in value:
                blank += 1
                if blank > MAX_BLANK_NODES:
                    raise ProofError("kredensial memuat terlalu banyak simpul tanpa id")
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value)
    if len(json.dumps(document, ensure_ascii=False)) > MAX_DOCUMENT_BYTES:
        raise ProofError("kredensial terlalu besar untuk diperiksa")


def canonical(document: dict[str, Any]) -> str:
    """RDFC-1.0 canonical N-Quads of a JSON-LD document (vendored contexts only)."""
    try:
        text = jsonld.normalize(
            document,
            {
                "algorithm": "URDNA2015",
                "format": "application/n-quads",
                "documentLoader": contexts.document_loader,
            },
        )
    except Exception as exc:  # noqa: BLE001 - pyld raises anything on hostile input; never a 500
        raise ProofError(f"kredensial tidak dapat dikanonisasi: {str(exc)[:200]}") from exc
    return str(text)


def _hash_data(unsecured: dict[str, Any], options: dict[str, Any]) -> bytes:
    config = {k: v for k, v in options.items() if k != "proofValue"}
    config["@context"] = unsecured.get("@context")
    return (
        hashlib.sha256(canonical(config).encode()).digest()
        + hashlib.sha256(canonical(unsecured).encode()).digest()
    )


def _timestamp(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def add_proof(document: dict[str, Any], key: BadgeKey, created: dt.datetime) -> dict[str, Any]:
    """A copy of ``document`` with one ``eddsa-rdfc-2022`` proof (``assertionMethod``)."""
    unsecured = {k: copy.deepcopy(v) for k, v in document.items() if k != "proof"}
    options = {
        "type": "DataIntegrityProof",
        "cryptosuite": CRYPTOSUITE,
        "created": _timestamp(created),
        "verificationMethod": key.verification_method,
        "proofPurpose": "assertionMethod",
    }
    signature = key.private.sign(_hash_data(unsecured, options))
    # A list of one: 1EdTech's OB 3.0 JSON Schema wants an array (the same RDF as an object).
    return {**unsecured, "proof": [{**options, "proofValue": "z" + base58btc(signature)}]}


def verify_proof(document: dict[str, Any], public: Ed25519PublicKey) -> dict[str, Any]:
    """Check the one ``eddsa-rdfc-2022`` proof of ``document``; return the proof.

    The proof covers the RDF the document expands to: a JSON member no context defines expands
    to nothing and so is not covered (pyld drops it silently). Callers that read the JSON must
    also check it is the issued one (``BadgeService.verify`` compares it with the stored copy).

    Raises:
        ProofError: no proof, another suite or purpose, or a signature that does not match.
    """
    proof = document.get("proof")
    if isinstance(proof, list) and len(proof) == 1:
        proof = proof[0]
    if not isinstance(proof, dict):
        raise ProofError("kredensial tidak memuat satu bukti (proof)")
    if proof.get("type") != "DataIntegrityProof" or proof.get("cryptosuite") != CRYPTOSUITE:
        raise ProofError("jenis bukti tidak didukung (harus DataIntegrityProof eddsa-rdfc-2022)")
    if proof.get("proofPurpose") != "assertionMethod":
        raise ProofError("tujuan bukti harus assertionMethod")
    value = proof.get("proofValue")
    if not isinstance(value, str) or not value.startswith("z") or len(value) > MAX_PROOF_VALUE:
        raise ProofError("proofValue bukan multibase base58btc")
    try:
        signature = from_base58btc(value[1:])
    except ValueError as exc:
        raise ProofError("proofValue bukan multibase base58btc") from exc
    screen(document)
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    try:
        public.verify(signature, _hash_data(unsecured, proof))
    except InvalidSignature as exc:
        raise ProofError("tanda tangan tidak cocok: kredensial telah diubah") from exc
    return proof


def _epoch(value: Any) -> int | None:
    if not isinstance(value, str):
        return None
    try:
        return int(dt.datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp())
    except ValueError:
        return None


def _object_id(value: Any) -> Any:
    return value.get("id") if isinstance(value, dict) else value


def sign_jwt(credential: dict[str, Any], key: BadgeKey) -> str:
    """The credential (without an embedded proof) as a compact VC-JWT."""
    body = {k: v for k, v in credential.items() if k != "proof"}
    claims: dict[str, Any] = {
        **body,
        "iss": _object_id(body.get("issuer")),
        "jti": body.get("id"),
        "nbf": _epoch(body.get("validFrom")),
    }
    if (exp := _epoch(body.get("validUntil"))) is not None:
        claims["exp"] = exp
    if (sub := _object_id(body.get("credentialSubject"))) is not None:
        claims["sub"] = sub
    header = {"alg": JWT_ALGORITHM, "kid": key.verification_method, "typ": "JWT"}
    payload = json.dumps(claims, ensure_ascii=False, separators=(",", ":")).encode()
    with _old_name():
        return jws.serialize_compact(
            header, payload, key.jwk(private=True), algorithms=[JWT_ALGORITHM]
        )


def verify_jwt(token: str, public_jwk: OKPKey) -> tuple[dict[str, Any], dict[str, Any]]:
    """Check a compact VC-JWT's signature; return (header, payload).

    Raises:
        ProofError: malformed, another algorithm, or a signature that does not match.
    """
    try:
        with _old_name():
            obj = jws.deserialize_compact(token.strip(), public_jwk, algorithms=JWT_ALGORITHMS)
        payload = json.loads(obj.payload)
    except (JoseError, ValueError, TypeError) as exc:
        raise ProofError("tanda tangan JWT tidak sah atau JWT rusak") from exc
    if not isinstance(payload, dict):
        raise ProofError("isi JWT bukan objek kredensial")
    return dict(obj.headers()), payload

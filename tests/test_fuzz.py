"""Fuzz every operation of the OpenAPI document with schemathesis, as an admin.

Each operation of the app's own document (so routes added later join automatically) gets a
bounded, derandomized set of generated requests — valid ones and invalid ones — and every
answer must be a non-5xx whose status code, content type and body are those the document
declares for that operation.

Why cases are drawn first and sent afterwards: the app runs on the test's event loop (see
``tests/conftest.py``), but hypothesis drives a synchronous function. So hypothesis only
*collects* schemathesis ``Case`` objects; the test then sends each one through the async httpx
client, byte for byte as schemathesis would send it (``requests`` prepares the request), and
lets schemathesis validate the answer.
"""

from __future__ import annotations

import os
from typing import Any

import hypothesis
import hypothesis.errors
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

MAX_EXAMPLES = int(os.environ.get("LMS_FUZZ_EXAMPLES", "15"))
"""Valid requests generated per operation (and again on existing objects, when it has ids).

Invalid requests get a third of that: generating them from negated schemas is the slow part
of the run. ``LMS_FUZZ_EXAMPLES=200`` makes a deeper run by hand.
"""

KNOWN_FAILURES: dict[str, str] = {}
"""operationId → why it fails today: such operations are marked ``xfail(strict=True)``, so the
run stays green until the fix lands and then fails until the entry is removed."""

BASE_URL = "http://testserver"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


def _openapi_document() -> dict[str, Any]:
    """The document the app serves at /schema/openapi.json (same routes, built in-process).

    Request bodies derive from ``lms.shared.schemas.Input`` (``forbid_unknown_fields``), which
    Litestar does not state in the document; without ``additionalProperties: false`` nearly
    every generated "valid" body carries a stray field, is refused with a 400, and never
    reaches the services. The rule is added here to the body schemas that omit it.
    """
    from lms.app import create_app

    document = create_app().openapi_schema.to_schema()
    components = document.get("components", {}).get("schemas", {})
    for path in document["paths"].values():
        for operation in path.values():
            if not isinstance(operation, dict):
                continue
            for media in operation.get("requestBody", {}).get("content", {}).values():
                ref = media.get("schema", {}).get("$ref", "")
                body = components.get(ref.rsplit("/", 1)[-1]) if ref else media.get("schema")
                if body and body.get("type") == "object" and "additionalProperties" not in body:
                    body["additionalProperties"] = False
    return document


DOCUMENT = _openapi_document()
SCHEMA = schemathesis.openapi.from_dict(DOCUMENT)
OPERATIONS = sorted(
    operation["operationId"]
    for path in DOCUMENT["paths"].values()
    for method, operation in path.items()
    if isinstance(operation, dict) and "operationId" in operation
)


def _operation(schema: Any, operation_id: str) -> Any:
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.definition.raw.get("operationId") == operation_id:
            return operation
    raise LookupError(operation_id)


def _draw_cases(strategy: Any, max_examples: int) -> list[Any]:
    """Collect up to ``max_examples`` cases from a strategy, the same ones on every run."""
    cases: list[Any] = []

    @hypothesis.given(strategy)
    @hypothesis.settings(
        max_examples=max_examples,
        derandomize=True,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def collect(case: Any) -> None:
        cases.append(case)

    try:
        collect()
    except hypothesis.errors.Unsatisfiable:
        # No such input exists (e.g. a negative case for an operation without parameters).
        pass
    return cases


async def _send(client: Any, case: Any, token_headers: dict[str, str]) -> Any:
    """Send a case through the in-process client exactly as schemathesis would."""
    kwargs = case.as_transport_kwargs(base_url=BASE_URL)
    headers = dict(kwargs.get("headers") or {})
    headers.update(token_headers)
    prepared = requests.Request(
        method=kwargs["method"],
        url=kwargs["url"],
        headers=headers,
        params=kwargs.get("params"),
        cookies=kwargs.get("cookies"),
        json=kwargs.get("json"),
        data=kwargs.get("data"),
        files=kwargs.get("files"),
    ).prepare()
    body = prepared.body.encode() if isinstance(prepared.body, str) else prepared.body
    return await client.request(
        prepared.method, prepared.url, headers=dict(prepared.headers), content=body
    )


@pytest.fixture
async def known_ids(app, unit) -> dict[str, str]:
    """Ids of real objects, so generated requests also reach existing rows, not only 404s.

    Keyed by path-parameter name. The user is a separate account: a generated PATCH may
    deactivate it, which must not lock the admin out mid-test.
    """
    from tests.factories import make_actor, make_person

    person_id = await make_person(unit["id"], "Sasaran Uji", nip="198609082018111001")
    target = await make_actor(app, "participant", person_id=person_id, unit_id=unit["id"])
    return {
        "unit_id": str(unit["id"]),
        "person_id": str(person_id),
        "user_id": str(target.user_id),
    }


def _strategies(operation: Any, known: dict[str, str]) -> list[tuple[str, Any, int]]:
    """Valid requests, valid requests on existing objects (when every path parameter is
    known), and invalid requests."""
    positive = operation.as_strategy(generation_mode=GenerationMode.POSITIVE)
    strategies = [("positive", positive, MAX_EXAMPLES)]
    names = [p.name for p in operation.path_parameters]
    if names and all(name in known for name in names):
        fixed = {name: known[name] for name in names}
        strategies.append(
            (
                "positive, existing",
                operation.as_strategy(
                    generation_mode=GenerationMode.POSITIVE, path_parameters=fixed
                ),
                MAX_EXAMPLES,
            )
        )
    negative = operation.as_strategy(generation_mode=GenerationMode.NEGATIVE)
    strategies.append(("negative", negative, max(1, MAX_EXAMPLES // 3)))
    return strategies


@pytest.mark.parametrize(
    "operation_id",
    [
        pytest.param(op, marks=pytest.mark.xfail(reason=KNOWN_FAILURES[op], strict=True))
        if op in KNOWN_FAILURES
        else op
        for op in OPERATIONS
    ],
)
async def test_operation_conforms_to_its_document(operation_id, client, admin, known_ids):
    operation = _operation(SCHEMA, operation_id)
    failures: list[str] = []
    for label, strategy, count in _strategies(operation, known_ids):
        for case in _draw_cases(strategy, count):
            response = await _send(client, case, admin.headers)
            try:
                case.validate_response(response, checks=CHECKS)
            except AssertionError as exc:  # schemathesis reports check failures this way
                failures.append(f"[{label}] {exc}")
    assert not failures, f"{len(failures)} failing cases, the first ones:\n\n" + "\n\n".join(
        failures[:3]
    )


# Bodies no generator draws: each must answer 400 with a problem on every JSON-body operation,
# before any handler runs (``lms.shared.input_guard``). Issue 12 found all three answering 500.
HOSTILE_BODIES = {
    "invalid UTF-8": (b'{"username":"\xff","name":"\xfe\xff"}', "UTF-8"),
    "nested 1000 deep": (b"[" * 1000 + b"]" * 1000, "bersarang terlalu dalam"),
    "nested 40 deep": (b'{"a":' * 40 + b"1" + b"}" * 40, "bersarang terlalu dalam"),
    "NUL in a string": (b'{"name":"a\\u0000b","title":"x\\u0000"}', "NUL"),
    "NUL in a key": (b'{"na\\u0000me":"a"}', "NUL"),
}

JSON_BODY_OPERATIONS = sorted(
    (operation["operationId"], method.upper(), path)
    for path, item in DOCUMENT["paths"].items()
    for method, operation in item.items()
    if isinstance(operation, dict)
    and "application/json" in operation.get("requestBody", {}).get("content", {})
)


def _fill_path(path: str, known: dict[str, str]) -> str:
    """The path with every parameter filled (a known id, or a well-formed unknown one)."""
    import re

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        return known.get(name, "00000000-0000-4000-8000-000000000000")

    return re.sub(r"\{([^}:]+)(?::[^}]+)?\}", value, path)


def test_every_json_body_route_is_covered():
    # 21 JSON-body routes when issue 12 was filed; a drop means the enumeration broke.
    assert len(JSON_BODY_OPERATIONS) >= 21


@pytest.mark.parametrize("label", sorted(HOSTILE_BODIES))
@pytest.mark.parametrize(
    ("operation_id", "method", "path"),
    JSON_BODY_OPERATIONS,
    ids=[op for op, _, _ in JSON_BODY_OPERATIONS],
)
async def test_hostile_json_body_answers_400(
    operation_id, method, path, label, client, admin, known_ids
):
    body, words = HOSTILE_BODIES[label]
    url = _fill_path(path, known_ids)
    public = operation_id == "login"
    headers = {"content-type": "application/json", **({} if public else admin.headers)}
    response = await client.request(method, url, content=body, headers=headers)
    assert response.status_code == 400, (operation_id, label, response.text)
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["status"] == 400
    assert words in problem["detail"], problem


async def test_nul_in_a_query_parameter_answers_400_naming_it(client, admin):
    response = await client.get("/api/v1/users/?q=a%00b", headers=admin.headers)
    assert response.status_code == 400
    assert response.json() == {
        "status": 400,
        "type": "https://prima.example/problems/bad-request",
        "title": "Permintaan tidak valid",
        "detail": "Alamat atau parameter tidak boleh berisi karakter NUL (%00) (parameter `q`).",
        "errors": [{"field": "q", "message": "berisi karakter NUL (%00)"}],
    }

"""OpenAPI documentation of the problem responses a route can answer.

Why: Litestar documents the 400 of a handler with its own exception shape (``status_code``,
``detail``) as ``application/json``, while this app answers every error as an RFC 9457 problem
(``application/problem+json``: ``type``, ``title``, ``status``, ``detail``, ``errors``). A
client generator or the fuzz test reads the document, so each handler lists the problems it
can answer with :func:`problem_responses`, which replaces Litestar's default 400 entry.

"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, fields, is_dataclass
from decimal import Decimal
from typing import Any

import msgspec
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import (
    OpenAPI,
    OpenAPIFormat,
    OpenAPIMediaType,
    OpenAPIResponse,
    OpenAPIType,
    Operation,
    Reference,
    Schema,
)

__all__ = [
    "Problem",
    "ProblemField",
    "decimals_as_strings",
    "document_problems",
    "problem_responses",
]

PROBLEM_MEDIA_TYPE = "application/problem+json"

_DESCRIPTIONS = {
    400: "Data tidak valid (setiap field yang salah ada di `errors`)",
    401: "Token tidak ada, tidak valid atau kedaluwarsa",
    403: "Peran Anda tidak diizinkan",
    404: "Tidak ditemukan, atau di luar cakupan Anda",
    409: "Konflik dengan data yang ada",
    413: "Berkas terlalu besar atau terlalu banyak baris",
    422: "Melanggar aturan (setiap field yang salah ada di `errors`)",
    429: "Terlalu banyak permintaan",
}


class ProblemField(msgspec.Struct, kw_only=True):
    """One invalid field of a problem."""

    field: str
    message: str


class Problem(msgspec.Struct, kw_only=True):
    """An RFC 9457 problem, the body of every error answer."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[ProblemField] | msgspec.UnsetType = msgspec.UNSET


def problem_responses(*statuses: int) -> dict[int, ResponseSpec]:
    """The ``responses=`` of a route handler documenting these problem statuses.

    Args:
        statuses: e.g. ``400, 401, 403, 404``; each gets a problem+json body.
    """
    return {
        status: ResponseSpec(
            data_container=Problem,
            media_type=PROBLEM_MEDIA_TYPE,
            description=_DESCRIPTIONS.get(status, "Kesalahan"),
            generate_examples=False,
        )
        for status in statuses
    }


_GENERIC_STATUSES = (400, 403, 404, 409, 413, 422, 429)

_HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def _problem_schema() -> Schema:
    field = Schema(
        type=OpenAPIType.OBJECT,
        required=["field", "message"],
        properties={
            "field": Schema(type=OpenAPIType.STRING),
            "message": Schema(type=OpenAPIType.STRING),
        },
    )
    return Schema(
        type=OpenAPIType.OBJECT,
        required=["type", "title", "status", "detail"],
        properties={
            "type": Schema(type=OpenAPIType.STRING),
            "title": Schema(type=OpenAPIType.STRING),
            "status": Schema(type=OpenAPIType.INTEGER),
            "detail": Schema(type=OpenAPIType.STRING),
            "errors": Schema(type=OpenAPIType.ARRAY, items=field),
        },
        description="RFC 9457 problem details",
    )


def _is_litestar_error_body(response: Any) -> bool:
    """True for the ``{status_code, detail, extra}`` body Litestar documents for exceptions."""
    content = getattr(response, "content", None) or {}
    media = content.get("application/json")
    schema = getattr(media, "schema", None)
    candidates = [schema, *(getattr(schema, "one_of", None) or [])]
    return any(
        isinstance(s, Schema) and s.required is not None and "status_code" in s.required
        for s in candidates
    )


def document_problems(openapi: OpenAPI, *, public_paths: Sequence[str] = ()) -> None:
    """Make a built OpenAPI document say what the app really answers on errors.

    Meant to run once on ``app.openapi_schema`` in ``create_app``, before the document is first
    served (the served JSON is rendered lazily from that object):
    ``document_problems(app.openapi_schema, public_paths=lms.auth.tokens.PUBLIC_PATHS)``.

    * every error response Litestar documents with its own exception body (the automatic 400
      of any handler with parameters, and ``raises=``) becomes an RFC 9457 problem served as
      ``application/problem+json``, which is what ``lms.shared.problems`` answers;
    * an operation whose path matches one of ``public_paths`` (the JWT exclusions) says it
      needs no token (``security: []``; Litestar drops a handler's empty ``security`` and the
      operation would inherit the global bearer requirement); every other operation
      documents 401.

    * every operation documents the problems any route of this API can answer (400 bad
      input, 403 role, 404 unknown or out of scope, 409 conflict, 413 upload too large, 422
      rule broken, 429 rate limited), so a client generator knows the body of each. A handler
      may still declare its own with :func:`problem_responses` for a better description.

    Args:
        openapi: The app's document object.
        public_paths: Regular expressions of paths served without a token.
    """
    schemas = openapi.components.schemas if openapi.components else None
    if schemas is None:
        return
    schemas.setdefault("Problem", _problem_schema())
    reference = Reference(ref="#/components/schemas/Problem")
    public = [re.compile(pattern) for pattern in public_paths]

    def problem(description: str) -> OpenAPIResponse:
        return OpenAPIResponse(
            description=description,
            content={PROBLEM_MEDIA_TYPE: OpenAPIMediaType(schema=reference)},
        )

    for path, path_item in (openapi.paths or {}).items():
        is_public = any(pattern.search(path) for pattern in public)
        for method in _HTTP_METHODS:
            operation = getattr(path_item, method, None)
            if operation is None:
                continue
            responses = operation.responses if operation.responses is not None else {}
            for status, response in list(responses.items()):
                if _is_litestar_error_body(response):
                    description = _DESCRIPTIONS.get(int(status), "Kesalahan")
                    responses[status] = problem(description)
            if is_public:
                operation.security = []
            if "401" not in responses:
                responses["401"] = problem(_DESCRIPTIONS[401])
            for status in _GENERIC_STATUSES:
                if str(status) not in responses:
                    responses[str(status)] = problem(_DESCRIPTIONS[status])
            operation.responses = responses


def decimals_as_strings(openapi: OpenAPI) -> None:
    """Write every ``Decimal`` value of a built document (the ``default`` of a ``points: Decimal =
    Decimal(1)`` field, an example, an enum) as the string the API sends for it.

    Litestar documents a ``Decimal`` field as ``type: string`` but keeps its default as a
    ``Decimal`` object: msgspec writes it as ``"1"`` when serving ``/schema/openapi.json``, while
    ``json.dumps(app.openapi_schema.to_schema())`` (a tool, a test) fails on it. After this the
    document holds plain JSON values only, and the served JSON does not change.
    """
    seen: set[int] = set()

    def plain(value: Any) -> Any:
        if isinstance(value, Decimal):
            return str(value)
        if id(value) in seen:
            return value
        if isinstance(value, dict):
            seen.add(id(value))
            for key, item in value.items():
                value[key] = plain(item)
        elif isinstance(value, list):
            seen.add(id(value))
            value[:] = [plain(item) for item in value]
        elif type(value) is tuple:
            return tuple(plain(item) for item in value)
        elif is_dataclass(value) and not isinstance(value, type):
            seen.add(id(value))
            for field in fields(value):
                item = getattr(value, field.name)
                if item is not None:
                    setattr(value, field.name, plain(item))
        return value

    plain(openapi)


# -- JSON or a file --------------------------------------------------------------------------
# A report route that answers JSON or a file (``?format=``) is annotated with its JSON Struct (so
# the document describes the JSON exactly) and returns a ``Response`` with a file for the other
# formats. Litestar documents only the Struct's ``application/json``; this operation class adds
# the file's media type to the 200 response, so clients and the fuzz test know both answers.


def with_file_alternative(*media_types: str) -> type[Operation]:
    """An ``operation_class`` whose 200 response also lists these file media types."""

    @dataclass
    class FileAlternativeOperation(Operation):
        def __post_init__(self) -> None:
            ok = (self.responses or {}).get("200")
            content = getattr(ok, "content", None)
            if ok is None or content is None:
                return
            binary = Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.BINARY)
            for media_type in media_types:
                content[media_type] = OpenAPIMediaType(schema=binary)

    return FileAlternativeOperation

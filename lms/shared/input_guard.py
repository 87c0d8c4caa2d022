"""Refuse input no endpoint can store, once, before any handler sees it.

Three kinds of request used to end in a 500 (issue 12): a JSON body that is not UTF-8 (msgspec
raises ``UnicodeDecodeError``, which Litestar does not catch), a JSON body nested ~1,000 deep
(``RecursionError`` inside the decoder) and a NUL character in a string, which SQLite stores
but PostgreSQL refuses in ``text`` columns (11 endpoints answered 500 there). Checking each
endpoint would miss the next one, so the app's request class decodes JSON bodies here and a
small middleware looks at the query string and path; both answer 400 in Indonesian, on both
engines alike.
"""

from __future__ import annotations

from typing import Any, TypeVar, cast
from urllib.parse import parse_qsl

from litestar import Request
from litestar.exceptions import SerializationException
from litestar.types import ASGIApp, Receive, Scope, Send

from lms.shared.errors import BadRequest
from lms.shared.validation import convert_or_400

T = TypeVar("T")

MAX_JSON_DEPTH = 32
"""Deepest nesting of arrays and objects a body may have. The API's bodies nest a few levels
(a question's options inside a list inside the body); 32 leaves room and stays far below the
decoder's recursion limit (~1,000 levels, where the 500 came from)."""

_NUL_ESCAPE = b"\\u0000"


def _check_structure(value: Any, *, walk_depth: bool) -> None:
    """Raise ``BadRequest`` for a NUL in any string or key, or nesting beyond the limit.

    Iterative, so a deep body cannot exhaust the stack here either. The error names the field
    as the client wrote it (``peserta[2].nama``).
    """
    stack: list[tuple[Any, int, str]] = [(value, 1, "")]
    while stack:
        item, depth, where = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                raise BadRequest(
                    "Teks tidak boleh berisi karakter NUL (\\u0000)"
                    + (f" (kolom `{where}`)." if where else "."),
                    errors=[{"field": where, "message": "berisi karakter NUL (\\u0000)"}],
                )
            continue
        if isinstance(item, dict):
            if walk_depth and depth > MAX_JSON_DEPTH:
                raise _too_deep()
            for key, child in item.items():
                path = f"{where}.{key}" if where else str(key)
                stack.append((key, depth + 1, path))
                stack.append((child, depth + 1, path))
        elif isinstance(item, list):
            if walk_depth and depth > MAX_JSON_DEPTH:
                raise _too_deep()
            stack.extend((child, depth + 1, f"{where}[{i}]") for i, child in enumerate(item))


def _too_deep() -> BadRequest:
    return BadRequest(
        f"Data JSON bersarang terlalu dalam (paling banyak {MAX_JSON_DEPTH} tingkat)."
    )


def check_json_body(body: bytes, decoded: Any) -> None:
    """Refuse NUL characters and excessive nesting in an already decoded JSON body.

    The walk runs only when the raw bytes could hold either (an escaped NUL, or more brackets
    than the depth limit), so the small bodies of most requests cost two byte scans.
    """
    has_nul = _NUL_ESCAPE in body
    may_be_deep = body.count(b"[") + body.count(b"{") > MAX_JSON_DEPTH
    if has_nul or may_be_deep:
        _check_structure(decoded, walk_depth=may_be_deep)


class PrimaRequest(Request[Any, Any, Any]):
    """The app's request class: JSON bodies that cannot be decoded answer 400, never 500."""

    async def json(self) -> Any:
        """The decoded JSON body, checked by :func:`check_json_body`."""
        try:
            value = await super().json()
        except UnicodeDecodeError:
            raise BadRequest(
                "Isi permintaan bukan teks UTF-8 yang sah; kirim JSON dalam UTF-8."
            ) from None
        except RecursionError:
            raise _too_deep() from None
        check_json_body(await self.body(), value)
        return value


class RefuseNulMiddleware:
    """Answer 400 for a NUL (``%00``) in the query string or the path.

    A plain ASGI callable rather than Litestar's ``AbstractMiddleware``: it runs on every
    request, including the verification route whose budget is tight, and costs two byte
    searches.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            query = scope.get("query_string", b"")
            if b"%00" in query or b"\x00" in query or "\x00" in scope.get("path", ""):
                raise _nul_in_address(query)
        await self.app(scope, receive, send)


def _nul_in_address(query: bytes) -> BadRequest:
    """The 400 for a NUL in the address, naming the query parameter that carries it."""
    names = [
        name
        for name, value in parse_qsl(query.decode("latin-1"), keep_blank_values=True)
        if "\x00" in name or "\x00" in value
    ]
    field = names[0].replace("\x00", "") if names else ""
    where = f" (parameter `{field}`)" if field else ""
    return BadRequest(
        f"Alamat atau parameter tidak boleh berisi karakter NUL (%00){where}.",
        errors=[{"field": field, "message": "berisi karakter NUL (%00)"}],
    )


async def decode_body(request: Request[Any, Any, Any], type_: type[T]) -> T:
    """The JSON body as ``type_``, for handlers that read the body themselves (those that also
    take multipart uploads): decoded by the app's request class, so the same refusals apply,
    and validated with Indonesian messages that name the field."""
    from lms.shared.problems import translate_detail

    try:
        raw = await request.json()
    except SerializationException as exc:
        raise BadRequest(translate_detail(str(exc))) from None
    return cast(T, convert_or_400(raw, type_))

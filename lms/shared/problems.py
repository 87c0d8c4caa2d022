"""RFC 9457 problem details for every error, built on Litestar's ``ProblemDetailsPlugin``.

Every response for an error has ``type``, ``title``, ``status`` and ``detail``; validation
errors also list ``errors: [{field, message}]``. Anything unexpected is logged and answered as
a generic 500 problem without internals.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from litestar import Request, Response
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    PermissionDeniedException,
    TooManyRequestsException,
    ValidationException,
)
from litestar.plugins.problem_details import (
    ProblemDetailsConfig,
    ProblemDetailsException,
    ProblemDetailsPlugin,
)

from lms.db.unavailable import RETRY_AFTER_SECONDS, unavailable_detail, unavailable_reason
from lms.shared.errors import DomainError
from lms.shared.validation import describe, split_location, summary, translate

logger = logging.getLogger("lms.errors")

PROBLEM_BASE = "https://prima.example/problems/"
MEDIA_TYPE = "application/problem+json"

_TITLES = {
    400: ("bad-request", "Permintaan tidak valid"),
    401: ("unauthorized", "Tidak terautentikasi"),
    403: ("forbidden", "Tidak diizinkan"),
    404: ("not-found", "Tidak ditemukan"),
    405: ("method-not-allowed", "Metode tidak diizinkan"),
    409: ("conflict", "Konflik"),
    413: ("payload-too-large", "Berkas terlalu besar"),
    415: ("unsupported-media-type", "Jenis konten tidak didukung"),
    422: ("rule-violation", "Melanggar aturan"),
    429: ("too-many-requests", "Terlalu banyak permintaan"),
    500: ("internal-error", "Kesalahan server"),
    503: ("unavailable", "Layanan tidak tersedia"),
}


def problem(
    status: int,
    detail: str,
    *,
    title: str | None = None,
    type_slug: str | None = None,
    errors: list[dict[str, Any]] | None = None,
    extra: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> ProblemDetailsException:
    """Build one problem (``type``, ``title``, ``status``, ``detail`` and optional ``errors``)."""
    slug, default_title = _TITLES.get(status, ("error", "Kesalahan"))
    body: dict[str, Any] = dict(extra or {})
    if errors is not None:
        body["errors"] = errors
    return ProblemDetailsException(
        detail=detail,
        status_code=status,
        headers=headers or None,
        extra=body or None,
        type_=PROBLEM_BASE + (type_slug or slug),
        title=title or default_title,
    )


def problem_response(status: int, detail: str, **kwargs: Any) -> Response[Any]:
    """A problem as a ready response, for handlers that answer without raising."""
    return problem(status, detail, **kwargs).to_response(None)  # type: ignore[arg-type]


_MISSING_PARAMETER = re.compile(r"^Missing required (\w+) parameter '(.+)' for path ")
_SOURCES = {
    "body": "body",
    "query": "query",
    "path": "path",
    "header": "header",
    "cookie": "cookie",
}


def _parameter_types(request: Request[Any, Any, Any] | None) -> dict[str, tuple[str, Any]]:
    """Handler parameter name → (name the client sends, annotation), to name fields as sent
    and to list an enum's values."""
    if request is None:
        return {}
    try:
        parameters = request.route_handler.parsed_fn_signature.parameters
    except AttributeError:
        return {}
    out: dict[str, tuple[str, Any]] = {}
    for name, definition in parameters.items():
        kwarg = definition.kwarg_definition
        alias = getattr(kwarg, "query", None) or getattr(kwarg, "header", None) or name
        out[name] = (alias, definition.annotation)
    return out


def validation_errors(
    extra: Any, request: Request[Any, Any, Any] | None = None, cause: BaseException | None = None
) -> list[dict[str, Any]]:
    """Litestar's validation messages as ``[{field, message, source}]`` in Indonesian.

    The field is named as the client sent it: the body's own field (never ``data``), a query
    parameter by its alias; ``source`` is ``body``, ``query``, ``path`` or ``header``.
    """
    items = extra if isinstance(extra, list) else ([extra] if extra else [])
    parameters = _parameter_types(request)
    # Litestar keeps msgspec's location only for paths under an object (``$.data.x``); for a
    # list body (``$.data[0].status``) it reports ``data``, so take the path from the cause.
    list_path = ""
    if cause is not None:
        where = split_location(str(cause))[1]
        if where.startswith("data["):
            list_path = where.removeprefix("data")
    out = []
    for item in items:
        if not isinstance(item, dict):
            out.append(describe(str(item)))
            continue
        key = str(item.get("key") or item.get("field") or "")
        raw_source = item.get("source")
        source = _SOURCES.get(str(getattr(raw_source, "value", raw_source or "")), "")
        message = str(item.get("message", ""))
        if source == "body" or key == "data" or key.startswith("data."):
            path = list_path if key == "data" else key.removeprefix("data.")
            field_type = parameters.get("data", ("", None))[1]
            field, text = translate(message, field_type, path)
        else:
            name, _, rest = key.partition(".")
            alias, field_type = parameters.get(name, (name, None))
            field, text = translate(message, field_type, rest)
            field = f"{alias}.{field}" if field else alias
        entry = {"field": field, "message": text}
        if source:
            entry["source"] = source
        out.append(entry)
    return out


def validation_problem_handler(
    request: Request[Any, Any, Any], exc: ValidationException
) -> Response[Any]:
    """``ValidationException`` (with the request, so fields and enums can be named)."""
    return _validation_problem(exc, request).to_response(request)


def _validation_problem(
    exc: ValidationException, request: Request[Any, Any, Any] | None
) -> ProblemDetailsException:
    errors = validation_errors(exc.extra, request, exc.__cause__)
    if not errors:
        missing = _MISSING_PARAMETER.match(exc.detail or "")
        if missing:
            source, name = missing.group(1), missing.group(2)
            errors = [{"field": name, "message": "wajib diisi", "source": source}]
    detail = summary(errors) if errors else translate_detail(exc.detail)
    return problem(400, detail, errors=errors or None)


def translate_detail(detail: str) -> str:
    """A 400's English detail from msgspec or Litestar (bad JSON) in Indonesian."""
    _, text = translate(detail)
    if text != detail:
        return f"Isi permintaan tidak valid: {text}."
    return "Data yang dikirim tidak valid."


def from_domain_error(exc: DomainError) -> ProblemDetailsException:
    """A service's ``DomainError`` with its status."""
    return problem(
        exc.status,
        exc.detail,
        title=exc.title,
        type_slug=exc.type_slug,
        errors=exc.errors,
        extra=exc.extra,
        headers=exc.headers,
    )


def from_http_exception(exc: HTTPException) -> ProblemDetailsException:
    """Litestar's own exceptions (validation, auth, 404, 405, 429) as problems."""
    if isinstance(exc, ProblemDetailsException):
        return exc
    status = exc.status_code
    headers = dict(exc.headers or {})
    errors = None
    detail = exc.detail
    if isinstance(exc, ValidationException):
        return _validation_problem(exc, None)
    if status == 400:
        detail = translate_detail(str(detail))
    elif isinstance(exc, NotAuthorizedException):
        detail = "Token tidak ada, tidak valid atau kedaluwarsa."
        headers.setdefault("WWW-Authenticate", "Bearer")
    elif isinstance(exc, PermissionDeniedException):
        detail = "Anda tidak diizinkan melakukan ini."
    elif isinstance(exc, TooManyRequestsException):
        reset = headers.get("RateLimit-Reset")
        headers.setdefault("Retry-After", str(reset) if reset else "60")
        detail = "Terlalu banyak permintaan; coba lagi nanti."
    elif status == 404:
        detail = "Sumber daya tidak ditemukan."
    elif status == 413:
        detail = "Berkas atau permintaan terlalu besar."
    elif status == 405:
        detail = "Metode tidak diizinkan untuk alamat ini."
    elif status >= 500:
        logger.error("HTTP %s: %s", status, exc.detail)
        detail = "Terjadi kesalahan pada server."
    return problem(status, detail, errors=errors, headers=headers)


def from_unexpected(exc: Exception) -> ProblemDetailsException:
    """Last resort: a store that cannot take the request now (too many database connections,
    a refused connection, SQLite's lock held too long) is a 503 with ``Retry-After``; anything
    else is a bug, logged and answered as a 500 problem without internals."""
    reason = unavailable_reason(exc)
    if reason is not None:
        return unavailable_problem(reason, exc)
    logger.error("Unhandled error", exc_info=exc)
    return problem(500, "Terjadi kesalahan pada server.")


def unavailable_problem(reason: str, exc: BaseException | None = None) -> ProblemDetailsException:
    """503: the database (or Redis) is unavailable for now; the client may retry after
    ``Retry-After`` seconds. ``reason`` (``too_many_connections``, ...) goes in the body."""
    logger.warning("Store unavailable (%s): %s", reason, exc)
    return problem(
        503,
        unavailable_detail(reason),
        extra={"reason": reason},
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


def problem_details_plugin() -> ProblemDetailsPlugin:
    """Litestar's plugin, with every exception mapped to a problem."""
    return ProblemDetailsPlugin(
        ProblemDetailsConfig(
            enable_for_all_http_exceptions=True,
            exception_to_problem_detail_map={
                DomainError: from_domain_error,
                HTTPException: from_http_exception,
                Exception: from_unexpected,
            },
        )
    )

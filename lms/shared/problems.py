"""RFC 9457 problem details for every error, built on Litestar's ``ProblemDetailsPlugin``.

Every response for an error has ``type``, ``title``, ``status`` and ``detail``; validation
errors also list ``errors: [{field, message}]``. Anything unexpected is logged and answered as
a generic 500 problem without internals.
"""

from __future__ import annotations

import logging
from typing import Any

from litestar import Response
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

from lms.shared.errors import DomainError

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


def _validation_errors(extra: Any) -> list[dict[str, Any]]:
    items = extra if isinstance(extra, list) else ([extra] if extra else [])
    out = []
    for item in items:
        if isinstance(item, dict):
            entry = {
                "field": str(item.get("key") or item.get("field") or ""),
                "message": str(item.get("message", "")),
            }
            if item.get("source"):
                entry["source"] = str(item["source"])
            out.append(entry)
        else:
            out.append({"field": "", "message": str(item)})
    return out


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
        errors = _validation_errors(exc.extra)
        detail = "Data yang dikirim tidak valid."
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
    """Last resort: log the bug, answer a 500 problem without internals."""
    logger.error("Unhandled error", exc_info=exc)
    return problem(500, "Terjadi kesalahan pada server.")


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

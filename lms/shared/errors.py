"""Domain errors raised by services and turned into RFC 9457 problem details by the app.

Services raise these instead of HTTP exceptions so the rules stay testable without a request;
``lms.shared.problems`` maps each to its status code.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base of every error a client can cause. ``status`` is the HTTP status it maps to."""

    status = 400
    title = "Permintaan tidak valid"
    type_slug = "bad-request"

    def __init__(
        self,
        detail: str,
        *,
        errors: list[dict[str, Any]] | None = None,
        extra: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors
        self.extra = extra or {}
        self.headers = headers


class BadRequest(DomainError):
    """Malformed input (400)."""


class Unauthorized(DomainError):
    """No or invalid credentials (401)."""

    status = 401
    title = "Tidak terautentikasi"
    type_slug = "unauthorized"


class Forbidden(DomainError):
    """The caller is known but may not do this (403)."""

    status = 403
    title = "Tidak diizinkan"
    type_slug = "forbidden"


class NotFound(DomainError):
    """Unknown, or not visible to the caller (404): we never reveal which."""

    status = 404
    title = "Tidak ditemukan"
    type_slug = "not-found"


class Conflict(DomainError):
    """A conflict with the current state: duplicate NIP, full session, clash (409)."""

    status = 409
    title = "Konflik"
    type_slug = "conflict"


class PayloadTooLarge(DomainError):
    """An upload above the size or row limit (413)."""

    status = 413
    title = "Berkas terlalu besar"
    type_slug = "payload-too-large"


class RuleViolation(DomainError):
    """A well-formed request that breaks a business rule (422)."""

    status = 422
    title = "Melanggar aturan"
    type_slug = "rule-violation"


class TooManyRequests(DomainError):
    """Rate limited (429)."""

    status = 429
    title = "Terlalu banyak permintaan"
    type_slug = "too-many-requests"

"""Platform public keys, fetched from the platform's JWKS URL and cached by ``kid``.

An unknown ``kid`` triggers one refetch (a platform that rotated its key is picked up at
once), at most once every ``REFETCH_SECONDS`` per platform, so a flood of tokens naming made-up
kids cannot turn Prima into a request generator against the platform.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

import httpx
from joserfc.jwk import KeySet, RSAKey

REFETCH_SECONDS = 10.0
MAX_JWKS_BYTES = 256 * 1024

Fetch = Callable[[str], Awaitable[dict]]


class PlatformKeyError(Exception):
    """The platform's key could not be had (code and Indonesian message for the error page)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


async def fetch_json(url: str) -> dict:
    """GET a small JSON document (a JWKS or an OpenID configuration) with a short timeout."""
    async with httpx.AsyncClient(timeout=5.0, follow_redirects=False) as client:
        resp = await client.get(url, headers={"Accept": "application/json"})
        resp.raise_for_status()
        if len(resp.content) > MAX_JWKS_BYTES:
            raise ValueError("document too large")
        data = resp.json()
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    return data


class PlatformKeyCache:
    """Keys of every platform this process has seen, by JWKS URL and ``kid``."""

    def __init__(self, fetch: Fetch = fetch_json) -> None:
        self._fetch = fetch
        self._keys: dict[str, dict[str, RSAKey]] = {}
        self._fetched_at: dict[str, float] = {}

    async def key(self, jwks_url: str, kid: str | None) -> RSAKey:
        """The platform key named ``kid`` (refetching the JWKS once when it is unknown)."""
        if not kid:
            raise PlatformKeyError("LTI-KID", "Token tidak menyebut kid kunci platform.")
        found = self._keys.get(jwks_url, {}).get(kid)
        if found is not None:
            return found
        last = self._fetched_at.get(jwks_url, 0.0)
        if time.monotonic() - last >= REFETCH_SECONDS or jwks_url not in self._keys:
            await self._refresh(jwks_url)
            found = self._keys.get(jwks_url, {}).get(kid)
            if found is not None:
                return found
        raise PlatformKeyError("LTI-KID", f"Kunci platform dengan kid {kid!r} tidak dikenal.")

    async def _refresh(self, jwks_url: str) -> None:
        self._fetched_at[jwks_url] = time.monotonic()
        try:
            document = await self._fetch(jwks_url)
            keyset = KeySet.import_key_set(document)  # type: ignore[arg-type]
        except Exception as exc:  # noqa: BLE001 - any failure is one clear error for the page
            raise PlatformKeyError(
                "LTI-JWKS", "Kunci publik platform tidak dapat diambil dari URL JWKS-nya."
            ) from exc
        self._keys[jwks_url] = {
            str(k.kid): k for k in keyset.keys if isinstance(k, RSAKey) and k.kid
        }

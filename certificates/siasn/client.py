"""The SIASN web service (BKN's API manager, "apimws") as Prima calls it.

BKN publishes the service to agencies that ask for access (docs/SIASN.md); the shape below
follows BKN's integration guide as open-source clients implement it, since BKN's own reference
is given to registered agencies only:

* **Two tokens.** The API manager (WSO2) gives an OAuth2 client-credentials token:
  ``POST https://apimws.bkn.go.id/oauth2/token`` with the consumer key and secret as HTTP Basic
  and ``grant_type=client_credentials``; it goes in ``Authorization: Bearer <token>``. SIASN's
  SSO (Keycloak, ``sso-siasn.bkn.go.id/auth/realms/public-siasn/protocol/openid-connect/token``)
  gives the second, sent as ``Auth: bearer <token>``; agencies get a client id and either a
  client secret (``client_credentials``) or an operator account (``password``). Both answer
  ``{"access_token", "expires_in"}``. (github.com/black-coffee04/ws-siasn-php,
  ``src/Services/AuthenticationService.php`` and ``src/Resources/Authentication.php``.)
* **The person.** ``GET {api}/pns/data-utama/{nip}`` answers ``{"code": 1, "data": {"id":
  ...}}``; that ``id`` is the ``pnsOrangId`` of every riwayat. An unknown NIP is a 404 (or
  ``code`` 0 with ``"data": "Data tidak ditemukan"``).
* **The course.** ``POST {api}/kursus/save`` with a JSON body (``id`` null for a new record,
  ``instansiId``, ``institusiPenyelenggara``, ``jenisDiklatId``, ``jenisKursus``,
  ``jenisKursusSertipikat``, ``jumlahJam``, ``lokasiId``, ``namaKursus``, ``nomorSertipikat``,
  ``pnsOrangId``, ``tahunKursus``, ``tanggalKursus`` and ``tanggalSelesaiKursus`` as
  ``dd-mm-yyyy``) answers ``{"success": true, "message": ..., "mapData": {"rwKursusId":
  ...}}``. (ws-siasn-php ``src/Services/KursusService.php`` and ``examples/kursus.php``.)
* **The document.** ``POST {api}/upload-dok-rw``, multipart: ``file`` (the PDF),
  ``id_riwayat`` (the rwKursusId) and ``id_ref_dokumen`` (874 for a course certificate in the
  SDK's table: configurable). (ws-siasn-php ``src/Services/DokumenService.php``.)

``{api}`` is ``LMS_SIASN_URL`` (production: ``https://apimws.bkn.go.id:8243/apisiasn/1.0``).
What no public source settles is configurable: the token URLs, the document reference id, and
the reference codes ``jenisKursus``, ``jenisKursusSertipikat`` and ``lokasiId``.

Errors come out as :class:`SiasnError` with an Indonesian reason that never holds a secret,
and ``retry`` saying whether trying again later may help (timeouts, refused connections, 5xx
and 429) or not (a refusal of the data: the NIP is unknown, a field is wrong).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from lms.config import Settings

TOKEN_MARGIN = 60.0
"""Seconds before a token's announced expiry at which it is fetched anew."""
MESSAGE_LIMIT = 300
"""Characters of SIASN's own message kept in a reason (its answers can be whole HTML pages)."""


class SiasnError(Exception):
    """SIASN refused or did not answer; ``reason`` is for HR, ``retry`` says whether a later
    try may succeed."""

    def __init__(self, reason: str, *, retry: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry = retry


@dataclass(frozen=True)
class SiasnConfig:
    """Where SIASN is and how Prima identifies itself to it (from the ``LMS_SIASN_*``
    settings)."""

    api_url: str
    token_url: str
    sso_token_url: str
    consumer_key: str
    consumer_secret: str
    client_id: str
    client_secret: str = ""
    username: str = ""
    password: str = ""
    instansi_id: str = ""
    id_ref_dokumen: str = "874"
    jenis_kursus: str = ""
    jenis_kursus_sertipikat: str = ""
    lokasi_id: str = ""
    timeout: float = 30.0


def siasn_config(settings: Settings) -> SiasnConfig | None:
    """The SIASN configuration, or None while SIASN is off (``LMS_SIASN_URL`` unset)."""
    if not settings.siasn_url:
        return None
    return SiasnConfig(
        api_url=settings.siasn_url.rstrip("/"),
        token_url=settings.siasn_token_url,
        sso_token_url=settings.siasn_sso_token_url,
        consumer_key=settings.siasn_consumer_key,
        consumer_secret=settings.siasn_consumer_secret,
        client_id=settings.siasn_client_id,
        client_secret=settings.siasn_client_secret,
        username=settings.siasn_username,
        password=settings.siasn_password,
        instansi_id=settings.siasn_instansi_id,
        id_ref_dokumen=settings.siasn_id_ref_dokumen,
        jenis_kursus=settings.siasn_jenis_kursus,
        jenis_kursus_sertipikat=settings.siasn_jenis_kursus_sertipikat,
        lokasi_id=settings.siasn_lokasi_id,
        timeout=float(settings.siasn_timeout),
    )


@dataclass
class _Token:
    value: str
    expires_at: float


def _message(response: httpx.Response) -> str:
    """SIASN's own words about a refusal (``message``, ``error`` or ``data``), shortened."""
    try:
        body = response.json()
    except ValueError:
        return ""
    if not isinstance(body, dict):
        return ""
    for key in ("message", "error_description", "error", "data"):
        value = body.get(key)
        if isinstance(value, str) and value.strip():
            return " ".join(value.split())[:MESSAGE_LIMIT]
    return ""


def _transport_error(exc: httpx.HTTPError, what: str, timeout: float) -> SiasnError:
    if isinstance(exc, httpx.TimeoutException):
        return SiasnError(f"{what} tidak menjawab dalam {timeout:g} detik.", retry=True)
    return SiasnError(f"{what} tidak dapat dihubungi.", retry=True)


@dataclass
class SiasnClient:
    """Calls to SIASN with both tokens, fetched once and reused until shortly before they
    expire (a 401 drops them and the call is tried once more with fresh ones)."""

    config: SiasnConfig
    transport: httpx.AsyncBaseTransport | None = None
    _tokens: dict[str, _Token] = field(default_factory=dict)

    def _client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            timeout=self.config.timeout, follow_redirects=False, transport=self.transport
        )

    async def _fetch_token(
        self, http: httpx.AsyncClient, kind: str, url: str, data: dict[str, str], auth: Any
    ) -> str:
        cached = self._tokens.get(kind)
        if cached is not None and cached.expires_at > time.monotonic():
            return cached.value
        what = "Server token SIASN (API manager)" if kind == "wso" else "SSO SIASN"
        try:
            resp = await http.post(
                url, data=data, auth=auth, headers={"Accept": "application/json"}
            )
        except httpx.HTTPError as exc:
            raise _transport_error(exc, what, self.config.timeout) from None
        if resp.status_code >= 500 or resp.status_code == 429:
            raise SiasnError(f"{what} sedang bermasalah (HTTP {resp.status_code}).", retry=True)
        try:
            body = resp.json() if resp.status_code == 200 else {}
        except ValueError:
            body = {}
        token = body.get("access_token") if isinstance(body, dict) else None
        if not isinstance(token, str) or not token:
            raise SiasnError(
                f"{what} tidak memberi token (HTTP {resp.status_code}); periksa kredensial "
                "SIASN di konfigurasi Prima.",
                retry=False,
            )
        expires_in = body.get("expires_in")
        ttl = float(expires_in) if isinstance(expires_in, int | float) else 300.0
        self._tokens[kind] = _Token(token, time.monotonic() + max(0.0, ttl - TOKEN_MARGIN))
        return token

    async def _headers(self, http: httpx.AsyncClient) -> dict[str, str]:
        cfg = self.config
        wso = await self._fetch_token(
            http,
            "wso",
            cfg.token_url,
            {"grant_type": "client_credentials"},
            (cfg.consumer_key, cfg.consumer_secret),
        )
        if cfg.username:
            sso_form = {
                "grant_type": "password",
                "client_id": cfg.client_id,
                "username": cfg.username,
                "password": cfg.password,
            }
        else:
            sso_form = {
                "grant_type": "client_credentials",
                "client_id": cfg.client_id,
                "client_secret": cfg.client_secret,
            }
        sso = await self._fetch_token(http, "sso", cfg.sso_token_url, sso_form, None)
        return {
            "Authorization": f"Bearer {wso}",
            "Auth": f"bearer {sso}",
            "Accept": "application/json",
        }

    async def _call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """One API call; a 401 (a token expired early or was revoked) is tried once more with
        new tokens. Answers the response of a 2xx or 404; raises SiasnError otherwise."""
        url = self.config.api_url + path
        async with self._client() as http:
            for first in (True, False):
                headers = await self._headers(http)
                try:
                    resp = await http.request(method, url, headers=headers, **kwargs)
                except httpx.HTTPError as exc:
                    raise _transport_error(exc, "SIASN", self.config.timeout) from None
                if resp.status_code == 401 and first:
                    self._tokens.clear()
                    continue
                break
        status = resp.status_code
        if status < 300 or status == 404:
            return resp
        said = _message(resp)
        detail = f": {said}" if said else "."
        if status >= 500 or status == 429:
            raise SiasnError(f"SIASN sedang bermasalah (HTTP {status}){detail}", retry=True)
        if status in (401, 403):
            raise SiasnError(
                f"SIASN menolak akses Prima (HTTP {status}){detail} Periksa kredensial dan "
                "hak akses API instansi.",
                retry=False,
            )
        raise SiasnError(f"SIASN menolak data (HTTP {status}){detail}", retry=False)

    async def orang_id(self, nip: str) -> str:
        """SIASN's id of the civil servant with this NIP (``pnsOrangId``)."""
        resp = await self._call("GET", f"/pns/data-utama/{nip}")
        body = _json(resp)
        data = body.get("data")
        if resp.status_code == 404 or not isinstance(data, dict) or not data.get("id"):
            raise SiasnError(f"NIP {nip} tidak ditemukan di SIASN.", retry=False)
        return str(data["id"])

    async def save_kursus(self, payload: dict[str, Any]) -> str:
        """Save a riwayat kursus; answers its id (``rwKursusId``)."""
        resp = await self._call("POST", "/kursus/save", json=payload)
        body = _json(resp)
        if resp.status_code == 404:
            raise SiasnError(
                "Layanan kursus/save tidak ditemukan di SIASN (HTTP 404).", retry=False
            )
        map_data = body.get("mapData")
        riwayat_id = map_data.get("rwKursusId") if isinstance(map_data, dict) else None
        if body.get("success") is False or not riwayat_id:
            said = _message(resp) or "tanpa keterangan"
            raise SiasnError(f"SIASN tidak menyimpan riwayat kursus: {said}", retry=False)
        return str(riwayat_id)

    async def upload_document(self, riwayat_id: str, pdf: bytes, filename: str) -> None:
        """Attach the certificate PDF to the riwayat as its document."""
        resp = await self._call(
            "POST",
            "/upload-dok-rw",
            data={"id_riwayat": riwayat_id, "id_ref_dokumen": self.config.id_ref_dokumen},
            files={"file": (filename, pdf, "application/pdf")},
        )
        body = _json(resp)
        if resp.status_code == 404 or body.get("success") is False:
            said = _message(resp) or f"HTTP {resp.status_code}"
            raise SiasnError(f"SIASN tidak menerima dokumen sertifikat: {said}", retry=False)


def _json(resp: httpx.Response) -> dict[str, Any]:
    try:
        body = resp.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}

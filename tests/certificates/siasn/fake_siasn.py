"""A fake of BKN's SIASN web service, on a real local HTTP port, built from the published shape
(see ``certificates.siasn.client`` for the sources): the API manager's token endpoint (HTTP
Basic with the consumer key and secret, ``grant_type=client_credentials``), SIASN's SSO token
endpoint (client id and secret), and under ``/apisiasn/1.0`` the three calls Prima makes:
``GET pns/data-utama/{nip}``, ``POST kursus/save`` and ``POST upload-dok-rw``. Every API call
needs both tokens (``Authorization: Bearer`` from the API manager, ``Auth: bearer`` from the
SSO) or is answered 401.

Failure modes are scripted per call: ``fail["save"] = [500]`` answers the next save with a
500, ``"timeout"`` holds the answer until the client has given up.
"""

from __future__ import annotations

import base64
import email.parser
import email.policy
import json
import re
import secrets
import threading
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

CONSUMER_KEY = "prima-consumer-key"
CONSUMER_SECRET = "prima-consumer-secret"
CLIENT_ID = "prima-client"
CLIENT_SECRET = "prima-client-secret"
INSTANSI_ID = "A5EB03E23CCCF6A0E040640A040252AD"
SSO_PATH = "/auth/realms/public-siasn/protocol/openid-connect/token"
API = "/apisiasn/1.0"
DATE = re.compile(r"^\d{2}-\d{2}-\d{4}$")
REQUIRED = (
    "instansiId",
    "institusiPenyelenggara",
    "jenisDiklatId",
    "jumlahJam",
    "namaKursus",
    "nomorSertipikat",
    "pnsOrangId",
    "tahunKursus",
    "tanggalKursus",
    "tanggalSelesaiKursus",
)


@dataclass
class FakeSiasn:
    """The fake's state, read and changed by the tests."""

    people: dict[str, str] = field(default_factory=dict)  # NIP -> pnsOrangId
    expires_in: int = 3600
    fail: dict[str, list[Any]] = field(default_factory=dict)
    wso_tokens: set[str] = field(default_factory=set)
    sso_tokens: set[str] = field(default_factory=set)
    token_requests: dict[str, int] = field(default_factory=lambda: {"wso": 0, "sso": 0})
    calls: list[tuple[str, str]] = field(default_factory=list)
    unauthorized: int = 0
    riwayat: dict[str, dict[str, Any]] = field(default_factory=dict)
    documents: dict[str, dict[str, Any]] = field(default_factory=dict)
    release: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    port: int = 0

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def expire_tokens(self) -> None:
        """Every token handed out stops working (as after its expiry)."""
        with self.lock:
            self.wso_tokens.clear()
            self.sso_tokens.clear()

    def count(self, name: str) -> int:
        return sum(1 for _, call in self.calls if call == name)

    def _scripted(self, name: str) -> Any:
        with self.lock:
            queue = self.fail.get(name) or []
            return queue.pop(0) if queue else None


class _Handler(BaseHTTPRequestHandler):
    fake: FakeSiasn

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def _send(self, status: int, body: Any) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _token(self, kind: str, tokens: set[str]) -> None:
        token = secrets.token_urlsafe(16)
        with self.fake.lock:
            tokens.add(token)
            self.fake.token_requests[kind] += 1
        self._send(
            200,
            {"access_token": token, "token_type": "Bearer", "expires_in": self.fake.expires_in},
        )

    def _wso_token(self) -> None:
        form = parse_qs(self._body().decode())
        expected = base64.b64encode(f"{CONSUMER_KEY}:{CONSUMER_SECRET}".encode()).decode()
        if self.headers.get("Authorization") != f"Basic {expected}":
            self._send(401, {"error": "invalid_client"})
        elif form.get("grant_type") != ["client_credentials"]:
            self._send(400, {"error": "unsupported_grant_type"})
        else:
            self._token("wso", self.fake.wso_tokens)

    def _sso_token(self) -> None:
        form = parse_qs(self._body().decode())
        if (
            form.get("grant_type") != ["client_credentials"]
            or form.get("client_id") != [CLIENT_ID]
            or form.get("client_secret") != [CLIENT_SECRET]
        ):
            self._send(401, {"error": "unauthorized_client"})
        else:
            self._token("sso", self.fake.sso_tokens)

    def _authorized(self) -> bool:
        wso = (self.headers.get("Authorization") or "").removeprefix("Bearer ")
        sso = (self.headers.get("Auth") or "").removeprefix("bearer ")
        with self.fake.lock:
            ok = wso in self.fake.wso_tokens and sso in self.fake.sso_tokens
            if not ok:
                self.fake.unauthorized += 1
        return ok

    def _api(self, name: str) -> bool:
        """Checks both tokens and plays a scripted failure; True when the call goes on."""
        if not self._authorized():
            self._body()
            self._send(401, {"code": 401, "message": "Invalid Credentials"})
            return False
        self.fake.calls.append((self.command, name))
        scripted = self.fake._scripted(name)
        if scripted == "timeout":
            self._body()
            self.fake.release.wait(5)
            return False
        if isinstance(scripted, int):
            self._body()
            self._send(scripted, {"success": False, "message": "Internal Server Error"})
            return False
        return True

    def do_GET(self) -> None:
        prefix = f"{API}/pns/data-utama/"
        if not self.path.startswith(prefix):
            self._send(404, {"message": "not found"})
            return
        if not self._api("data-utama"):
            return
        nip = self.path.removeprefix(prefix)
        orang = self.fake.people.get(nip)
        if orang is None:
            self._send(404, {"code": 0, "data": "Data tidak ditemukan"})
            return
        self._send(200, {"code": 1, "data": {"id": orang, "nipBaru": nip, "nama": "PNS"}})

    def do_POST(self) -> None:
        if self.path == "/oauth2/token":
            self._wso_token()
        elif self.path == SSO_PATH:
            self._sso_token()
        elif self.path == f"{API}/kursus/save":
            if self._api("save"):
                self._save()
        elif self.path == f"{API}/upload-dok-rw":
            if self._api("upload"):
                self._upload()
        else:
            self._send(404, {"message": "not found"})

    def _save(self) -> None:
        try:
            body = json.loads(self._body())
        except ValueError:
            self._send(400, {"success": False, "message": "JSON tidak valid"})
            return
        missing = [k for k in REQUIRED if body.get(k) in (None, "")]
        if missing:
            self._send(400, {"success": False, "message": f"{missing[0]} wajib diisi"})
            return
        if not all(DATE.match(str(body[k])) for k in ("tanggalKursus", "tanggalSelesaiKursus")):
            self._send(400, {"success": False, "message": "format tanggal dd-mm-yyyy"})
            return
        if body["pnsOrangId"] not in self.fake.people.values():
            self._send(400, {"success": False, "message": "pnsOrangId tidak dikenal"})
            return
        riwayat_id = body.get("id") or str(uuid.uuid4())
        with self.fake.lock:
            self.fake.riwayat[riwayat_id] = body
        self._send(
            200, {"success": True, "message": "success", "mapData": {"rwKursusId": riwayat_id}}
        )

    def _upload(self) -> None:
        raw = self._body()
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            f"Content-Type: {self.headers['Content-Type']}\r\n\r\n".encode() + raw
        )
        parts: dict[str, Any] = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            parts[str(name)] = (part.get_filename(), part.get_payload(decode=True))
        riwayat_id = (parts.get("id_riwayat") or (None, b""))[1].decode()
        ref = (parts.get("id_ref_dokumen") or (None, b""))[1].decode()
        filename, content = parts.get("file") or (None, b"")
        if riwayat_id not in self.fake.riwayat:
            self._send(400, {"success": False, "message": "id_riwayat tidak ditemukan"})
            return
        if not ref or not content or not content.startswith(b"%PDF-"):
            self._send(400, {"success": False, "message": "dokumen harus PDF"})
            return
        with self.fake.lock:
            self.fake.documents[riwayat_id] = {"ref": ref, "filename": filename, "pdf": content}
        self._send(
            200,
            {
                "success": True,
                "message": "success",
                "data": {"dok_id": ref, "dok_uri": f"peremajaan/{riwayat_id}.pdf"},
            },
        )


class FakeSiasnServer:
    """The fake running on a free port in a thread of its own."""

    def __init__(self) -> None:
        self.fake = FakeSiasn()
        handler = type("Handler", (_Handler,), {"fake": self.fake})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.fake.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> FakeSiasn:
        self.thread.start()
        return self.fake

    def __exit__(self, *exc: object) -> None:
        self.fake.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()

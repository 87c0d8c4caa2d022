"""Settings: every knob is an ``LMS_*`` environment variable, read once.

Why a frozen Struct: settings are passed explicitly into ``create_app`` so tests can build an
app with other values without touching the process environment, and nothing can mutate them
half-way through a request.
"""

from __future__ import annotations

import functools
import os
import secrets
from pathlib import Path

import msgspec

__all__ = ["Settings", "get_settings"]


def _env_bool(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    """Runtime configuration of one Prima process.

    Attributes mirror the environment variables documented in README.md (``LMS_`` + upper-case
    name). ``secret_key`` is never read from the repository: it comes from ``LMS_SECRET_KEY`` or
    a file generated into the data dir on first start.
    """

    database_url: str
    data_dir: Path
    secret_key: str
    public_base_url: str = "http://127.0.0.1:8000"
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    server: str = "uvicorn"
    timezone: str = "Asia/Jakarta"
    db_pool: bool = False
    db_pool_size: int = 10
    token_ttl_minutes: int = 12 * 60
    login_rate_per_minute: int = 10
    verify_rate_per_minute: int = 120
    max_upload_bytes: int = 10 * 1024 * 1024
    max_import_rows: int = 10_000
    jp_minutes: int = 45
    pns_min_jp: int = 20
    pppk_min_jp: int = 20
    pppk_max_jp: int = 24
    render_workers: int = 0
    render_time_limit: int = 10
    signing_p12: str = ""
    signing_passphrase: str = ""
    # Which signer signs certificate PDFs: "pkcs12" (LMS_SIGNING_P12, the default) or "bsre"
    # (the office's BSrE Esign Client, docs/SIGNING.md). Secrets may come from the variable
    # itself or from a file named by its ``*_FILE`` twin; never from the database.
    signer: str = "pkcs12"
    bsre_url: str = ""
    bsre_user: str = ""
    bsre_password: str = ""
    bsre_mode: str = "sign"
    bsre_nik: str = ""
    bsre_passphrase: str = ""
    bsre_subscriber_id: str = ""
    bsre_totp_secret: str = ""
    bsre_trust_roots: str = ""
    bsre_timeout: int = 60
    bsre_retries: int = 3
    bsre_location: str = ""
    redis_url: str = ""
    job_queue: str = "local"
    job_queue_name: str = "prima"
    worker_concurrency: int = 4
    issue_chunk_size: int = 0  # 0: by the batch and the live workers (certificates.issuing)
    # Scheduled jobs (lms.jobs.scheduled): cron expressions in ``timezone``, "off" turns one off.
    scheduler: bool = True
    cron_expiry_reminders: str = "0 6 * * *"
    cron_backup: str = "30 1 * * *"
    cron_lti_retries: str = "*/15 * * * *"
    backup_keep: int = 7
    expiry_reminder_days: int = 60
    metrics_token: str = ""
    otlp_endpoint: str = ""
    log_format: str = "json"
    log_level: str = "INFO"
    debug: bool = False
    # SIASN (BKN) web service: off while ``siasn_url`` is empty (docs/SIASN.md). The secrets
    # may come from ``LMS_<NAME>_FILE`` instead (a file readable by the service only).
    siasn_url: str = ""
    siasn_token_url: str = "https://apimws.bkn.go.id/oauth2/token"
    siasn_sso_token_url: str = (
        "https://sso-siasn.bkn.go.id/auth/realms/public-siasn/protocol/openid-connect/token"
    )
    siasn_consumer_key: str = ""
    siasn_consumer_secret: str = ""
    siasn_client_id: str = ""
    siasn_client_secret: str = ""
    siasn_username: str = ""
    siasn_password: str = ""
    siasn_instansi_id: str = ""
    siasn_id_ref_dokumen: str = "874"
    siasn_jenis_kursus: str = ""
    siasn_jenis_kursus_sertipikat: str = ""
    siasn_lokasi_id: str = ""
    siasn_timeout: int = 30

    @property
    def is_sqlite(self) -> bool:
        """True when the embedded SQLite engine is in use."""
        return self.database_url.startswith("sqlite")

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        """Read the settings from ``LMS_*`` variables (``environ`` defaults to ``os.environ``)."""
        env = dict(os.environ if environ is None else environ)
        data_dir = Path(env.get("LMS_DATA_DIR", "./var")).resolve()
        database_url = env.get("LMS_DATABASE_URL") or f"sqlite:///{data_dir / 'lms.sqlite3'}"
        secret = env.get("LMS_SECRET_KEY") or _secret_from_data_dir(data_dir)
        kwargs: dict[str, object] = {}
        for field in cls.__struct_fields__:
            if field in {"database_url", "data_dir", "secret_key"}:
                continue
            raw = env.get(f"LMS_{field.upper()}")
            if raw is None and field in SECRET_FILE_FIELDS:
                raw = _read_secret_file(env.get(f"LMS_{field.upper()}_FILE"))
            if raw is None:
                continue
            default = getattr(_DEFAULTS, field)
            if isinstance(default, bool):
                kwargs[field] = _env_bool(raw)
            elif isinstance(default, int):
                kwargs[field] = int(raw)
            else:
                kwargs[field] = raw
        return cls(
            database_url=database_url,
            data_dir=data_dir,
            secret_key=secret,
            **kwargs,  # type: ignore[arg-type]
        )


_DEFAULTS = Settings(database_url="", data_dir=Path("."), secret_key="")

SECRET_FILE_FIELDS = frozenset(
    {
        "signing_passphrase",
        "bsre_password",
        "bsre_passphrase",
        "bsre_totp_secret",
        "siasn_consumer_key",
        "siasn_consumer_secret",
        "siasn_client_secret",
        "siasn_password",
    }
)
"""Secrets that may be given as ``LMS_<NAME>_FILE``: a path whose content (trailing newline
dropped) is the value, so a secret need not sit in the environment of every process."""


def _read_secret_file(path: str | None) -> str | None:
    if not path:
        return None
    return Path(path).read_text(encoding="utf-8").rstrip("\r\n")


def _secret_from_data_dir(data_dir: Path) -> str:
    """Return the secret kept in ``<data dir>/secret_key``, creating it (mode 600) if absent."""
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another worker won the race: use its key
        return path.read_text().strip()
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


@functools.cache
def get_settings() -> Settings:
    """The process-wide settings, read from the environment once."""
    return Settings.from_env()

"""SIASN settings: off until ``LMS_SIASN_URL`` is set; secrets from the environment or from
``LMS_<NAME>_FILE``."""

from __future__ import annotations

from certificates.siasn.client import siasn_config
from lms.config import Settings


def test_siasn_is_off_without_its_url(tmp_path):
    settings = Settings.from_env({"LMS_DATA_DIR": str(tmp_path), "LMS_SECRET_KEY": "x"})
    assert siasn_config(settings) is None


def test_secrets_come_from_files_and_the_environment(tmp_path):
    secret = tmp_path / "consumer_secret"
    secret.write_text("rahasia-dari-berkas\n", encoding="utf-8")
    settings = Settings.from_env(
        {
            "LMS_DATA_DIR": str(tmp_path),
            "LMS_SECRET_KEY": "x",
            "LMS_SIASN_URL": "https://apimws.bkn.go.id:8243/apisiasn/1.0/",
            "LMS_SIASN_CONSUMER_KEY": "kunci",
            "LMS_SIASN_CONSUMER_SECRET_FILE": str(secret),
            "LMS_SIASN_CLIENT_ID": "prima",
            "LMS_SIASN_CLIENT_SECRET": "rahasia-env",
            "LMS_SIASN_INSTANSI_ID": "A5EB03E23CCCF6A0E040640A040252AD",
            "LMS_SIASN_TIMEOUT": "20",
        }
    )
    config = siasn_config(settings)
    assert config is not None
    assert config.api_url == "https://apimws.bkn.go.id:8243/apisiasn/1.0"
    assert config.token_url == "https://apimws.bkn.go.id/oauth2/token"
    assert config.sso_token_url == (
        "https://sso-siasn.bkn.go.id/auth/realms/public-siasn/protocol/openid-connect/token"
    )
    assert (config.consumer_key, config.consumer_secret) == ("kunci", "rahasia-dari-berkas")
    assert (config.client_id, config.client_secret) == ("prima", "rahasia-env")
    assert config.id_ref_dokumen == "874" and config.timeout == 20.0

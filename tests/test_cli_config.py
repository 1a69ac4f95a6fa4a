"""siakgate.config.Settings: environment variables, nesting, and refusal of placeholder secrets outside development."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from siakgate.config import DEV_TRUST_ROOT, Environment, Settings, SigningSettings
from siakgate.signing.api import PadesLevel

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import os

    for name in list(os.environ):
        if name.startswith("SIAKGATE_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)  # no stray .env file


def production(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    root = tmp_path / "bsre-root.crt"
    root.write_bytes((ROOT / "certs" / "issuing-ca.crt").read_bytes())
    monkeypatch.setenv("SIAKGATE_ENVIRONMENT", "production")
    monkeypatch.setenv("SIAKGATE_SIAK__PASSWORD", "s1ak-rahasia-panjang")
    monkeypatch.setenv("SIAKGATE_BSRE__PASSWORD", "bsre-rahasia-panjang")
    monkeypatch.setenv("SIAKGATE_TRUST_ROOTS", f'["{root}"]')
    monkeypatch.setenv("SIAKGATE_METRICS_TOKEN", "metrik-rahasia-panjang")


def test_development_defaults() -> None:
    settings = Settings()
    assert settings.environment is Environment.DEVELOPMENT
    assert settings.trust_roots == [DEV_TRUST_ROOT]
    assert settings.signing.level is PadesLevel.B_LT
    assert settings.bsre.password.get_secret_value() == "siakgate-dev"
    assert "siakgate-dev" not in repr(settings)


def test_nested_environment_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIAKGATE_BSRE__URL", "http://esign.lumajang.example")
    monkeypatch.setenv("SIAKGATE_SIGNING__LEVEL", "B-LTA")
    monkeypatch.setenv("SIAKGATE_SIGNING__BACKEND", "esign-v2")
    monkeypatch.setenv("SIAKGATE_SIGNING__ESIGN_NIK", "3508011205720001")
    settings = Settings()
    assert settings.bsre.url == "http://esign.lumajang.example"
    assert settings.signing.level is PadesLevel.B_LTA
    assert settings.signing.esign_nik == "3508011205720001"


def test_production_accepts_real_secrets(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    production(monkeypatch, tmp_path)
    settings = Settings()
    assert settings.environment is Environment.PRODUCTION
    assert len(settings.trust_root_ders()) == 1


@pytest.mark.parametrize("secret", ["siakgate-dev", "changethis", ""])
@pytest.mark.parametrize("which", ["SIAK", "BSRE"])
def test_production_refuses_placeholder_secrets(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, secret: str, which: str
) -> None:
    production(monkeypatch, tmp_path)
    monkeypatch.setenv(f"SIAKGATE_{which}__PASSWORD", secret)
    with pytest.raises(ValidationError, match=f"{which.lower()}.password is a development placeholder"):
        Settings()


@pytest.mark.parametrize("token", [None, "changethis", ""])
def test_production_refuses_open_metrics(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, token: str | None) -> None:
    production(monkeypatch, tmp_path)
    if token is None:
        monkeypatch.delenv("SIAKGATE_METRICS_TOKEN")
    else:
        monkeypatch.setenv("SIAKGATE_METRICS_TOKEN", token)
    with pytest.raises(ValidationError, match="metrics_token is unset or a placeholder"):
        Settings()


def test_request_limit_follows_the_upload_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIAKGATE_MAX_UPLOAD_BYTES", str(20 * 1024 * 1024))
    assert Settings().request_limit == 21 * 1024 * 1024  # the upload and 1 MiB of multipart envelope
    monkeypatch.setenv("SIAKGATE_MAX_REQUEST_BYTES", "4096")
    assert Settings().request_limit == 4096
    assert Settings().max_json_bytes == 1024 * 1024


def test_production_refuses_missing_or_test_trust_roots(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    production(monkeypatch, tmp_path)
    monkeypatch.setenv("SIAKGATE_TRUST_ROOTS", "[]")
    with pytest.raises(ValidationError, match="trust_roots is empty"):
        Settings()
    (tmp_path / "certs").mkdir()
    monkeypatch.setenv("SIAKGATE_TRUST_ROOTS", '["certs/root-ca.crt"]')
    with pytest.raises(ValidationError, match="test PKI root"):
        Settings()


def test_settings_have_no_passphrase_field() -> None:
    names = set(Settings.model_fields) | set(SigningSettings.model_fields)
    assert not any(word in name for name in names for word in ("passphrase", "pin", "otp"))


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SIAKGATE_SIGNING__BACKEND": "pkcs11"}, "pkcs11_lib, pkcs11_token, pkcs11_key_label"),
        ({"SIAKGATE_SIGNING__BACKEND": "remote-hash"}, "csc_credential_id"),
    ],
)
def test_signing_settings_are_checked(monkeypatch: pytest.MonkeyPatch, env: dict[str, str], message: str) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError, match=message):
        Settings()


def test_timestamped_levels_need_a_tsa() -> None:
    with pytest.raises(ValidationError, match=r"needs signing\.tsa_url"):
        SigningSettings(tsa_url=None)
    assert SigningSettings(tsa_url=None, level=PadesLevel.B_B).tsa_url is None

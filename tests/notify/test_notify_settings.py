"""The notification settings: the lease must outlast a request; no placeholder secret outside development."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from siakgate.config import NotifySettings, Settings
from siakgate.notify import sign, verify_signature


def test_lease_must_exceed_the_timeout() -> None:
    with pytest.raises(ValidationError, match="lease_seconds must exceed"):
        NotifySettings(timeout_seconds=30, lease_seconds=30)


def test_endpoints_only_for_configured_channels() -> None:
    assert NotifySettings(sms_url="http://127.0.0.1:1/sms").endpoints() == {"SMS": "http://127.0.0.1:1/sms"}


def test_placeholder_webhook_secret_refused_in_production(tmp_path: object) -> None:
    values = {
        "_env_file": None,
        "environment": "production",
        "siak": {"password": "siak-produksi-rahasia"},
        "bsre": {"password": "bsre-produksi-rahasia"},
        "signing": {"backend": "pkcs12"},
        "trust_roots": ["/etc/siakgate/root.crt"],
        "notify": {"whatsapp_url": "https://wa.dinas.example/hook"},
        "metrics_token": "metrik-produksi-rahasia",
    }
    with pytest.raises(ValidationError, match=r"notify\.webhook_secret is a development placeholder"):
        Settings(**values)  # type: ignore[arg-type]
    values["notify"] = {"whatsapp_url": "https://wa.dinas.example/hook", "webhook_secret": "rahasia-panjang-acak"}
    assert Settings(**values).notify.endpoints() == {"WHATSAPP": "https://wa.dinas.example/hook"}  # type: ignore[arg-type]


def test_signature_covers_timestamp_and_body() -> None:
    signature = sign(b"k", "1700000000", b'{"id":"A"}')
    assert verify_signature(b"k", "1700000000", b'{"id":"A"}', signature)
    assert not verify_signature(b"k", "1700000001", b'{"id":"A"}', signature)
    assert not verify_signature(b"k", "1700000000", b'{"id":"B"}', signature)
    assert not verify_signature(b"other", "1700000000", b'{"id":"A"}', signature)

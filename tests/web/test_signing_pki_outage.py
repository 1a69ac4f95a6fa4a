"""The Kepala Dinas's signing page during a BSrE PKI outage: "coba lagi" in plain words, the batch kept."""

from __future__ import annotations

import time
from typing import Any

from web_kit import KEPALA_DINAS_PASSPHRASE, Browser, Web

from mock_common.faults import FaultConfig, FaultInjector
from mock_common.pytest_plugin import MockService, RemoteFaults


def _sign(browser: Browser, batch_id: str) -> dict[str, Any]:
    """Start signing from the batch page and wait for the run to end; its last status."""
    token = browser.csrf(f"/ws/tte/batch/{batch_id}")
    started = browser.post(
        f"/ws/tte/batch/{batch_id}/tandatangani",
        data={"mode": "passphrase", "secret": KEPALA_DINAS_PASSPHRASE},
        headers={"X-CSRF-Token": token, "Accept": "application/json"},
    )
    assert started.status_code == 202, started.text
    deadline = time.monotonic() + 120
    while True:
        status = browser.get(f"/ws/tte/batch/{batch_id}/status", headers={"Accept": "application/json"})
        assert status.status_code == 200, status.text
        body: dict[str, Any] = status.json()
        if not body["running"]:
            return body
        assert time.monotonic() < deadline, body
        time.sleep(0.2)


def test_the_signing_page_says_try_again_and_the_batch_signs_after_the_outage(
    web: Web, mock_siak: MockService, mock_bsre_aia_faults: FaultInjector | RemoteFaults
) -> None:
    app_id = web.application(mock_siak, "MENUNGGU_TTE")
    web.user("kepaladinas", "KEPALA_DINAS", name="Drs. Bambang Setiawan, M.Si.")
    browser = web.browser("kepaladinas")
    created = browser.form("/ws/tte/batch", {"application_id": [app_id]}, page="/ws/tte")
    assert created.status_code == 303, created.text
    batch_id = created.headers["location"].rsplit("/", 1)[1]

    mock_bsre_aia_faults.configure(FaultConfig(drop_rate=1.0, paths=["/pki/ocsp", "/pki/crl/"]))
    failed = _sign(browser, batch_id)
    assert failed["state"] == "PENDING"
    assert failed["error"]["code"] == "OCSP_CRL_TIDAK_TERSEDIA"
    assert "coba lagi" in failed["error"]["message"]
    assert "tidak sah" not in failed["error"]["message"]  # not the certificate verdict
    (item,) = failed["items"]
    assert item["state"] == "FAILED"
    assert item["message"].startswith("Gagal: Layanan pemeriksaan status sertifikat")
    page = browser.get(f"/ws/tte/batch/{batch_id}")
    assert page.status_code == 200
    assert 'data-testid="sign-error"' in page.text
    assert "coba lagi beberapa saat lagi" in page.text
    assert web.view(app_id)["state"] == "MENUNGGU_TTE"

    mock_bsre_aia_faults.configure(FaultConfig())
    signed = _sign(browser, batch_id)
    assert signed["state"] == "DONE", signed
    assert signed["error"] is None

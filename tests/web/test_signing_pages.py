"""The Kepala Dinas's pages: select KKs, sign the batch with one passphrase, watch it, see each result.

A wrong passphrase is refused in plain words, the batch stays waiting, the KKs stay selectable, and the
passphrase appears in no response and no log record.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import pytest
from web_kit import KEPALA_DINAS_PASSPHRASE, Browser, Web

from mock_common.pytest_plugin import MockService

WRONG = "passphrase-yang-salah-7731"


def _start(browser: Browser, batch_id: str, secret: str, mode: str = "passphrase") -> dict[str, Any]:
    token = browser.csrf(f"/ws/tte/batch/{batch_id}")
    response = browser.post(
        f"/ws/tte/batch/{batch_id}/tandatangani",
        data={"mode": mode, "secret": secret},
        headers={"X-CSRF-Token": token, "Accept": "application/json"},
    )
    assert response.status_code == 202, response.text
    body: dict[str, Any] = response.json()
    return body


def _finished(browser: Browser, batch_id: str, timeout: float = 120) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        status: dict[str, Any] = browser.get(
            f"/ws/tte/batch/{batch_id}/status", headers={"Accept": "application/json"}
        ).json()
        if not status["running"]:
            return status
        assert status["state"] == "SIGNING"
        assert time.monotonic() < deadline, status
        time.sleep(0.2)


def _batch(browser: Browser, app_ids: list[str]) -> str:
    created = browser.form("/ws/tte/batch", {"application_id": app_ids}, page="/ws/tte")
    assert created.status_code == 303, created.text
    location: str = created.headers["location"]
    assert location.startswith("/ws/tte/batch/")
    return location.rsplit("/", 1)[1]


def test_a_wrong_passphrase_is_refused_then_the_right_one_signs_all_three(
    web: Web, mock_siak: MockService, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    app_ids = [web.application(mock_siak, "MENUNGGU_TTE") for _ in range(3)]
    web.user("kepaladinas", "KEPALA_DINAS", name="Drs. Bambang Setiawan, M.Si.")
    browser = web.browser("kepaladinas")

    queue = browser.get("/ws/tte")
    assert queue.status_code == 200
    assert 'data-testid="select-all"' in queue.text
    for app_id in app_ids:
        assert f'data-testid="tte-row-{app_id}"' in queue.text
        assert f'data-testid="select-{app_id}"' in queue.text
    nothing = browser.form("/ws/tte/batch", {}, page="/ws/tte")
    assert nothing.status_code == 422
    assert "Pilih minimal satu KK" in nothing.text

    batch_id = _batch(browser, app_ids)
    page = browser.get(f"/ws/tte/batch/{batch_id}")
    assert 'data-testid="passphrase-input"' in page.text
    assert 'type="password" autocomplete="off"' in page.text
    assert 'data-testid="sign-button"' in page.text
    for app_id in app_ids:
        assert f'data-testid="batch-item-{app_id}"' in page.text

    assert _start(browser, batch_id, WRONG) == {"started": True, "batch_id": batch_id}
    refused = _finished(browser, batch_id)
    assert refused["state"] == "PENDING"  # the batch waits for another try
    assert refused["error"]["code"] == "PASSPHRASE_SALAH"
    assert refused["error"]["message"].startswith("Passphrase salah.")
    assert refused["signed"] == 0
    assert [item["state"] for item in refused["items"]] == ["FAILED"] * 3
    assert all(item["message"].startswith("Gagal: Passphrase salah") for item in refused["items"])
    for app_id in app_ids:
        assert web.view(app_id)["state"] == "MENUNGGU_TTE"
    page = browser.get(f"/ws/tte/batch/{batch_id}")
    assert 'data-testid="sign-error"' in page.text
    assert "Passphrase salah." in page.text
    queue = browser.get("/ws/tte")
    for app_id in app_ids:  # still in the queue, still selectable; the unfinished batch is offered
        assert f'data-testid="select-{app_id}"' in queue.text
    assert f'data-testid="batch-link-{batch_id}"' in queue.text
    assert _batch(browser, app_ids) == batch_id  # the same selection opens the same batch again

    _start(browser, batch_id, KEPALA_DINAS_PASSPHRASE)
    signed = _finished(browser, batch_id)
    assert signed["state"] == "DONE", signed
    assert signed["error"] is None
    assert [item["state"] for item in signed["items"]] == ["SIGNED"] * 3
    page = browser.get(f"/ws/tte/batch/{batch_id}")
    assert 'data-testid="batch-result" id="batch-result" data-signed="3" data-failed="0"' in page.text
    for app_id in app_ids:
        assert web.view(app_id)["state"] != "MENUNGGU_TTE"
        assert f"tte-row-{app_id}" not in browser.get("/ws/tte").text
    history = browser.get("/ws/riwayat").text
    assert history.count('data-action="signed"') == 3
    for app_id in app_ids:  # officers read the SIAK request number and the state in words, not internal codes
        assert f">{web.view(app_id)['siak_request_no']}<" in history
    assert "DIPROSES_SIAK<" not in history
    assert "WIB" in history

    bodies = [response.content for response in web.seen]
    assert len(bodies) > 10
    for secret in (WRONG, KEPALA_DINAS_PASSPHRASE):
        assert not any(secret.encode() in body for body in bodies)
        assert not any(secret in response.headers.get("location", "") for response in web.seen)
        assert not any(secret in record.getMessage() or secret in str(record.args) for record in caplog.records)
    assert any("batch item failed" in record.getMessage() for record in caplog.records), "logs were captured"


def test_signing_twice_at_once_and_an_empty_passphrase_are_refused(web: Web, mock_siak: MockService) -> None:
    app_id = web.application(mock_siak, "MENUNGGU_TTE")
    web.user("kepaladinas", "KEPALA_DINAS")
    browser = web.browser("kepaladinas")
    batch_id = _batch(browser, [app_id])
    token = browser.csrf(f"/ws/tte/batch/{batch_id}")
    headers = {"X-CSRF-Token": token, "Accept": "application/json"}
    empty = browser.post(f"/ws/tte/batch/{batch_id}/tandatangani", data={"mode": "passphrase"}, headers=headers)
    assert empty.status_code == 422
    assert empty.json()["code"] == "KREDENSIAL_KOSONG"
    no_csrf = browser.post(
        f"/ws/tte/batch/{batch_id}/tandatangani",
        data={"mode": "passphrase", "secret": KEPALA_DINAS_PASSPHRASE},
        headers={"Accept": "application/json"},
    )
    assert no_csrf.status_code == 403
    assert browser.get(f"/ws/tte/batch/{batch_id}/status").json()["running"] is False
    _start(browser, batch_id, KEPALA_DINAS_PASSPHRASE)
    second = browser.post(
        f"/ws/tte/batch/{batch_id}/tandatangani",
        data={"mode": "passphrase", "secret": KEPALA_DINAS_PASSPHRASE},
        headers=headers,
    )
    assert second.status_code in {202, 409}  # 202 only if the first run had already finished
    assert _finished(browser, batch_id)["state"] == "DONE"
    unknown = browser.get("/ws/tte/batch/01TIDAKADA/status", headers={"Accept": "application/json"})
    assert unknown.status_code == 404


def test_an_otp_request_where_the_signer_uses_no_otp_is_refused_in_plain_words(
    web: Web, mock_siak: MockService
) -> None:
    app_id = web.application(mock_siak, "MENUNGGU_TTE")
    web.user("kepaladinas", "KEPALA_DINAS")
    browser = web.browser("kepaladinas")
    batch_id = _batch(browser, [app_id])
    token = browser.csrf(f"/ws/tte/batch/{batch_id}")
    answer = browser.post(
        f"/ws/tte/batch/{batch_id}/otp", headers={"X-CSRF-Token": token, "Accept": "application/json"}
    )
    assert answer.status_code == 409, answer.text
    assert answer.json()["code"] == "OTP_TIDAK_DIPAKAI"
    assert "gunakan passphrase" in answer.json()["message"]


def test_the_workstations_static_files_are_served_and_nothing_beside_them(web: Web) -> None:
    page = web.api.get("/v1/verify/tidak-ada", headers={"Accept": "text/html"})
    assert page.headers["content-type"].startswith("text/html")
    assert 'data-testid="verify-result"' in page.text
    assert 'data-valid="false"' in page.text  # its own layout and status code are the public page's tests
    css = web.api.get("/ws/static/app.css")
    assert css.status_code == 200
    assert css.headers["content-type"].startswith("text/css")
    assert web.api.get("/ws/static/../accounts.py").status_code == 404

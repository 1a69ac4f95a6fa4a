"""JSON request logs: a request id, the route, NIKs masked; never a body, never a passphrase."""

from __future__ import annotations

import io
import json
import logging
import time

import pytest
from api_kit import Api

from siakgate.api.logs import JsonFormatter, NikMaskFilter, configure_logging

NIK = "3508011205720001"
MASKED = "3508********0001"
PASSPHRASE = "rahasia-kepala-dinas-XYZ"


def all_text(caplog: pytest.LogCaptureFixture) -> str:
    formatter = JsonFormatter()
    return "\n".join(formatter.format(record) + " " + repr(vars(record)) for record in caplog.records)


def access_lines(caplog: pytest.LogCaptureFixture, request_id: str) -> list[logging.LogRecord]:
    """The access log records of ``request_id``. The line is written when the request's handling ends, in
    the server's thread, which can be just after the client has the response: wait for it (bounded)."""
    deadline = time.monotonic() + 5
    while True:
        found = [
            r for r in caplog.records if r.name == "siakgate.api.access" and getattr(r, "request_id", "") == request_id
        ]
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.02)


def test_a_request_log_line_masks_the_nik_in_the_path(api: Api, caplog: pytest.LogCaptureFixture) -> None:
    headers = api.token("PETUGAS_LOKET")
    with caplog.at_level(logging.INFO):
        response = api.client.get(f"/v1/applications/{NIK}", headers={**headers, "X-Request-ID": "req-nik-1"})
        lines = access_lines(caplog, "req-nik-1")
    assert response.status_code == 404
    text = all_text(caplog)
    assert NIK not in text
    assert len(lines) == 1
    entry = json.loads(JsonFormatter().format(lines[0]))
    assert entry["path"] == f"/v1/applications/{MASKED}"
    assert entry["route"] == "/v1/applications/{application_id}"
    assert entry["status"] == 404
    assert entry["method"] == "GET"
    assert entry["request_id"] == "req-nik-1"
    assert entry["duration_ms"] >= 0


def test_a_body_with_niks_is_never_logged(api: Api, caplog: pytest.LogCaptureFixture) -> None:
    body = {"profile_id": "lumajang-bca", "case_type": "HILANG", "region_code": "123", "no_kk": NIK}
    with caplog.at_level(logging.DEBUG):
        response = api.client.post("/v1/applications", json=body, headers=api.token("PEMOHON"))
    assert response.status_code == 422
    assert NIK not in response.text  # the problem names the field, never its value
    assert NIK not in all_text(caplog)


def test_the_passphrase_is_never_logged_nor_echoed(api: Api, caplog: pytest.LogCaptureFixture) -> None:
    headers = api.token("KEPALA_DINAS")
    with caplog.at_level(logging.DEBUG):
        unknown = api.client.post(
            "/v1/signing-batches/01UNKNOWN/sign", json={"passphrase": PASSPHRASE}, headers=headers
        )
        invalid = api.client.post(
            "/v1/signing-batches/01UNKNOWN/sign", json={"passphrase": PASSPHRASE, "otp": "123456"}, headers=headers
        )
    assert unknown.status_code == 404
    assert invalid.status_code == 422
    for response in (unknown, invalid):
        assert PASSPHRASE not in response.text
    assert PASSPHRASE not in all_text(caplog)


def test_the_formatter_and_filter_mask_any_logger() -> None:
    stream = io.StringIO()
    root = logging.getLogger()
    level = root.level
    handler = configure_logging("INFO", stream)
    try:
        logging.getLogger("some.library").info("looked up %s for %s", NIK, "someone", extra={"no_kk": NIK})
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
    entry = json.loads(stream.getvalue().strip().splitlines()[-1])
    assert entry["message"] == f"looked up {MASKED} for someone"
    assert entry["no_kk"] == MASKED
    assert entry["level"] == "INFO"
    assert entry["logger"] == "some.library"
    record = logging.makeLogRecord({"msg": "nik %s", "args": (NIK,)})
    NikMaskFilter().filter(record)
    assert record.getMessage() == f"nik {MASKED}"

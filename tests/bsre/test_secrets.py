"""The passphrase, the OTP and full NIKs never reach a log line, a URL, or an exception's text."""

from __future__ import annotations

import hashlib
import logging

import pytest
from bsre_client_kit import KEPALA_NIK, KEPALA_PASSPHRASE, Recorder, make_pdf

from mock_common.faults import FaultConfig, FaultInjector
from siakgate.bsre import BsreClient, CscClient
from siakgate.errors import SiakgateError
from siakgate.signing.api import Credential

pytestmark = pytest.mark.anyio

WRONG = "rahasia-yang-salah-987"


def assert_clean(text: str, *secrets: str) -> None:
    for secret in secrets:
        assert secret not in text


async def test_nothing_secret_in_logs_urls_or_errors(
    bsre: BsreClient,
    csc: CscClient,
    recorder: Recorder,
    caplog: pytest.LogCaptureFixture,
    mock_bsre_faults: FaultInjector,
) -> None:
    caplog.set_level(logging.DEBUG)
    errors: list[SiakgateError] = []
    await bsre.user_status_v1(KEPALA_NIK)  # the NIK is in this URL's path
    await bsre.sign_pdf_v1(make_pdf(), nik=KEPALA_NIK, credential=Credential.passphrase(KEPALA_PASSPHRASE))
    for call in (
        bsre.sign_pdf_v1(make_pdf(), nik=KEPALA_NIK, credential=Credential.passphrase(WRONG)),
        bsre.sign_pdf_v2([make_pdf()], nik=KEPALA_NIK, credential=Credential.passphrase(WRONG)),
        bsre.sign_pdf_v2([make_pdf()], nik=KEPALA_NIK, credential=Credential.otp(WRONG)),
        csc.authorize("kepala-dinas", [hashlib.sha256(b"x").digest()], Credential.passphrase(WRONG)),
    ):
        with pytest.raises(SiakgateError) as caught:
            await call
        errors.append(caught.value)
    mock_bsre_faults.configure(FaultConfig(script=["drop"]))
    with pytest.raises(SiakgateError) as dropped:
        await bsre.sign_pdf_v2([make_pdf()], nik=KEPALA_NIK, credential=Credential.otp(WRONG))
    errors.append(dropped.value)

    assert any(r.name == "httpx" for r in caplog.records)  # httpx did log the requests
    assert "3508********0001" in caplog.text
    assert_clean(caplog.text, WRONG, KEPALA_PASSPHRASE, KEPALA_NIK)
    for error in errors:
        assert_clean(f"{error} {error!r} {error.args}", WRONG, KEPALA_PASSPHRASE, KEPALA_NIK)
    for request in recorder.requests:
        assert_clean(str(request.url) + str(dict(request.headers)), WRONG, KEPALA_PASSPHRASE)
    # ...and the secret did travel, in bodies only
    assert any(WRONG.encode() in body for body in recorder.bodies())
    assert_clean(repr(bsre) + repr(csc), "siakgate-dev")

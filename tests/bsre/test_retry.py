"""Retry rules: only connect errors, timeouts and 429/502/503/504; never after a refusal; an OTP
call is not re-sent once it may have reached BSrE. Waits go through the policy's clock seam.
"""

from __future__ import annotations

import socket
from collections.abc import Callable

import httpx
import pytest
from bsre_client_kit import KEPALA_NIK, Recorder, Sleeps, make_pdf

from mock_common.faults import FaultConfig, FaultInjector
from siakgate.bsre import BsreClient, RetryPolicy, UserStatus
from siakgate.errors import (
    BsreError,
    BsreRequestError,
    MalformedResponseError,
    ServiceTimeoutError,
    ServiceUnavailableError,
    WrongPassphraseError,
)
from siakgate.signing.api import Credential

pytestmark = pytest.mark.anyio

STATUS_OK = {"status_code": 1111, "status": "ISSUE", "message": "ok"}


async def test_5xx_then_ok_is_retried(
    bsre: BsreClient, mock_bsre_faults: FaultInjector, recorder: Recorder, sleeps: Sleeps
) -> None:
    mock_bsre_faults.configure(FaultConfig(script=["http_5xx", "ok"]))
    assert (await bsre.user_status_v1(KEPALA_NIK)).status is UserStatus.ISSUE
    assert len(recorder.requests) == 2
    assert len(sleeps) == 1


async def test_drop_is_retried(bsre: BsreClient, mock_bsre_faults: FaultInjector, recorder: Recorder) -> None:
    mock_bsre_faults.configure(FaultConfig(script=["drop"]))
    assert (await bsre.check_status(nik=KEPALA_NIK)).status is UserStatus.ISSUE
    assert len(recorder.requests) == 2


async def test_passphrase_sign_is_retried_after_drop(
    bsre: BsreClient, mock_bsre_faults: FaultInjector, recorder: Recorder, passphrase: Credential
) -> None:
    mock_bsre_faults.configure(FaultConfig(script=["drop"]))
    (signed,) = await bsre.sign_pdf_v2([make_pdf()], nik=KEPALA_NIK, credential=passphrase)
    assert signed.startswith(b"%PDF-")
    assert len(recorder.requests) == 2


async def test_otp_sign_not_resent_after_drop(
    bsre: BsreClient, mock_bsre_faults: FaultInjector, recorder: Recorder
) -> None:
    mock_bsre_faults.configure(FaultConfig(script=["drop", "http_5xx"]))
    with pytest.raises(ServiceUnavailableError) as caught:
        await bsre.sign_pdf_v2([make_pdf()], nik=KEPALA_NIK, credential=Credential.otp("123456"))
    assert isinstance(caught.value.__cause__, httpx.TransportError)
    with pytest.raises(ServiceUnavailableError):  # a 503 is not retried for an OTP call either
        await bsre.sign_pdf_v2([make_pdf()], nik=KEPALA_NIK, credential=Credential.otp("123456"))
    assert len(recorder.requests) == 2


async def test_persistent_503_gives_up(
    bsre: BsreClient, mock_bsre_faults: FaultInjector, recorder: Recorder, sleeps: Sleeps
) -> None:
    mock_bsre_faults.configure(FaultConfig(http_5xx_rate=1.0))
    with pytest.raises(ServiceUnavailableError):
        await bsre.check_status(nik=KEPALA_NIK)
    assert len(recorder.requests) == 3
    assert len(sleeps) == 2


async def test_wrong_passphrase_not_retried(
    bsre: BsreClient, mock_bsre_faults: FaultInjector, recorder: Recorder
) -> None:
    mock_bsre_faults.configure(FaultConfig(script=["http_5xx", "ok"]))
    with pytest.raises(WrongPassphraseError):
        await bsre.sign_pdf_v1(make_pdf(), nik=KEPALA_NIK, credential=Credential.passphrase("salah"))
    assert len(recorder.requests) == 2  # the 503 was retried, the 2031 was final


async def test_protocol_fault_500_and_malformed_not_retried(
    bsre: BsreClient, mock_bsre_faults: FaultInjector, recorder: Recorder
) -> None:
    mock_bsre_faults.configure(FaultConfig(script=["fault", "malformed"]))
    with pytest.raises(ServiceUnavailableError) as fault:
        await bsre.check_status(nik=KEPALA_NIK)
    assert "5000" not in fault.value.code
    with pytest.raises(MalformedResponseError) as malformed:
        await bsre.check_status(nik=KEPALA_NIK)
    assert malformed.value.__cause__ is not None
    assert len(recorder.requests) == 2


async def test_download_not_resent_after_503(
    bsre: BsreClient, mock_bsre_faults: FaultInjector, recorder: Recorder, passphrase: Credential
) -> None:
    _, doc_id = await bsre.sign_pdf_v1(make_pdf(), nik=KEPALA_NIK, credential=passphrase)
    mock_bsre_faults.configure(FaultConfig(script=["http_5xx"]))
    with pytest.raises(ServiceUnavailableError):
        await bsre.download(doc_id)
    assert len(recorder.requests) == 2
    assert (await bsre.download(doc_id)).startswith(b"%PDF-")


def mock_client(handler: Callable[[httpx.Request], httpx.Response], recorder: Recorder) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.MockTransport(handler), event_hooks={"request": [recorder]})


def script(*steps: httpx.Response | Exception) -> Callable[[httpx.Request], httpx.Response]:
    queue = list(steps)

    def handler(request: httpx.Request) -> httpx.Response:
        step = queue.pop(0)
        if isinstance(step, Exception):
            raise step
        return step

    return handler


async def test_429_honours_retry_after(recorder: Recorder, sleeps: Sleeps, policy: RetryPolicy) -> None:
    handler = script(httpx.Response(429, headers={"Retry-After": "2"}), httpx.Response(200, json=STATUS_OK))
    async with mock_client(handler, recorder) as http:
        bsre = BsreClient(http, "http://bsre.test", "app", "pw", retry=policy)
        assert (await bsre.check_status(nik=KEPALA_NIK)).status is UserStatus.ISSUE
    assert sleeps == [2.0]


async def test_429_retried_even_for_otp_but_long_retry_after_gives_up(recorder: Recorder, sleeps: Sleeps) -> None:
    policy = RetryPolicy(attempts=3, initial_wait=0.01, max_wait=0.01, jitter=0, max_retry_after=5, sleep=sleeps)
    handler = script(
        httpx.Response(429, headers={"Retry-After": "1"}),
        httpx.Response(200, json={"file": ["JVBERi0="]}),
        httpx.Response(429, headers={"Retry-After": "3600"}),
    )
    async with mock_client(handler, recorder) as http:
        bsre = BsreClient(http, "http://bsre.test", "app", "pw", retry=policy)
        assert await bsre.sign_pdf_v2([b"%PDF-"], nik=KEPALA_NIK, credential=Credential.otp("1")) == [b"%PDF-"]
        with pytest.raises(ServiceUnavailableError):
            await bsre.check_status(nik=KEPALA_NIK)
    assert sleeps == [1.0]
    assert len(recorder.requests) == 3


@pytest.mark.parametrize("status", [502, 503, 504])
async def test_gateway_statuses_retried(recorder: Recorder, policy: RetryPolicy, status: int) -> None:
    handler = script(httpx.Response(status), httpx.Response(200, json=STATUS_OK))
    async with mock_client(handler, recorder) as http:
        bsre = BsreClient(http, "http://bsre.test", "app", "pw", retry=policy)
        assert (await bsre.check_status(nik=KEPALA_NIK)).status is UserStatus.ISSUE
    assert len(recorder.requests) == 2


@pytest.mark.parametrize("status", [400, 403, 404, 409, 422])
async def test_other_4xx_never_retried(recorder: Recorder, policy: RetryPolicy, status: int) -> None:
    handler = script(httpx.Response(status, json={"error": "x", "status_code": status}))
    async with mock_client(handler, recorder) as http:
        bsre = BsreClient(http, "http://bsre.test", "app", "pw", retry=policy)
        with pytest.raises(BsreRequestError if status in (400, 404) else BsreError):
            await bsre.check_status(nik=KEPALA_NIK)
    assert len(recorder.requests) == 1


async def test_read_timeout_retried_for_passphrase_not_for_otp(recorder: Recorder, policy: RetryPolicy) -> None:
    handler = script(
        httpx.ReadTimeout("slow"),
        httpx.Response(200, json={"file": ["JVBERi0="]}),
        httpx.ReadTimeout("slow"),
        httpx.ConnectTimeout("no connection"),  # never sent: retried even for an OTP
        httpx.ReadTimeout("slow"),
    )
    async with mock_client(handler, recorder) as http:
        bsre = BsreClient(http, "http://bsre.test", "app", "pw", retry=policy)
        assert await bsre.sign_pdf_v2([b"%PDF-"], nik=KEPALA_NIK, credential=Credential.passphrase("p"))
        with pytest.raises(ServiceTimeoutError) as caught:
            await bsre.sign_pdf_v2([b"%PDF-"], nik=KEPALA_NIK, credential=Credential.otp("1"))
        assert isinstance(caught.value.__cause__, httpx.ReadTimeout)
        with pytest.raises(ServiceTimeoutError):
            await bsre.sign_pdf_v2([b"%PDF-"], nik=KEPALA_NIK, credential=Credential.otp("1"))
    assert len(recorder.requests) == 5


async def test_deadline_bounds_attempts(recorder: Recorder, sleeps: Sleeps) -> None:
    policy = RetryPolicy(attempts=10, initial_wait=0.01, deadline=0, sleep=sleeps)
    async with mock_client(script(httpx.Response(503), httpx.Response(503)), recorder) as http:
        with pytest.raises(ServiceUnavailableError):
            await BsreClient(http, "http://bsre.test", "app", "pw", retry=policy).check_status(nik=KEPALA_NIK)
    assert len(recorder.requests) == 1


async def test_connection_refused(recorder: Recorder, policy: RetryPolicy) -> None:
    with socket.socket() as s:  # a loopback port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    async with httpx.AsyncClient(event_hooks={"request": [recorder]}) as http:
        bsre = BsreClient(http, f"http://127.0.0.1:{port}", "app", "pw", retry=policy)
        with pytest.raises(ServiceUnavailableError) as caught:
            await bsre.check_status(nik=KEPALA_NIK)
    assert isinstance(caught.value.__cause__, httpx.ConnectError)
    assert len(recorder.requests) == 3

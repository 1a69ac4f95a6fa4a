"""Fixtures for the BSrE client tests: the real mock BSrE, a request recorder, tiny retry waits."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from bsre_client_kit import KEPALA_PASSPHRASE, Recorder, Sleeps

from mock_common.pytest_plugin import MockService
from siakgate.bsre import BsreClient, CscClient, RetryPolicy
from siakgate.signing.api import Credential


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def policy(sleeps: Sleeps) -> RetryPolicy:
    return RetryPolicy(attempts=3, initial_wait=0.01, max_wait=0.02, jitter=0.01, deadline=20, sleep=sleeps)


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
async def http(recorder: Recorder) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=60, event_hooks={"request": [recorder]}) as client:
        yield client


@pytest.fixture
def bsre(http: httpx.AsyncClient, mock_bsre: MockService, policy: RetryPolicy) -> BsreClient:
    return BsreClient(http, mock_bsre.url, mock_bsre.username, mock_bsre.password, retry=policy)


@pytest.fixture
def csc(http: httpx.AsyncClient, mock_bsre: MockService, policy: RetryPolicy) -> CscClient:
    return CscClient(http, mock_bsre.url, mock_bsre.username, mock_bsre.password, retry=policy)


@pytest.fixture
def passphrase() -> Credential:
    return Credential.passphrase(KEPALA_PASSPHRASE)

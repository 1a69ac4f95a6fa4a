"""Fixtures of the notification tests: anyio on asyncio, a SIAK client on mock SIAK, the packaged profiles."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from mock_common.pytest_plugin import MockService
from siakgate.siak import RetryPolicy, SiakClient
from siakgate.workflow.profiles import load_profiles


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def profiles() -> dict[str, Any]:
    return dict(load_profiles())


@pytest.fixture
async def siak(mock_siak: MockService) -> AsyncIterator[SiakClient]:
    async with httpx.AsyncClient(timeout=30) as http:
        yield SiakClient(
            mock_siak.soap_url,
            username=mock_siak.username,
            password=mock_siak.password,
            http=http,
            retry=RetryPolicy(attempts=1, initial_wait=0.001, max_wait=0.001, deadline=5),
        )

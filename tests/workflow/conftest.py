"""Fixtures for the workflow tests: a Workflow over the real mock SIAK, a migrated database (SQLite and
PostgreSQL, from tests/conftest.py), a document store in tmp_path and the test PKI's PKCS#12 keys."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from workflow_kit import Clock, make_workflow

from mock_common.pytest_plugin import MockService
from siakgate.siak import RetryPolicy, SiakClient
from siakgate.store import Database, DocumentStore
from siakgate.workflow import Workflow
from siakgate.workflow.profiles import load_profiles

NO_RETRY = RetryPolicy(attempts=1, initial_wait=0.001, max_wait=0.001, deadline=5)
"""The worker's own retries are under test, so the SIAK client does not retry."""


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def siak(mock_siak: MockService) -> AsyncIterator[SiakClient]:
    async with httpx.AsyncClient(timeout=30) as http:
        yield SiakClient(
            mock_siak.soap_url, username=mock_siak.username, password=mock_siak.password, http=http, retry=NO_RETRY
        )


@pytest.fixture(scope="session")
def profiles() -> dict[str, object]:
    return dict(load_profiles())


@pytest.fixture
def workflow(
    database: Database, document_store: DocumentStore, siak: SiakClient, clock: Clock, profiles: dict[str, object]
) -> Workflow:
    return make_workflow(database, document_store, siak, clock, profiles)

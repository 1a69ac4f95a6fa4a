"""Fixtures for the workflow tests: a Workflow over the real mock SIAK, a migrated database (SQLite and
PostgreSQL, from tests/conftest.py), a document store in tmp_path and the test PKI's PKCS#12 keys."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from workflow_kit import Clock

from mock_bsre.pki import load_pki
from mock_common.pytest_plugin import MockService
from siakgate.siak import RetryPolicy, SiakClient
from siakgate.signing import Credential, PadesLevel, Pkcs12Backend, SigningOptions
from siakgate.store import Database, DocumentStore
from siakgate.workflow import TteBlockFactory, Workflow
from siakgate.workflow.calendar import WorkingCalendar
from siakgate.workflow.profiles import load_profiles

NO_RETRY = RetryPolicy(attempts=1, initial_wait=0.001, max_wait=0.001, deadline=5)
"""The worker's own retries are under test, so the SIAK client does not retry."""


def passphrase(name: str) -> Credential:
    value = load_pki().entity(name)["p12_passphrase"]
    assert isinstance(value, str)
    return Credential.passphrase(value)


def p12(name: str) -> Pkcs12Backend:
    return Pkcs12Backend(load_pki().certs_dir / "p12" / f"{name}.p12")


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


def make_workflow(
    database: Database, document_store: DocumentStore, siak: object, clock: Clock, profiles: dict[str, object]
) -> Workflow:
    return Workflow(
        db=database,
        documents=document_store,
        profiles=profiles,  # type: ignore[arg-type]
        siak=siak,  # type: ignore[arg-type]
        signing=p12("kepala-dinas"),
        signing_options=SigningOptions(level=PadesLevel.B_B),
        sekcam_signing=p12("sekcam"),
        tte=TteBlockFactory("http://127.0.0.1:8000", "Drs. Bambang Setiawan, M.Si.", "19720512 199803 1 004"),
        calendar=WorkingCalendar(),
        clock=clock,
    )


@pytest.fixture
def workflow(
    database: Database, document_store: DocumentStore, siak: SiakClient, clock: Clock, profiles: dict[str, object]
) -> Workflow:
    return make_workflow(database, document_store, siak, clock, profiles)

"""pytest fixtures that start mock SIAK and mock BSrE on free loopback ports.

Installed as a pytest plugin (entry point ``siakgate_mocks``), so any project that installs siakgate can write::

    def test_lookup(mock_siak):
        client = zeep.Client(mock_siak.wsdl_url, ...)

Both mocks are session-scoped (the synthetic population is generated once per session) and keep their state in a
temporary directory. ``mock_siak_faults`` / ``mock_bsre_faults`` hand a test the fault injector and reset it to
"no faults" afterwards, so one test's faults never leak into the next.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from mock_common.faults import FaultConfig, FaultInjector
from mock_common.server import RunningServer, start_in_thread


@dataclass
class MockService:
    """A running mock: where it is, how to log in, and its fault injector."""

    url: str
    username: str
    password: str
    faults: FaultInjector
    server: RunningServer

    @property
    def wsdl_url(self) -> str:
        """For mock SIAK: where the WSDL is served."""
        return f"{self.url}/siak?wsdl"

    @property
    def soap_url(self) -> str:
        return f"{self.url}/siak"

    @property
    def auth(self) -> tuple[str, str]:
        return (self.username, self.password)


@pytest.fixture(scope="session")
def mock_siak(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MockService]:
    from mock_siak.app import create_app
    from mock_siak.config import SiakMockConfig

    config = SiakMockConfig(state_dir=tmp_path_factory.mktemp("mock_siak"))
    app = create_app(config)
    server = start_in_thread(app)
    username, password = next(iter(config.clients.items()))
    try:
        yield MockService(server.url, username, password, app, server)
    finally:
        server.stop()


@pytest.fixture(scope="session")
def mock_bsre(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MockService]:
    from mock_bsre.app import create_app
    from mock_bsre.config import BsreMockConfig

    config = BsreMockConfig(state_dir=tmp_path_factory.mktemp("mock_bsre"))
    app = create_app(config)
    server = start_in_thread(app)
    username, password = next(iter(config.clients.items()))
    try:
        yield MockService(server.url, username, password, app, server)
    finally:
        server.stop()


@pytest.fixture
def mock_siak_faults(mock_siak: MockService) -> Iterator[FaultInjector]:
    yield mock_siak.faults
    mock_siak.faults.configure(FaultConfig())


@pytest.fixture
def mock_bsre_faults(mock_bsre: MockService) -> Iterator[FaultInjector]:
    yield mock_bsre.faults
    mock_bsre.faults.configure(FaultConfig())

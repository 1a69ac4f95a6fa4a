"""pytest fixtures that start mock SIAK and mock BSrE on free loopback ports.

Installed as a pytest plugin (entry point ``siakgate_mocks``), so any project that installs siakgate can write::

    def test_lookup(mock_siak):
        client = zeep.Client(mock_siak.wsdl_url, ...)

Both mocks are session-scoped (the synthetic population is generated once per session) and keep their state in a
temporary directory. ``mock_bsre_aia`` is mock BSrE on 127.0.0.1:8082, the address written into the test
certificates' AIA and CRL distribution points, for whatever fetches OCSP answers and CRLs as a validator would
(poppler's pdfsig, PAdES B-LT signing); a mock BSrE already serving this PKI there (``make run``) is reused.

``mock_siak_faults`` / ``mock_bsre_faults`` / ``mock_bsre_aia_faults`` hand a test the fault injector and reset it to
"no faults" afterwards, so one test's faults never leak into the next. ``mock_bsre_aia`` may be a mock another process
started; its faults are then set through its ``PUT /_admin/faults`` (:class:`RemoteFaults`): the same settings.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

import httpx
import pytest

from mock_common.faults import ADMIN_PATH, FaultConfig, FaultInjector
from mock_common.server import LOOPBACK, RunningServer, start_in_thread


@dataclass
class MockService:
    """A running mock: where it is, how to log in, and its fault injector."""

    url: str
    username: str
    password: str
    faults: FaultInjector | None  # None: a mock somebody else started (reused), not ours to configure
    server: RunningServer | None

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


@contextmanager
def serving(
    app: FaultInjector, clients: dict[str, str], *, host: str = LOOPBACK, port: int = 0
) -> Iterator[MockService]:
    """Serve a mock's app on ``host:port`` (0: a free port) for the block; log in as its first client."""
    server = start_in_thread(app, host=host, port=port)
    username, password = next(iter(clients.items()))
    try:
        yield MockService(server.url, username, password, app, server)
    finally:
        server.stop()


@pytest.fixture(scope="session")
def mock_siak(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MockService]:
    from mock_siak.app import create_app
    from mock_siak.config import SiakMockConfig

    config = SiakMockConfig(state_dir=tmp_path_factory.mktemp("mock_siak"))
    with serving(create_app(config), config.clients) as service:
        yield service


@pytest.fixture(scope="session")
def mock_bsre(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MockService]:
    from mock_bsre.app import create_app
    from mock_bsre.config import BsreMockConfig

    config = BsreMockConfig(state_dir=tmp_path_factory.mktemp("mock_bsre"))
    with serving(create_app(config), config.clients) as service:
        yield service


AIA_HOST, AIA_PORT = "127.0.0.1", 8082


def _serves_our_pki(url: str) -> str | None:
    """None if ``url`` is a mock BSrE serving this checkout's test PKI, else why not."""
    from mock_bsre.pki import load_pki

    try:
        health = httpx.get(f"{url}/healthz", timeout=5)
        root = httpx.get(f"{url}/pki/certs/root-ca.crt", timeout=5)
    except httpx.HTTPError as exc:
        return f"it does not answer HTTP ({exc!r})"
    if health.status_code != 200 or "mock_bsre" not in health.text:
        return f"GET /healthz answered {health.status_code}, not mock BSrE"
    if root.status_code != 200 or root.content != load_pki().certificate_der("root-ca"):
        return "it is a mock BSrE, but it does not serve this checkout's test PKI (certs/)"
    served_at = health.headers.get("date")
    if served_at is not None:
        skew = abs(parsedate_to_datetime(served_at).timestamp() - time.time())
        if skew > 300:  # its OCSP answers and time stamps would be dated another day (a time-travelling session)
            return f"it is a mock BSrE, but its clock is {skew / 86400:.1f} days away from this session's"
    return None


@pytest.fixture(scope="session")
def mock_bsre_aia(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MockService]:
    from mock_bsre.app import create_app
    from mock_bsre.config import BsreMockConfig

    config = BsreMockConfig(state_dir=tmp_path_factory.mktemp("mock_bsre_aia"))
    with ExitStack() as stack:
        try:
            service = stack.enter_context(serving(create_app(config), config.clients, host=AIA_HOST, port=AIA_PORT))
        except OSError as exc:
            url = f"http://{AIA_HOST}:{AIA_PORT}"
            problem = _serves_our_pki(url)
            if problem is not None:
                pytest.fail(
                    f"{AIA_HOST}:{AIA_PORT}, the port in the test certificates' AIA and CRL URLs, is in use "
                    f"({exc.strerror}) and {problem}. Stop whatever listens there and run the tests again."
                )
            username, password = next(iter(config.clients.items()))
            service = MockService(url, username, password, None, None)
        yield service


class RemoteFaults:
    """The fault settings of a mock served by another process, read and set through ``/_admin/faults``."""

    def __init__(self, url: str) -> None:
        self.url = f"{url}{ADMIN_PATH}"

    @property
    def config(self) -> FaultConfig:
        response = httpx.get(self.url, timeout=5)
        response.raise_for_status()
        return FaultConfig.from_json(response.json())

    def configure(self, config: FaultConfig) -> None:
        httpx.put(self.url, json=config.to_json(), timeout=5).raise_for_status()


def _faults_of(service: MockService) -> FaultInjector:
    if service.faults is None:
        pytest.fail("this mock was started outside the test session; its faults are not ours to set")
    return service.faults


@pytest.fixture
def mock_siak_faults(mock_siak: MockService) -> Iterator[FaultInjector]:
    faults = _faults_of(mock_siak)
    yield faults
    faults.configure(FaultConfig())


@pytest.fixture
def mock_bsre_faults(mock_bsre: MockService) -> Iterator[FaultInjector]:
    faults = _faults_of(mock_bsre)
    yield faults
    faults.configure(FaultConfig())


@pytest.fixture
def mock_bsre_aia_faults(mock_bsre_aia: MockService) -> Iterator[FaultInjector | RemoteFaults]:
    """The faults of the mock BSrE on the certificates' OCSP/CRL address (ours, or set over HTTP if reused).

    Scope them with ``FaultConfig(paths=["/pki/ocsp", ...])``: a reused mock may be serving another session too.
    """
    faults: FaultInjector | RemoteFaults = mock_bsre_aia.faults or RemoteFaults(mock_bsre_aia.url)
    yield faults
    faults.configure(FaultConfig())

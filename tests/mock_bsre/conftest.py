"""Fixtures shared by the mock BSrE tests.

``bsre_on_aia_port`` serves mock BSrE on 127.0.0.1:8082, the address written into the test
certificates' AIA and CRL distribution points, so that an outside validator (poppler's ``pdfsig``
through NSS) can reach the OCSP responder and CRLs while it checks a signature.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route
from starlette.types import ASGIApp

from mock_bsre.pki import Pki, load_pki, pki_routes
from mock_common.server import RunningServer, start_in_thread

AIA_HOST = "127.0.0.1"
AIA_PORT = 8082


@dataclass
class AiaServer:
    """Mock BSrE (or its PKI part) listening where the certificates say."""

    url: str
    full_app: bool  # the whole mock BSrE app (not only /pki and /healthz)
    reused: bool  # somebody else already served it on 8082; we did not start it
    server: RunningServer | None

    @property
    def tsa_url(self) -> str:
        return f"{self.url}/pki/tsa"


def pki_only_app(pki: Pki) -> Starlette:
    """The PKI services of mock BSrE and ``/healthz``, without the signing API."""

    async def healthz(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok", "service": "mock-bsre", "scope": "pki-only"})

    return Starlette(routes=[Route("/healthz", healthz), Mount("/pki", routes=pki_routes(pki))])


def _full_app_available() -> bool:
    return all(importlib.util.find_spec(m) is not None for m in ("mock_bsre.app", "mock_bsre.config"))


def _serves_our_pki(url: str, pki: Pki) -> str | None:
    """None if ``url`` is a mock BSrE serving this test PKI, else why not."""
    try:
        health = httpx.get(f"{url}/healthz", timeout=5)
        root = httpx.get(f"{url}/pki/certs/root-ca.crt", timeout=5)
    except httpx.HTTPError as exc:
        return f"it does not answer HTTP ({exc!r})"
    if health.status_code != 200 or "bsre" not in health.text.lower():
        return f"GET /healthz answered {health.status_code} {health.text[:80]!r}, not mock BSrE"
    if root.status_code != 200 or root.content != pki.certificate_der("root-ca"):
        return "it is a mock BSrE, but it does not serve this checkout's test PKI (certs/)"
    return None


@pytest.fixture(scope="session")
def bsre_on_aia_port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AiaServer]:
    """Mock BSrE on 127.0.0.1:8082: the full app when it exists, else the PKI services alone.

    If the port is taken by a mock BSrE serving this PKI (``make run`` in another terminal), it is
    reused; if it is taken by anything else, the test fails with a message saying so.
    """
    pki = load_pki()
    full = _full_app_available()
    app: ASGIApp
    if full:
        from mock_bsre.app import create_app
        from mock_bsre.config import BsreMockConfig

        app = create_app(BsreMockConfig(state_dir=tmp_path_factory.mktemp("mock_bsre_aia")))
    else:
        app = pki_only_app(pki)
    url = f"http://{AIA_HOST}:{AIA_PORT}"
    try:
        server = start_in_thread(app, host=AIA_HOST, port=AIA_PORT)
    except OSError as exc:
        problem = _serves_our_pki(url, pki)
        if problem is not None:
            pytest.fail(
                f"{AIA_HOST}:{AIA_PORT} (the port in the test certificates' AIA/CRL URLs) is in "
                f"use ({exc.strerror}), and {problem}. Stop whatever listens there and rerun."
            )
        yield AiaServer(url, full_app=True, reused=True, server=None)
        return
    try:
        yield AiaServer(server.url, full_app=full, reused=False, server=server)
    finally:
        server.stop()

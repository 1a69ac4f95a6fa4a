"""A batch's network and drawing costs are paid once per batch: one HTTP session, revocation fetched once,
a QR code without the mask search that still reads back to its URL.

The round trips are counted where they arrive: at mock BSrE on the test PKI's OCSP/CRL/TSA address
(``mock_bsre_aia``), by path and by client connection.
"""

from __future__ import annotations

import asyncio
import io
import re
import shutil
import socket
import subprocess
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path

import anyio
import pytest
import qrcode
from pades_check import assert_level
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.fields import enumerate_sig_fields
from qr_reader import format_info, read_qr
from qrcode.constants import ERROR_CORRECT_M
from signing_kit import draft_kk, p12_passphrase, p12_path, root_der, tte_block
from starlette.types import ASGIApp, Receive, Scope, Send

from mock_common.pytest_plugin import MockService
from siakgate.errors import ServiceUnavailableError
from siakgate.signing import PadesLevel, SigningOptions, SignRequest, SignResult, TteBlock
from siakgate.signing._http import MAX_CONNECTIONS, BatchSession, batch_timestamper, fetcher_backend, ssl_context
from siakgate.signing._retry import PkiRetryPolicy
from siakgate.signing.appearance import QR_MASK, qr_modules
from siakgate.signing.engine import sign_batch
from siakgate.signing.pkcs12 import LoadedKeySigner, load_pkcs12

URLS = [
    "http://127.0.0.1:8000/v1/verify/kk-1",
    "https://siakgate.lumajangkab.go.id/v1/verify/01JF9Z8Q4W3R2T1Y0X9V8B7N6M",
    "https://siakgate.example.go.id/v1/verify/35080112057200010000123456789",
]


class RequestCounter:
    """ASGI middleware counting requests and client connections (host, port) per path."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.requests: Counter[str] = Counter()
        self.connections: defaultdict[str, set[tuple[str, int]]] = defaultdict(set)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path = "/pki/crl/" if scope["path"].startswith("/pki/crl/") else scope["path"]
            self.requests[path] += 1
            self.connections[path].add(tuple(scope["client"]))
        await self.app(scope, receive, send)

    def reset(self) -> None:
        self.requests.clear()
        self.connections.clear()


@pytest.fixture
def pki_requests(mock_bsre_aia: MockService) -> Iterator[RequestCounter]:
    injector = mock_bsre_aia.faults
    if injector is None:
        pytest.skip("mock BSrE on the PKI's address belongs to another process: its requests cannot be counted")
    counter = RequestCounter(injector.app)
    injector.app = counter
    try:
        yield counter
    finally:
        injector.app = counter.app


@pytest.fixture(scope="module")
def key() -> LoadedKeySigner:
    return load_pkcs12(p12_path().read_bytes(), p12_passphrase())


class Sleeps:
    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def sign(
    key: LoadedKeySigner, options: SigningOptions, count: int, policy: PkiRetryPolicy | None = None
) -> list[SignResult]:
    requests = [SignRequest(f"kk-{i}", draft_kk(i), tte=tte_block(f"http-{count}-{i}")) for i in range(count)]

    async def main() -> list[SignResult]:
        if policy is None:
            return await sign_batch(requests, key, options)
        return await sign_batch(requests, key, options, retry=policy)

    return anyio.run(main)


# -- the QR code ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", URLS)
def test_the_qr_code_uses_the_fixed_mask_and_reads_back_to_its_url(url: str) -> None:
    matrix = qr_modules(url)
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0, mask_pattern=QR_MASK)
    code.add_data(url)
    code.make(fit=True)
    assert matrix == tuple(tuple(bool(cell) for cell in row) for row in code.get_matrix())
    assert format_info(matrix) == ("M", QR_MASK)
    assert read_qr(matrix) == url


def _qr_from_appearance(stream: bytes) -> list[list[bool]]:
    """The QR matrix drawn as runs of dark modules (``x y w h re``) at the start of the TTE appearance."""
    rects = [tuple(map(float, m.groups())) for m in re.finditer(rb"([\d.]+) ([\d.]+) ([\d.]+) ([\d.]+) re", stream)]
    module = rects[0][3]
    left, top = min(r[0] for r in rects), max(r[1] + r[3] for r in rects)
    runs = [(round((top - y - h) / module), round((x - left) / module), round(w / module)) for x, y, w, h in rects]
    n = max(col + width for _, col, width in runs)
    matrix = [[False] * n for _ in range(n)]
    for row, col, width in runs:
        for c in range(col, col + width):
            matrix[row][c] = True
    return matrix


def test_each_signed_kk_draws_its_own_qr_code_and_the_shared_text(key: LoadedKeySigner) -> None:
    results = sign(key, SigningOptions(level=PadesLevel.B_B), 2)
    streams = []
    for i, result in enumerate(results):
        assert result.signed_pdf is not None, result.error
        reader = PdfFileReader(io.BytesIO(result.signed_pdf))
        ((_, _, ref),) = [f for f in enumerate_sig_fields(reader) if f[0] == "TTE"]
        stream = ref.get_object()["/AP"]["/N"].data
        assert read_qr(_qr_from_appearance(stream)) == tte_block(f"http-2-{i}").verify_url
        streams.append(stream)
    text_a, text_b = (s[s.index(b"BT") :] for s in streams)
    assert text_a == text_b  # laid out once per batch: same signer, same box


@pytest.mark.skipif(
    shutil.which("zbarimg") is None or shutil.which("pdftoppm") is None,
    reason="zbar-tools (zbarimg) or poppler-utils (pdftoppm) missing",
)
def test_a_qr_reader_scans_the_printed_kk(key: LoadedKeySigner, tmp_path: Path) -> None:
    """The page as a printer or screen shows it (150 dpi), read by zbar: what a bank's scanner app sees."""
    url = URLS[1]
    block = tte_block()
    request = SignRequest("kk", draft_kk(0), tte=TteBlock(url, block.signer_name, block.signer_nip))

    async def main() -> list[SignResult]:
        return await sign_batch([request], key, SigningOptions(level=PadesLevel.B_B))

    (result,) = anyio.run(main)
    assert result.signed_pdf is not None, result.error
    (tmp_path / "kk.pdf").write_bytes(result.signed_pdf)
    subprocess.run(
        ["pdftoppm", "-r", "150", "-png", "-singlefile", str(tmp_path / "kk.pdf"), str(tmp_path / "page")],
        check=True,
        timeout=60,
    )
    scan = subprocess.run(
        ["zbarimg", "--raw", "-q", str(tmp_path / "page.png")], capture_output=True, text=True, timeout=60
    )
    assert scan.stdout.split() == [url]


# -- one session per batch -----------------------------------------------------------------------------


def test_the_batch_session_is_one_per_event_loop_and_made_again_after_close() -> None:
    session = BatchSession()
    timestamper = batch_timestamper("http://127.0.0.1:9/tsa", session)
    fetchers = fetcher_backend(session).get_fetchers()

    async def phase() -> None:
        sessions = {
            id(session.get_session()),
            id(timestamper._session.get_session()),  # type: ignore[attr-defined]
            id(fetchers.ocsp_fetcher.get_session()),  # type: ignore[attr-defined]
            id(fetchers.crl_fetcher.get_session()),  # type: ignore[attr-defined]
        }
        assert len(sessions) == 1
        await session.close()

    asyncio.run(phase())
    asyncio.run(phase())
    assert session.opened == 2  # one per event loop (the engine runs prepare and finish on loops of their own)
    assert ssl_context() is ssl_context()  # certifi's bundle is loaded once per process


def test_a_b_t_batch_keeps_its_tsa_connections_alive(
    mock_bsre_aia: MockService, pki_requests: RequestCounter, key: LoadedKeySigner
) -> None:
    count = 12
    options = SigningOptions(level=PadesLevel.B_T, timestamp_url=f"{mock_bsre_aia.url}/pki/tsa")
    results = sign(key, options, count)
    assert all(r.ok for r in results), [r.error for r in results]
    assert pki_requests.requests["/pki/tsa"] == count
    connections = len(pki_requests.connections["/pki/tsa"])
    assert connections <= MAX_CONNECTIONS < count  # before: a new session and connection per timestamp
    assert_level(results[-1].signed_pdf or b"", PadesLevel.B_T)


def test_b_lt_revocation_is_fetched_per_batch_not_per_document(
    mock_bsre_aia: MockService, pki_requests: RequestCounter, key: LoadedKeySigner
) -> None:
    options = SigningOptions(
        level=PadesLevel.B_LT, timestamp_url=f"{mock_bsre_aia.url}/pki/tsa", trust_roots=(root_der(),)
    )
    per_batch = {}
    for count in (1, 6):
        pki_requests.reset()
        results = sign(key, options, count)
        assert all(r.ok for r in results), [r.error for r in results]
        per_batch[count] = (pki_requests.requests["/pki/ocsp"], pki_requests.requests["/pki/crl/"])
        for result in (results[0], results[-1]):
            assert_level(result.signed_pdf or b"", PadesLevel.B_LT)  # the evidence is complete offline
    ocsp, crl = per_batch[1]
    assert 1 <= ocsp <= 2  # the signer's certificate and the TSA's
    assert 1 <= crl <= 2  # the issuing CA's CRL and the root's
    assert per_batch[6] == per_batch[1]


def test_a_tsa_that_refuses_connections_is_temporary(key: LoadedKeySigner) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again: nothing listens there
    sleeps = Sleeps()
    policy = PkiRetryPolicy(sleep=sleeps)
    options = SigningOptions(level=PadesLevel.B_T, timestamp_url=f"http://127.0.0.1:{port}/tsa")
    results = sign(key, options, 2, policy)
    for result in results:
        assert isinstance(result.error, ServiceUnavailableError), result.error
        assert result.error.code == "TSA_TIDAK_TERSEDIA"
        assert result.signed_pdf is None
    assert sleeps.waits  # tried again (with a fresh context) before giving up

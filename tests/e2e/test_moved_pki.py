"""Acceptance: with mock BSrE on another port than 8082, a KK signed at B-LT is valid for pdfsig and pyHanko.

``certs/generate.py --url ... --out ...`` makes the test PKI for a mock BSrE on a free port (what ``make run`` does
for ``MOCK_BSRE_PORT``); mock BSrE serves it there, in-process, behind a request log. KKs are signed at B-LT through
the gateway's backends (a PKCS#12 file of that PKI; BSrE's own key through CSC hash signing and through the Esign
Client, which sign with the PKI the mock serves), then checked by poppler's pdfsig and pyHanko's ``adesverify`` with
the one root. Every URL in the signed KK names the moved port and the request log shows the revocation data came
from there, so the result means the same whether or not something listens on 8082.
"""

from __future__ import annotations

import io
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from cryptography import x509
from cryptography.x509.oid import AuthorityInformationAccessOID
from pdfsig_kit import nss_db_trusting
from pyhanko.pdf_utils.reader import PdfFileReader
from starlette.types import ASGIApp, Receive, Scope, Send

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "signing"))
from signing_kit import draft_kk, tte_block

from mock_bsre.app import create_app
from mock_bsre.config import BsreMockConfig
from mock_bsre.pki import Pki, load_pki
from mock_common.server import RunningServer, start_in_thread
from siakgate.bsre import BsreClient, CscClient
from siakgate.signing import Credential, PadesLevel, SigningBackend, SigningOptions, SignRequest
from siakgate.signing.esign import EsignBackend
from siakgate.signing.pkcs12 import Pkcs12Backend
from siakgate.signing.remote_hash import RemoteHashBackend

REPO = Path(__file__).resolve().parents[2]
KEPALA_DINAS_NIK, KEPALA_DINAS_PASSPHRASE = "3508011205720001", "kepala-dinas-uji-123"  # mock_bsre/signers.yaml
COMMITTED_PORT = 8082


@dataclass
class RequestLog:
    """ASGI middleware: remembers the path of every HTTP request the mock received."""

    app: ASGIApp
    paths: list[str] = field(default_factory=list)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            self.paths.append(scope["path"])
        await self.app(scope, receive, send)

    def revocation_fetches(self) -> list[str]:
        return [p for p in self.paths if p.startswith(("/pki/ocsp", "/pki/crl/"))]


@dataclass
class MovedBsre:
    url: str
    pki: Pki
    log: RequestLog
    server: RunningServer


def _free_port() -> int:
    while True:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = int(sock.getsockname()[1])
        if port != COMMITTED_PORT:
            return port


@pytest.fixture(scope="module")
def moved_bsre(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MovedBsre]:
    """Mock BSrE on a free port, serving the test PKI generated for that port."""
    for _attempt in range(3):
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        pki_dir = tmp_path_factory.mktemp("pki") / str(port)
        subprocess.run(
            [sys.executable, str(REPO / "certs" / "generate.py"), "--url", url, "--out", str(pki_dir)],
            check=True,
            capture_output=True,
        )
        config = BsreMockConfig(state_dir=tmp_path_factory.mktemp("mock_bsre_moved"), certs_dir=pki_dir)
        log = RequestLog(create_app(config))
        try:
            server = start_in_thread(log, port=port)
        except OSError:  # taken between choosing and binding it: choose again
            continue
        try:
            yield MovedBsre(url, load_pki(pki_dir), log, server)
        finally:
            server.stop()
        return
    pytest.fail("no free port for the moved mock BSrE")


def pkcs12(bsre: MovedBsre) -> tuple[Callable[[httpx.AsyncClient], SigningBackend], Credential]:
    backend = Pkcs12Backend(bsre.pki.p12_path("kepala-dinas"))
    return (lambda _http: backend), Credential.passphrase(bsre.pki.p12_passphrase("kepala-dinas"))


def remote_hash(bsre: MovedBsre) -> tuple[Callable[[httpx.AsyncClient], SigningBackend], Credential]:
    def build(http: httpx.AsyncClient) -> SigningBackend:
        return RemoteHashBackend(CscClient(http, bsre.url, "siakgate", "siakgate-dev"), "kepala-dinas")

    return build, Credential.passphrase(KEPALA_DINAS_PASSPHRASE)


def esign_v2(bsre: MovedBsre) -> tuple[Callable[[httpx.AsyncClient], SigningBackend], Credential]:
    def build(http: httpx.AsyncClient) -> SigningBackend:
        return EsignBackend(BsreClient(http, bsre.url, "siakgate", "siakgate-dev"), nik=KEPALA_DINAS_NIK, api="v2")

    return build, Credential.passphrase(KEPALA_DINAS_PASSPHRASE)


BACKENDS = {"pkcs12": pkcs12, "remote-hash": remote_hash, "esign-v2": esign_v2}


def _sign_kk(bsre: MovedBsre, backend: str) -> bytes:
    build, credential = BACKENDS[backend](bsre)
    options = SigningOptions(
        level=PadesLevel.B_LT,
        timestamp_url=f"{bsre.url}/pki/tsa",
        trust_roots=(bsre.pki.certificate_der("root-ca"),),
    )

    async def main() -> bytes:
        async with httpx.AsyncClient(timeout=60) as http:
            (result,) = await build(http).sign_batch(
                [SignRequest("kk-moved", draft_kk(3), tte=tte_block("kk-moved"))], credential, options
            )
        assert result.ok, result.error
        assert result.signed_pdf is not None
        return result.signed_pdf

    return anyio.run(main)


@pytest.fixture(scope="module", params=list(BACKENDS))
def signed_kk(request: pytest.FixtureRequest, moved_bsre: MovedBsre, tmp_path_factory: pytest.TempPathFactory) -> Path:
    moved_bsre.log.paths.clear()
    signed = _sign_kk(moved_bsre, request.param)
    assert moved_bsre.log.revocation_fetches(), "signing at B-LT fetched no revocation data from the moved mock"
    path = tmp_path_factory.mktemp("moved-kk") / f"{request.param}.pdf"
    path.write_bytes(signed)
    return path


def _urls(cert: x509.Certificate) -> list[str]:
    """Every OCSP, caIssuers and CRL distribution point URL in ``cert``."""
    urls: list[str] = []
    try:
        aia = cert.extensions.get_extension_for_class(x509.AuthorityInformationAccess).value
        urls += [str(d.access_location.value) for d in aia]
    except x509.ExtensionNotFound:
        pass
    try:
        cdp = cert.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
        urls += [str(n.value) for point in cdp for n in point.full_name or []]
    except x509.ExtensionNotFound:
        pass
    return urls


def _embedded(pdf: bytes) -> tuple[x509.Certificate, list[x509.Certificate], Any]:
    """The signer's certificate, every certificate in the CMS, and the DSS of ``pdf``."""
    reader = PdfFileReader(io.BytesIO(pdf))
    (sig,) = reader.embedded_regular_signatures
    signer = x509.load_der_x509_certificate(sig.signer_cert.dump())
    certs = [x509.load_der_x509_certificate(c.chosen.dump()) for c in sig.signed_data["certificates"]]
    return signer, certs, reader.root["/DSS"]


def test_the_signed_kk_names_only_the_moved_port(signed_kk: Path, moved_bsre: MovedBsre) -> None:
    signer, certs, dss = _embedded(signed_kk.read_bytes())
    assert signer.subject.rfc4514_string() == moved_bsre.pki.entity("kepala-dinas")["subject"]
    ocsp = [
        d.access_location.value
        for d in signer.extensions.get_extension_for_class(x509.AuthorityInformationAccess).value
        if d.access_method == AuthorityInformationAccessOID.OCSP
    ]
    assert ocsp == [f"{moved_bsre.url}/pki/ocsp"]
    urls = [url for cert in certs for url in _urls(cert)]
    assert urls
    assert all(url.startswith(f"{moved_bsre.url}/pki/") for url in urls), urls
    assert b":8082/" not in signed_kk.read_bytes()
    assert "/OCSPs" in dss or "/CRLs" in dss  # B-LT: the validation data is in the file


@pytest.fixture(scope="module")
def nss_db(tmp_path_factory: pytest.TempPathFactory, moved_bsre: MovedBsre) -> str:
    """An NSS database trusting only the root (the same in certs/ and in the moved PKI)."""
    root = moved_bsre.pki.certs_dir / "root-ca.crt"
    assert root.read_bytes() == (REPO / "certs" / "root-ca.crt").read_bytes()
    return nss_db_trusting(tmp_path_factory.mktemp("nssdb-moved"), root)


@pytest.mark.pdfsig
def test_pdfsig_accepts_it_asking_the_moved_port(signed_kk: Path, moved_bsre: MovedBsre, nss_db: str) -> None:
    moved_bsre.log.paths.clear()
    result = subprocess.run(
        ["pdfsig", "-nssdir", nss_db, str(signed_kk)], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "Signature Type: ETSI.CAdES.detached" in result.stdout
    assert "Signature is Valid." in result.stdout
    assert "Certificate is Trusted." in result.stdout
    assert "/pki/ocsp" in " ".join(moved_bsre.log.paths), "pdfsig did not ask the moved mock's OCSP responder"


def test_pyhanko_adesverify_accepts_it_with_the_moved_revocation_data(signed_kk: Path, moved_bsre: MovedBsre) -> None:
    moved_bsre.log.paths.clear()
    root = moved_bsre.pki.certs_dir / "root-ca.crt"
    pyhanko = [sys.executable, "-m", "pyhanko", "sign", "adesverify", "--trust", str(root), "--trust-replace"]
    result = subprocess.run([*pyhanko, str(signed_kk)], capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert ":INTACT:TRUSTED," in result.stdout, result.stdout  # <field>:<digest>:INTACT:TRUSTED,TIMESTAMP_TOKEN<...
    assert moved_bsre.log.revocation_fetches(), "adesverify fetched no revocation data from the moved mock"

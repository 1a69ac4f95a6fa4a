"""The Esign backend with what BSrE's guide suggests the real service returns: ``adbe.pkcs7.detached`` signatures
("PKCS7-T", guide v2.2.1 p.35), and v1 refusals with the reason code in the text or in ``status_code``.

Each test starts its own mock BSrE in the mode under test (mock_bsre's ``signature_format`` and
``v1_error_shape``); B-LT fetches OCSP/CRLs from the mock on the AIA port (``mock_bsre_aia``), and the result is
then validated by pyHanko OFFLINE, with only what the PDF carries.
"""

from __future__ import annotations

import io
from collections.abc import AsyncIterator, Iterator
from functools import partial
from pathlib import Path

import anyio
import httpx
import pytest
from pades_check import ades_basic, ades_lta
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.ades.report import AdESIndeterminate, AdESPassed
from test_esign import KEPALA_NIK, OPTIONS, PASSPHRASE, assert_valid, client, drafts, root_der

from mock_bsre.app import create_app
from mock_bsre.config import BsreMockConfig
from mock_common.pytest_plugin import MockService, serving
from siakgate.errors import SignedDocumentRejectedError, WrongPassphraseError
from siakgate.signing.api import Credential, PadesLevel, SigningOptions
from siakgate.signing.esign import EsignBackend
from siakgate.verify import verify_pdf

pytestmark = pytest.mark.anyio

PKCS7 = "/adbe.pkcs7.detached"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def _mock(tmp: Path, **config: str) -> Iterator[MockService]:
    settings = BsreMockConfig(state_dir=tmp, **config)  # type: ignore[arg-type]
    with serving(create_app(settings), settings.clients) as service:
        yield service


@pytest.fixture(scope="module")
def pkcs7_bsre(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MockService]:
    yield from _mock(tmp_path_factory.mktemp("bsre_pkcs7"), signature_format="pkcs7")


@pytest.fixture(scope="module", params=["text", "status-code"])
def shaped_bsre(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[MockService]:
    yield from _mock(tmp_path_factory.mktemp("bsre_shape"), v1_error_shape=request.param)


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=60) as client:
        yield client


def subfilter(pdf: bytes) -> str:
    reader = PdfFileReader(io.BytesIO(pdf))
    sig = max(reader.embedded_regular_signatures, key=lambda s: s.signed_revision)
    return str(sig.sig_object["/SubFilter"])


@pytest.mark.parametrize("api", ["v2", "v1"])
async def test_pkcs7_result_accepted_at_b_t(
    api: str, http: httpx.AsyncClient, pkcs7_bsre: MockService, mock_bsre_aia: MockService
) -> None:
    """The returned PKCS#7 signature passes pyHanko's validation with time (online: OCSP on the AIA port)."""
    backend = EsignBackend(client(http, pkcs7_bsre), nik=KEPALA_NIK, api=api)  # type: ignore[arg-type]
    requests = drafts(2, seed=21)
    results = await backend.sign_batch(requests, Credential.passphrase(PASSPHRASE), OPTIONS)
    for request, result in zip(requests, results, strict=True):
        assert result.ok, result.error
        assert result.signed_pdf is not None
        assert subfilter(result.signed_pdf) == PKCS7, "mock BSrE did not sign in pkcs7 mode"
        await assert_valid(result.signed_pdf, request.pdf)
        timed = await anyio.to_thread.run_sync(partial(ades_basic, result.signed_pdf, with_time=True))
        assert timed.ades_subindic is AdESPassed.OK, timed.failure_msg
        report = await verify_pdf(result.signed_pdf, trust_roots=[root_der()], allow_fetching=False)
        (sig,) = report.signatures
        assert sig.subfilter == PKCS7
        assert sig.level is PadesLevel.B_T  # the evidence ladder; the subfilter says it is not PAdES
        assert "(PKCS#7 B-T)" in report.summary_id()
        assert "PAdES" not in report.summary_id()
        assert report.to_bsre_v2()["signatureInformations"][0]["signatureFormat"] == "PKCS7-T"


@pytest.mark.parametrize("level", [PadesLevel.B_LT, PadesLevel.B_LTA], ids=str)
async def test_pkcs7_result_brought_to_the_level_asked(
    level: PadesLevel, http: httpx.AsyncClient, pkcs7_bsre: MockService, mock_bsre_aia: MockService
) -> None:
    """BSrE signs PKCS#7 with a timestamp; the gateway adds the DSS (and a document timestamp), as for PAdES."""
    options = SigningOptions(level=level, trust_roots=(root_der(),), timestamp_url=f"{mock_bsre_aia.url}/pki/tsa")
    backend = EsignBackend(client(http, pkcs7_bsre), nik=KEPALA_NIK, api="v2")
    requests = drafts(1, seed=22)
    (result,) = await backend.sign_batch(requests, Credential.passphrase(PASSPHRASE), options)
    assert result.ok, result.error
    pdf = result.signed_pdf
    assert pdf is not None
    assert pdf.startswith(requests[0].pdf)
    assert subfilter(pdf) == PKCS7
    reader = PdfFileReader(io.BytesIO(pdf))
    assert "/DSS" in reader.root
    assert bool(reader.embedded_timestamp_signatures) is (level is PadesLevel.B_LTA)
    # pyHanko's long-term validation, offline: the file alone proves the signature.
    checked = await anyio.to_thread.run_sync(lambda: ades_lta(pdf, online=False))
    assert checked.api_status is not None
    assert checked.api_status.bottom_line, checked.failure_msg
    assert checked.api_status.trusted
    assert checked.signature_timestamp_status is not None
    assert checked.signature_timestamp_status.ades_subindic is AdESPassed.OK
    if level is PadesLevel.B_LT:
        assert checked.ades_subindic is AdESIndeterminate.NO_POE, checked.failure_msg
    else:
        assert checked.ades_subindic is AdESPassed.OK, checked.failure_msg
    report = await verify_pdf(pdf, trust_roots=[root_der()], allow_fetching=False)
    (sig,) = report.signatures
    assert report.valid
    assert sig.level is level


@pytest.mark.parametrize("api", ["v1", "v2"])
async def test_each_v1_error_shape_signs_and_refuses_alike(
    api: str, http: httpx.AsyncClient, shaped_bsre: MockService
) -> None:
    """Whichever field carries BSrE's reason code, a wrong passphrase is the same WrongPassphraseError."""
    backend = EsignBackend(client(http, shaped_bsre), nik=KEPALA_NIK, api=api)  # type: ignore[arg-type]
    requests = drafts(2, seed=23)
    good = await backend.sign_batch(requests, Credential.passphrase(PASSPHRASE), OPTIONS)
    assert all(r.ok for r in good), [r.error for r in good]
    bad = await backend.sign_batch(requests, Credential.passphrase("salah-sekali"), OPTIONS)
    for result in bad:
        assert isinstance(result.error, WrongPassphraseError), result.error
        assert result.error.remote_code == "2031"
        assert result.signed_pdf is None


@pytest.mark.parametrize("signature_format", ["pades", "pkcs7"])
async def test_signature_without_timestamp_is_not_passed_off_as_b_t(
    signature_format: str, http: httpx.AsyncClient, tmp_path: Path
) -> None:
    """BSrE answering without a signature timestamp: accepted for B-B, rejected (not mislabelled) for B-T."""
    for service in _mock(tmp_path, pades_level="B-B", signature_format=signature_format):
        backend = EsignBackend(client(http, service), nik=KEPALA_NIK, api="v2")
        requests = drafts(1, seed=24)
        (refused,) = await backend.sign_batch(requests, Credential.passphrase(PASSPHRASE), OPTIONS)
        assert isinstance(refused.error, SignedDocumentRejectedError), refused.error
        assert "cap waktu" in refused.error.message
        b_b = SigningOptions(level=PadesLevel.B_B, trust_roots=(root_der(),), allow_fetching=False)
        (accepted,) = await backend.sign_batch(requests, Credential.passphrase(PASSPHRASE), b_b)
        assert accepted.ok, accepted.error
        assert accepted.signed_pdf is not None
        assert subfilter(accepted.signed_pdf) == {"pades": "/ETSI.CAdES.detached", "pkcs7": PKCS7}[signature_format]

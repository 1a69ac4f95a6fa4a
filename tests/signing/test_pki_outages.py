"""BSrE's PKI services misbehaving while a batch is signed: slow is fine, down is "coba lagi", never a verdict.

The faults are set on mock BSrE at the address the test certificates name for OCSP, CRL and caIssuers
(``mock_bsre_aia``), scoped to its PKI paths, so only those round trips are slowed or broken.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import anyio
import pytest
from pades_check import assert_level
from pyhanko.pdf_utils.misc import PdfReadError
from signing_kit import draft_kk, p12_passphrase, p12_path, root_der, tte_block

from mock_common.faults import FaultConfig, FaultInjector
from mock_common.pytest_plugin import MockService, RemoteFaults
from siakgate.errors import ServiceUnavailableError
from siakgate.signing import Credential, PadesLevel, SigningOptions, SignRequest, SignResult
from siakgate.signing._errors import pki_outage, translate_document_error
from siakgate.signing._retry import PkiRetryPolicy
from siakgate.signing.engine import sign_batch
from siakgate.signing.pkcs12 import LoadedKeySigner, Pkcs12Backend, load_pkcs12

Faults = FaultInjector | RemoteFaults
PKI_PATHS = ["/pki/ocsp", "/pki/crl/", "/pki/tsa"]
REVOCATION_PATHS = ["/pki/ocsp", "/pki/crl/"]


class Sleeps:
    """The retry policy's clock seam: records the waits instead of sleeping."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


class CountingSigner:
    """A key that counts its authorisations (one per batch, whatever the PKI did)."""

    def __init__(self, inner: LoadedKeySigner) -> None:
        self.inner = inner
        self.signing_cert = inner.signing_cert
        self.chain = inner.chain
        self.calls = 0

    async def sign_raw_batch(self, tbs: Sequence[bytes], digest_algorithm: str) -> list[bytes]:
        self.calls += 1
        return await self.inner.sign_raw_batch(tbs, digest_algorithm)


def requests_for(count: int) -> list[SignRequest]:
    return [SignRequest(f"kk-{i}", draft_kk(i), tte=tte_block(f"kk-{i}")) for i in range(count)]


def b_lt(aia: MockService) -> SigningOptions:
    return SigningOptions(level=PadesLevel.B_LT, timestamp_url=f"{aia.url}/pki/tsa", trust_roots=(root_der(),))


def sign(signer: object, options: SigningOptions, policy: PkiRetryPolicy, count: int = 2) -> list[SignResult]:
    async def main() -> list[SignResult]:
        return await sign_batch(requests_for(count), signer, options, retry=policy)  # type: ignore[arg-type]

    return anyio.run(main)


def outage_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "siakgate.signing" and hasattr(r, "pki_service")]


@pytest.fixture
def key() -> LoadedKeySigner:
    return load_pkcs12(p12_path().read_bytes(), p12_passphrase())


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


def test_a_batch_is_signed_at_b_lt_while_the_pki_answers_in_two_seconds(
    mock_bsre_aia: MockService, mock_bsre_aia_faults: Faults
) -> None:
    """Slow OCSP, CRL and TSA answers are evidence all the same (finding: >= 300 ms failed the batch)."""
    mock_bsre_aia_faults.configure(FaultConfig(latency_ms=2000, paths=PKI_PATHS))

    async def main() -> list[SignResult]:
        backend = Pkcs12Backend(p12_path())
        return await backend.sign_batch(requests_for(2), Credential.passphrase(p12_passphrase()), b_lt(mock_bsre_aia))

    results = anyio.run(main)
    mock_bsre_aia_faults.configure(FaultConfig())
    for result in results:
        assert result.ok, result.error
        assert result.signed_pdf is not None
        assert_level(result.signed_pdf, PadesLevel.B_LT)


@pytest.mark.parametrize("kind", ["http_5xx", "drop", "malformed"])
def test_ocsp_and_crl_down_is_temporary_then_a_later_attempt_signs(
    kind: str,
    mock_bsre_aia: MockService,
    mock_bsre_aia_faults: Faults,
    key: LoadedKeySigner,
    sleeps: Sleeps,
    caplog: pytest.LogCaptureFixture,
) -> None:
    policy = PkiRetryPolicy(sleep=sleeps)
    mock_bsre_aia_faults.configure(FaultConfig(**{f"{kind}_rate": 1.0}, paths=REVOCATION_PATHS))
    signer = CountingSigner(key)
    with caplog.at_level(logging.WARNING, logger="siakgate.signing"):
        results = sign(signer, b_lt(mock_bsre_aia), policy)

    for result in results:
        assert isinstance(result.error, ServiceUnavailableError), result.error
        assert result.error.code == "OCSP_CRL_TIDAK_TERSEDIA"
        assert "coba lagi" in result.error.message
        assert result.signed_pdf is None
    assert signer.calls == 0  # validated before the key is used: nothing spent
    assert len(sleeps.waits) == policy.attempts - 1  # the validation was tried again with fresh fetchers
    records = outage_records(caplog)
    assert len(records) == policy.attempts  # one line per attempt, not one per KK
    for record in records:
        assert record.levelno == logging.WARNING
        assert record.pki_host == "127.0.0.1:8082"
        assert record.pki_service in {"OCSP", "CRL", "OCSP/CRL"}
        assert record.error_class in {"OCSPFetchError", "CRLFetchError"}
        assert "/pki/" not in record.getMessage()  # the host, never the URL

    mock_bsre_aia_faults.configure(FaultConfig())
    results = sign(signer, b_lt(mock_bsre_aia), policy)
    assert all(r.ok for r in results), [r.error for r in results]
    assert signer.calls == 1


def test_a_tsa_hiccup_after_the_key_signed_costs_no_signature(
    mock_bsre_aia: MockService,
    mock_bsre_aia_faults: Faults,
    key: LoadedKeySigner,
    sleeps: Sleeps,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A failing TSA round trip is tried again from the prepared bytes: one authorisation, every KK signed."""
    mock_bsre_aia_faults.configure(FaultConfig(script=["ok", "http_5xx"], paths=["/pki/tsa"]))
    signer = CountingSigner(key)
    with caplog.at_level(logging.WARNING, logger="siakgate.signing"):
        results = sign(signer, b_lt(mock_bsre_aia), PkiRetryPolicy(sleep=sleeps))
    assert signer.calls == 1
    for result in results:
        assert result.ok, result.error
        assert result.signed_pdf is not None
        assert_level(result.signed_pdf, PadesLevel.B_LT)
    (record,) = outage_records(caplog)
    assert (record.pki_service, record.pki_host, record.http_status) == ("TSA", "127.0.0.1:8082", 503)
    assert record.error_class == "ClientResponseError"


def test_a_tsa_that_stays_down_is_temporary_with_its_status_logged(
    mock_bsre_aia: MockService,
    mock_bsre_aia_faults: Faults,
    key: LoadedKeySigner,
    sleeps: Sleeps,
    caplog: pytest.LogCaptureFixture,
) -> None:
    mock_bsre_aia_faults.configure(FaultConfig(http_5xx_rate=1.0, http_status=502, paths=["/pki/tsa"]))
    with caplog.at_level(logging.WARNING, logger="siakgate.signing"):
        results = sign(CountingSigner(key), b_lt(mock_bsre_aia), PkiRetryPolicy(sleep=sleeps))
    assert [r.error.code if r.error else None for r in results] == ["TSA_TIDAK_TERSEDIA"] * 2
    assert all(isinstance(r.error, ServiceUnavailableError) for r in results)
    records = outage_records(caplog)
    assert records
    assert {(r.pki_service, r.pki_host, r.http_status) for r in records} == {("TSA", "127.0.0.1:8082", 502)}


def test_a_revoked_signer_is_a_verdict_even_while_its_crl_is_down(
    mock_bsre_aia: MockService, mock_bsre_aia_faults: Faults, sleeps: Sleeps
) -> None:
    """OCSP says revoked: that is definite, whatever else failed; the verdict is not turned into "coba lagi".

    Only the signer's own CRL (the issuing CA's) is down: the issuing CA itself, checked first, still validates.
    """
    mock_bsre_aia_faults.configure(FaultConfig(http_5xx_rate=1.0, paths=["/pki/crl/issuing-ca"]))
    revoked = load_pkcs12(p12_path("signer-revoked").read_bytes(), p12_passphrase("signer-revoked"))
    signer = CountingSigner(revoked)
    results = sign(signer, b_lt(mock_bsre_aia), PkiRetryPolicy(sleep=sleeps))
    assert [r.error.code if r.error else None for r in results] == ["SERTIFIKAT_TIDAK_VALID"] * 2
    assert not any(isinstance(r.error, ServiceUnavailableError) for r in results)
    assert signer.calls == 0
    assert sleeps.waits == []  # a verdict is not retried


def test_what_is_an_outage_and_what_is_not() -> None:
    """The classification on its own: a bare timeout is an outage, a bug or a broken PDF is not."""
    timeout = pki_outage(TimeoutError())
    assert timeout is not None
    assert (timeout.service, timeout.code, timeout.error_class) == (
        "OCSP/CRL",
        "OCSP_CRL_TIDAK_TERSEDIA",
        "TimeoutError",
    )
    assert isinstance(translate_document_error(TimeoutError()), ServiceUnavailableError)
    assert pki_outage(ValueError("not a TSA answer")) is None
    assert pki_outage(PdfReadError("broken xref")) is None
    assert translate_document_error(PdfReadError("broken xref")).code == "PDF_TIDAK_VALID"

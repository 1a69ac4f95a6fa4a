"""The batch engine: one authorisation per batch, a result per document, no blocked event loop."""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator, Sequence
from typing import Any

import anyio
import pytest
from asn1crypto import x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from reportlab.pdfgen.canvas import Canvas
from signing_kit import draft_kk, p12_passphrase, p12_path, root_der, tte_block

from mock_common.pytest_plugin import MockService
from siakgate.errors import SiakgateError, SigningError, TransientError, WrongPassphraseError
from siakgate.signing import PadesLevel, SigningOptions, SignRequest, SignResult
from siakgate.signing.engine import sign_batch
from siakgate.signing.pkcs12 import LoadedKeySigner, load_pkcs12

B_B = SigningOptions(level=PadesLevel.B_B)


@pytest.fixture(scope="module")
def key_signer() -> LoadedKeySigner:
    return load_pkcs12(p12_path().read_bytes(), p12_passphrase())


class CountingSigner:
    """Wraps a RawBatchSigner and counts authorisations (sign_raw_batch calls)."""

    def __init__(self, inner: LoadedKeySigner, *, fail_with: BaseException | None = None) -> None:
        self.inner = inner
        self.signing_cert = inner.signing_cert
        self.chain = inner.chain
        self.calls: list[int] = []
        self.fail_with = fail_with

    async def sign_raw_batch(self, tbs: Sequence[bytes], digest_algorithm: str) -> list[bytes]:
        self.calls.append(len(tbs))
        if self.fail_with is not None:
            raise self.fail_with
        return await self.inner.sign_raw_batch(tbs, digest_algorithm)


def run_batch(requests: Sequence[SignRequest], signer: Any, options: SigningOptions = B_B) -> list[SignResult]:
    async def main() -> list[SignResult]:
        return await sign_batch(requests, signer, options)

    return anyio.run(main)


def assert_valid_signature(pdf: bytes) -> None:
    """Intact, valid and chaining to the test root (revocation not checked here; see the level tests)."""
    (sig,) = PdfFileReader(io.BytesIO(pdf)).embedded_regular_signatures
    context = ValidationContext(trust_roots=[x509.Certificate.load(root_der())])
    status = validate_pdf_signature(sig, context)
    details = status.pretty_print_details()  # type: ignore[no-untyped-call]
    assert status.intact, details
    assert status.valid, details
    assert status.trusted, details


def requests_for(count: int) -> list[SignRequest]:
    return [SignRequest(f"kk-{i}", draft_kk(i), tte=tte_block(f"kk-{i}")) for i in range(count)]


def test_one_authorisation_signs_the_whole_batch(key_signer: LoadedKeySigner) -> None:
    signer = CountingSigner(key_signer)
    results = run_batch(requests_for(5), signer)
    assert signer.calls == [5]
    assert [r.document_id for r in results] == [f"kk-{i}" for i in range(5)]
    for result in results:
        assert result.ok
        assert result.signed_pdf is not None
        assert_valid_signature(result.signed_pdf)


def test_a_broken_pdf_fails_alone(key_signer: LoadedKeySigner) -> None:
    requests = requests_for(5)
    requests[2] = SignRequest("kk-2", b"%PDF-1.7\nthis is not a pdf at all\n%%EOF", tte=tte_block())
    signer = CountingSigner(key_signer)
    results = run_batch(requests, signer)
    assert signer.calls == [4]  # the broken one never reaches the key
    broken = results[2]
    assert broken.signed_pdf is None
    assert isinstance(broken.error, SigningError)
    assert broken.error.code == "PDF_TIDAK_VALID"
    assert "PDF rusak" in broken.error.message
    for index in (0, 1, 3, 4):
        assert results[index].ok
        assert results[index].document_id == f"kk-{index}"
        assert_valid_signature(results[index].signed_pdf)  # type: ignore[arg-type]


def test_a_refused_authorisation_fails_every_document(key_signer: LoadedKeySigner) -> None:
    refusal = WrongPassphraseError("Passphrase anda salah", remote_code="2031")
    requests = requests_for(3)
    requests.insert(1, SignRequest("rusak", b"not a pdf"))
    signer = CountingSigner(key_signer, fail_with=refusal)
    results = run_batch(requests, signer)
    assert signer.calls == [3]
    assert all(r.signed_pdf is None for r in results)
    assert [r.error for r in results if r.document_id != "rusak"] == [refusal] * 3
    assert results[1].error is not None
    assert results[1].error.code == "PDF_TIDAK_VALID"


@pytest.mark.parametrize("raised", [RuntimeError("token unplugged"), TransientError("coba lagi")])
def test_any_signer_failure_becomes_a_result(key_signer: LoadedKeySigner, raised: BaseException) -> None:
    results = run_batch(requests_for(2), CountingSigner(key_signer, fail_with=raised))
    assert all(not r.ok and isinstance(r.error, SiakgateError) for r in results)
    assert results[0].error is results[1].error
    error = results[0].error
    assert error is not None
    assert error.__cause__ is raised or error is raised


class ShortSigner(CountingSigner):
    async def sign_raw_batch(self, tbs: Sequence[bytes], digest_algorithm: str) -> list[bytes]:
        return (await self.inner.sign_raw_batch(tbs, digest_algorithm))[:-1]


def test_a_signer_returning_too_few_signatures_fails_the_batch(key_signer: LoadedKeySigner) -> None:
    results = run_batch(requests_for(3), ShortSigner(key_signer))
    assert all(r.error is not None and r.error.code == "JUMLAH_TANDA_TANGAN_TIDAK_SESUAI" for r in results)
    assert all(r.signed_pdf is None for r in results)


class OversizedSigner(CountingSigner):
    """Returns a signature too large for the reserved space for the second document only."""

    async def sign_raw_batch(self, tbs: Sequence[bytes], digest_algorithm: str) -> list[bytes]:
        signatures = await self.inner.sign_raw_batch(tbs, digest_algorithm)
        signatures[1] = b"\x01" * 100_000
        return signatures


def test_a_document_failing_after_signing_fails_alone(key_signer: LoadedKeySigner) -> None:
    results = run_batch(requests_for(3), OversizedSigner(key_signer))
    assert results[1].signed_pdf is None
    assert isinstance(results[1].error, SigningError)
    assert results[0].ok
    assert results[2].ok
    assert_valid_signature(results[0].signed_pdf)  # type: ignore[arg-type]


def test_empty_batch_does_not_call_the_signer(key_signer: LoadedKeySigner) -> None:
    signer = CountingSigner(key_signer)
    assert run_batch([], signer) == []
    assert signer.calls == []


def test_all_documents_broken_does_not_call_the_signer(key_signer: LoadedKeySigner) -> None:
    signer = CountingSigner(key_signer)
    results = run_batch([SignRequest("a", b"x"), SignRequest("b", b"")], signer)
    assert signer.calls == []
    assert [r.error.code for r in results if r.error] == ["PDF_TIDAK_VALID", "PDF_TIDAK_VALID"]


def _plain_pdf() -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer)
    canvas.drawString(72, 770, "Surat pengantar (uji)")
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def test_a_new_field_is_created_at_box(key_signer: LoadedKeySigner) -> None:
    (result,) = run_batch([SignRequest("s", _plain_pdf(), tte=tte_block(), box=(300, 100, 530, 162))], key_signer)
    assert result.ok
    assert result.signed_pdf is not None
    (sig,) = PdfFileReader(io.BytesIO(result.signed_pdf)).embedded_regular_signatures
    assert sig.field_name == "TTE"
    assert [float(v) for v in sig.sig_field["/Rect"]] == [300, 100, 530, 162]
    assert_valid_signature(result.signed_pdf)


def test_a_visible_block_needs_a_field_or_a_box(key_signer: LoadedKeySigner) -> None:
    (result,) = run_batch([SignRequest("s", _plain_pdf(), tte=tte_block())], key_signer)
    assert result.error is not None
    assert result.error.code == "KOLOM_TTE_TIDAK_ADA"


def test_an_invisible_signature_needs_neither(key_signer: LoadedKeySigner) -> None:
    (result,) = run_batch([SignRequest("s", _plain_pdf(), field_name="Seal")], key_signer)
    assert result.ok
    assert_valid_signature(result.signed_pdf)  # type: ignore[arg-type]


def test_an_already_signed_field_is_refused(key_signer: LoadedKeySigner, kk_pdf: bytes) -> None:
    (signed,) = run_batch([SignRequest("a", kk_pdf, tte=tte_block())], key_signer)
    assert signed.signed_pdf is not None
    (again,) = run_batch([SignRequest("a", signed.signed_pdf, tte=tte_block())], key_signer)
    assert again.error is not None
    assert again.error.code == "KOLOM_TTE_SUDAH_DITANDATANGANI"


@pytest.mark.parametrize("level", [PadesLevel.B_T, PadesLevel.B_LT, PadesLevel.B_LTA])
def test_timestamped_levels_need_a_tsa(key_signer: LoadedKeySigner, kk_pdf: bytes, level: PadesLevel) -> None:
    signer = CountingSigner(key_signer)
    results = run_batch([SignRequest("a", kk_pdf)], signer, SigningOptions(level=level, trust_roots=(root_der(),)))
    assert results[0].error is not None
    assert results[0].error.code == "TSA_TIDAK_DIATUR"
    assert signer.calls == []


def test_long_term_levels_need_trust_roots(key_signer: LoadedKeySigner, kk_pdf: bytes) -> None:
    options = SigningOptions(level=PadesLevel.B_LT, timestamp_url="http://127.0.0.1:1/tsa")
    (result,) = run_batch([SignRequest("a", kk_pdf)], key_signer, options)
    assert result.error is not None
    assert result.error.code == "AKAR_TEPERCAYA_TIDAK_DIATUR"


def test_an_unreachable_tsa_is_a_transient_error(key_signer: LoadedKeySigner, kk_pdf: bytes) -> None:
    options = SigningOptions(level=PadesLevel.B_T, timestamp_url="http://127.0.0.1:9/pki/tsa")
    results = run_batch([SignRequest("a", kk_pdf), SignRequest("b", kk_pdf)], key_signer, options)
    assert all(isinstance(r.error, TransientError) and r.signed_pdf is None for r in results)


@pytest.fixture
def fast_gil_switching() -> Iterator[None]:
    """Hand the GIL over every 0.2 ms (default 5 ms), so a free event loop gets to run often.

    Without it the worker thread holds the GIL for 5 ms slices and even a free loop ticks only a few
    times during a fast batch; with it, a free loop ticks dozens of times while a blocked one still
    cannot tick at all until the blocking call returns.
    """
    previous = sys.getswitchinterval()
    sys.setswitchinterval(0.0002)
    yield
    sys.setswitchinterval(previous)


@pytest.mark.anyio
@pytest.mark.usefixtures("fast_gil_switching")
async def test_the_event_loop_keeps_running_during_a_batch(key_signer: LoadedKeySigner) -> None:
    requests = requests_for(20)
    ticks = 0
    done = anyio.Event()

    async def ticker() -> None:
        nonlocal ticks
        while not done.is_set():
            ticks += 1
            await anyio.sleep(0.001)

    async with anyio.create_task_group() as group:
        group.start_soon(ticker)
        results = await sign_batch(requests, key_signer, B_B)
        done.set()
    assert all(r.ok for r in results)
    # If pyHanko ran on the loop, the ticker would only run at the engine's few awaits (under 10);
    # twenty KKs take some 100 ms of CPU in worker threads, during which a free loop keeps ticking.
    assert ticks >= 20, ticks


def test_a_revoked_signer_signs_nothing_at_b_lt(mock_bsre_aia: MockService, key_signer: LoadedKeySigner) -> None:
    """B-LT with a revoked signer: the certificate does not validate, nothing is signed."""

    revoked = load_pkcs12(p12_path("signer-revoked").read_bytes(), p12_passphrase("signer-revoked"))
    signer = CountingSigner(revoked)
    options = SigningOptions(
        level=PadesLevel.B_LT, timestamp_url=f"{mock_bsre_aia.url}/pki/tsa", trust_roots=(root_der(),)
    )
    results = run_batch(requests_for(2), signer, options)
    assert signer.calls == []
    assert all(r.error is not None and r.error.code == "SERTIFIKAT_TIDAK_VALID" for r in results)

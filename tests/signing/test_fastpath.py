"""Incremental-update templates, chunks and the process pool: same signatures, less work.

The bar is the same as for pyHanko's own path: pyHanko's validator (intact, valid, trusted, the whole
file covered) and poppler's pdfsig. A template must reproduce pyHanko's update for a further KK byte for
byte, apart from what differs per document by design (the /ID half, the offsets, the signing time).
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import anyio
import pytest
from asn1crypto import x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.writer import PdfFileWriter
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from signing_kit import draft_kk, p12_passphrase, p12_path, root_der

from siakgate.errors import SigningError
from siakgate.signing import PadesLevel, SigningOptions, SignRequest, SignResult, engine
from siakgate.signing._context import build_context
from siakgate.signing._fastpath import PdfLayout, TemplateCache
from siakgate.signing.engine import CHUNK_SIZE, POOL_MIN_DOCUMENTS, sign_batch
from siakgate.signing.pkcs12 import LoadedKeySigner, load_pkcs12

B_B = SigningOptions(level=PadesLevel.B_B)


@pytest.fixture(scope="module")
def key_signer() -> LoadedKeySigner:
    return load_pkcs12(p12_path().read_bytes(), p12_passphrase())


@pytest.fixture(scope="module")
def kks() -> list[bytes]:
    return [draft_kk(i) for i in range(6)]


class CountingSigner:
    """A local key that may sign in chunks (or not), counting its calls."""

    def __init__(self, inner: LoadedKeySigner, *, chunks: bool) -> None:
        self.inner = inner
        self.signing_cert = inner.signing_cert
        self.chain = inner.chain
        self.signs_in_chunks = chunks
        self.calls: list[int] = []

    async def sign_raw_batch(self, tbs: Sequence[bytes], digest_algorithm: str) -> list[bytes]:
        self.calls.append(len(tbs))
        return await self.inner.sign_raw_batch(tbs, digest_algorithm)


def run_batch(requests: Sequence[SignRequest], signer: Any, options: SigningOptions = B_B) -> list[SignResult]:
    async def main() -> list[SignResult]:
        return await sign_batch(requests, signer, options)

    return anyio.run(main)


def assert_signed(pdf: bytes, original: bytes, field: str) -> None:
    """pyHanko: intact, valid, trusted, the whole file covered; and the original bytes untouched."""
    assert pdf.startswith(original)
    signatures = PdfFileReader(io.BytesIO(pdf)).embedded_regular_signatures
    sig = next(s for s in signatures if s.field_name == field)
    status = validate_pdf_signature(sig, ValidationContext(trust_roots=[x509.Certificate.load(root_der())]))
    assert status.intact, status.summary()
    assert status.valid, status.summary()
    assert status.trusted, status.summary()
    assert status.coverage.name == "ENTIRE_FILE"


def pdfsig_output(pdf: bytes, tmp_path: Path, name: str) -> str | None:
    if shutil.which("pdfsig") is None:
        return None
    path = tmp_path / name
    path.write_bytes(pdf)
    return subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, timeout=60, check=True).stdout


def prepare(request: SignRequest, signer: LoadedKeySigner, templates: TemplateCache | None) -> Any:
    ctx = build_context(signer, B_B, None)
    return anyio.run(engine._prepare_one, request, ctx, engine._Presign(), templates)


_PER_DOCUMENT = [
    re.compile(rb"/ID \[ <[0-9a-f]+> <[0-9a-f]+> \]"),
    re.compile(rb"D\\072\d{14}Z"),
    re.compile(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00"),
    re.compile(rb"\d{4}\\055\d\d\\055\d\d \d\d\\072\d\d\\072\d\d UTC"),  # the stamp in the field's appearance
]


def _masked(update: bytes) -> bytes:
    for pattern in _PER_DOCUMENT:
        update = pattern.sub(b"#", update)
    return update


@pytest.mark.parametrize("field", ["TTE", "TTE_BARU"])
def test_a_template_replays_pyhankos_update_for_another_kk(
    key_signer: LoadedKeySigner, kks: list[bytes], field: str
) -> None:
    templates = TemplateCache(clock=engine.monotonic)
    first = prepare(SignRequest("a", kks[0], field_name=field), key_signer, templates)
    assert first.base == b""  # prepared by pyHanko: the template is learnt from it
    request = SignRequest("b", kks[1], field_name=field)
    fast = prepare(request, key_signer, templates)
    assert fast.base == kks[1]  # prepared from the template: only the update is held
    by_pyhanko = prepare(request, key_signer, None)
    expected = by_pyhanko.update[len(kks[1]) :]
    assert len(fast.update) == len(expected)
    assert _masked(fast.update) == _masked(expected)
    assert fast.digest.reserved_region_start == by_pyhanko.digest.reserved_region_start - len(kks[1])


@pytest.mark.parametrize("field", ["TTE", "TTE_BARU"])
def test_batch_from_templates_validates_with_pyhanko_and_pdfsig(
    key_signer: LoadedKeySigner, kks: list[bytes], field: str, tmp_path: Path
) -> None:
    results = run_batch([SignRequest(f"kk-{i}", pdf, field_name=field) for i, pdf in enumerate(kks)], key_signer)
    assert [r.document_id for r in results] == [f"kk-{i}" for i in range(len(kks))]
    for i, (result, original) in enumerate(zip(results, kks, strict=True)):
        assert result.signed_pdf is not None, result.error
        assert_signed(result.signed_pdf, original, field)
        output = pdfsig_output(result.signed_pdf, tmp_path, f"kk-{i}.pdf")
        if output is not None:
            assert f"Signature Field Name: {field}" in output
            assert "Signature is Valid." in output
            assert "Total document signed" in output


def test_a_changed_object_is_not_matched(key_signer: LoadedKeySigner, kks: list[bytes]) -> None:
    templates = TemplateCache(clock=engine.monotonic)
    prepare(SignRequest("a", kks[0]), key_signer, templates)
    at = kks[1].rfind(b"/PageMode /UseNone")  # in the newest catalog, the one pyHanko reads
    changed = kks[1][:at] + b"/PageMode /UseThum" + kks[1][at + len(b"/PageMode /UseNone") :]
    layout = PdfLayout.parse(changed)
    assert layout is not None
    assert templates.find(("TTE", None, SignRequest("x", b"").reason, None), changed, layout) is None
    result = prepare(SignRequest("b", changed), key_signer, templates)
    assert result.base == b""  # pyHanko's own path


def test_a_template_expires(key_signer: LoadedKeySigner, kks: list[bytes]) -> None:
    now = [0.0]
    templates = TemplateCache(clock=lambda: now[0])
    prepare(SignRequest("a", kks[0]), key_signer, templates)
    assert prepare(SignRequest("b", kks[1]), key_signer, templates).base == kks[1]
    now[0] = templates.max_age + 1
    assert prepare(SignRequest("c", kks[2]), key_signer, templates).base == b""


def test_xref_streams_and_signed_documents_go_the_pyhanko_way(key_signer: LoadedKeySigner, kks: list[bytes]) -> None:
    out = io.BytesIO()
    writer = PdfFileWriter(stream_xrefs=True)
    writer.insert_page(_blank_page())
    writer.write(out)
    assert PdfLayout.parse(out.getvalue()) is None

    (once,) = run_batch([SignRequest("a", kks[0])], key_signer)
    assert once.signed_pdf is not None
    requests = [SignRequest(f"again-{i}", once.signed_pdf, field_name=f"LAGI_{i}") for i in range(3)]
    for request, result in zip(requests, run_batch(requests, key_signer), strict=True):
        assert result.signed_pdf is not None, result.error
        assert_signed(result.signed_pdf, once.signed_pdf, request.field_name)
        assert len(PdfFileReader(io.BytesIO(result.signed_pdf)).embedded_regular_signatures) == 2


def _blank_page() -> Any:
    from pyhanko.pdf_utils import generic

    return generic.DictionaryObject(
        {
            generic.pdf_name("/Type"): generic.pdf_name("/Page"),
            generic.pdf_name("/MediaBox"): generic.ArrayObject([generic.NumberObject(v) for v in (0, 0, 100, 100)]),
        }
    )


def test_a_local_key_signs_in_chunks_a_remote_one_once(key_signer: LoadedKeySigner, kks: list[bytes]) -> None:
    requests = [SignRequest(f"kk-{i}", kks[i % len(kks)]) for i in range(CHUNK_SIZE + 3)]
    chunked, whole = CountingSigner(key_signer, chunks=True), CountingSigner(key_signer, chunks=False)
    assert all(r.ok for r in run_batch(requests, chunked))
    assert chunked.calls == [CHUNK_SIZE, 3]
    assert all(r.ok for r in run_batch(requests, whole))
    assert whole.calls == [len(requests)]


def test_incremental_update_of_an_existing_kk_still_fails_per_document(
    key_signer: LoadedKeySigner, kks: list[bytes]
) -> None:
    (signed,) = run_batch([SignRequest("a", kks[0])], key_signer)
    assert signed.signed_pdf is not None
    requests = [SignRequest("ok-0", kks[1]), SignRequest("twice", signed.signed_pdf), SignRequest("ok-1", kks[2])]
    results = run_batch(requests, key_signer)
    assert results[0].ok
    assert results[2].ok
    assert isinstance(results[1].error, SigningError)
    assert results[1].error.code == "KOLOM_TTE_SUDAH_DITANDATANGANI"


@pytest.mark.enable_socket  # the forkserver is reached over an AF_UNIX socket (no network: see the netns)
def test_process_pool_keeps_order_and_per_document_errors(key_signer: LoadedKeySigner, kks: list[bytes]) -> None:
    count = POOL_MIN_DOCUMENTS + 6
    requests = [SignRequest(f"kk-{i}", kks[i % len(kks)], field_name="TTE_POOL") for i in range(count)]
    requests[3] = SignRequest("rusak", b"%PDF-1.4 not really a PDF", field_name="TTE_POOL")
    requests[count - 2] = SignRequest("tanpa-box", kks[0], field_name="TIDAK_ADA", tte=_tte())
    signer = CountingSigner(key_signer, chunks=True)
    results = run_batch(requests, signer, SigningOptions(level=PadesLevel.B_B, workers=2))
    assert [r.document_id for r in results] == [r.document_id for r in requests]
    assert isinstance(results[3].error, SigningError)
    assert results[3].signed_pdf is None
    assert isinstance(results[count - 2].error, SigningError)
    assert results[count - 2].error.code == "KOLOM_TTE_TIDAK_ADA"
    assert sum(signer.calls) == count - 2  # the key signed here, in this process, chunk by chunk
    for request, result in zip(requests, results, strict=True):
        if request.document_id in ("rusak", "tanpa-box"):
            continue
        assert result.signed_pdf is not None, result.error
        assert result.signed_pdf.startswith(request.pdf)
    for index in (0, 1, count - 1):
        assert results[index].signed_pdf is not None
        assert_signed(results[index].signed_pdf, requests[index].pdf, "TTE_POOL")


def _tte() -> Any:
    from signing_kit import tte_block

    return tte_block("pool")


def test_without_workers_the_batch_is_signed_here(key_signer: LoadedKeySigner, kks: list[bytes]) -> None:
    """A forkserver that cannot be reached (here: pytest-socket refuses AF_UNIX) means no pool, not failure."""
    requests = [SignRequest(f"kk-{i}", kks[i % len(kks)], field_name="TTE_POOL") for i in range(POOL_MIN_DOCUMENTS)]
    results = run_batch(
        requests, CountingSigner(key_signer, chunks=True), SigningOptions(level=PadesLevel.B_B, workers=2)
    )
    assert all(r.ok for r in results)

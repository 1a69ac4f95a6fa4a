"""The batch signing engine: N documents, ONE authorisation, no blocked event loop.

Why three phases: the key (a PKCS#12 file, a token, BSrE's remote key) must be used once per batch,
and pyHanko's work per document is CPU-bound Python that must not run on the service's event loop.

1. *prepare* (worker thread): per document, open the PDF, fill the empty ``TTE`` field (or create one at
   ``box``), draw the TTE appearance, reserve the signature space up front (``bytes_reserved``, computed
   once per batch, so no dry-run signature), digest the byte ranges and build the CMS signed
   attributes. Their DER encoding is what gets signed.
2. *authorise* (caller's event loop): ONE ``raw_signer.sign_raw_batch(tbs_list, "sha256")``.
3. *finish* (worker thread): wrap each signature in a CMS, timestamp it (B-T and above), embed it,
   add validation info to the DSS (B-LT) and a document timestamp (B-LTA).

A document that fails in phase 1 or 3 gets its own error result and the others go on; if phase 2 fails,
every prepared document gets that error and no signed bytes are returned. A PKI service (OCSP, CRL, TSA)
failing temporarily is a :class:`~siakgate.errors.TransientError`, never a certificate verdict
(:mod:`siakgate.signing._errors`); phase 1, and each document's phase 3, are then tried again with a fresh
validation context (:mod:`siakgate.signing._retry`). pyHanko's network helpers
(aiohttp) are only ever driven from the worker thread's own ``asyncio.run``, never from the caller's loop.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import anyio
from asn1crypto import cms
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.signers.pdf_byterange import PreparedByteRangeDigest
from pyhanko.sign.signers.pdf_signer import PdfSigningSession, PdfTBSDocument, PreSignValidationStatus
from pyhanko.sign.timestamps import HTTPTimeStamper, TimeStamper

from siakgate.clock import monotonic
from siakgate.errors import SiakgateError, SigningError, TransientError
from siakgate.signing._context import BatchContext, build_context
from siakgate.signing._errors import translate_document_error, translate_signer_error
from siakgate.signing._retry import DEFAULT_PKI_RETRY, PkiRetryPolicy, pki_retrying
from siakgate.signing.api import PadesLevel, RawBatchSigner, SigningOptions, SignRequest, SignResult
from siakgate.signing.appearance import TteStampStyle

__all__ = ["DIGEST_ALGORITHM", "sign_batch"]

DIGEST_ALGORITHM = "sha256"
_FINISH_CONCURRENCY = 8  # documents whose TSA/DSS round trips may overlap in phase 3


@dataclass
class _Prepared:
    """A document in its final pre-signing state, waiting for its signature."""

    output: io.BytesIO
    digest: PreparedByteRangeDigest
    tbs_document: PdfTBSDocument
    tbs: bytes
    """The DER of the CMS signed attributes: what the key signs."""


@dataclass
class _Presign:
    """Validation info collected once per batch (same signer, same TSA) for B-LT/B-LTA."""

    status: PreSignValidationStatus | None = None
    error: BaseException | None = None
    done: bool = False


@dataclass
class _Batch:
    requests: Sequence[SignRequest]
    ctx: BatchContext
    renew: Callable[[], BatchContext]
    """A fresh context (new fetchers) for an attempt after a temporary PKI failure."""
    retry: PkiRetryPolicy = DEFAULT_PKI_RETRY
    prepared: list[_Prepared | SiakgateError] = field(default_factory=list)


async def sign_batch(
    requests: Sequence[SignRequest],
    raw_signer: RawBatchSigner,
    options: SigningOptions,
    *,
    timestamper: TimeStamper | None = None,
    retry: PkiRetryPolicy = DEFAULT_PKI_RETRY,
) -> list[SignResult]:
    """Sign every request under ONE ``raw_signer.sign_raw_batch`` call; one result per request, in order.

    ``timestamper`` overrides ``options.timestamp_url`` (a pyHanko ``TimeStamper``, e.g. a test dummy);
    ``retry`` says how often a step whose OCSP, CRL or TSA round trip failed temporarily is tried again.
    Raises nothing for a document's own failure; a batch-wide refusal (wrong passphrase, revoked
    certificate, ...) comes back as that error on every document.
    """
    if not requests:
        return []
    try:
        ctx = build_context(raw_signer, options, timestamper)
    except SiakgateError as exc:
        return [SignResult(r.document_id, error=exc) for r in requests]

    batch = _Batch(requests, ctx, lambda: build_context(raw_signer, options, timestamper), retry)
    batch.prepared = await _prepare_with_retries(batch)

    pending = [p for p in batch.prepared if isinstance(p, _Prepared)]
    signatures: list[bytes] = []
    if pending:
        try:
            signatures = await raw_signer.sign_raw_batch([p.tbs for p in pending], DIGEST_ALGORITHM)
            if len(signatures) != len(pending):
                raise SigningError(
                    f"Penanda tangan mengembalikan {len(signatures)} tanda tangan untuk {len(pending)} dokumen.",
                    code="JUMLAH_TANDA_TANGAN_TIDAK_SESUAI",
                )
        except Exception as exc:
            error = translate_signer_error(exc)
            return [
                SignResult(r.document_id, error=p if isinstance(p, SiakgateError) else error)
                for r, p in zip(requests, batch.prepared, strict=True)
            ]

    finished = await anyio.to_thread.run_sync(_run_in_own_loop, _finish_all, batch, signatures)
    return [
        SignResult(r.document_id, signed_pdf=out) if isinstance(out, bytes) else SignResult(r.document_id, error=out)
        for r, out in zip(requests, finished, strict=True)
    ]


def _run_in_own_loop(phase: Any, *args: Any) -> Any:
    """Run an async phase on a private event loop in this worker thread (no loop runs here otherwise)."""
    return asyncio.run(phase(*args))


# -- phase 1 -------------------------------------------------------------------------------------------


async def _prepare_with_retries(batch: _Batch) -> list[_Prepared | SiakgateError]:
    """Phase 1, prepared again with a fresh context while it fails temporarily (no key has been used yet)."""
    prepared: list[_Prepared | SiakgateError] = []
    try:
        async for attempt in pki_retrying(batch.retry, monotonic() + batch.retry.deadline):
            with attempt:
                if attempt.retry_state.attempt_number > 1:
                    batch.ctx = batch.renew()
                prepared = await anyio.to_thread.run_sync(_run_in_own_loop, _prepare_all, batch)
                transient = next((p for p in prepared if isinstance(p, TransientError)), None)
                if transient is not None:
                    raise transient  # to tenacity: try again; the results of the last attempt stand
    except TransientError:
        pass
    return prepared


async def _prepare_all(batch: _Batch) -> list[_Prepared | SiakgateError]:
    ctx = batch.ctx
    presign = _Presign()
    results: list[_Prepared | SiakgateError] = []
    try:
        for request in batch.requests:
            try:
                results.append(await _prepare_one(request, ctx, presign))
            except Exception as exc:
                results.append(translate_document_error(exc))
    finally:
        await ctx.aclose()
    return results


async def _prepare_one(request: SignRequest, ctx: BatchContext, presign: _Presign) -> _Prepared:
    writer = IncrementalPdfFileWriter(io.BytesIO(request.pdf))
    existing = list(fields.enumerate_sig_fields(writer.prev, with_name=request.field_name))
    new_field_spec: fields.SigFieldSpec | None = None
    if not existing:
        if request.box is None and request.tte is not None:
            raise SigningError(
                f"Kolom tanda tangan '{request.field_name}' tidak ada di dokumen dan posisi TTE (box) "
                "tidak ditentukan.",
                code="KOLOM_TTE_TIDAK_ADA",
            )
        if request.box is not None:
            new_field_spec = fields.SigFieldSpec(request.field_name, on_page=-1, box=request.box)
    elif existing[0][1] is not None:  # (name, value, ref): a value means the field is already signed
        raise SigningError(
            f"Kolom tanda tangan '{request.field_name}' sudah berisi tanda tangan.",
            code="KOLOM_TTE_SUDAH_DITANDATANGANI",
        )

    meta = signers.PdfSignatureMetadata(
        field_name=request.field_name,
        md_algorithm=DIGEST_ALGORITHM,
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=request.reason,
        location=request.location,
        embed_validation_info=ctx.level in (PadesLevel.B_LT, PadesLevel.B_LTA),
        use_pades_lta=ctx.level is PadesLevel.B_LTA,
        validation_context=ctx.validation_context,
    )
    pdf_signer = signers.PdfSigner(
        meta,
        signer=ctx.placeholder_signer,
        timestamper=ctx.timestamper,
        stamp_style=TteStampStyle(tte=request.tte) if request.tte is not None else ctx.invisible_style,
        new_field_spec=new_field_spec,
    )
    session = pdf_signer.init_signing_session(writer)
    validation_info = await _presign_validation(session, writer, ctx, presign)
    tbs_document = session.prepare_tbs_document(validation_info=validation_info, bytes_reserved=ctx.bytes_reserved)
    digest, output = tbs_document.digest_tbs_document(output=io.BytesIO())
    tbs = await ctx.attrs_template.der_for(digest.document_digest)
    assert isinstance(output, io.BytesIO)
    return _Prepared(output, digest, tbs_document, tbs)


async def _presign_validation(
    session: PdfSigningSession, writer: IncrementalPdfFileWriter, ctx: BatchContext, presign: _Presign
) -> PreSignValidationStatus | None:
    """Validate the signer (and TSA) once per batch; the result serves every document of it.

    A document that already carries a document timestamp (B-LTA on a re-signed PDF) needs its own run,
    because pyHanko then also collects validation data for that earlier timestamp.
    """
    if ctx.validation_context is None:
        return None
    if ctx.level is PadesLevel.B_LTA and writer.prev.embedded_timestamp_signatures:
        status: PreSignValidationStatus | None = await session.perform_presign_validation(writer)
        return status
    if not presign.done:
        try:
            presign.status = await session.perform_presign_validation(writer)
        except Exception as exc:
            presign.error = translate_document_error(exc)  # once per batch: one log line, not one per KK
        presign.done = True
    if presign.error is not None:
        raise presign.error
    return presign.status


# -- phase 3 -------------------------------------------------------------------------------------------


async def _finish_all(batch: _Batch, signatures: Sequence[bytes]) -> list[bytes | SiakgateError]:
    ctx = batch.ctx
    limit = asyncio.Semaphore(_FINISH_CONCURRENCY)
    sig_iter = iter(signatures)

    deadline_at = monotonic() + batch.retry.deadline

    async def finish(item: _Prepared | SiakgateError, signature: bytes | None) -> bytes | SiakgateError:
        if isinstance(item, SiakgateError) or signature is None:
            assert isinstance(item, SiakgateError)
            return item
        async with limit:
            return await _finish_with_retries(item, signature, batch, deadline_at)

    jobs = [finish(item, next(sig_iter) if isinstance(item, _Prepared) else None) for item in batch.prepared]
    try:
        return list(await asyncio.gather(*jobs))
    finally:
        await ctx.aclose()


async def _finish_with_retries(
    prepared: _Prepared, signature: bytes, batch: _Batch, deadline_at: float
) -> bytes | SiakgateError:
    """Phase 3 for one document, repeated while a PKI service fails temporarily: the key has signed
    already, so an attempt starts again from the prepared bytes with a fresh context, and no signature is lost."""
    before = prepared.output.getvalue()
    ctx = batch.ctx
    try:
        async for attempt in pki_retrying(batch.retry, deadline_at):
            with attempt:
                if attempt.retry_state.attempt_number > 1:
                    if ctx is not batch.ctx:
                        await ctx.aclose()
                    ctx = batch.renew()
                    prepared.output = io.BytesIO(before)
                try:
                    return await _finish_one(prepared, signature, ctx)
                except Exception as exc:
                    failure = translate_document_error(exc)  # exc is its __cause__
                raise failure  # a TransientError is tried again
    except SiakgateError as error:
        return error
    finally:
        if ctx is not batch.ctx:
            await ctx.aclose()
    raise AssertionError("unreachable: tenacity either returns or re-raises")  # pragma: no cover


async def _finish_one(prepared: _Prepared, signature: bytes, ctx: BatchContext) -> bytes:
    signed_data: bytes | cms.ContentInfo
    if ctx.timestamper is None:  # B-B: every container of the batch has the same shape
        signed_data = await ctx.cms_template.der_for(prepared.tbs, prepared.digest.document_digest, signature)
    else:  # the signature timestamp token differs in size per document: let pyHanko assemble it
        signed_data = await ctx.fixed_signer(signature).async_sign_prescribed_attributes(
            DIGEST_ALGORITHM, cms.CMSAttributes.load(prepared.tbs), timestamper=ctx.timestamper
        )
    await PdfTBSDocument.async_finish_signing(
        prepared.output,
        prepared.digest,
        signed_data,
        post_sign_instr=prepared.tbs_document.post_sign_instructions,
        validation_context=ctx.validation_context,
    )
    return prepared.output.getvalue()


def default_timestamper(url: str) -> TimeStamper:
    """pyHanko's RFC 3161 client for ``url`` (a session per request, so it works from any event loop)."""
    return HTTPTimeStamper(url, timeout=30)

"""The batch signing engine: N documents, ONE authorisation, no blocked event loop.

Why three phases: the key (a PKCS#12 file, a token, BSrE's remote key) must be used once per batch,
and pyHanko's work per document is CPU-bound Python that must not run on the service's event loop.

1. *prepare* (worker thread): per document, open the PDF, fill the empty ``TTE`` field (or create one at
   ``box``), draw the TTE appearance, reserve the signature space up front (``bytes_reserved``, computed
   once per batch, so no dry-run signature), digest the byte ranges and build the CMS signed
   attributes. Their DER encoding is what gets signed. An invisible B-B/B-T signature into a KK whose
   layout the batch has seen is prepared from that layout's incremental-update template instead of by
   pyHanko, when the template provably gives pyHanko's update (:mod:`siakgate.signing._fastpath`).
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
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import anyio
from asn1crypto import cms
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.signers.pdf_byterange import PreparedByteRangeDigest
from pyhanko.sign.signers.pdf_signer import (
    PdfSigningSession,
    PdfTBSDocument,
    PostSignInstructions,
    PreSignValidationStatus,
)
from pyhanko.sign.timestamps import TimeStamper

from siakgate.clock import monotonic
from siakgate.errors import SiakgateError, SigningError, TransientError
from siakgate.signing._context import BatchContext, build_context
from siakgate.signing._errors import translate_document_error, translate_signer_error
from siakgate.signing._fastpath import PdfLayout, TemplateCache
from siakgate.signing._retry import DEFAULT_PKI_RETRY, PkiRetryPolicy, pki_retrying
from siakgate.signing.api import PadesLevel, RawBatchSigner, SigningOptions, SignRequest, SignResult
from siakgate.signing.appearance import TteStampStyle

__all__ = ["DIGEST_ALGORITHM", "sign_batch"]

DIGEST_ALGORITHM = "sha256"
CHUNK_SIZE = 128
"""Documents per prepare/sign/finish round when the signer may sign in chunks (:func:`signs_in_chunks`)."""
POOL_MIN_DOCUMENTS = 256
"""Below this, starting a process pool (a cold forkserver imports pyHanko: ~1-2 s) costs more than it saves."""
_FINISH_CONCURRENCY = 8  # documents whose TSA/DSS round trips may overlap in phase 3


@dataclass
class _Prepared:
    """A document in its final pre-signing state, waiting for its signature.

    The signed file will be ``base + update``: a document prepared from a template
    (:mod:`siakgate.signing._fastpath`) keeps only its incremental update (``base`` is the request's own
    PDF); one prepared by pyHanko keeps its whole pre-signing file in ``update`` (``base`` is empty).
    ``digest``'s reserved region is relative to ``update``.
    """

    base: bytes
    update: bytes
    digest: PreparedByteRangeDigest
    post_sign_instr: PostSignInstructions | None
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
    templates: TemplateCache = field(default_factory=lambda: TemplateCache(clock=monotonic))
    """Incremental-update templates learnt from this batch's documents (every part of it)."""


async def sign_batch(
    requests: Sequence[SignRequest],
    raw_signer: RawBatchSigner,
    options: SigningOptions,
    *,
    timestamper: TimeStamper | None = None,
    retry: PkiRetryPolicy = DEFAULT_PKI_RETRY,
) -> list[SignResult]:
    """Sign every request under ONE authorisation; one result per request, in order.

    A remote or token signer gets ONE ``raw_signer.sign_raw_batch`` call for the batch; a key held in this
    process (:func:`signs_in_chunks`) is called once per chunk of :data:`CHUNK_SIZE` documents, so that
    only a chunk's prepared updates are held at a time, and with ``options.workers`` > 1 the chunks are
    prepared and finished by a process pool while this process signs (:mod:`siakgate.signing._pool`).

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

    if use_pool(requests, raw_signer, options, timestamper, retry):
        from siakgate.signing._pool import sign_in_pool  # the process pool's machinery only when asked for

        pooled = await sign_in_pool(requests, raw_signer, options)
        if pooled is not None:
            return pooled

    batch = _Batch(requests, ctx, lambda: build_context(raw_signer, options, timestamper), retry)
    results: list[SignResult] = []
    for part in _parts(requests, raw_signer):
        batch.requests = part
        results += await _sign_part(batch, raw_signer)
    return results


def signs_in_chunks(raw_signer: RawBatchSigner) -> bool:
    """Whether ``raw_signer`` may be called once per chunk under the batch's one authorisation.

    A key held in this process (``signs_in_chunks = True`` on the signer, e.g. a decrypted PKCS#12)
    may; a remote or token signer whose call IS the authorisation is called once per batch.
    """
    return getattr(raw_signer, "signs_in_chunks", False) is True


def _parts(requests: Sequence[SignRequest], raw_signer: RawBatchSigner) -> list[Sequence[SignRequest]]:
    """The batch in bounded chunks when the signer allows it (memory stays flat in N), else whole."""
    if not signs_in_chunks(raw_signer):
        return [requests]
    return [requests[i : i + CHUNK_SIZE] for i in range(0, len(requests), CHUNK_SIZE)]


def use_pool(
    requests: Sequence[SignRequest],
    raw_signer: RawBatchSigner,
    options: SigningOptions,
    timestamper: TimeStamper | None,
    retry: PkiRetryPolicy,
) -> bool:
    """A process pool for phases 1 and 3: asked for, worth it, and a level whose phase 1 needs no network."""
    return (
        (options.workers or 1) > 1
        and len(requests) >= POOL_MIN_DOCUMENTS
        and signs_in_chunks(raw_signer)
        and timestamper is None
        and retry is DEFAULT_PKI_RETRY
        and PadesLevel(options.level) in (PadesLevel.B_B, PadesLevel.B_T)
    )


async def authorise(raw_signer: RawBatchSigner, tbs: Sequence[bytes]) -> list[bytes] | SiakgateError:
    """Phase 2: one ``sign_raw_batch`` call; its failure, translated, instead of the signatures."""
    try:
        signatures = await raw_signer.sign_raw_batch(tbs, DIGEST_ALGORITHM)
        if len(signatures) != len(tbs):
            raise SigningError(
                f"Penanda tangan mengembalikan {len(signatures)} tanda tangan untuk {len(tbs)} dokumen.",
                code="JUMLAH_TANDA_TANGAN_TIDAK_SESUAI",
            )
    except Exception as exc:
        return translate_signer_error(exc)
    return list(signatures)


async def _sign_part(batch: _Batch, raw_signer: RawBatchSigner) -> list[SignResult]:
    requests = batch.requests
    batch.prepared = await _prepare_with_retries(batch)
    pending = [p for p in batch.prepared if isinstance(p, _Prepared)]
    signatures: list[bytes] = []
    if pending:
        signed = await authorise(raw_signer, [p.tbs for p in pending])
        if isinstance(signed, SiakgateError):
            return [
                SignResult(r.document_id, error=p if isinstance(p, SiakgateError) else signed)
                for r, p in zip(requests, batch.prepared, strict=True)
            ]
        signatures = signed

    finished = await anyio.to_thread.run_sync(_run_in_own_loop, _finish_all, batch, signatures)
    batch.prepared = []
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
                results.append(await _prepare_one(request, ctx, presign, batch.templates))
            except Exception as exc:
                results.append(translate_document_error(exc))
    finally:
        await ctx.aclose()
    return results


async def _prepare_one(
    request: SignRequest, ctx: BatchContext, presign: _Presign, templates: TemplateCache | None = None
) -> _Prepared:
    """Phase 1 for one document: from a template of its layout when one provably applies, else by pyHanko."""
    shape = (request.field_name, request.box, request.reason, request.location)
    layout: PdfLayout | None = None
    if templates is not None and request.tte is None and ctx.level in (PadesLevel.B_B, PadesLevel.B_T):
        layout = PdfLayout.parse(request.pdf)
    if templates is not None and layout is not None:
        template = templates.find(shape, request.pdf, layout)
        fast = None
        if template is not None:
            try:
                fast = template.render(request.pdf, layout, os.urandom(16))
            except ValueError:  # e.g. offsets too long for the reserved /ByteRange: pyHanko's way instead
                fast = None
        if fast is not None:
            digest = PreparedByteRangeDigest(fast.document_digest, fast.contents_start, fast.contents_end)
            tbs = await ctx.attrs_template.der_for(fast.document_digest)
            return _Prepared(request.pdf, fast.update, digest, None, tbs)
    writer = IncrementalPdfFileWriter(io.BytesIO(request.pdf))
    # A document that is signed already may need pyHanko's per-revision checks: never a template.
    learn = layout is not None and not any(
        value is not None for _, value, _ in fields.enumerate_sig_fields(writer.prev)
    )
    prepared = await _prepare_by_pyhanko(writer, request, ctx, presign)
    if templates is not None and layout is not None and learn and prepared.post_sign_instr is None:
        # Every object pyHanko read (and so may have copied or decided on) is part of the template's key.
        read = {(number, generation) for generation, number in writer.prev.resolved_objects}
        templates.learn(shape, request.pdf, layout, read, prepared.update)
    return prepared


async def _prepare_by_pyhanko(
    writer: IncrementalPdfFileWriter, request: SignRequest, ctx: BatchContext, presign: _Presign
) -> _Prepared:
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
    return _Prepared(b"", output.getvalue(), digest, tbs_document.post_sign_instructions, tbs)


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
            out = await _finish_with_retries(item, signature, batch, deadline_at)
            item.update = b""  # finished: only the signed file is kept from here on
            return out

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
    ctx = batch.ctx
    try:
        async for attempt in pki_retrying(batch.retry, deadline_at):
            with attempt:
                if attempt.retry_state.attempt_number > 1:
                    if ctx is not batch.ctx:
                        await ctx.aclose()
                    ctx = batch.renew()
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
    output = io.BytesIO(prepared.update)  # a fresh copy per attempt: a retry starts from the prepared bytes
    if prepared.post_sign_instr is None:
        prepared.digest.fill_with_cms(output, signed_data)
    else:
        await PdfTBSDocument.async_finish_signing(
            output,
            prepared.digest,
            signed_data,
            post_sign_instr=prepared.post_sign_instr,
            validation_context=ctx.validation_context,
        )
    return prepared.base + output.getvalue()

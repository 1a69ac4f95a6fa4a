"""Phases 1 and 3 of a large local-key batch in a process pool; the key signs in THIS process.

Why: after the incremental-update templates (:mod:`siakgate.signing._fastpath`) a B-B document costs
about as much PDF work (prepare, finish) as RSA work, and one Python process uses one core. So the
batch is cut into chunks; worker processes prepare chunk *k+1* and finish chunk *k-1* while this process
signs chunk *k* with the key it holds (``sign_raw_batch``, in a thread). Results come back in request
order, and a document's failure stays that document's.

What crosses to a worker: the documents, the options, and the signer's *certificates*. Never the key,
and never the passphrase: workers are started by multiprocessing's ``forkserver`` (a fresh interpreter
that forks the workers), not forked from this process, so no copy of this process's memory (the
decrypted key, the credential) exists in them. The pool lives for one batch.

Only B-B and B-T use the pool (their phase 1 needs no network; B-T's TSA round trips happen in the
workers' phase 3, with the engine's per-document retries). ``cpu_seconds`` reports the workers' CPU time
per batch, since a forkserver's workers are not this process's children (``RUSAGE_CHILDREN`` misses
them): a benchmark adds it to its own figure.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import multiprocessing
import time
from collections import deque
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

import anyio
from asn1crypto import x509

from siakgate.errors import SiakgateError, SigningError
from siakgate.signing.api import RawBatchSigner, SigningOptions, SignRequest, SignResult

__all__ = ["WorkerCpu", "sign_in_pool", "worker_cpu"]

log = logging.getLogger("siakgate.signing")

POOL_CHUNK_SIZE = 64
"""Documents per worker job: large enough to amortise the round trip, small enough to keep both cores busy."""


@dataclass
class WorkerCpu:
    """CPU seconds spent in pool workers by this process's batches (see the module doc)."""

    seconds: float = 0.0


worker_cpu = WorkerCpu()
"""Accumulated by :func:`sign_in_pool`; read by benchmarks (workers are not this process's children)."""


@dataclass(frozen=True)
class _Boxed:
    """A SiakgateError on its way back from a worker (its class, message and code survive; not its cause)."""

    kind: type[SiakgateError]
    message: str
    code: str

    @classmethod
    def of(cls, error: SiakgateError) -> _Boxed:
        return cls(type(error), error.message, error.code)

    def unbox(self) -> SiakgateError:
        error = self.kind.__new__(self.kind)
        SiakgateError.__init__(error, self.message, code=self.code)
        return error


@dataclass
class _PublicSigner:
    """What build_context needs of a signer: its certificates. A worker has nothing else of it."""

    signing_cert: x509.Certificate
    chain: Sequence[x509.Certificate]

    async def sign_raw_batch(self, tbs: Sequence[bytes], digest_algorithm: str) -> list[bytes]:
        raise SigningError("Proses pembantu tidak memegang kunci.", code="KUNCI_TIDAK_DI_PROSES_INI")


# -- in a worker ------------------------------------------------------------------------------------

_worker: Any = None
"""The worker process's batch state (a ``_Batch`` of the engine); set by :func:`_init_worker`."""


def _init_worker(cert_der: bytes, chain_der: list[bytes], options: SigningOptions) -> None:
    global _worker
    from siakgate.signing._context import build_context
    from siakgate.signing.engine import _Batch

    signer = _PublicSigner(x509.Certificate.load(cert_der), [x509.Certificate.load(c) for c in chain_der])
    _worker = _Batch([], build_context(signer, options, None), lambda: build_context(signer, options, None))


def _prepare_chunk(requests: list[SignRequest]) -> tuple[list[tuple[Any, bool] | _Boxed], float]:
    """Phase 1 of a chunk: (prepared document without its base, whether the base is the request's PDF)."""
    from siakgate.signing.engine import _prepare_all

    started = time.process_time()
    _worker.requests = requests
    prepared = asyncio.run(_prepare_all(_worker))
    out: list[tuple[Any, bool] | _Boxed] = []
    for item in prepared:
        if isinstance(item, SiakgateError):
            out.append(_Boxed.of(item))
        else:
            out.append((dataclasses.replace(item, base=b""), bool(item.base)))
    return out, time.process_time() - started


def _finish_chunk(items: list[tuple[Any, bytes]]) -> tuple[list[bytes | _Boxed], float]:
    """Phase 3 of a chunk's prepared documents: each one's file without its base, or its error."""
    from siakgate.signing.engine import _finish_all

    started = time.process_time()
    _worker.prepared = [prepared for prepared, _ in items]
    finished = asyncio.run(_finish_all(_worker, [signature for _, signature in items]))
    _worker.prepared = []
    out = [_Boxed.of(f) if isinstance(f, SiakgateError) else f for f in finished]
    return out, time.process_time() - started


# -- in this process --------------------------------------------------------------------------------


def _context() -> multiprocessing.context.BaseContext:
    methods = multiprocessing.get_all_start_methods()
    if "forkserver" in methods:
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["siakgate.signing._pool", "siakgate.signing.engine"])
        return ctx
    return multiprocessing.get_context("spawn")


async def sign_in_pool(
    requests: Sequence[SignRequest], raw_signer: RawBatchSigner, options: SigningOptions
) -> list[SignResult] | None:
    """Sign ``requests`` with ``options.workers`` worker processes; ``raw_signer`` signs every chunk here.

    None when no worker could be started (no key has been used then): the caller signs in this process.
    """
    workers = max(2, options.workers or 2)
    chunks = [list(requests[i : i + POOL_CHUNK_SIZE]) for i in range(0, len(requests), POOL_CHUNK_SIZE)]
    pool = ProcessPoolExecutor(
        max_workers=min(workers, len(chunks)),
        mp_context=_context(),
        initializer=_init_worker,
        initargs=(raw_signer.signing_cert.dump(), [c.dump() for c in raw_signer.chain], options),
    )
    window = 2 * workers  # chunks in flight per phase: bounded, so memory stays flat in N
    results: list[SignResult] = []
    try:
        preparing: deque[Future[Any]] = deque()
        finishing: deque[tuple[list[SignRequest], list[Any], Future[Any] | None]] = deque()
        try:
            preparing.extend(pool.submit(_prepare_chunk, c) for c in chunks[:window])
            await asyncio.wrap_future(preparing[0])
        except Exception:
            log.warning("signing worker processes could not be started; signing in this process")
            return None
        for index, chunk in enumerate(chunks):
            prepared = await _collect(preparing.popleft(), len(chunk))
            if index + window < len(chunks):
                preparing.append(pool.submit(_prepare_chunk, chunks[index + window]))
            finishing.append(await _sign_chunk(pool, raw_signer, chunk, prepared))
            while len(finishing) > window:
                results += await _finished(*finishing.popleft())
        while finishing:
            results += await _finished(*finishing.popleft())
    finally:
        await anyio.to_thread.run_sync(lambda: pool.shutdown(cancel_futures=True))
    return results


async def _collect(job: Future[Any], count: int) -> list[Any]:
    """A worker job's results, its CPU time counted; a broken pool fails that chunk's documents only."""
    try:
        out, cpu = await asyncio.wrap_future(job)
    except Exception as exc:
        error = SigningError(
            "Proses pembantu penandatanganan berhenti; dokumen ini tidak ditandatangani.", code="PROSES_PEMBANTU_GAGAL"
        )
        error.__cause__ = exc
        return [_Boxed.of(error)] * count
    worker_cpu.seconds += cpu
    return list(out)


async def _sign_chunk(
    pool: ProcessPoolExecutor, raw_signer: RawBatchSigner, chunk: list[SignRequest], prepared: list[Any]
) -> tuple[list[SignRequest], list[Any], Future[Any] | None]:
    """Phase 2 for a chunk (here, with the key), then its phase 3 handed to a worker."""
    from siakgate.signing.engine import authorise

    pending = [p for p in prepared if not isinstance(p, _Boxed)]
    if not pending:
        return chunk, prepared, None
    signed = await authorise(raw_signer, [p.tbs for p, _ in pending])
    if isinstance(signed, SiakgateError):
        boxed = _Boxed.of(signed)
        return chunk, [p if isinstance(p, _Boxed) else boxed for p in prepared], None
    items = [(p, s) for (p, _), s in zip(pending, signed, strict=True)]
    return chunk, prepared, pool.submit(_finish_chunk, items)


async def _finished(chunk: list[SignRequest], prepared: list[Any], job: Future[Any] | None) -> list[SignResult]:
    outputs = iter(await _collect(job, sum(not isinstance(p, _Boxed) for p in prepared)) if job else [])
    results: list[SignResult] = []
    for request, item in zip(chunk, prepared, strict=True):
        if isinstance(item, _Boxed):
            results.append(SignResult(request.document_id, error=item.unbox()))
            continue
        out = next(outputs)
        if isinstance(out, _Boxed):
            results.append(SignResult(request.document_id, error=out.unbox()))
        else:
            _, with_base = item
            results.append(SignResult(request.document_id, signed_pdf=(request.pdf if with_base else b"") + out))
    return results

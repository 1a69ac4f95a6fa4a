"""Verifying every signature of a PDF with pyHanko, and deciding what each one proves.

Per signature, up to three validation passes, each stricter question first:

1. **DSS only, hard-fail** (when the PDF has a document security store): does the embedded
   validation data alone validate the signer (and the timestamp's TSA)? Yes means the revocation
   status is known from the document itself, and the signature reaches PAdES B-LT.
2. **Fetching, hard-fail** (when ``allow_fetching``): OCSP/CRL from the certificates' AIA and CRL
   distribution points. Tells "not revoked" from "revoked".
3. **Soft-fail**: trust apart from revocation, when no revocation data could be had; the revocation
   status is then UNKNOWN (reported, and not by itself a reason to call the document invalid:
   offline verification of a B-B signature cannot do better).

The costly, CPU-bound part (digest and incremental-update difference analysis) runs once per
signature in a worker thread; the passes reuse its result (``skip_diff=True``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Sequence
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO
from typing import Any, TypeVar

import anyio.to_thread
from asn1crypto import crl as asn1_crl
from asn1crypto import ocsp as asn1_ocsp
from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.decode_limits import DecodePurpose
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import (
    DocumentSecurityStore,
    EmbeddedPdfSignature,
    PdfSignatureStatus,
    async_validate_pdf_signature,
    async_validate_pdf_timestamp,
)
from pyhanko.sign.validation.errors import NoDSSFoundError
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.fetchers import FetcherBackend

from siakgate.clock import Clock
from siakgate.errors import VerificationError
from siakgate.verify import _certs, _signature
from siakgate.verify.model import DocumentTimestampInfo, Revocation, RevocationStatus, VerificationReport

T = TypeVar("T")


@dataclass
class _Dss:
    certs: list[asn1_x509.Certificate]
    ocsps: list[asn1_ocsp.OCSPResponse]
    crls: list[asn1_crl.CertificateList]


@dataclass
class _Contexts:
    """Builds the validation contexts of the passes; all share one fetcher backend."""

    roots: list[asn1_x509.Certificate]
    dss: _Dss | None
    backend: FetcherBackend | None

    def build(self, *, fetch: bool, hard: bool) -> ValidationContext:
        dss = self.dss or _Dss([], [], [])
        return ValidationContext(
            trust_roots=self.roots,
            other_certs=dss.certs,
            ocsps=dss.ocsps,
            crls=dss.crls,
            allow_fetching=fetch and self.backend is not None,
            fetcher_backend=self.backend if fetch else None,
            revocation_mode="hard-fail" if hard else "soft-fail",
        )


def _read(pdf: bytes) -> tuple[PdfFileReader, list[EmbeddedPdfSignature]]:
    if b"%PDF-" not in pdf[:1024]:
        raise VerificationError("Berkas ini bukan PDF.", code="BUKAN_PDF")
    try:
        reader = PdfFileReader(BytesIO(pdf), strict=False)
        if reader.encrypted:
            raise VerificationError("PDF terkunci kata sandi; verifikasi tidak didukung.", code="PDF_TERENKRIPSI")
        embedded = list(reader.embedded_signatures)
    except VerificationError:
        raise
    except Exception as exc:  # pyHanko raises many kinds for a broken file; all mean "unreadable"
        raise VerificationError(f"PDF tidak dapat dibaca ({type(exc).__name__}).", code="PDF_TIDAK_TERBACA") from exc
    if not any(emb.sig_object_type == "/Sig" for emb in embedded):
        raise VerificationError("PDF ini tidak memiliki tanda tangan elektronik.", code="TIDAK_ADA_TANDA_TANGAN")
    return reader, embedded


def _read_dss(reader: PdfFileReader) -> _Dss | None:
    try:
        dss = DocumentSecurityStore.read_dss(reader)
    except NoDSSFoundError:
        return None
    ocsps = [asn1_ocsp.OCSPResponse.load(ref.get_object().read_data(DecodePurpose.OCSP_RESPONSE)) for ref in dss.ocsps]
    crls = [asn1_crl.CertificateList.load(ref.get_object().read_data(DecodePurpose.CRL)) for ref in dss.crls]
    return _Dss(list(dss.load_certs()), ocsps, crls)


def _analyse_integrity(embedded: Sequence[EmbeddedPdfSignature]) -> list[Exception | None]:
    """Digest + difference analysis for every signature (worker thread); an exception marks it broken."""
    outcomes: list[Exception | None] = []
    for emb in embedded:
        try:
            emb.compute_integrity_info()  # type: ignore[no-untyped-call]
            outcomes.append(None)
        except Exception as exc:  # a signature pyHanko cannot even evaluate
            outcomes.append(exc)
    return outcomes


def _ts_ok(status: PdfSignatureStatus) -> bool:
    ts = status.timestamp_validity
    return ts is None or (ts.intact and ts.valid and ts.trusted)


async def _validate(emb: EmbeddedPdfSignature, vc: ValidationContext) -> PdfSignatureStatus:
    return await async_validate_pdf_signature(emb, signer_validation_context=vc, skip_diff=True)


async def _passes(
    emb: EmbeddedPdfSignature, contexts: _Contexts, allow_fetching: bool
) -> tuple[PdfSignatureStatus, Revocation, bool]:
    """(the status to report, the signer's revocation status, whether the DSS alone sufficed)."""
    revocation = Revocation(RevocationStatus.UNKNOWN)
    attempts: list[tuple[bool, bool]] = []
    if contexts.dss is not None:
        attempts.append((False, True))
    if allow_fetching:
        attempts.append((True, True))
    for index, (fetch, hard) in enumerate(attempts):
        status = await _validate(emb, contexts.build(fetch=fetch, hard=hard))
        if status.revoked:
            return status, _revoked(status), False
        if status.trusted:
            revocation = Revocation(RevocationStatus.GOOD)
            if _ts_ok(status):
                dss_only = contexts.dss is not None and index == 0
                return status, revocation, dss_only
    soft = await _validate(emb, contexts.build(fetch=allow_fetching, hard=False))
    if soft.revoked:
        return soft, _revoked(soft), False
    return soft, revocation, False


def _revoked(status: PdfSignatureStatus) -> Revocation:
    details = status.revocation_details
    assert details is not None
    return Revocation(
        RevocationStatus.REVOKED,
        revoked_at=details.revocation_date,
        reason=str(details.revocation_reason.native),
        ca_revoked=details.ca_revoked,
    )


async def _doc_timestamp(emb: EmbeddedPdfSignature, contexts: _Contexts, fetch: bool) -> DocumentTimestampInfo:
    status = await async_validate_pdf_timestamp(
        emb, validation_context=contexts.build(fetch=fetch, hard=False), skip_diff=True
    )
    return DocumentTimestampInfo(
        field_name=str(emb.field_name),
        tsa_name=_certs.common_name(status.signing_cert),
        time=status.timestamp,
        intact=bool(status.intact and status.valid),
        trusted=bool(status.trusted),
    )


async def _verify(
    pdf: bytes,
    roots: list[asn1_x509.Certificate],
    allow_fetching: bool,
    backend: FetcherBackend | None,
    document_name: str,
    now: datetime,
) -> VerificationReport:
    reader, embedded = _read(pdf)
    outcomes = await anyio.to_thread.run_sync(_analyse_integrity, embedded)
    contexts = _Contexts(roots, _read_dss(reader), backend)

    doc_timestamps: list[tuple[int, DocumentTimestampInfo]] = []
    for emb, broken in zip(embedded, outcomes, strict=True):
        if emb.sig_object_type == "/DocTimeStamp" and broken is None:
            info = await _doc_timestamp(emb, contexts, allow_fetching)
            doc_timestamps.append((emb.signed_revision, info))

    reports = []
    for emb, broken in zip(embedded, outcomes, strict=True):
        if emb.sig_object_type != "/Sig":
            continue
        if broken is not None:
            reports.append(_signature.broken_report(emb, broken))
            continue
        try:
            status, revocation, dss_sufficient = await _passes(emb, contexts, allow_fetching)
        except Exception as exc:  # e.g. an unsupported SubFilter or a malformed CMS
            reports.append(_signature.broken_report(emb, exc))
            continue
        archived = any(rev > emb.signed_revision and ts.valid for rev, ts in doc_timestamps)
        level = _signature.level_reached(emb, status, dss_sufficient, archived)
        reports.append(_signature.build_report(emb, status, revocation, level, now))
    return VerificationReport(
        document_name=document_name,
        signatures=tuple(reports),
        document_timestamps=tuple(info for _rev, info in doc_timestamps),
    )


async def verify_pdf(
    pdf: bytes,
    *,
    trust_roots: Sequence[bytes],
    allow_fetching: bool = True,
    fetcher_backend: FetcherBackend | None = None,
    document_name: str = "dokumen.pdf",
    at: datetime | None = None,
) -> VerificationReport:
    """Verify every signature in ``pdf`` against ``trust_roots`` (certificates, DER or PEM).

    ``allow_fetching``: fetch OCSP responses, CRLs and missing issuer certificates from the URLs in
    the certificates. ``fetcher_backend``: how (pyHanko's fetcher seam); by default an aiohttp
    backend owned, and closed, by this call. Raises :class:`~siakgate.errors.VerificationError`
    when ``pdf`` is not a readable PDF with at least one signature. ``at``: the moment of validation
    (the gateway passes its clock's; a caller without one gets the system clock's).
    """
    now = at or Clock().now()
    roots = _certs.parse_certificates(trust_roots)
    owned: FetcherBackend | None = None
    if allow_fetching and fetcher_backend is None:
        from pyhanko_certvalidator.fetchers.aiohttp_fetchers import AIOHttpFetcherBackend

        owned = fetcher_backend = AIOHttpFetcherBackend(per_request_timeout=10)
    try:
        return await _verify(pdf, roots, allow_fetching, fetcher_backend, document_name, now)
    finally:
        if owned is not None:
            await owned.close()  # type: ignore[no-untyped-call]


def verify_pdf_sync(
    pdf: bytes,
    *,
    trust_roots: Sequence[bytes],
    allow_fetching: bool = True,
    document_name: str = "dokumen.pdf",
) -> VerificationReport:
    """:func:`verify_pdf` for synchronous callers (the CLI). Refuses to run inside an event loop."""
    return run_sync(
        verify_pdf(pdf, trust_roots=trust_roots, allow_fetching=allow_fetching, document_name=document_name)
    )


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run(coro)``, but only when no event loop is running in this thread."""
    try:
        asyncio.get_running_loop()
        running = True
    except RuntimeError:
        running = False
    if not running:
        return asyncio.run(coro)
    coro.close()
    raise RuntimeError("an event loop is already running here: await the async function instead")

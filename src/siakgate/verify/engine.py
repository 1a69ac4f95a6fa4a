"""Verifying every signature of a PDF with pyHanko, and deciding what each one proves.

First the question at the validation time, in up to three passes, each stricter question first:

1. **DSS only, hard-fail** (when the PDF has a document security store): does the embedded
   validation data alone validate the signer (and the timestamp's TSA)? Yes means the revocation
   status is known from the document itself, and the signature reaches PAdES B-LT.
2. **Fetching, hard-fail** (when fetching is allowed): OCSP/CRL from the certificates' AIA and CRL
   distribution points. Tells "not revoked" from "revoked".
3. **Soft-fail**: trust apart from revocation, when no revocation data could be had; the revocation
   status is then UNKNOWN (reported, and not by itself a reason to call the document invalid when
   verifying offline: offline verification of a B-B signature cannot do better).

When that does not end in "valid" — the certificate has expired or been revoked since, or revocation
information cannot be had — and a signature timestamp from before that is covered by a document timestamp,
the question goes back in time: pyHanko's AdES past signature validation, fed with what the passes
fetched, or, where its time slide stumbles, the passes again as of the moment the validated document
timestamps prove (:mod:`siakgate.verify._past`). A signature so proven is ``VALID_AT_SIGNING_TIME``. What is left is
``INDETERMINATE`` when only revocation information was missing (a responder that could not be reached,
stale data in the document: temporary) and ``INVALID`` otherwise
(:class:`~siakgate.verify.model.Indication`).

The validation time is the caller's clock's now, with online fetching allowed, or a moment ``at`` given
by the caller, with nothing fetched (an OCSP answer of today says nothing about another day).

The costly, CPU-bound part (digest and incremental-update difference analysis) runs once per
signature in a worker thread; the passes reuse its result (``skip_diff=True``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Sequence
from dataclasses import dataclass, field
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
from pyhanko_certvalidator.fetchers import FetcherBackend, Fetchers
from pyhanko_certvalidator.registry import SimpleTrustManager

from siakgate.clock import Clock
from siakgate.errors import VerificationError
from siakgate.signing.api import PadesLevel
from siakgate.verify import _certs, _past, _signature
from siakgate.verify._certfile import parse_certificates
from siakgate.verify.fetching import AllowListFetcherBackend, EndpointAllowList
from siakgate.verify.model import (
    DocumentTimestampInfo,
    Indication,
    Revocation,
    RevocationStatus,
    TimestampInfo,
    VerificationReport,
)

T = TypeVar("T")


@dataclass
class _Dss:
    certs: list[asn1_x509.Certificate]
    ocsps: list[asn1_ocsp.OCSPResponse]
    crls: list[asn1_crl.CertificateList]


@dataclass
class _Contexts:
    """Builds the validation contexts of the passes, all at one validation time with one fetcher backend,
    and remembers them: what they fetched feeds past validation, what they failed to fetch makes a verdict
    provisional."""

    roots: list[asn1_x509.Certificate]
    trust: SimpleTrustManager
    """The roots, built once per run: a trust manager holds nothing of a document."""
    dss: _Dss | None
    fetchers: Fetchers | None
    """The run's fetchers (one cache of fetched OCSP answers, CRLs and certificates for every document)."""
    moment: datetime
    live: bool
    """``moment`` is the present: revocation information may be fetched (and be a moment newer than it)."""
    built: list[ValidationContext] = field(default_factory=list)

    def build(self, *, fetch: bool, hard: bool) -> ValidationContext:
        dss = self.dss or _Dss([], [], [])
        fetch = fetch and self.live and self.fetchers is not None
        context = ValidationContext(
            trust_manager=self.trust,
            other_certs=dss.certs,
            ocsps=dss.ocsps,
            crls=dss.crls,
            allow_fetching=fetch,
            fetchers=self.fetchers if fetch else None,
            revocation_mode="hard-fail" if hard else "soft-fail",
            moment=self.moment,
            retroactive_revinfo=self.live,
        )
        self.built.append(context)
        return context

    @property
    def unreachable(self) -> bool:
        """Some OCSP responder or CRL could not be fetched (or answered nonsense) during this verification."""
        return any(context.soft_fail_exceptions for context in self.built)

    def revocation_info(self) -> tuple[list[asn1_ocsp.OCSPResponse], list[asn1_crl.CertificateList]]:
        """Every OCSP answer and CRL the contexts held or fetched, each once."""
        ocsps = {bytes(item.dump()): item for context in self.built for item in context.ocsps}
        crls = {bytes(item.dump()): item for context in self.built for item in context.crls}
        return list(ocsps.values()), list(crls.values())


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


class _Parsed:
    """DSS objects (certificates, OCSP answers, CRLs) parsed once per run, by their exact bytes.

    The documents of one batch carry the same chain and often the same OCSP answers and CRLs; one parsed
    object per distinct DER keeps asn1crypto's lazily computed parts (names, hashes, extensions) for the next
    document. Only the parsing is shared: each document's validation context still holds what that document's
    own DSS holds, nothing else. Bounded: a run of documents that each carry their own OCSP answer starts
    afresh every ``LIMIT`` objects rather than holding them all.
    """

    LIMIT = 2048

    def __init__(self) -> None:
        self._objects: dict[tuple[type[Any], bytes], Any] = {}

    def load(self, kind: type[T], der: bytes) -> T:
        key = (kind, der)
        found = self._objects.get(key)
        if found is None:
            if len(self._objects) >= self.LIMIT:
                self._objects.clear()
            found = self._objects[key] = kind.load(der)  # type: ignore[attr-defined]
        return found  # type: ignore[no-any-return]


def _read_dss(reader: PdfFileReader, parsed: _Parsed) -> _Dss | None:
    try:
        dss = DocumentSecurityStore.read_dss(reader)
    except NoDSSFoundError:
        return None

    def load(kind: type[T], refs: Any, purpose: DecodePurpose) -> list[T]:
        return [parsed.load(kind, ref.get_object().read_data(purpose)) for ref in refs]

    return _Dss(
        load(asn1_x509.Certificate, dss.certs.values(), DecodePurpose.CERTIFICATE),
        load(asn1_ocsp.OCSPResponse, dss.ocsps, DecodePurpose.OCSP_RESPONSE),
        load(asn1_crl.CertificateList, dss.crls, DecodePurpose.CRL),
    )


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
    emb: EmbeddedPdfSignature, contexts: _Contexts, fetch: bool
) -> tuple[PdfSignatureStatus, Revocation, bool]:
    """(the status to report, the signer's revocation status, whether the DSS alone sufficed)."""
    revocation = Revocation(RevocationStatus.UNKNOWN)
    attempts: list[tuple[bool, bool]] = []
    if contexts.dss is not None:
        attempts.append((False, True))
    if fetch:
        attempts.append((True, True))
    for index, (fetch_now, hard) in enumerate(attempts):
        status = await _validate(emb, contexts.build(fetch=fetch_now, hard=hard))
        if status.revoked:
            return status, _revoked(status), False
        if status.trusted:
            revocation = Revocation(RevocationStatus.GOOD)
            if _ts_ok(status):
                dss_only = contexts.dss is not None and index == 0
                return status, revocation, dss_only
    soft = await _validate(emb, contexts.build(fetch=fetch, hard=False))
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


@dataclass(frozen=True)
class _Signature:
    """One signature and the document timestamps after it."""

    emb: EmbeddedPdfSignature
    archived: bool
    """A valid document timestamp was applied after it."""
    covered_at: datetime | None
    """When the first intact document timestamp after it was applied (a proof of existence, perhaps only in
    the past)."""


def _rescuable(sig: _Signature, status: PdfSignatureStatus, revocation: Revocation, problem: str | None) -> bool:
    """Whether a proof of existence could still make this signature valid: the problem is one past validation
    cures, a document timestamp covers the signature, and it or the signature's own timestamp (intact; its
    chain may need the past too) predates the expiry and the revocation."""
    if problem not in _past.CURABLE or sig.covered_at is None:
        return False
    ts = status.timestamp_validity
    moments = [sig.covered_at] + ([ts.timestamp] if ts is not None and ts.intact and ts.valid else [])
    return any(_past.in_force(sig.emb.signer_cert, moment, revocation.revoked_at) for moment in moments)


async def _prove(
    emb: EmbeddedPdfSignature, contexts: _Contexts, revocation: Revocation, archived: bool
) -> tuple[PadesLevel | None, datetime, TimestampInfo | None] | None:
    """(level, proven time, signature timestamp) when a proof of existence makes the signature valid.

    pyHanko's AdES process first; failing that, a validation as of the moment its validated document
    timestamps prove the signature existed, with the document's own data (see :mod:`siakgate.verify._past`).
    """
    ocsps, crls = contexts.revocation_info()
    existence = await _past.prove_existence(
        emb,
        roots=contexts.roots,
        ocsps=ocsps,
        crls=crls,
        now=contexts.moment,
        live=contexts.live,
        revoked_at=revocation.revoked_at,
    )
    if existence.proof is not None:
        proof = existence.proof
        level = _signature.level_reached(emb, proof.status, proof.from_document_timestamps, archived)
        return level, proof.proven_at, _signature.timestamp_info(proof.status, trusted=proof.timestamp_trusted)
    if existence.covered_at is None:
        return None
    then = _Contexts(contexts.roots, contexts.trust, contexts.dss, None, existence.covered_at, live=False)
    status, revocation_then, dss_sufficient = await _passes(emb, then, fetch=False)
    if not (status.trusted and _ts_ok(status) and revocation_then.status is RevocationStatus.GOOD):
        return None
    ts = status.timestamp_validity
    proven_at = ts.timestamp if ts is not None else existence.covered_at
    level = _signature.level_reached(emb, status, dss_sufficient, archived)
    return level, proven_at, _signature.timestamp_info(status)


async def _judge(sig: _Signature, contexts: _Contexts, fetch: bool) -> _signature.Judgement:
    emb = sig.emb
    status, revocation, dss_sufficient = await _passes(emb, contexts, fetch)
    problem = _signature.problem_code(status, revocation)
    level = _signature.level_reached(emb, status, dss_sufficient, sig.archived)
    if not _signature.integrity_ok(status):  # whatever the certificate's status, this one is settled
        return _signature.Judgement(Indication.INVALID, status, revocation, level, problem)
    good_now = status.trusted and _ts_ok(status) and revocation.status is not RevocationStatus.REVOKED
    ts = status.timestamp_validity
    timestamped = ts.timestamp if ts is not None and _ts_ok(status) else None
    if good_now and (revocation.status is RevocationStatus.GOOD or not contexts.unreachable):
        return _signature.Judgement(Indication.VALID, status, revocation, level, problem, proven_at=timestamped)
    if good_now:  # trusted apart from a revocation status that could not be fetched
        problem = "TRY_LATER"
    rescuable = _rescuable(sig, status, revocation, problem)
    if rescuable:
        proven = await _prove(emb, contexts, revocation, sig.archived)
        if proven is not None:
            level, proven_at, timestamp = proven
            if revocation.status is RevocationStatus.UNKNOWN:  # the data of that time says: not revoked
                revocation = Revocation(RevocationStatus.GOOD)
            return _signature.Judgement(
                Indication.VALID_AT_SIGNING_TIME,
                status,
                revocation,
                level,
                problem,
                proven_at=proven_at,
                timestamp=timestamp,
            )
    incomplete = not fetch or contexts.unreachable or problem == "TRY_LATER"
    if incomplete and (good_now or problem == "TRY_LATER" or rescuable):
        return _signature.Judgement(Indication.INDETERMINATE, status, revocation, level, problem)
    return _signature.Judgement(Indication.INVALID, status, revocation, level, problem)


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


async def _verify(pdf: bytes, run: _Run, document_name: str, now: datetime, live: bool) -> VerificationReport:
    fetch = run.fetchers is not None
    reader, embedded = _read(pdf)
    outcomes = await anyio.to_thread.run_sync(_analyse_integrity, embedded)
    contexts = _Contexts(run.roots, run.trust, _read_dss(reader, run.parsed), run.fetchers, now, live)

    doc_timestamps: list[tuple[int, DocumentTimestampInfo]] = []
    for emb, broken in zip(embedded, outcomes, strict=True):
        if emb.sig_object_type == "/DocTimeStamp" and broken is None:
            info = await _doc_timestamp(emb, contexts, fetch)
            doc_timestamps.append((emb.signed_revision, info))

    reports = []
    for emb, broken in zip(embedded, outcomes, strict=True):
        if emb.sig_object_type != "/Sig":
            continue
        if broken is not None:
            reports.append(_signature.broken_report(emb, broken))
            continue
        later = [ts for rev, ts in doc_timestamps if rev > emb.signed_revision]
        covered_at = min((ts.time for ts in later if ts.intact), default=None)
        sig = _Signature(emb, archived=any(ts.valid for ts in later), covered_at=covered_at)
        try:
            judged = await _judge(sig, contexts, fetch)
        except Exception as exc:  # e.g. an unsupported SubFilter or a malformed CMS
            reports.append(_signature.broken_report(emb, exc))
            continue
        reports.append(_signature.build_report(emb, judged, now))
    return VerificationReport(
        document_name=document_name,
        signatures=tuple(reports),
        document_timestamps=tuple(info for _rev, info in doc_timestamps),
    )


@dataclass
class _Run:
    """What every document of one :class:`Verifier` shares."""

    roots: list[asn1_x509.Certificate]
    trust: SimpleTrustManager
    fetchers: Fetchers | None
    """None: nothing is fetched (offline, or validating as of another moment)."""
    parsed: _Parsed


class Verifier:
    """Verifies many PDFs against the same trust roots, asking the network once per run.

    What :func:`verify_pdf` does for one document, for a batch (``siakgate verify *.pdf``): the roots are
    parsed once, the fetchers are made once, so an OCSP answer, CRL or issuer certificate fetched for one
    document serves every later one (pyHanko's fetchers remember what they fetched, and what failed: a
    responder out of reach stays out of reach for the run, and those documents are ``INDETERMINATE``),
    and the DSS objects several documents carry are parsed once. Each document is still judged on its
    own: its validation contexts hold its own DSS and what was fetched, never another document's DSS, so
    a tampered or revoked document among good ones gets its own verdict.

    Options as :func:`verify_pdf`'s. With a moment ``at`` every document is validated as of it; without,
    each as of ``clock.now()`` when its turn comes. Use it in one event loop, and close it (``async with``,
    or :meth:`aclose`): it closes the fetcher backend it made, not one that was passed in. A program that
    verifies many files should also call :func:`siakgate.verify.use_fast_hex_reader` once at start-up.
    """

    def __init__(
        self,
        *,
        trust_roots: Sequence[bytes],
        allow_fetching: bool = True,
        fetcher_backend: FetcherBackend | None = None,
        fetch_only_from: Sequence[str] | None = None,
        clock: Clock | None = None,
        at: datetime | None = None,
    ) -> None:
        if at is not None and at.utcoffset() is None:
            raise ValueError("at must be timezone-aware")
        self._clock = clock or Clock()
        self._at = at
        self._fetch = allow_fetching and at is None
        self._backend = fetcher_backend
        self._allowed = EndpointAllowList(fetch_only_from) if fetch_only_from is not None else None
        self._owned: FetcherBackend | None = None
        roots = parse_certificates(trust_roots)
        self._run = _Run(roots, SimpleTrustManager.build(trust_roots=roots), None, _Parsed())

    def _fetchers(self) -> Fetchers | None:
        """The run's fetchers, made at the first document (inside the event loop, as aiohttp wants)."""
        if not self._fetch:
            return None
        if self._run.fetchers is None:
            backend = self._backend
            if backend is None:
                from pyhanko_certvalidator.fetchers.aiohttp_fetchers import AIOHttpFetcherBackend

                backend = self._owned = AIOHttpFetcherBackend(per_request_timeout=10)
            if self._allowed is not None:
                backend = AllowListFetcherBackend(backend, self._allowed)  # closing stays with ``_owned``
            self._run.fetchers = backend.get_fetchers()
        return self._run.fetchers

    async def verify(self, pdf: bytes, *, document_name: str = "dokumen.pdf") -> VerificationReport:
        """Verify every signature in ``pdf`` (see :func:`verify_pdf`)."""
        live = self._at is None
        now = self._at if self._at is not None else self._clock.now()
        self._fetchers()
        return await _verify(pdf, self._run, document_name, now, live)

    async def aclose(self) -> None:
        """Close the fetcher backend this verifier made (idempotent)."""
        owned, self._owned = self._owned, None
        if owned is not None:
            await owned.close()  # type: ignore[no-untyped-call]

    async def __aenter__(self) -> Verifier:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()


async def verify_pdf(
    pdf: bytes,
    *,
    trust_roots: Sequence[bytes],
    allow_fetching: bool = True,
    fetcher_backend: FetcherBackend | None = None,
    fetch_only_from: Sequence[str] | None = None,
    document_name: str = "dokumen.pdf",
    clock: Clock | None = None,
    at: datetime | None = None,
) -> VerificationReport:
    """Verify every signature in ``pdf`` against ``trust_roots`` (certificates, DER or PEM).

    The validation time: ``clock.now()`` (the gateway's business clock; a caller without one gets the
    system's), or ``at``, a moment in the past or the future to validate "as of" (aware; nothing is
    fetched then, so only what the document holds counts). ``allow_fetching``: fetch OCSP responses, CRLs
    and missing issuer certificates from the URLs in the certificates. ``fetcher_backend``: how
    (pyHanko's fetcher seam); by default an aiohttp backend owned, and closed, by this call.
    ``fetch_only_from``: the endpoints (URL prefixes, hosts) fetching may reach, for a document from a
    stranger, whose certificates name whatever URLs their maker chose; a fetch from anywhere else is refused
    without a request and counts as an unreachable responder (:mod:`siakgate.verify.fetching`). None: the
    URLs in the certificates, unchecked (a document the caller trusts to name its endpoints). Raises
    :class:`~siakgate.errors.VerificationError` when ``pdf`` is not a readable PDF with at least one
    signature. Many documents: :class:`Verifier`, which fetches once for all of them.
    """
    verifier = Verifier(
        trust_roots=trust_roots,
        allow_fetching=allow_fetching,
        fetcher_backend=fetcher_backend,
        fetch_only_from=fetch_only_from,
        clock=clock,
        at=at,
    )
    async with verifier:
        return await verifier.verify(pdf, document_name=document_name)


def verify_pdf_sync(
    pdf: bytes,
    *,
    trust_roots: Sequence[bytes],
    allow_fetching: bool = True,
    fetcher_backend: FetcherBackend | None = None,
    fetch_only_from: Sequence[str] | None = None,
    document_name: str = "dokumen.pdf",
    clock: Clock | None = None,
    at: datetime | None = None,
) -> VerificationReport:
    """:func:`verify_pdf` for synchronous callers (the CLI). Refuses to run inside an event loop."""
    return run_sync(
        verify_pdf(
            pdf,
            trust_roots=trust_roots,
            allow_fetching=allow_fetching,
            fetcher_backend=fetcher_backend,
            fetch_only_from=fetch_only_from,
            document_name=document_name,
            clock=clock,
            at=at,
        )
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

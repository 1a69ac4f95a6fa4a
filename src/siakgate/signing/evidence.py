"""Long-term evidence: what a signed KK must carry to be validated offline, years later.

Why a module of its own: a KK is checked by banks, schools and courts long after the Kepala Dinas's
certificate has expired, often with no network. The validator we are judged by is pyHanko's
``adesverify`` with its defaults, and its rules decide what the file must hold:

* At the current time it validates the newest timestamp (and, while they hold, the signature) ONLINE
  when it can: for a certificate that declares an OCSP URL, a locally embedded OCSP answer is ignored as
  soon as fetching is allowed, and an offline fetch fails. What it then falls back on is a **CRL** from
  the document's DSS (``verify_crl`` looks at local CRLs first). So every certificate of every path — the
  signer's, each timestamp authority's, the issuing CA — needs its CRL in the DSS, not only an OCSP answer
  (pyHanko's own B-LT embedding keeps only what its validation used: the OCSP answer, enough online but
  not offline). :data:`EVIDENCE_POLICY` therefore requires CRL *and* OCSP for end-entity certificates and
  the CRL for CAs, so that the evidence collected while validating is complete.
* Revocation information is judged by ``thisUpdate``/``nextUpdate`` (``MAX_DIFF_REVOCATION_VALIDATION``):
  offline, the newest timestamp's evidence must still be within its ``nextUpdate`` window. Past that
  window only a later document timestamp (a renewal, :mod:`siakgate.archive.renew`) with fresh evidence,
  or a validator that may go online, proves the file again.
* Evidence is accepted when it is newer than the moment the batch's validation context was built
  (``retroactive_revinfo``): BSrE's OCSP/CRL answers can take seconds, and an answer produced after the
  context's moment is still evidence about the signing. Without it a slow OCSP responder made signing
  fail with "OCSP response is too recent".

:func:`add_archival_timestamp` turns a signed KK into (or renews) its archival form: the evidence for the
newest timestamp, a new document timestamp over it, and a final DSS update with the evidence for that new
timestamp (PAdES permits a DSS after the last document timestamp), so the file itself holds everything an
offline validator asks for. :func:`newest_timestamp` says until when the archival form holds.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from asn1crypto import x509
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.signers.pdf_signer import PdfTimeStamper
from pyhanko.sign.timestamps import TimeStamper
from pyhanko.sign.validation.dss import async_add_validation_info
from pyhanko.sign.validation.generic_cms import extract_tst_data_iter
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.policy_decl import CertRevTrustPolicy, RevocationCheckingPolicy, RevocationCheckingRule

from siakgate.errors import SigningError
from siakgate.signing._http import BatchSession, batch_timestamper, fetcher_backend
from siakgate.verify import load_certificates

__all__ = [
    "EVIDENCE_POLICY",
    "TimestampInfo",
    "add_archival_timestamp",
    "add_document_timestamp",
    "evidence_context",
    "load_roots",
    "newest_timestamp",
]

EVIDENCE_POLICY = CertRevTrustPolicy(
    RevocationCheckingPolicy(
        ee_certificate_rule=RevocationCheckingRule.CRL_AND_OCSP_REQUIRED,
        intermediate_ca_cert_rule=RevocationCheckingRule.CRL_REQUIRED,
    ),
    retroactive_revinfo=True,
)
"""What evidence is collected: OCSP and CRL for end-entity certificates, the CRL for CAs (see above)."""


def load_roots(certs: Sequence[bytes]) -> list[x509.Certificate]:
    """Trust roots given as DER or PEM (one or more blocks), read by the verifier's one certificate reader."""
    try:
        return [x509.Certificate.load(der) for data in certs for der in load_certificates(data)]
    except (ValueError, TypeError) as exc:
        raise SigningError(
            "Sertifikat akar tepercaya (trust_roots) tidak valid.", code="AKAR_TEPERCAYA_TIDAK_VALID"
        ) from exc


def evidence_context(
    trust_roots: Sequence[x509.Certificate],
    other_certs: Sequence[x509.Certificate] = (),
    *,
    allow_fetching: bool = True,
    session: BatchSession | None = None,
) -> ValidationContext:
    """A validation context that gathers complete long-term evidence while it validates.

    With ``session``, its OCSP/CRL/certificate requests go through that session (the caller closes it) and
    every answer is kept by the context's fetchers: a batch fetches each once. Without, the context
    makes (and ``aclose`` closes) a session of its own.
    """
    return ValidationContext(
        trust_roots=list(trust_roots),
        other_certs=list(other_certs),
        allow_fetching=allow_fetching,
        revinfo_policy=EVIDENCE_POLICY,
        fetcher_backend=fetcher_backend(session) if session is not None and allow_fetching else None,
    )


@dataclass(frozen=True)
class TimestampInfo:
    """The newest timestamp of a signed KK: when it was made and until when its TSA's certificate holds."""

    kind: str
    """``document`` (a B-LTA document timestamp) or ``signature`` (the signature's own, B-T/B-LT)."""
    at: datetime
    tsa_not_after: datetime


def newest_timestamp(pdf: bytes) -> TimestampInfo | None:
    """The newest timestamp in ``pdf`` (document timestamps first), or None for a B-B file."""
    reader = PdfFileReader(io.BytesIO(pdf))
    doc_timestamps = reader.embedded_timestamp_signatures
    if doc_timestamps:
        newest = max(doc_timestamps, key=lambda ts: ts.signed_revision)
        tst = newest.signed_data["encap_content_info"]["content"].parsed
        return TimestampInfo("document", tst["gen_time"].native, newest.signer_cert.not_valid_after)
    best: TimestampInfo | None = None
    for sig in reader.embedded_regular_signatures:
        for signed_data in extract_tst_data_iter(sig.signer_info, signed=False):
            tst = signed_data["encap_content_info"]["content"].parsed
            serial = signed_data["signer_infos"][0]["sid"].chosen["serial_number"].native
            tsa = next(
                c.chosen
                for c in signed_data["certificates"]
                if c.name == "certificate" and c.chosen.serial_number == serial
            )
            info = TimestampInfo("signature", tst["gen_time"].native, tsa.not_valid_after)
            if best is None or info.at > best.at:
                best = info
    return best


async def add_document_timestamp(pdf: bytes, vc: ValidationContext, timestamper: TimeStamper) -> bytes:
    """``pdf`` + (the evidence for its newest document timestamp, if any) + a new document timestamp + a
    final DSS update with the evidence for that new timestamp, all gathered through ``vc``."""
    reader = PdfFileReader(io.BytesIO(pdf))
    stamper = PdfTimeStamper(timestamper)
    if reader.embedded_timestamp_signatures:
        stamped = await stamper.async_update_archival_timestamp_chain(reader, vc, in_place=False)
    else:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
        stamped = await stamper.async_timestamp_pdf(writer, "sha256", vc)
    reader = PdfFileReader(stamped)
    newest = max(reader.embedded_timestamp_signatures, key=lambda ts: ts.signed_revision)
    final: bytes = (await async_add_validation_info(newest, vc)).getvalue()
    return final


async def add_archival_timestamp(
    pdf: bytes,
    trust_roots: Sequence[x509.Certificate],
    timestamper: TimeStamper | str,
    *,
    allow_fetching: bool = True,
) -> bytes:
    """The archival form of a signed KK, or its renewal: see :func:`add_document_timestamp`.

    Works on a B-LT KK (its first archival form: the signature's evidence is gathered again first, since
    a B-LT file made elsewhere may lack the CRLs) and on a B-LTA one (a renewal). Raises pyHanko's and
    pyhanko_certvalidator's errors as they come; callers translate them (a TSA or OCSP responder that
    does not answer is temporary, see :func:`siakgate.signing._errors.translate_document_error`).
    """
    session = BatchSession()  # one session for the TSA and the OCSP/CRL round trips of this file
    if isinstance(timestamper, str):
        timestamper = batch_timestamper(timestamper, session)
    vc = evidence_context(trust_roots, allow_fetching=allow_fetching, session=session)
    try:
        reader = PdfFileReader(io.BytesIO(pdf))
        if not reader.embedded_timestamp_signatures:
            signature = reader.embedded_regular_signatures[-1]
            pdf = (await async_add_validation_info(signature, vc)).getvalue()
        return await add_document_timestamp(pdf, vc, timestamper)
    finally:
        await vc.aclose()  # type: ignore[no-untyped-call]
        await session.close()

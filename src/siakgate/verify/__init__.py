"""Verification of signed PDFs: a report per signature, as JSON, in Bahasa Indonesia, or in BSrE's shapes.

::

    report = await verify_pdf(pdf, trust_roots=[root_der])
    report.valid            # the whole document
    report.indication       # VALID, VALID_AT_SIGNING_TIME, INDETERMINATE (try later) or INVALID
    report.to_json()        # {"valid": ..., "signatures": [...]}
    report.summary_id()     # "Dokumen valid: 1 tanda tangan elektronik oleh ..."
    report.to_bsre_v1()     # as BSrE's POST /api/sign/verify answers

    async with Verifier(trust_roots=[root_der]) as verifier:   # many documents: revocation fetched once
        reports = [await verifier.verify(pdf) for pdf in pdfs]

A program that reads many signed PDFs (the gateway, ``siakgate verify``) calls :func:`use_fast_hex_reader`
once at start-up: it changes pyHanko's parser for the whole process, so it is the program's decision, never
a side effect of an import or of making a :class:`Verifier`.
"""

from siakgate.verify._certfile import load_certificates  # first: the signing package imports it (_certfile)
from siakgate.verify._hexstrings import install as use_fast_hex_reader
from siakgate.verify.engine import Verifier, verify_pdf, verify_pdf_sync
from siakgate.verify.model import (
    CertificateInfo,
    DocumentTimestampInfo,
    Indication,
    ModificationKind,
    Revocation,
    RevocationStatus,
    SignatureReport,
    SignerInfo,
    TimestampInfo,
    VerificationReport,
)

__all__ = [
    "CertificateInfo",
    "DocumentTimestampInfo",
    "Indication",
    "ModificationKind",
    "Revocation",
    "RevocationStatus",
    "SignatureReport",
    "SignerInfo",
    "TimestampInfo",
    "VerificationReport",
    "Verifier",
    "load_certificates",
    "use_fast_hex_reader",
    "verify_pdf",
    "verify_pdf_sync",
]

"""Verification of signed PDFs: a report per signature, as JSON, in Bahasa Indonesia, or in BSrE's shapes.

::

    report = await verify_pdf(pdf, trust_roots=[root_der])
    report.valid            # the whole document
    report.indication       # VALID, VALID_AT_SIGNING_TIME, INDETERMINATE (try later) or INVALID
    report.to_json()        # {"valid": ..., "signatures": [...]}
    report.summary_id()     # "Dokumen valid: 1 tanda tangan elektronik oleh ..."
    report.to_bsre_v1()     # as BSrE's POST /api/sign/verify answers
"""

from siakgate.verify._certs import load_certificates
from siakgate.verify.engine import verify_pdf, verify_pdf_sync
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
    "load_certificates",
    "verify_pdf",
    "verify_pdf_sync",
]

"""The report in the shapes of BSrE's Esign Client Service verify answers, for existing clients.

v1 (``POST /api/sign/verify``) is snake_case with ``summary`` "DOCUMENT VALID !!!"; v2
(``POST /api/v2/verify/pdf``) is camelCase with ``conclusion``. Field names, spellings (the served
``timestampInfomation``) and value formats follow what mock BSrE serves (see ``mock_bsre/API.md``);
the verdicts are siakgate's, which are stricter (revocation, changes after signing).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from siakgate.verify.model import Indication, SignatureReport, VerificationReport

SUMMARY_VALID = "DOCUMENT VALID !!!"
SUMMARY_NOT_VALID = "DOCUMENT NOT VALID !!!"
NOTES_VALID = "Dokumen valid, Sertifikat yang digunakan terpercaya"
NOTES_NO_TSA = "Dokumen asli dan valid, tetapi dokumen tidak menggunakan waktu TSA"
NOTES_MODIFIED = "Konten Dokumen mengalami perubahan oleh pihak yang tidak berhak"
NOTES_UNTRUSTED = "Dokumen asli, tetapi sertifikat penandatangan tidak terpercaya"
NOTES_TRY_LATER = "Dokumen asli, tetapi status sertifikat penandatangan belum dapat dipastikan; periksa kembali nanti"


def _fmt(moment: datetime | None) -> str | None:
    """``2026-11-22 03:15:42.12``: BSrE's v1 time format (hundredths of a second)."""
    if moment is None:
        return None
    return moment.strftime("%Y-%m-%d %H:%M:%S.") + f"{moment.microsecond // 10000:02d}"


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _integrity(sig: SignatureReport) -> bool:
    return sig.intact and sig.signature_valid and sig.modification.allowed and sig.docmdp_ok is not False


def _notes(report: VerificationReport) -> str:
    sigs = report.signatures
    if not all(_integrity(s) for s in sigs):
        return NOTES_MODIFIED
    if report.indication is Indication.INDETERMINATE:
        return NOTES_TRY_LATER
    if not all(s.trusted for s in sigs):
        return NOTES_UNTRUSTED
    if any(s.timestamp is None for s in sigs):
        return NOTES_NO_TSA
    return NOTES_VALID


def _v1_detail(sig: SignatureReport) -> dict[str, Any]:
    ts = sig.timestamp
    return {
        "info_tsa": {
            "name": ts.tsa_name if ts else None,
            "tsa_cert_validity": f"{_fmt(ts.tsa_not_before)} to {_fmt(ts.tsa_not_after)}" if ts else None,
        },
        "signature_field": sig.field_name,
        "info_signer": {
            "issuer_dn": sig.signer.issuer_dn,
            "signer_name": sig.signer.name,
            "signer_cert_validity": f"{_fmt(sig.signer.not_before)} to {_fmt(sig.signer.not_after)}",
            "signer_dn": sig.signer.subject_dn,
            "cert_user_certified": sig.trusted,
        },
        "signature_document": {
            "signed_using_tsa": ts is not None,
            "reason": sig.reason,
            "document_integrity": _integrity(sig),
            "signature_value": sig.signature_value,
            "signed_in": _fmt(sig.best_time),
            "location": sig.location,
            "hash_value": sig.message_digest,
        },
    }


def to_bsre_v1(report: VerificationReport) -> dict[str, Any]:
    return {
        "nama_dokumen": report.document_name,
        "jumlah_signature": len(report.signatures),
        "notes": _notes(report),
        "details": [_v1_detail(sig) for sig in report.signatures],
        "summary": SUMMARY_VALID if report.valid else SUMMARY_NOT_VALID,
    }


def _format(sig: SignatureReport) -> str:
    if sig.level is not None:
        return f"PAdES-BASELINE-{sig.level.value.removeprefix('B-')}"
    return "PAdES-BASELINE-B" if sig.subfilter == "/ETSI.CAdES.detached" else "PKCS7-B"


def _v2_info(index: int, sig: SignatureReport, last: bool) -> dict[str, Any]:
    ts = sig.timestamp
    return {
        "id": index + 1,
        "signatureFormat": _format(sig),
        "signerName": sig.signer.name,
        "signatureDate": _iso(sig.best_time),
        "fieldName": sig.field_name,
        "reason": sig.reason,
        "location": sig.location,
        "certLevelCode": 0,
        "modified": not _integrity(sig),
        "integrityValid": _integrity(sig),
        "certificateTrusted": sig.trusted,
        "lastSignature": last,
        "timestampInfomation": {"signerName": ts.tsa_name, "timestampDate": _iso(ts.time)} if ts else None,
        "certificateDetails": [
            {
                "commonName": cert.common_name,
                "subjectDN": cert.subject_dn,
                "issuerName": cert.issuer_dn,
                "serialNumber": cert.serial,
                "notBeforeDate": _iso(cert.not_before),
                "notAfterDate": _iso(cert.not_after),
            }
            for cert in sig.chain
        ],
    }


def to_bsre_v2(report: VerificationReport) -> dict[str, Any]:
    sigs = report.signatures
    if report.valid:
        conclusion, description = "VALID", NOTES_VALID
    elif not all(_integrity(s) for s in sigs):
        conclusion, description = "INVALID", NOTES_MODIFIED
    elif report.indication is Indication.INDETERMINATE:  # BSrE's conclusions have no "try later"
        conclusion, description = "INVALID", NOTES_TRY_LATER
    else:
        conclusion, description = "INVALID", NOTES_UNTRUSTED
    return {
        "documentName": report.document_name,
        "conclusion": conclusion,
        "description": description,
        "signatureCount": len(sigs),
        "signatureInformations": [_v2_info(i, s, i == len(sigs) - 1) for i, s in enumerate(sigs)],
    }

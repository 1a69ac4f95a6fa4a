"""The report in the shapes of BSrE's Esign Client Service verify answers, for existing clients.

Keys, spellings and value formats are those of BSrE's technical guide ("Petunjuk Teknis API Esign Client
Service" v2.2.1), which mock BSrE serves too (``mock_bsre/API.md``); the verdicts are siakgate's, which are
stricter (revocation, changes after signing, "check again later").

- v1 ``POST /api/sign/verify`` (p.15-17): snake_case, ``summary`` "DOCUMENT VALID !!!". Times are WIB wall-clock
  time with two fraction digits, ``2023-10-16 13:28:34.00`` (p.17: the example's ``signed_in`` is its
  ``sig_<ms>`` field name's instant plus seven hours). ``tsa_cert_validity``, ``signature_value`` and
  ``hash_value`` are null, as in the guide's example of a time-stamped signature: clients written against the
  guide cannot count on them, and the full JSON report (``to_json()``) carries them.
- v2 ``POST /api/v2/verify/pdf`` (p.34-36): camelCase, exactly the example's keys (no document name), the
  served spellings ``timestampInfomation`` and ``signatureAlgoritm``. Ids are ``S-``/``T-``/``C-`` and the
  upper-case SHA-256 of the signature value, the timestamp token and the certificate (the EU DSS library's ids,
  which the example's come from); serial numbers decimal; dates UTC with milliseconds and ``+00:00``
  (``2023-07-11T02:41:23.000+00:00``); ``signatureAlgorithm`` and ``digestAlgorithm`` null as in the example.
- Distinguished names print the certificate's order, ``C=ID,O=…,CN=…`` (p.16, p.35), and the certificates
  run signer, CA, root (p.35-36): both as :mod:`siakgate.verify._certs` reads them into the report.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from siakgate.verify._signature import format_name
from siakgate.verify.model import CertificateInfo, Indication, SignatureReport, VerificationReport

SUMMARY_VALID = "DOCUMENT VALID !!!"
SUMMARY_NOT_VALID = "DOCUMENT NOT VALID !!!"
NOTES_VALID = "Dokumen valid, Sertifikat yang digunakan terpercaya"
NOTES_NO_TSA = "Dokumen asli dan valid, tetapi dokumen tidak menggunakan waktu TSA"
NOTES_MODIFIED = "Konten Dokumen mengalami perubahan oleh pihak yang tidak berhak"
NOTES_UNTRUSTED = "Dokumen asli, tetapi sertifikat penandatangan tidak terpercaya"
NOTES_TRY_LATER = "Dokumen asli, tetapi status sertifikat penandatangan belum dapat dipastikan; periksa kembali nanti"
NO_SIGNATURE = "Dokumen tidak memiliki tandatangan elektronik"  # the guide's own text, p.35

WIB = timezone(timedelta(hours=7), "WIB")


def _utc(moment: datetime) -> datetime:
    return (moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)).astimezone(UTC)


def _wib(moment: datetime | None) -> str | None:
    """v1: ``2023-10-16 13:28:34.00``, WIB wall-clock time, hundredths of a second (guide p.16-17)."""
    if moment is None:
        return None
    local = _utc(moment).astimezone(WIB)
    return local.strftime("%Y-%m-%d %H:%M:%S.") + f"{local.microsecond // 10000:02d}"


def _iso(moment: datetime | None) -> str | None:
    """v2: ``2023-07-11T02:41:23.000+00:00``, UTC, milliseconds (guide p.35-36)."""
    if moment is None:
        return None
    utc = _utc(moment)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}+00:00"


def _signed_at(sig: SignatureReport) -> datetime | None:
    """BSrE's ``signed_in``/``signatureDate``: the signer's claimed time (the guide's examples equal the
    ``sig_<ms>`` field name, p.17 and p.35, not the later timestamp), the timestamp's when none is claimed."""
    if sig.signing_time is not None:
        return sig.signing_time
    return sig.timestamp.time if sig.timestamp is not None else None


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
        "info_tsa": {"name": ts.tsa_name if ts else None, "tsa_cert_validity": None},
        "signature_field": sig.field_name,
        "info_signer": {
            "issuer_dn": sig.signer.issuer_dn,
            "signer_name": sig.signer.name,
            "signer_cert_validity": f"{_wib(sig.signer.not_before)} to {_wib(sig.signer.not_after)}",
            "signer_dn": sig.signer.subject_dn,
            "cert_user_certified": sig.trusted,
        },
        "signature_document": {
            "signed_using_tsa": ts is not None,
            "reason": sig.reason,
            "document_integrity": _integrity(sig),
            "signature_value": None,
            "signed_in": _wib(_signed_at(sig)),
            "location": sig.location,
            "hash_value": None,
        },
    }


def to_bsre_v1(report: VerificationReport) -> dict[str, Any]:
    """``POST /api/sign/verify``'s answer (guide p.16-17); an unsigned document as BSrE answers it (notes and
    summary null, no details)."""
    signed = bool(report.signatures)
    return {
        "nama_dokumen": report.document_name,
        "jumlah_signature": len(report.signatures),
        "notes": _notes(report) if signed else None,
        "details": [_v1_detail(sig) for sig in report.signatures],
        "summary": (SUMMARY_VALID if report.valid else SUMMARY_NOT_VALID) if signed else None,
    }


def _format(sig: SignatureReport) -> str:
    """DSS's level names as the guide shows them (``PKCS7-T``, p.35; ``PAdES-BASELINE-T`` for
    ``ETSI.CAdES.detached``); a signature that reached no level is named by its sub-filter at level B."""
    named = format_name(sig.subfilter, sig.level)
    if named is not None:
        return named
    return "PKCS7-B" if sig.subfilter == "/adbe.pkcs7.detached" else "PAdES-BASELINE-B"


def _certificate(cert: CertificateInfo) -> dict[str, Any]:
    return {
        "id": f"C-{cert.sha256}",
        "commonName": cert.common_name,
        "issuerName": cert.issuer_dn,
        "serialNumber": str(int(cert.serial, 16)),  # decimal, p.35
        "notAfterDate": _iso(cert.not_after),
        "notBeforeDate": _iso(cert.not_before),
        "signatureAlgoritm": cert.signature_algorithm,  # sic, p.35-36
        "keyUsages": list(cert.key_usages),
    }


def _v2_info(sig: SignatureReport, last: bool) -> dict[str, Any]:
    ts = sig.timestamp
    timestamp = None
    if ts is not None:
        timestamp = {
            # null only for a report built without reading the token (see TimestampInfo.token_sha256)
            "id": f"T-{ts.token_sha256}" if ts.token_sha256 is not None else None,
            "signerName": ts.tsa_name,
            "timestampDate": _iso(ts.time),
        }
    return {
        "id": f"S-{hashlib.sha256(bytes.fromhex(sig.signature_value)).hexdigest().upper()}",
        "signatureFormat": _format(sig),
        "signerName": sig.signer.name,
        "signatureDate": _iso(_signed_at(sig)),
        "fieldName": sig.field_name,
        "reason": sig.reason,
        "location": sig.location,
        "certLevelCode": 0,
        "signatureAlgorithm": None,
        "digestAlgorithm": None,
        "timestampInfomation": timestamp,  # sic, p.35
        "certificateDetails": [_certificate(cert) for cert in sig.chain],
        "integrityValid": _integrity(sig),
        "certificateTrusted": sig.trusted,
        "lastSignature": last,
    }


def to_bsre_v2(report: VerificationReport) -> dict[str, Any]:
    """``POST /api/v2/verify/pdf``'s answer (guide p.35-36). Conclusions ``VALID``, ``INVALID``,
    ``NO_SIGNATURE``; BSrE's have no "check again later", so an INDETERMINATE report is ``INVALID`` with a
    description saying so."""
    sigs = report.signatures
    if not sigs:
        conclusion, description = "NO_SIGNATURE", NO_SIGNATURE
    elif report.valid:
        conclusion, description = "VALID", NOTES_VALID
    elif not all(_integrity(s) for s in sigs):
        conclusion, description = "INVALID", NOTES_MODIFIED
    elif report.indication is Indication.INDETERMINATE:
        conclusion, description = "INVALID", NOTES_TRY_LATER
    else:
        conclusion, description = "INVALID", NOTES_UNTRUSTED
    return {
        "conclusion": conclusion,
        "description": description,
        "signatureInformations": [_v2_info(s, i == len(sigs) - 1) for i, s in enumerate(sigs)],
        "signatureCount": len(sigs),
    }

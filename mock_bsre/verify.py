"""Signature verification, reported in the v1 (snake_case) and v2 (camelCase) shapes the
service serves.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO
from typing import Any

from asn1crypto import x509 as asn1_x509
from cryptography import x509 as crypto_x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from mock_bsre.errors import BAD_PDF, Refused
from mock_bsre.pdfsign import pdf_library_error

V1_NOTES_VALID = "Dokumen valid, Sertifikat yang digunakan terpercaya"
V1_NOTES_NO_TSA = "Dokumen asli dan valid, tetapi dokumen tidak menggunakan waktu TSA"
V1_NOTES_MODIFIED = "Konten Dokumen mengalami perubahan oleh pihak yang tidak berhak"
V1_NOTES_UNTRUSTED = "Dokumen asli, tetapi sertifikat penandatangan tidak terpercaya"


@dataclass
class SigReport:
    field_name: str
    signer_name: str
    signer_dn: str
    issuer_dn: str
    cert_not_before: datetime
    cert_not_after: datetime
    serial: int
    chain: list[asn1_x509.Certificate]
    signing_time: datetime | None
    reason: str | None
    location: str | None
    intact: bool
    valid: bool
    trusted: bool
    tsa_name: str | None
    tsa_not_before: datetime | None
    tsa_not_after: datetime | None
    timestamp: datetime | None
    hash_hex: str
    signature_hex: str


def _dn(cert: asn1_x509.Certificate, which: str) -> str:
    """``CN=...,O=...,C=ID`` as the real service prints distinguished names."""
    parsed = crypto_x509.load_der_x509_certificate(cert.dump())
    name = parsed.subject if which == "subject" else parsed.issuer
    return name.rfc4514_string()


def _fmt(dt: datetime | None) -> str | None:
    return dt.strftime("%Y-%m-%d %H:%M:%S.") + f"{dt.microsecond // 10000:02d}" if dt else None


def inspect_pdf(
    pdf: bytes,
    trust_roots: list[asn1_x509.Certificate],
    other_certs: list[asn1_x509.Certificate],
    password: str | None = None,
    *,
    crls: Sequence[bytes] = (),
) -> list[SigReport]:
    try:
        reader = PdfFileReader(BytesIO(pdf), strict=False)
        if reader.encrypted:
            reader.decrypt(password or "")
        embedded = list(reader.embedded_signatures)
    except Exception as exc:
        raise pdf_library_error(exc) from exc
    reports = []
    for sig in embedded:
        vc = ValidationContext(trust_roots=trust_roots, other_certs=other_certs, crls=list(crls), allow_fetching=False)
        try:
            status = validate_pdf_signature(sig, signer_validation_context=vc)
        except Exception as exc:  # a signature so broken it cannot be evaluated
            raise Refused(BAD_PDF, f"Tanda tangan tidak dapat diverifikasi: {exc}") from exc
        cert = status.signing_cert
        ts = status.timestamp_validity
        ts_cert = ts.signing_cert if ts is not None else None
        obj = sig.sig_object
        signer_info = sig.signer_info
        reports.append(
            SigReport(
                field_name=sig.field_name,
                signer_name=cert.subject.native.get("common_name", ""),
                signer_dn=_dn(cert, "subject"),
                issuer_dn=_dn(cert, "issuer"),
                cert_not_before=cert.not_valid_before,
                cert_not_after=cert.not_valid_after,
                serial=cert.serial_number,
                chain=[cert, *[c for c in sig.other_embedded_certs if c != cert]],
                signing_time=status.signer_reported_dt,
                reason=str(obj["/Reason"]) if "/Reason" in obj else None,
                location=str(obj["/Location"]) if "/Location" in obj else None,
                intact=bool(status.intact),
                valid=bool(status.valid),
                trusted=bool(status.trusted),
                tsa_name=ts_cert.subject.native.get("common_name") if ts_cert else None,
                tsa_not_before=ts_cert.not_valid_before if ts_cert else None,
                tsa_not_after=ts_cert.not_valid_after if ts_cert else None,
                timestamp=ts.timestamp if ts is not None else None,
                hash_hex=_message_digest(signer_info),
                signature_hex=bytes(signer_info["signature"].native).hex(),
            )
        )
    return reports


def _message_digest(signer_info: Any) -> str:
    for attr in signer_info["signed_attrs"]:
        if attr["type"].native == "message_digest":
            return bytes(attr["values"][0].native).hex()
    return ""


def _ok(r: SigReport) -> bool:
    return r.intact and r.valid and r.trusted


def v1_report(name: str, reports: list[SigReport]) -> dict[str, Any]:
    if not reports:
        return {
            "nama_dokumen": name,
            "jumlah_signature": 0,
            "notes": None,
            "details": [],
            "summary": None,
        }
    all_ok = all(_ok(r) for r in reports)
    if not all(r.intact and r.valid for r in reports):
        notes = V1_NOTES_MODIFIED
    elif not all(r.trusted for r in reports):
        notes = V1_NOTES_UNTRUSTED
    elif any(r.timestamp is None for r in reports):
        notes = V1_NOTES_NO_TSA
    else:
        notes = V1_NOTES_VALID
    details = [
        {
            "info_tsa": {
                "name": r.tsa_name,
                "tsa_cert_validity": f"{_fmt(r.tsa_not_before)} to {_fmt(r.tsa_not_after)}" if r.tsa_name else None,
            },
            "signature_field": r.field_name,
            "info_signer": {
                "issuer_dn": r.issuer_dn,
                "signer_name": r.signer_name,
                "signer_cert_validity": f"{_fmt(r.cert_not_before)} to {_fmt(r.cert_not_after)}",
                "signer_dn": r.signer_dn,
                "cert_user_certified": r.trusted,
            },
            "signature_document": {
                "signed_using_tsa": r.timestamp is not None,
                "reason": r.reason,
                "document_integrity": r.intact and r.valid,
                "signature_value": r.signature_hex,
                "signed_in": _fmt(r.timestamp or r.signing_time),
                "location": r.location,
                "hash_value": r.hash_hex,
            },
        }
        for r in reports
    ]
    return {
        "nama_dokumen": name,
        "jumlah_signature": len(reports),
        "notes": notes,
        "details": details,
        "summary": "DOCUMENT VALID !!!" if all_ok else "DOCUMENT NOT VALID !!!",
    }


def _iso(dt: datetime | None) -> str | None:
    return dt.isoformat() if dt else None


def v2_report(name: str, reports: list[SigReport]) -> dict[str, Any]:
    if not reports:
        conclusion, description = "NO_SIGNATURE", "Dokumen belum ditandatangani secara elektronik"
    elif all(_ok(r) for r in reports):
        conclusion, description = "VALID", "Dokumen valid, Sertifikat yang digunakan terpercaya"
    elif not all(r.intact and r.valid for r in reports):
        conclusion, description = "INVALID", V1_NOTES_MODIFIED
    else:
        conclusion, description = "INVALID", V1_NOTES_UNTRUSTED
    infos = []
    for i, r in enumerate(reports):
        infos.append(
            {
                "id": i + 1,
                "signatureFormat": "PAdES-BASELINE-T" if r.timestamp else "PAdES-BASELINE-B",
                "signerName": r.signer_name,
                "signatureDate": _iso(r.timestamp or r.signing_time),
                "fieldName": r.field_name,
                "reason": r.reason,
                "location": r.location,
                "certLevelCode": 0,
                "modified": not (r.intact and r.valid),
                "integrityValid": r.intact and r.valid,
                "certificateTrusted": r.trusted,
                "lastSignature": i == len(reports) - 1,
                "timestampInfomation": {
                    "signerName": r.tsa_name,
                    "timestampDate": _iso(r.timestamp),
                }
                if r.timestamp
                else None,
                "certificateDetails": [
                    {
                        "commonName": c.subject.native.get("common_name", ""),
                        "subjectDN": _dn(c, "subject"),
                        "issuerName": _dn(c, "issuer"),
                        "serialNumber": format(c.serial_number, "x"),
                        "notBeforeDate": _iso(c.not_valid_before),
                        "notAfterDate": _iso(c.not_valid_after),
                    }
                    for c in r.chain
                ],
            }
        )
    return {
        "documentName": name,
        "conclusion": conclusion,
        "description": description,
        "signatureCount": len(reports),
        "signatureInformations": infos,
    }

"""Signature verification, reported in the v1 (snake_case) and v2 (camelCase) shapes the
service serves.

Formats follow BSrE's guide ("Petunjuk Teknis API Esign Client Service" v2.2.1): v1 times are WIB wall-clock
time with two fraction digits (``2023-10-16 13:28:34.00``, p.16-17: its ``signed_in`` is the ``sig_<ms>`` field
name's instant plus seven hours); v2 times are UTC with milliseconds and ``+00:00`` (p.35-36: ``signatureDate``
equals the ``sig_<ms>`` field name's instant). The v2 ids (``S-``, ``T-``, ``C-`` and a SHA-256), the
``signatureFormat`` names and the ``keyUsages`` names are those of the EU DSS library the guide's example
comes from.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
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
V2_NO_SIGNATURE = "Dokumen tidak memiliki tandatangan elektronik"  # the guide's own text, p.35

WIB = timezone(timedelta(hours=7), "WIB")

# DSS's KeyUsageBit names, in the bit order of RFC 5280 (the order DSS lists them in, p.35-36).
_KEY_USAGES = {
    "digital_signature": "digitalSignature",
    "non_repudiation": "nonRepudiation",
    "key_encipherment": "keyEncipherment",
    "data_encipherment": "dataEncipherment",
    "key_agreement": "keyAgreement",
    "key_cert_sign": "keyCertSign",
    "crl_sign": "crlSign",
    "encipher_only": "encipherOnly",
    "decipher_only": "decipherOnly",
}


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
    sub_filter: str = "/ETSI.CAdES.detached"
    timestamp_token: bytes | None = None


def _dn(cert: asn1_x509.Certificate, which: str) -> str:
    """``C=ID,O=...,CN=...``: the attributes in the order the certificate encodes them, as the guide's
    examples print issuers (``C=ID,O=Lembaga Sandi Negara…`` p.16, ``C=ID,O=Badan Siber dan Sandi Negara…``
    p.35).
    """
    parsed = crypto_x509.load_der_x509_certificate(cert.dump())
    name = parsed.subject if which == "subject" else parsed.issuer
    return ",".join(rdn.rfc4514_string() for rdn in name.rdns)


def _fmt(dt: datetime | None) -> str | None:
    """v1: WIB wall-clock time, two fraction digits (``2023-10-16 13:28:34.00``, guide p.16-17)."""
    if dt is None:
        return None
    wib = (dt if dt.tzinfo else dt.replace(tzinfo=UTC)).astimezone(WIB)
    return wib.strftime("%Y-%m-%d %H:%M:%S.") + f"{wib.microsecond // 10000:02d}"


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
        sub_filter = str(sig.sig_object.get("/SubFilter", "/ETSI.CAdES.detached"))
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
                chain=_chain(cert, [c for c in sig.other_embedded_certs if c != cert]),
                signing_time=sig.self_reported_timestamp or status.signer_reported_dt,
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
                sub_filter=sub_filter,
                timestamp_token=_timestamp_token(signer_info),
            )
        )
    return reports


def _chain(leaf: asn1_x509.Certificate, others: list[asn1_x509.Certificate]) -> list[asn1_x509.Certificate]:
    """``leaf``, its issuer, that one's issuer... (the guide lists the signer first, then its CA, p.35-36);
    embedded certificates off that path follow in their order."""
    chain, rest = [leaf], list(others)
    while issuer := next((c for c in rest if c.subject == chain[-1].issuer and c != chain[-1]), None):
        chain.append(issuer)
        rest.remove(issuer)
    return chain + rest


def _timestamp_token(signer_info: Any) -> bytes | None:
    attrs = signer_info["unsigned_attrs"]
    for attr in attrs if attrs.native is not None else []:
        if attr["type"].native == "signature_time_stamp_token":
            return bytes(attr["values"][0].dump())
    return None


def _message_digest(signer_info: Any) -> str:
    for attr in signer_info["signed_attrs"]:
        if attr["type"].native == "message_digest":
            return bytes(attr["values"][0].native).hex()
    return ""


def _ok(r: SigReport) -> bool:
    return r.intact and r.valid and r.trusted


def v1_report(name: str, reports: list[SigReport]) -> dict[str, Any]:
    """``POST /api/sign/verify`` as the guide shows it (p.16-17).

    ``tsa_cert_validity``, ``signature_value`` and ``hash_value`` are null, as in the guide's example (a
    time-stamped signature whose TSA certificate validity, signature value and hash are all null): clients
    must not count on them.
    """
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
            "info_tsa": {"name": r.tsa_name, "tsa_cert_validity": None},
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
                "signature_value": None,
                "signed_in": _fmt(r.signing_time or r.timestamp),
                "location": r.location,
                "hash_value": None,
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
    """v2: UTC, milliseconds, ``+00:00`` (``2023-07-11T02:41:23.000+00:00``, guide p.35-36)."""
    if dt is None:
        return None
    utc = (dt if dt.tzinfo else dt.replace(tzinfo=UTC)).astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}+00:00"


def _dss_id(prefix: str, data: bytes) -> str:
    """DSS's token ids: ``S-``/``T-``/``C-`` and the upper-case SHA-256 of the token."""
    return f"{prefix}-{hashlib.sha256(data).hexdigest().upper()}"


def signature_format(r: SigReport) -> str:
    """DSS's SignatureLevel name: ``PKCS7-T``/``-B`` for ``adbe.pkcs7.detached`` (the guide's example, p.35),
    ``PAdES-BASELINE-T``/``-B`` for ``ETSI.CAdES.detached`` (the guide is silent; DSS's name for that level).
    """
    level = "T" if r.timestamp is not None else "B"
    if r.sub_filter == "/adbe.pkcs7.detached":
        return f"PKCS7-{level}"
    return f"PAdES-BASELINE-{level}"


def _algorithm(cert: asn1_x509.Certificate) -> str:
    """``RSA with SHA256`` as the guide writes a certificate's ``signatureAlgoritm`` (p.35-36)."""
    algo = cert["signature_algorithm"]
    kind = {"rsassa_pkcs1v15": "RSA", "rsassa_pss": "RSA-PSS", "ecdsa": "ECDSA", "dsa": "DSA"}.get(
        algo.signature_algo, algo.signature_algo.upper()
    )
    return f"{kind} with {algo.hash_algo.upper()}"


def _key_usages(cert: asn1_x509.Certificate) -> list[str]:
    value = cert.key_usage_value
    bits = set(value.native) if value is not None else set()
    return [name for bit, name in _KEY_USAGES.items() if bit in bits]


def _certificate_detail(cert: asn1_x509.Certificate) -> dict[str, Any]:
    return {
        "id": _dss_id("C", cert.dump()),
        "commonName": cert.subject.native.get("common_name", ""),
        "issuerName": _dn(cert, "issuer"),
        "serialNumber": str(cert.serial_number),
        "notAfterDate": _iso(cert.not_valid_after),
        "notBeforeDate": _iso(cert.not_valid_before),
        "signatureAlgoritm": _algorithm(cert),  # sic, as the guide spells it (p.35-36)
        "keyUsages": _key_usages(cert),
    }


def v2_report(name: str, reports: list[SigReport]) -> dict[str, Any]:
    """``POST /api/v2/verify/pdf`` with exactly the keys of the guide's example (p.35-36).

    ``name`` is not answered: the guide's example has no document name. ``signatureAlgorithm`` and
    ``digestAlgorithm`` are null as in that example.
    """
    del name
    if not reports:
        conclusion, description = "NO_SIGNATURE", V2_NO_SIGNATURE
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
                "id": _dss_id("S", bytes.fromhex(r.signature_hex)),
                "signatureFormat": signature_format(r),
                "signerName": r.signer_name,
                "signatureDate": _iso(r.signing_time or r.timestamp),
                "fieldName": r.field_name,
                "reason": r.reason,
                "location": r.location,
                "certLevelCode": 0,
                "signatureAlgorithm": None,
                "digestAlgorithm": None,
                "timestampInfomation": {  # sic, as the guide spells it (p.35)
                    "id": _dss_id("T", r.timestamp_token or b""),
                    "signerName": r.tsa_name,
                    "timestampDate": _iso(r.timestamp),
                }
                if r.timestamp
                else None,
                "certificateDetails": [_certificate_detail(c) for c in r.chain],
                "integrityValid": r.intact and r.valid,
                "certificateTrusted": r.trusted,
                "lastSignature": i == len(reports) - 1,
            }
        )
    return {
        "conclusion": conclusion,
        "description": description,
        "signatureInformations": infos,
        "signatureCount": len(reports),
    }

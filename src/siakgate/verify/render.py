"""The JSON form of a :class:`~siakgate.verify.model.VerificationReport` (plain dicts, ISO 8601 times)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from siakgate.verify.model import (
    CertificateInfo,
    DocumentTimestampInfo,
    SignatureReport,
    SignerInfo,
    TimestampInfo,
    VerificationReport,
)


def iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _signer(info: SignerInfo) -> dict[str, Any]:
    return {
        "name": info.name,
        "nik": info.nik,
        "email": info.email,
        "organization": info.organization,
        "title": info.title,
        "subject_dn": info.subject_dn,
        "issuer_dn": info.issuer_dn,
        "certificate_serial": info.certificate_serial,
        "not_before": iso(info.not_before),
        "not_after": iso(info.not_after),
    }


def _cert(info: CertificateInfo) -> dict[str, Any]:
    return {
        "common_name": info.common_name,
        "subject_dn": info.subject_dn,
        "issuer_dn": info.issuer_dn,
        "serial": info.serial,
        "not_before": iso(info.not_before),
        "not_after": iso(info.not_after),
    }


def _timestamp(ts: TimestampInfo | None) -> dict[str, Any] | None:
    if ts is None:
        return None
    return {
        "tsa_name": ts.tsa_name,
        "time": iso(ts.time),
        "intact": ts.intact,
        "trusted": ts.trusted,
        "valid": ts.valid,
        "tsa_not_before": iso(ts.tsa_not_before),
        "tsa_not_after": iso(ts.tsa_not_after),
    }


def _doc_timestamp(ts: DocumentTimestampInfo) -> dict[str, Any]:
    return {
        "field_name": ts.field_name,
        "tsa_name": ts.tsa_name,
        "time": iso(ts.time),
        "intact": ts.intact,
        "trusted": ts.trusted,
        "valid": ts.valid,
    }


def signature_to_json(sig: SignatureReport) -> dict[str, Any]:
    return {
        "field_name": sig.field_name,
        "valid": sig.valid,
        "indication": sig.indication.value,
        "proven_at": iso(sig.proven_at),
        "subfilter": sig.subfilter,
        "integrity": {
            "intact": sig.intact,
            "signature_valid": sig.signature_valid,
            "digest_algorithm": sig.digest_algorithm,
            "message_digest": sig.message_digest,
        },
        "modification": {
            "coverage": sig.coverage,
            "level": sig.modification.value,
            "allowed": sig.modification.allowed,
            "docmdp_ok": sig.docmdp_ok,
            "explanation": sig.modification.explanation,
        },
        "signer": _signer(sig.signer),
        "chain": [_cert(c) for c in sig.chain],
        "trust": {
            "trusted": sig.trusted,
            "problem": sig.trust_problem,
            "explanation": sig.trust_explanation,
            "anchor": sig.trust_anchor,
        },
        "revocation": {
            "status": sig.revocation.status.value,
            "revoked_at": iso(sig.revocation.revoked_at),
            "reason": sig.revocation.reason,
            "ca_revoked": sig.revocation.ca_revoked,
        },
        "signing_time": iso(sig.signing_time),
        "timestamp": _timestamp(sig.timestamp),
        "pades_level": sig.level.value if sig.level is not None else None,
        "reason": sig.reason,
        "location": sig.location,
    }


def report_to_json(report: VerificationReport) -> dict[str, Any]:
    return {
        "valid": report.valid,
        "indication": report.indication.value,
        "document_name": report.document_name,
        "signature_count": len(report.signatures),
        "signatures": [signature_to_json(sig) for sig in report.signatures],
        "document_timestamps": [_doc_timestamp(ts) for ts in report.document_timestamps],
        "summary": report.summary_id(),
    }

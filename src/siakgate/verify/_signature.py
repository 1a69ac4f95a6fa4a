"""Turning pyHanko's view of one signature into a :class:`~siakgate.verify.model.SignatureReport`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from asn1crypto import x509 as asn1_x509
from pyhanko.sign.validation import EmbeddedPdfSignature, PdfSignatureStatus

from siakgate.signing.api import PadesLevel
from siakgate.verify import _certs
from siakgate.verify.model import (
    ModificationKind,
    Revocation,
    RevocationStatus,
    SignatureReport,
    TimestampInfo,
)

PADES_SUBFILTER = "/ETSI.CAdES.detached"


def _text(sig_object: Any, key: str) -> str | None:
    return str(sig_object[key]) if key in sig_object else None


def _message_digest(emb: EmbeddedPdfSignature) -> str:
    for attr in emb.signer_info["signed_attrs"]:
        if attr["type"].native == "message_digest":
            return bytes(attr["values"][0].native).hex()
    return ""


def _signature_value(emb: EmbeddedPdfSignature) -> str:
    return bytes(emb.signer_info["signature"].native).hex()


def _modification(status: PdfSignatureStatus) -> ModificationKind:
    level = status.modification_level
    if level is None:  # the analysis did not run or could not conclude: assume the worst
        return ModificationKind.OTHER
    return ModificationKind[level.name]


def _timestamp(status: PdfSignatureStatus) -> TimestampInfo | None:
    ts = status.timestamp_validity
    if ts is None:
        return None
    cert: asn1_x509.Certificate = ts.signing_cert
    return TimestampInfo(
        tsa_name=_certs.common_name(cert),
        time=ts.timestamp,
        intact=bool(ts.intact and ts.valid),
        trusted=bool(ts.trusted),
        tsa_not_before=cert.not_valid_before,
        tsa_not_after=cert.not_valid_after,
    )


def level_reached(
    emb: EmbeddedPdfSignature, status: PdfSignatureStatus, dss_sufficient: bool, archived: bool
) -> PadesLevel | None:
    """The PAdES baseline level this signature actually reaches (each level needs the ones before).

    B-B: an intact PAdES signature. B-T: plus a valid, trusted signature timestamp. B-LT: plus a DSS
    that validates signer and TSA on its own. B-LTA: plus a valid document timestamp after it.
    """
    if str(emb.sig_object.get("/SubFilter")) != PADES_SUBFILTER or not (status.intact and status.valid):
        return None
    ts = status.timestamp_validity
    if ts is None or not (ts.intact and ts.valid and ts.trusted):
        return PadesLevel.B_B
    if not dss_sufficient:
        return PadesLevel.B_T
    return PadesLevel.B_LTA if archived else PadesLevel.B_LT


def build_report(
    emb: EmbeddedPdfSignature,
    status: PdfSignatureStatus,
    revocation: Revocation,
    level: PadesLevel | None,
    now: datetime,
) -> SignatureReport:
    cert: asn1_x509.Certificate = status.signing_cert
    problem = status.trust_problem_indic
    problem_code = None if status.trusted else (str(getattr(problem, "name", problem)) if problem else "NOT_TRUSTED")
    path = status.validation_path
    anchor = _certs.common_name(path[0]) if path is not None else None
    return SignatureReport(
        field_name=str(emb.field_name),
        subfilter=str(emb.sig_object.get("/SubFilter")),
        intact=bool(status.intact),
        signature_valid=bool(status.valid),
        coverage=status.coverage.name if status.coverage is not None else "UNCLEAR",
        modification=_modification(status),
        docmdp_ok=status.docmdp_ok,
        signer=_certs.signer_info(cert),
        chain=_certs.chain_info(cert, emb.other_embedded_certs),
        trusted=bool(status.trusted),
        trust_problem=problem_code,
        trust_explanation=_certs.trust_explanation(problem_code, cert, anchor, revocation.revoked_at, now),
        trust_anchor=anchor,
        revocation=revocation,
        signing_time=status.signer_reported_dt,
        timestamp=_timestamp(status),
        level=level,
        reason=_text(emb.sig_object, "/Reason"),
        location=_text(emb.sig_object, "/Location"),
        digest_algorithm=emb.md_algorithm,
        message_digest=_message_digest(emb),
        signature_value=_signature_value(emb),
    )


def broken_report(emb: EmbeddedPdfSignature, exc: Exception) -> SignatureReport:
    """A signature pyHanko could not evaluate at all: reported as not intact, with what can be read."""
    cert: asn1_x509.Certificate = emb.signer_cert
    return SignatureReport(
        field_name=str(emb.field_name),
        subfilter=str(emb.sig_object.get("/SubFilter")),
        intact=False,
        signature_valid=False,
        coverage="UNCLEAR",
        modification=ModificationKind.OTHER,
        docmdp_ok=False,
        signer=_certs.signer_info(cert),
        chain=_certs.chain_info(cert, emb.other_embedded_certs),
        trusted=False,
        trust_problem="SIGNATURE_UNREADABLE",
        trust_explanation=f"Tanda tangan tidak dapat diperiksa ({type(exc).__name__}).",
        trust_anchor=None,
        revocation=Revocation(RevocationStatus.UNKNOWN),
        signing_time=emb.self_reported_timestamp,
        timestamp=None,
        level=None,
        reason=_text(emb.sig_object, "/Reason"),
        location=_text(emb.sig_object, "/Location"),
        digest_algorithm=emb.md_algorithm,
        message_digest=_message_digest(emb),
        signature_value=_signature_value(emb),
    )

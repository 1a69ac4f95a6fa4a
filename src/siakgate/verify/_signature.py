"""Turning pyHanko's view of one signature into a :class:`~siakgate.verify.model.SignatureReport`.

Levels of ``adbe.pkcs7.detached`` signatures (what BSrE's own verify calls "PKCS7-T", guide v2.2.1 p.35): the
same evidence ladder as PAdES is reported for them (:func:`level_reached`): B-B an intact signature, B-T plus a
valid trusted signature timestamp, B-LT plus a DSS that validates on its own, B-LTA plus a document timestamp.
The evidence is the same and what a reader of the report needs (is there a trusted time, is the long-term proof
in the file); the level is a :class:`PadesLevel` so every caller keeps working. It does NOT claim PAdES baseline
conformance (ETSI EN 319 142-1 requires ``ETSI.CAdES.detached``): the report's ``subfilter`` says which format
it is, and :func:`format_name` names the pair without pretending (``PKCS7-T`` beside ``PAdES-BASELINE-T``).
Any other sub-filter (``adbe.x509.rsa_sha1``, unknown ones) gets no level.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from asn1crypto import x509 as asn1_x509
from pyhanko.sign.validation import EmbeddedPdfSignature, PdfSignatureStatus

from siakgate.signing.api import PadesLevel
from siakgate.verify import _certs
from siakgate.verify.model import (
    Indication,
    ModificationKind,
    Revocation,
    RevocationStatus,
    SignatureReport,
    TimestampInfo,
)

PADES_SUBFILTER = "/ETSI.CAdES.detached"
PKCS7_SUBFILTER = "/adbe.pkcs7.detached"
LEVELLED_SUBFILTERS = frozenset({PADES_SUBFILTER, PKCS7_SUBFILTER})
"""Sub-filters whose signatures get a level (see the module docstring)."""


@dataclass(frozen=True)
class Judgement:
    """What the engine decided about one signature, and the pyHanko status the report is read from."""

    indication: Indication
    status: PdfSignatureStatus
    """Integrity, signer, chain and changes after signing (the check at the validation time)."""
    revocation: Revocation
    level: PadesLevel | None
    problem: str | None
    """What the check at the validation time found (AdES sub-indication name), if anything."""
    proven_at: datetime | None = None
    timestamp: TimestampInfo | None = None
    """The signature timestamp as past validation judged it; None: read it from ``status``."""

    @property
    def trusted(self) -> bool:
        return self.indication.valid or (self.status.trusted and self.revocation.status is not RevocationStatus.REVOKED)


def _text(sig_object: Any, key: str) -> str | None:
    return str(sig_object[key]) if key in sig_object else None


def _message_digest(emb: EmbeddedPdfSignature) -> str:
    for attr in emb.signer_info["signed_attrs"]:
        if attr["type"].native == "message_digest":
            return bytes(attr["values"][0].native).hex()
    return ""


def _signature_value(emb: EmbeddedPdfSignature) -> str:
    return bytes(emb.signer_info["signature"].native).hex()


def _timestamp_token_sha256(emb: EmbeddedPdfSignature) -> str | None:
    """SHA-256 of the signature timestamp token (BSrE's v2 ``T-`` id, guide v2.2.1 p.35)."""
    attrs = emb.signer_info["unsigned_attrs"]
    for attr in attrs if attrs.native is not None else ():
        if attr["type"].native == "signature_time_stamp_token":
            return hashlib.sha256(attr["values"][0].dump()).hexdigest().upper()
    return None


def _modification(status: PdfSignatureStatus) -> ModificationKind:
    level = status.modification_level
    if level is None:  # the analysis did not run or could not conclude: assume the worst
        return ModificationKind.OTHER
    return ModificationKind[level.name]


def timestamp_info(status: PdfSignatureStatus, *, trusted: bool | None = None) -> TimestampInfo | None:
    """The signature timestamp of ``status``; ``trusted`` overrides pyHanko's view of its chain."""
    ts = status.timestamp_validity
    if ts is None:
        return None
    cert: asn1_x509.Certificate = ts.signing_cert
    return TimestampInfo(
        tsa_name=_certs.common_name(cert),
        time=ts.timestamp,
        intact=bool(ts.intact and ts.valid),
        trusted=bool(ts.trusted) if trusted is None else trusted,
        tsa_not_before=cert.not_valid_before,
        tsa_not_after=cert.not_valid_after,
    )


def integrity_ok(status: PdfSignatureStatus) -> bool:
    """The signed bytes are intact, the signature value verifies, and only allowed changes came after."""
    return bool(status.intact and status.valid) and _modification(status).allowed and status.docmdp_ok is not False


def level_reached(
    emb: EmbeddedPdfSignature, status: PdfSignatureStatus, dss_sufficient: bool, archived: bool
) -> PadesLevel | None:
    """The level this signature actually reaches (each level needs the ones before).

    B-B: an intact PAdES or PKCS#7 signature. B-T: plus a valid, trusted signature timestamp. B-LT: plus a DSS
    that validates signer and TSA on its own. B-LTA: plus a valid document timestamp after it. For
    ``adbe.pkcs7.detached`` it is the same evidence, not PAdES conformance (see the module docstring).
    """
    if str(emb.sig_object.get("/SubFilter")) not in LEVELLED_SUBFILTERS or not (status.intact and status.valid):
        return None
    ts = status.timestamp_validity
    if ts is None or not (ts.intact and ts.valid and ts.trusted):
        return PadesLevel.B_B
    if not dss_sufficient:
        return PadesLevel.B_T
    return PadesLevel.B_LTA if archived else PadesLevel.B_LT


def format_name(subfilter: str | None, level: PadesLevel | None) -> str | None:
    """The signature's format and level as BSrE's verify names them: ``PAdES-BASELINE-T``, ``PKCS7-T`` (guide
    p.35); None without a level."""
    if level is None:
        return None
    suffix = level.value.removeprefix("B-")
    return f"PKCS7-{suffix}" if subfilter == PKCS7_SUBFILTER else f"PAdES-BASELINE-{suffix}"


def problem_code(status: PdfSignatureStatus, revocation: Revocation) -> str | None:
    """What pyHanko's check found, as an AdES sub-indication name (None: nothing)."""
    problem = status.trust_problem_indic
    if problem is not None:
        return str(getattr(problem, "name", problem))
    if revocation.status is RevocationStatus.REVOKED:
        return "REVOKED_CA_NO_POE" if revocation.ca_revoked else "REVOKED_NO_POE"
    return None if status.trusted else "NOT_TRUSTED"


def build_report(emb: EmbeddedPdfSignature, judged: Judgement, now: datetime) -> SignatureReport:
    status, revocation = judged.status, judged.revocation
    cert: asn1_x509.Certificate = status.signing_cert
    path = status.validation_path
    anchor = _certs.common_name(path[0]) if path is not None else None
    timestamp = judged.timestamp or timestamp_info(status)
    if timestamp is not None:
        timestamp = replace(timestamp, token_sha256=_timestamp_token_sha256(emb))
    explanation = _certs.trust_explanation(
        judged.problem,
        cert,
        anchor,
        revocation.revoked_at,
        now,
        indication=judged.indication,
        proven_at=judged.proven_at,
        timestamped_at=timestamp.time if timestamp is not None and timestamp.intact else None,
    )
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
        trusted=judged.trusted,
        trust_problem=judged.problem,
        trust_explanation=explanation,
        trust_anchor=anchor,
        revocation=revocation,
        signing_time=status.signer_reported_dt,
        timestamp=timestamp,
        level=judged.level,
        reason=_text(emb.sig_object, "/Reason"),
        location=_text(emb.sig_object, "/Location"),
        digest_algorithm=emb.md_algorithm,
        message_digest=_message_digest(emb),
        signature_value=_signature_value(emb),
        indication=judged.indication,
        proven_at=judged.proven_at,
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
        indication=Indication.INVALID,
        proven_at=None,
    )

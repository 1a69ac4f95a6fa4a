"""Past signature validation: does a proof of existence keep a signature valid after its signer's certificate
expired or was revoked, or after the revocation information in the document went stale? (ETSI EN 319 102-1
§ 5.6: validation with time, past signature validation, the PAdES document timestamps as evidence record.)

The question is put to pyHanko's AdES process, :func:`~pyhanko.sign.validation.ades.ades_lta_validation`,
the one behind ``pyhanko sign adesverify``, under ``adesverify``'s default policy: revocation information
required for every certificate and judged fresh for as long as its own thisUpdate..nextUpdate window
(``REQUIRE_REVINFO``, ``MAX_DIFF_REVOCATION_VALIDATION``, no fixed freshness). What we take from it:

* **Its indication.** Only an AdES ``PASSED`` proves the signature. pyHanko's validation with time lets an
  expired certificate through whenever the signature carries *some* valid timestamp, even one made after
  the expiry, and ``adesverify`` prints that as valid (it reads the status object's bottom line, not the
  indication); the final indication does not pass it.
* **Its evidence record.** When the indication is not ``PASSED`` but the chain of document timestamps after
  the signature validated, pyHanko has proven that the document, the signature and the validation data of
  that time existed at the oldest of those timestamps (:attr:`Existence.covered_at`). The engine then
  validates the signature as of that moment with the document's own data. This covers what pyHanko's time
  slide misses: a newer CRL of the issuing CA in the document (as every archive renewal adds) no longer
  lists a certificate that has expired, and the time slide reads that as "not revoked, control time now",
  where the certificate is expired.

pyHanko fetches nothing here (``LOCAL_ONLY``): the engine hands over the OCSP answers and CRLs its own
current-time checks fetched (see :mod:`siakgate.verify.engine`), so the network is asked once, and a
responder that cannot be reached shows up as missing information, the same as offline. No difference
analysis either: the engine has analysed the changes after signing, and pyHanko reuses that result
(``diff_policy=None`` only skips a second run). Whatever pyHanko says, a proven time must lie within the
certificate's validity and before any revocation (:func:`in_force`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from asn1crypto import crl as asn1_crl
from asn1crypto import ocsp as asn1_ocsp
from asn1crypto import x509 as asn1_x509
from pyhanko.sign.ades.report import AdESPassed
from pyhanko.sign.validation import EmbeddedPdfSignature, PdfSignatureStatus
from pyhanko.sign.validation.ades import ades_lta_validation
from pyhanko.sign.validation.policy_decl import (
    LocalKnowledge,
    PdfSignatureValidationSpec,
    RevinfoOnlineFetchingRule,
    RevocationInfoGatheringSpec,
    SignatureValidationSpec,
)
from pyhanko_certvalidator.context import CertValidationPolicySpec
from pyhanko_certvalidator.ltv.types import ValidationTimingInfo
from pyhanko_certvalidator.policy_decl import REQUIRE_REVINFO, CertRevTrustPolicy, FreshnessReqType
from pyhanko_certvalidator.registry import SimpleTrustManager
from pyhanko_certvalidator.revinfo.archival import CRLContainer, OCSPContainer

__all__ = ["CURABLE", "Existence", "PastProof", "in_force", "prove_existence"]

logger = logging.getLogger(__name__)

CURABLE = frozenset(
    {
        "OUT_OF_BOUNDS_NO_POE",
        "OUT_OF_BOUNDS_NOT_REVOKED",
        "REVOKED_NO_POE",
        "REVOKED_CA_NO_POE",
        "REVOCATION_OUT_OF_BOUNDS_NO_POE",
        "CRYPTO_CONSTRAINTS_FAILURE_NO_POE",
        "TRY_LATER",
    }
)
"""What the check at the validation time may find that a proof of existence can cure (AdES sub-indications
for which the standard continues with past signature validation)."""


@dataclass(frozen=True)
class PastProof:
    """A signature proven to have existed while its certificate was good, with the data of that time."""

    proven_at: datetime
    """The AdES best signature time."""
    status: PdfSignatureStatus
    """pyHanko's status after the process (its ``timestamp_validity`` is the one AdES validated)."""
    timestamp_trusted: bool
    """The signature timestamp passed AdES validation (in the past if need be)."""
    from_document_timestamps: bool
    """The proof rests on document timestamps after the signature (PAdES B-LTA)."""


@dataclass(frozen=True)
class Existence:
    """What pyHanko's AdES process proved about one signature."""

    proof: PastProof | None
    """The process passed the signature."""
    covered_at: datetime | None
    """The oldest document timestamp after the signature, when the chain of document timestamps validated."""


def in_force(cert: asn1_x509.Certificate, moment: datetime, revoked_at: datetime | None) -> bool:
    """``cert`` was within its validity at ``moment``, and not yet revoked."""
    within = cert.not_valid_before <= moment <= cert.not_valid_after
    return within and (revoked_at is None or moment < revoked_at)


def _policy(roots: Sequence[asn1_x509.Certificate]) -> CertValidationPolicySpec:
    return CertValidationPolicySpec(
        trust_manager=SimpleTrustManager.build(trust_roots=roots),
        revinfo_policy=CertRevTrustPolicy(
            REQUIRE_REVINFO,
            freshness=None,
            freshness_req_type=FreshnessReqType.MAX_DIFF_REVOCATION_VALIDATION,
        ),
    )


def _spec(
    roots: Sequence[asn1_x509.Certificate],
    ocsps: Sequence[asn1_ocsp.OCSPResponse],
    crls: Sequence[asn1_crl.CertificateList],
) -> PdfSignatureValidationSpec:
    knowledge = LocalKnowledge(
        known_ocsps=[answer for response in ocsps for answer in OCSPContainer.load_multi(response)],
        known_crls=[CRLContainer(crl) for crl in crls],
    )
    return PdfSignatureValidationSpec(
        SignatureValidationSpec(
            cert_validation_policy=_policy(roots),
            revinfo_gathering_policy=RevocationInfoGatheringSpec(RevinfoOnlineFetchingRule.LOCAL_ONLY),
            local_knowledge=knowledge,
        ),
        diff_policy=None,
    )


async def prove_existence(
    emb: EmbeddedPdfSignature,
    *,
    roots: Sequence[asn1_x509.Certificate],
    ocsps: Sequence[asn1_ocsp.OCSPResponse],
    crls: Sequence[asn1_crl.CertificateList],
    now: datetime,
    live: bool,
    revoked_at: datetime | None,
) -> Existence:
    """Run pyHanko's AdES process on ``emb`` at ``now``.

    ``ocsps``/``crls``: revocation information known besides the document's own (DSS and signed attributes,
    which pyHanko reads itself). ``live``: ``now`` is the present (else a point-in-time validation).
    ``revoked_at``: when the signer's certificate was revoked, if it was.
    """
    timing = ValidationTimingInfo(validation_time=now, best_signature_time=now, point_in_time_validation=not live)
    try:
        result = await ades_lta_validation(emb, _spec(roots, ocsps, crls), timing_info=timing)
    except Exception as exc:  # pyHanko raises many kinds on material it cannot evaluate: no proof then
        logger.info("past signature validation of %s failed: %r", emb.field_name, exc)
        return Existence(None, None)
    cert: asn1_x509.Certificate = emb.signer_cert
    covered_at = result.oldest_evidence_record_timestamp
    if covered_at is not None and not (covered_at < now and in_force(cert, covered_at, revoked_at)):
        covered_at = None
    status = result.api_status
    logger.info("past signature validation of %s: %s", emb.field_name, result.ades_subindic)
    if result.ades_subindic is not AdESPassed.OK or status is None or not (status.intact and status.valid):
        return Existence(None, covered_at)
    proven_at = result.best_signature_time
    if proven_at >= now or not in_force(cert, proven_at, revoked_at):
        logger.warning("AdES passed %s at %s, outside its certificate's life", emb.field_name, proven_at)
        return Existence(None, covered_at)
    ts_result = result.signature_timestamp_status
    proof = PastProof(
        proven_at=proven_at,
        status=status,
        timestamp_trusted=ts_result is not None and ts_result.ades_subindic is AdESPassed.OK,
        from_document_timestamps=result.oldest_evidence_record_timestamp is not None,
    )
    return Existence(proof, covered_at)

"""Test helper: validate a signed PDF with pyHanko's AdES validation, trusting only the test root.

Each level is checked with the ETSI EN 319 102-1 process that fits it:

* B-B: basic signature validation (§ 5.3), revocation data fetched online (mock BSrE on the AIA port);
* B-T: validation with time (§ 5.5), online: the signature timestamp must validate;
* B-LT: pyHanko's LTA process OFFLINE: with only what the PDF carries (CMS + DSS), the signature must be
  valid and trusted at the current time; the process then stops at NO_POE, the archival proof that only
  B-LTA's document timestamp supplies;
* B-LTA: the LTA process OFFLINE must pass.
"""

from __future__ import annotations

import asyncio
import io
from typing import Any

from asn1crypto import pem, x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.ades.report import AdESIndeterminate, AdESPassed
from pyhanko.sign.validation import generic_cms
from pyhanko.sign.validation.ades import ades_basic_validation, ades_lta_validation, ades_with_time_validation
from pyhanko.sign.validation.policy_decl import (
    PdfSignatureValidationSpec,
    RevinfoOnlineFetchingRule,
    RevocationInfoGatheringSpec,
    SignatureValidationSpec,
)
from pyhanko_certvalidator.context import CertValidationPolicySpec
from pyhanko_certvalidator.policy_decl import CertRevTrustPolicy, RevocationCheckingPolicy
from pyhanko_certvalidator.registry import SimpleTrustManager

from mock_bsre.pki import load_pki
from siakgate.signing import PadesLevel


def root_der() -> bytes:
    data = (load_pki().certs_dir / "root-ca.crt").read_bytes()
    return pem.unarmor(data)[2] if pem.detect(data) else data


def _spec(online: bool) -> SignatureValidationSpec:
    rule = RevinfoOnlineFetchingRule.ALWAYS_FETCH if online else RevinfoOnlineFetchingRule.LOCAL_ONLY
    return SignatureValidationSpec(
        cert_validation_policy=CertValidationPolicySpec(
            trust_manager=SimpleTrustManager.build([x509.Certificate.load(root_der())]),
            revinfo_policy=CertRevTrustPolicy(RevocationCheckingPolicy.from_legacy("hard-fail")),
        ),
        revinfo_gathering_policy=RevocationInfoGatheringSpec(online_fetching_rule=rule),
    )


def _signature(pdf: bytes) -> Any:
    reader = PdfFileReader(io.BytesIO(pdf))
    (sig,) = reader.embedded_regular_signatures
    return sig


def ades_lta(pdf: bytes, *, online: bool) -> Any:
    return asyncio.run(ades_lta_validation(_signature(pdf), PdfSignatureValidationSpec(_spec(online))))


def ades_basic(pdf: bytes, *, with_time: bool) -> Any:
    sig = _signature(pdf)
    process = ades_with_time_validation if with_time else ades_basic_validation
    return asyncio.run(process(sig.signed_data, _spec(True), raw_digest=sig.compute_digest()))


def reached_level(pdf: bytes) -> PadesLevel:
    """The PAdES level the file's structure shows (timestamp token, DSS, document timestamp)."""
    reader = PdfFileReader(io.BytesIO(pdf))
    (sig,) = reader.embedded_regular_signatures
    assert sig.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
    if reader.embedded_timestamp_signatures:
        return PadesLevel.B_LTA
    if "/DSS" in reader.root:
        return PadesLevel.B_LT
    if next(generic_cms.extract_tst_data_iter(sig.signer_info, signed=False), None) is not None:
        return PadesLevel.B_T
    return PadesLevel.B_B


def assert_level(pdf: bytes, level: PadesLevel) -> None:
    """``pdf`` has ``level``'s structure and passes the AdES process that fits it (see the module docstring)."""
    assert reached_level(pdf) is level
    if level in (PadesLevel.B_B, PadesLevel.B_T):
        result = ades_basic(pdf, with_time=level is PadesLevel.B_T)
        assert result.ades_subindic is AdESPassed.OK, result.failure_msg
        return
    result = ades_lta(pdf, online=False)
    assert result.api_status is not None
    assert result.api_status.bottom_line, result.failure_msg
    assert result.api_status.trusted
    assert result.signature_timestamp_status is not None
    assert result.signature_timestamp_status.ades_subindic is AdESPassed.OK
    if level is PadesLevel.B_LT:
        assert result.ades_subindic is AdESIndeterminate.NO_POE, result.failure_msg
    else:
        assert result.ades_subindic is AdESPassed.OK, result.failure_msg
        assert result.oldest_evidence_record_timestamp is not None

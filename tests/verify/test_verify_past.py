"""Past signature validation: a KK proven to exist while its signer's certificate was in force stays valid after
the certificate expires or is revoked; one signed afterwards stays refused; and revocation services out of reach
give "not decidable now", never "invalid" or "revoked".

The documents are signed in this process with the clock moved back (``kit.sign_at``): signer-expired (valid
2021-01-01..2023-01-01) in June 2022, signer-revoked (revoked 2024-06-01 08:00 UTC) in March 2024, at PAdES B-LTA.
Verifying them online asks mock BSrE on 127.0.0.1:8082 for today's OCSP answer on the TSA's certificate.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import verify_kit as kit

from mock_common.pytest_plugin import MockService
from siakgate.cli import main
from siakgate.signing.api import PadesLevel
from siakgate.verify import Indication, RevocationStatus, VerificationReport, verify_pdf_sync

SIGNED_2022 = datetime(2022, 6, 1, 3, 15, tzinfo=UTC)
"""signer-expired signs (its certificate ends 2023-01-01)."""
SIGNED_2024 = datetime(2024, 3, 1, 3, 15, tzinfo=UTC)
"""signer-revoked signs (revoked 2024-06-01 08:00 UTC)."""
AFTER_EXPIRY = datetime(2024, 6, 1, 3, 15, tzinfo=UTC)
AFTER_REVOCATION = datetime(2024, 7, 1, 3, 15, tzinfo=UTC)
ROOT_PEM = str(kit.CERTS / "root-ca.crt")


def verify(pdf: bytes, *, fetch: bool = True, **kwargs) -> VerificationReport:
    return verify_pdf_sync(pdf, trust_roots=[kit.ROOT_DER], allow_fetching=fetch, **kwargs)


def around(moment: datetime | None, expected: datetime) -> bool:
    return moment is not None and expected <= moment < expected + timedelta(minutes=1)


@pytest.fixture(scope="module")
def expired_lta() -> bytes:
    return kit.sign_at(SIGNED_2022, "signer-expired")


@pytest.fixture(scope="module")
def revoked_lta() -> bytes:
    return kit.sign_at(SIGNED_2024, "signer-revoked")


def test_expired_certificate_with_proof_before_expiry_is_valid_at_signing_time(
    expired_lta: bytes, mock_bsre_aia: MockService
) -> None:
    report = verify(expired_lta)
    assert report.valid, report.summary_id()
    assert report.indication is Indication.VALID_AT_SIGNING_TIME
    (sig,) = report.signatures
    assert sig.indication is Indication.VALID_AT_SIGNING_TIME
    assert around(sig.proven_at, SIGNED_2022)
    assert sig.trusted
    assert sig.trust_problem == "OUT_OF_BOUNDS_NO_POE"  # what the check today found, and the past cured
    assert "kedaluwarsa" in sig.trust_explanation
    assert sig.revocation.status is RevocationStatus.GOOD  # as the CRLs of June 2022 say
    assert sig.level is PadesLevel.B_LTA
    assert sig.signer.not_after < datetime.now(UTC)
    assert (
        "Sah: tanda tangan Agus Prasetyo terbukti ada pada 1 Juni 2022 10.15 WIB, saat sertifikat penanda tangan "
        "masih berlaku; sertifikat kini telah kedaluwarsa."
    ) in report.summary_id()
    data = report.to_json()
    assert data["valid"] is True
    assert data["indication"] == "VALID_AT_SIGNING_TIME"
    assert data["signatures"][0]["proven_at"].startswith("2022-06-01T03:15")
    assert report.to_bsre_v1()["summary"] == "DOCUMENT VALID !!!"


def test_a_renewed_archive_copy_is_valid_offline_after_expiry(expired_lta: bytes) -> None:
    """The archive's form of a KK: its evidence renewed today (today's CRLs, a new document timestamp and the
    evidence for it). Offline, the newest timestamp is fresh, and the oldest proves the signature existed in
    2022. Today's CRL of the issuing CA no longer lists the expired certificate, which pyHanko's time slide
    reads as "not revoked now": the engine validates as of the proven moment instead."""
    report = verify(kit.renew(expired_lta), fetch=False)
    assert report.indication is Indication.VALID_AT_SIGNING_TIME, report.summary_id()
    (sig,) = report.signatures
    assert around(sig.proven_at, SIGNED_2022)
    assert sig.revocation.status is RevocationStatus.GOOD
    assert sig.level is PadesLevel.B_LTA
    assert len(report.document_timestamps) == 2
    assert "sertifikat kini telah kedaluwarsa" in report.summary_id()


def test_revoked_after_a_proven_signature_stays_valid(revoked_lta: bytes, mock_bsre_aia: MockService) -> None:
    report = verify(revoked_lta)
    assert report.valid, report.summary_id()
    (sig,) = report.signatures
    assert sig.indication is Indication.VALID_AT_SIGNING_TIME
    assert around(sig.proven_at, SIGNED_2024)
    assert sig.revocation.status is RevocationStatus.REVOKED  # revoked it is, but after the proof
    assert sig.revocation.revoked_at == datetime(2024, 6, 1, 8, 0, tzinfo=UTC)
    assert sig.trust_problem == "REVOKED_NO_POE"
    assert (
        "Sah: tanda tangan Hendra Gunawan terbukti ada pada 1 Maret 2024 10.15 WIB, saat sertifikat penanda tangan "
        "masih berlaku dan belum dicabut; sertifikat itu kemudian dicabut pada 1 Juni 2024 15.00 WIB."
    ) in report.summary_id()


def _adesverify(pdf: Path) -> str:
    """``pyhanko sign adesverify --executive-summary`` with its defaults (online), as an auditor runs it."""
    runner = "import sys; from pyhanko.cli import cli_root; sys.argv[0] = 'pyhanko'; cli_root(prog_name='pyhanko')"
    args = ["sign", "adesverify", "--executive-summary", "--trust", ROOT_PEM, "--trust-replace", str(pdf)]
    result = subprocess.run([sys.executable, "-c", runner, *args], capture_output=True, text=True, timeout=120)
    return result.stdout.strip().rsplit(":", 1)[-1]


@pytest.mark.parametrize("which", ["expired_lta", "revoked_lta"])
def test_the_independent_validator_agrees(
    which: str, request: pytest.FixtureRequest, tmp_path: Path, mock_bsre_aia: MockService
) -> None:
    pdf = request.getfixturevalue(which)
    path = tmp_path / "kk.pdf"
    path.write_bytes(pdf)
    assert verify(pdf).valid
    assert _adesverify(path) == "VALID"


@pytest.mark.parametrize(
    ("signer", "moment", "proof"),
    [
        ("signer-expired", AFTER_EXPIRY, "document timestamp"),
        ("signer-expired", None, "document timestamp"),
        ("signer-revoked", AFTER_REVOCATION, "document timestamp"),
        ("signer-expired", AFTER_EXPIRY, "signature timestamp only"),
    ],
)
def test_a_signature_made_after_expiry_or_revocation_is_refused(
    signer: str, moment: datetime | None, proof: str, mock_bsre_aia: MockService
) -> None:
    """Its timestamps prove only that it existed after the certificate ended: no proof from before."""
    moment = moment or datetime.now(UTC) - timedelta(minutes=5)
    pdf = kit.sign_at(moment, signer, level="B-T", document_timestamp=proof == "document timestamp")
    report = verify(pdf)
    assert not report.valid
    assert report.indication is Indication.INVALID
    (sig,) = report.signatures
    assert sig.indication is Indication.INVALID
    assert sig.proven_at is None
    assert not sig.trusted
    assert "cap waktu menunjukkan tanda tangan dibuat sesudahnya" in sig.trust_explanation
    assert report.summary_id().startswith("Dokumen TIDAK valid")


def test_without_a_document_timestamp_an_expired_certificate_is_not_rescued(mock_bsre_aia: MockService) -> None:
    """B-T: the signature timestamp predates the expiry, but nothing proves the validation data of that time."""
    report = verify(kit.sign_at(SIGNED_2022, "signer-expired", level="B-T"))
    assert report.indication is Indication.INVALID
    assert "kedaluwarsa" in report.summary_id()


def test_revocation_services_out_of_reach_is_indeterminate_not_invalid(
    signed, revoked_lta: bytes, expired_lta: bytes
) -> None:
    revoked_now = kit.sign(kit.make_pdf(), signer=kit.signer_for("signer-revoked"))
    for pdf in (signed("B-T"), signed("B-B"), revoked_now, revoked_lta, expired_lta):
        report = verify(pdf, fetcher_backend=kit.UnreachableBackend())
        (sig,) = report.signatures
        assert report.indication is Indication.INDETERMINATE, report.summary_id()
        assert not report.valid
        assert sig.indication is Indication.INDETERMINATE
        assert sig.revocation.status is not RevocationStatus.REVOKED  # never claimed without an answer
        summary = report.summary_id()
        assert summary.startswith("Dokumen BELUM DAPAT DIPASTIKAN")
        assert "bukan berarti dokumen tidak sah" in summary
        assert "dicabut" not in summary
        assert report.to_json()["indication"] == "INDETERMINATE"
        assert "belum dapat dipastikan" in report.to_bsre_v2()["description"]


def test_offline_an_expired_certificate_waits_for_fresh_data(expired_lta: bytes) -> None:
    """Offline, the newest timestamp's TSA has only the revocation data of 2022: decidable online, not invalid."""
    report = verify(expired_lta, fetch=False)
    assert report.indication is Indication.INDETERMINATE
    assert not report.valid


def test_a_fresh_kk_is_still_plainly_valid(signed) -> None:
    report = verify(signed("B-LTA"))
    assert report.indication is Indication.VALID
    (sig,) = report.signatures
    assert sig.indication is Indication.VALID
    assert sig.trust_problem is None
    assert sig.timestamp is not None
    assert sig.proven_at == sig.timestamp.time
    assert "Sah:" not in report.summary_id()


def test_validation_as_of_a_given_moment(expired_lta: bytes, signed) -> None:
    """``at``: validate as of a moment, with only the validation data in the document."""
    in_window = verify(expired_lta, at=SIGNED_2022 + timedelta(minutes=30))
    assert in_window.indication is Indication.VALID  # the certificate was in force, the data fresh
    future = datetime(2036, 6, 1, tzinfo=UTC)  # kepala-dinas, its CA and the TSA ended 2035-12-31
    b_b = verify(signed("B-B"), at=future)
    assert b_b.indication is Indication.INVALID
    assert "kedaluwarsa" in b_b.signatures[0].trust_explanation
    # B-LTA does not help here: with the issuing CA expired too, pyHanko's AdES process has no path to
    # validate in the past (CERTIFICATE_CHAIN_GENERAL_FAILURE), and the document holds nothing newer.
    assert not verify(signed("B-LTA"), at=future).valid
    with pytest.raises(ValueError, match="timezone-aware"):
        verify(signed("B-B"), at=datetime(2036, 6, 1))


def test_cli_exit_codes(expired_lta: bytes, signed, tmp_path: Path, capsys, mock_bsre_aia: MockService) -> None:
    path = tmp_path / "kk-2022.pdf"
    path.write_bytes(expired_lta)
    assert main(["verify", str(path), "--trust-root", ROOT_PEM]) == 0
    assert "Sah: tanda tangan Agus Prasetyo terbukti ada pada 1 Juni 2022" in capsys.readouterr().out
    assert main(["verify", str(path), "--trust-root", ROOT_PEM, "--no-fetch"]) == 3  # try again later
    assert "BELUM DAPAT DIPASTIKAN" in capsys.readouterr().out
    fresh = tmp_path / "kk-b-b.pdf"
    fresh.write_bytes(signed("B-B"))
    assert main(["verify", str(fresh), "--trust-root", ROOT_PEM, "--at", "2036-06-01"]) == 1
    assert main(["verify", str(fresh), "--trust-root", ROOT_PEM, "--no-fetch", "--at", "2030-06-01T10:00"]) == 0
    capsys.readouterr()

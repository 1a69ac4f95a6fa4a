"""siakgate.verify on documents signed by pyHanko with the certs/ PKI: levels, trust, revocation, changes."""

from __future__ import annotations

from datetime import UTC, datetime

import anyio
import pytest
import verify_kit as kit

from siakgate.errors import VerificationError
from siakgate.signing.api import PadesLevel
from siakgate.verify import ModificationKind, RevocationStatus, verify_pdf, verify_pdf_sync

ROOTS = [kit.ROOT_DER]


def verify(pdf: bytes, *, fetch: bool = True, roots: list[bytes] | None = None):
    return verify_pdf_sync(pdf, trust_roots=roots or ROOTS, allow_fetching=fetch)


@pytest.mark.parametrize("level", ["B-B", "B-T", "B-LT", "B-LTA"])
def test_level_reached_and_valid(signed, level: str) -> None:
    report = verify(signed(level))
    assert report.valid
    (sig,) = report.signatures
    assert sig.level is PadesLevel(level)
    assert sig.intact
    assert sig.signature_valid
    assert sig.trusted
    assert sig.revocation.status is RevocationStatus.GOOD
    assert sig.signer.name == "Drs. Bambang Setiawan, M.Si."
    assert sig.signer.nik == "3508011205720001"
    assert sig.signer.email == "bambang.setiawan@dukcapil.lumajang.example"
    assert sig.signer.certificate_serial == format(kit.MANIFEST["entities"]["kepala-dinas"]["serial"], "x")
    assert "Issuing CA" in sig.signer.issuer_dn
    assert sig.trust_anchor == "siakgate Test Root CA"
    if level == "B-B":
        assert sig.timestamp is None
        assert sig.modification is ModificationKind.NONE
    else:
        assert sig.timestamp is not None
        assert sig.timestamp.valid
        assert sig.timestamp.tsa_name == "siakgate Test TSA"
        assert abs((sig.timestamp.time - datetime.now(UTC)).total_seconds()) < 3600
    if level in ("B-LT", "B-LTA"):
        assert sig.modification is ModificationKind.LTA_UPDATES
    assert len(report.document_timestamps) == (1 if level == "B-LTA" else 0)


def test_offline_b_b_has_unknown_revocation_but_stays_valid(signed) -> None:
    report = verify(signed("B-B"), fetch=False)
    assert report.valid
    assert report.signatures[0].revocation.status is RevocationStatus.UNKNOWN
    assert "tidak dapat diperiksa" in report.summary_id()


def test_offline_b_lt_validates_from_the_dss_alone(signed) -> None:
    report = verify(signed("B-LT"), fetch=False)
    assert report.valid
    assert report.signatures[0].revocation.status is RevocationStatus.GOOD
    assert report.signatures[0].level is PadesLevel.B_LT


def test_offline_b_t_is_not_b_lt(signed) -> None:
    assert verify(signed("B-T"), fetch=False).signatures[0].level is PadesLevel.B_T


def test_revoked_signer(tsa_url) -> None:
    pdf = kit.sign(kit.make_pdf(), signer=kit.signer_for("signer-revoked"))
    report = verify(pdf)
    assert not report.valid
    (sig,) = report.signatures
    assert sig.intact
    assert sig.revocation.status is RevocationStatus.REVOKED
    assert sig.revocation.revoked_at == datetime(2024, 6, 1, 8, 0, tzinfo=UTC)
    assert sig.revocation.reason == "key_compromise"
    assert not sig.trusted
    assert "dicabut pada 01-06-2024" in report.summary_id()
    assert report.to_json()["signatures"][0]["revocation"]["status"] == "REVOKED"


def test_expired_signer() -> None:
    pdf = kit.sign(kit.make_pdf(), signer=kit.signer_for("signer-expired"))
    report = verify(pdf, fetch=False)
    assert not report.valid
    sig = report.signatures[0]
    assert sig.intact
    assert not sig.trusted
    assert sig.trust_problem is not None
    assert "kedaluwarsa" in sig.trust_explanation
    assert "Agus Prasetyo" in report.summary_id()
    assert "kedaluwarsa" in report.summary_id()


def test_untrusted_root() -> None:
    pdf = kit.sign(kit.make_pdf(), signer=kit.self_signed_signer())
    report = verify(pdf, fetch=False)
    assert not report.valid
    sig = report.signatures[0]
    assert sig.intact
    assert sig.signature_valid
    assert not sig.trusted
    assert sig.trust_anchor is None
    assert "tidak terpercaya" in report.summary_id()
    # ...and trusted once its own certificate is configured as a root (the test can fail both ways).
    own_root = kit.asn1_x509.Certificate.load(kit.cert_der_of(pdf))
    assert verify(pdf, fetch=False, roots=[own_root.dump()]).signatures[0].trusted


def test_tampered_copy_is_not_intact(signed) -> None:
    report = verify(kit.flip_signed_byte(signed("B-B")), fetch=False)
    assert not report.valid
    assert not report.signatures[0].intact
    assert report.signatures[0].level is None
    assert "rusak atau isi yang ditandatangani telah diubah" in report.summary_id()


def test_innocent_form_fill_after_signing(signed) -> None:
    report = verify(kit.fill_form(signed("B-B")), fetch=False)
    assert report.signatures[0].modification is ModificationKind.FORM_FILLING
    assert report.valid


def test_innocent_dss_update_after_signing(signed) -> None:
    report = verify(kit.dss_only_update(signed("B-T")), fetch=False)
    sig = report.signatures[0]
    assert sig.modification is ModificationKind.LTA_UPDATES
    assert report.valid
    assert sig.level is PadesLevel.B_LT  # the DSS added later makes it long-term verifiable


def test_content_change_after_signing(signed) -> None:
    report = verify(kit.add_page_content(signed("B-B")), fetch=False)
    sig = report.signatures[0]
    assert sig.intact  # the signed revision itself is untouched...
    assert sig.modification is ModificationKind.OTHER  # ...but what came after changes the content
    assert not report.valid
    assert "diubah setelah ditandatangani" in report.summary_id()


def test_two_signatures_are_reported_in_order(signed) -> None:
    second = kit.sign(signed("B-B"), signer=kit.signer_for("sekretaris-dinas"), field_name="TTE2")
    report = verify(second, fetch=False)
    assert [s.field_name for s in report.signatures] == ["TTE", "TTE2"]
    assert report.signatures[0].modification is ModificationKind.FORM_FILLING
    assert report.signatures[1].modification is ModificationKind.NONE
    assert report.valid


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"bukan pdf sama sekali", "BUKAN_PDF"),
        (kit.make_pdf(), "TIDAK_ADA_TANDA_TANGAN"),
        (b"%PDF-1.7\n%garbage without xref\n", "PDF_TIDAK_TERBACA"),
    ],
)
def test_unreadable_inputs(data: bytes, code: str) -> None:
    with pytest.raises(VerificationError) as info:
        verify(data, fetch=False)
    assert info.value.code == code


def test_json_has_boolean_valid(signed) -> None:
    data = verify(signed("B-T"), fetch=False).to_json()
    assert data["valid"] is True
    sig = data["signatures"][0]
    assert sig["pades_level"] == "B-T"
    assert sig["signer"]["nik"] == "3508011205720001"  # the official's NIK: in the report, not in the summary
    assert "3508011205720001" not in data["summary"]
    assert sig["modification"]["level"] == "NONE"


def test_sync_wrapper_refuses_inside_a_running_loop(signed) -> None:
    async def inside() -> None:
        with pytest.raises(RuntimeError, match="event loop"):
            verify_pdf_sync(signed("B-B"), trust_roots=ROOTS, allow_fetching=False)
        report = await verify_pdf(signed("B-B"), trust_roots=ROOTS, allow_fetching=False)
        assert report.valid

    anyio.run(inside)


def test_trust_roots_may_be_given_as_pem(signed) -> None:
    """Offices hold their root as a .crt (PEM) file; it is trusted the same as its DER form."""
    pem_root = (kit.CERTS / "root-ca.crt").read_bytes()
    assert pem_root.startswith(b"-----BEGIN CERTIFICATE-----")
    report = verify(signed("B-B"), fetch=False, roots=[pem_root])
    assert report.valid
    assert report.signatures[0].trusted
    with pytest.raises(ValueError, match=r"not an X\.509 certificate"):
        verify(signed("B-B"), fetch=False, roots=[b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"])

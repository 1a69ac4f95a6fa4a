"""BsreClient, API v2 and the electronic seal, against the real mock BSrE."""

from __future__ import annotations

import pytest
from bsre_client_kit import (
    KEPALA_EMAIL,
    KEPALA_NIK,
    SEAL_ID,
    STATUS_NIKS,
    UNREGISTERED_NIK,
    Recorder,
    latest_code,
    make_pdf,
    validate,
)

from mock_common.pytest_plugin import MockService
from siakgate.bsre import OTP_INVALID_CODE, BsreClient, SignatureProperties, UserStatus
from siakgate.errors import (
    BsreRequestError,
    CertificateStatusError,
    SignerNotRegisteredError,
    WrongPassphraseError,
)
from siakgate.signing.api import Credential

pytestmark = pytest.mark.anyio


async def test_sign_many_in_one_call(bsre: BsreClient, passphrase: Credential, recorder: Recorder) -> None:
    pdfs = [make_pdf(f"KARTU KELUARGA {i}") for i in range(3)]
    props = [
        SignatureProperties(visible=True, image=None, page=1, x=100, y=100, width=120, height=50, reason="Uji"),
        SignatureProperties(visible=True, tag="#", width=120, height=50),
        SignatureProperties(location="Lumajang"),
    ]
    signed = await bsre.sign_pdf_v2(pdfs, nik=KEPALA_NIK, credential=passphrase, signature_properties=props)
    assert len(signed) == 3
    assert len(recorder.requests) == 1
    for original, out in zip(pdfs, signed, strict=True):
        assert out.startswith(original)
        (status,) = await validate(out)
        assert status.bottom_line


async def test_sign_by_email_one_property_for_all(bsre: BsreClient, passphrase: Credential) -> None:
    pdfs = [make_pdf(), make_pdf("KK lain")]
    signed = await bsre.sign_pdf_v2(
        pdfs, email=KEPALA_EMAIL, credential=passphrase, signature_properties=[SignatureProperties(reason="Uji")]
    )
    assert len(signed) == 2


async def test_sign_with_otp_and_otp_is_single_use(bsre: BsreClient, mock_bsre: MockService) -> None:
    assert await bsre.request_totp(nik=KEPALA_NIK, count=2) > 0
    otp = Credential.otp(latest_code(mock_bsre, nik=KEPALA_NIK, kind="sign-totp"))
    signed = await bsre.sign_pdf_v2([make_pdf(), make_pdf("dua")], nik=KEPALA_NIK, credential=otp)
    assert len(signed) == 2
    with pytest.raises(WrongPassphraseError) as caught:
        await bsre.sign_pdf_v2([make_pdf()], nik=KEPALA_NIK, credential=otp)
    assert caught.value.code == OTP_INVALID_CODE
    assert caught.value.remote_code == "2032"


async def test_wrong_passphrase(bsre: BsreClient, recorder: Recorder) -> None:
    with pytest.raises(WrongPassphraseError) as caught:
        await bsre.sign_pdf_v2([make_pdf()], nik=KEPALA_NIK, credential=Credential.passphrase("salah"))
    assert caught.value.remote_code == "2031"
    assert len(recorder.requests) == 1


async def test_refusals(bsre: BsreClient, passphrase: Credential) -> None:
    with pytest.raises(SignerNotRegisteredError):
        await bsre.sign_pdf_v2([make_pdf()], nik=UNREGISTERED_NIK, credential=passphrase)
    with pytest.raises(SignerNotRegisteredError):
        await bsre.request_totp(nik=UNREGISTERED_NIK, count=1)
    with pytest.raises(CertificateStatusError) as caught:
        await bsre.sign_pdf_v2([make_pdf()], nik=STATUS_NIKS["REVOKE"], credential=passphrase)
    assert caught.value.status == "REVOKE"
    with pytest.raises(CertificateStatusError) as expired:
        await bsre.request_totp(nik=STATUS_NIKS["EXPIRED"], count=1)
    assert expired.value.status == "EXPIRED"
    with pytest.raises(BsreRequestError) as bad_pdf:
        await bsre.sign_pdf_v2([b"bukan pdf"], nik=KEPALA_NIK, credential=passphrase)
    assert bad_pdf.value.remote_code == "4001"


async def test_local_checks_send_nothing(bsre: BsreClient, passphrase: Credential, recorder: Recorder) -> None:
    with pytest.raises(BsreRequestError):
        await bsre.sign_pdf_v2([make_pdf()], nik=KEPALA_NIK, email=KEPALA_EMAIL, credential=passphrase)
    with pytest.raises(BsreRequestError):
        await bsre.sign_pdf_v2([], nik=KEPALA_NIK, credential=passphrase)
    with pytest.raises(BsreRequestError) as tag:
        await bsre.sign_pdf_v2(
            [make_pdf()], nik=KEPALA_NIK, credential=passphrase,
            signature_properties=[SignatureProperties(visible=True, tag="##", width=10, height=10)],
        )  # fmt: skip
    assert tag.value.code == "TAG_KOORDINAT_TIDAK_VALID"
    with pytest.raises(BsreRequestError):
        await bsre.sign_pdf_v2(
            [make_pdf()] * 3, nik=KEPALA_NIK, credential=passphrase, signature_properties=[SignatureProperties()] * 2
        )
    assert recorder.requests == []


@pytest.mark.parametrize("status", [*STATUS_NIKS, "ISSUE", "NOT_REGISTERED"])
async def test_check_status(bsre: BsreClient, status: str) -> None:
    nik = {"ISSUE": KEPALA_NIK, "NOT_REGISTERED": UNREGISTERED_NIK}.get(status) or STATUS_NIKS[status]
    info = await bsre.check_status(nik=nik)
    assert info.status is UserStatus(status)


async def test_check_status_by_email(bsre: BsreClient) -> None:
    assert (await bsre.check_status(email=KEPALA_EMAIL)).status is UserStatus.ISSUE


async def test_verify_v2(bsre: BsreClient, passphrase: Credential) -> None:
    pdf = make_pdf()
    assert (await bsre.verify_v2(pdf)).conclusion == "NO_SIGNATURE"
    (signed,) = await bsre.sign_pdf_v2([pdf], nik=KEPALA_NIK, credential=passphrase)
    report = await bsre.verify_v2(signed)
    assert report.valid
    assert report.signature_count == 1
    info = report.signature_informations[0]
    assert info.signature_date is not None
    assert info.signature_date.tzinfo is not None
    assert info.integrity_valid
    assert info.certificate_trusted
    assert info.last_signature
    assert info.timestamp_information is not None
    assert info.certificate_details
    tampered = await bsre.verify_v2(signed.replace(b"KARTU", b"KARTV", 1))
    assert not tampered.valid
    assert tampered.conclusion == "INVALID"


async def test_seal_flow(bsre: BsreClient, mock_bsre: MockService) -> None:
    await bsre.seal_request_activation(SEAL_ID)
    activation = Credential.otp(latest_code(mock_bsre, idSubscriber=SEAL_ID, kind="seal-activation"))
    # The guide's refresh extends the code and answers it (p.27); an older mock issued a new one: either way the
    # answered code is the one to use.
    refreshed = (await bsre.seal_refresh_activation(SEAL_ID, activation)).credential
    code = await bsre.seal_totp(SEAL_ID, refreshed, count=2)
    assert code.code.get_secret_value() == latest_code(mock_bsre, idSubscriber=SEAL_ID, kind="seal-totp")
    assert code.expires_at is not None or code.valid_seconds
    sealed = await bsre.seal_pdf([make_pdf(), make_pdf("dua")], id_subscriber=SEAL_ID, seal_code=code)
    for out in sealed:
        (status,) = await validate(out)
        assert status.bottom_line
    with pytest.raises(WrongPassphraseError):  # spent
        await bsre.seal_pdf([make_pdf()], id_subscriber=SEAL_ID, seal_code=code)
    await bsre.seal_revoke_activation(SEAL_ID, refreshed)
    with pytest.raises(WrongPassphraseError) as caught:
        await bsre.seal_totp(SEAL_ID, refreshed, count=1)
    assert caught.value.remote_code == "2061"
    with pytest.raises(SignerNotRegisteredError):
        await bsre.seal_request_activation("SEAL-TIDAK-ADA")

"""BsreClient, API v1, against the real mock BSrE: every endpoint and every refusal."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from bsre_client_kit import (
    KEPALA_NIK,
    STATUS_NIKS,
    UNREGISTERED_NIK,
    Recorder,
    make_pdf,
    validate,
)

from mock_common.pytest_plugin import MockService
from siakgate.bsre import BsreClient, RetryPolicy, UserStatus, V1Appearance
from siakgate.errors import (
    BsreAuthError,
    BsreRequestError,
    CertificateStatusError,
    SignerNotRegisteredError,
    WrongPassphraseError,
)
from siakgate.signing.api import Credential

pytestmark = pytest.mark.anyio

QR = V1Appearance(visible=True, link_qr="https://gateway.example/v/abc", page=1, x=560, y=46, width=230, height=62)


async def test_sign_invisible_and_download_once(bsre: BsreClient, passphrase: Credential) -> None:
    pdf = make_pdf()
    signed, doc_id = await bsre.sign_pdf_v1(pdf, nik=KEPALA_NIK, credential=passphrase, reason="Uji")
    assert signed.startswith(pdf)  # an incremental update of our bytes
    (status,) = await validate(signed)
    assert status.bottom_line
    assert await bsre.download(doc_id) == signed
    with pytest.raises(BsreRequestError) as again:
        await bsre.download(doc_id)
    assert again.value.code == "DOKUMEN_SUDAH_DIUNDUH"
    with pytest.raises(BsreRequestError) as unknown:
        await bsre.download("0" * 32)
    assert unknown.value.code == "DOKUMEN_TIDAK_DITEMUKAN"


@pytest.mark.parametrize(
    "appearance",
    [
        QR,
        V1Appearance(visible=True, link_qr="https://gateway.example/v/abc", tag="#", width=120, height=60),
        V1Appearance(visible=True, image=b"", page="TERAKHIR", x=100, y=100, width=80, height=40),
    ],
    ids=["qr-coordinates", "qr-tag", "image-last-page"],
)
async def test_sign_visible(bsre: BsreClient, passphrase: Credential, appearance: V1Appearance) -> None:
    if appearance.image is not None:
        from io import BytesIO

        from PIL import Image

        buf = BytesIO()
        Image.new("RGB", (60, 30), (10, 60, 160)).save(buf, format="PNG")
        appearance = V1Appearance(**{**appearance.__dict__, "image": buf.getvalue()})
    signed, _ = await bsre.sign_pdf_v1(make_pdf(), nik=KEPALA_NIK, credential=passphrase, appearance=appearance)
    (status,) = await validate(signed)
    assert status.bottom_line


@pytest.mark.parametrize("tag", ["", "##", "[qr_bsre]"])
async def test_tag_must_be_one_character_refused_before_sending(
    bsre: BsreClient, passphrase: Credential, recorder: Recorder, tag: str
) -> None:
    appearance = V1Appearance(visible=True, link_qr="https://x.example", tag=tag, width=100, height=50)
    with pytest.raises(BsreRequestError) as caught:
        await bsre.sign_pdf_v1(make_pdf(), nik=KEPALA_NIK, credential=passphrase, appearance=appearance)
    assert caught.value.code == "TAG_KOORDINAT_TIDAK_VALID"
    assert recorder.requests == []


async def test_tag_not_printed_is_bsre_4002(bsre: BsreClient, passphrase: Credential) -> None:
    appearance = V1Appearance(visible=True, link_qr="https://x.example", tag="$", width=100, height=50)
    with pytest.raises(BsreRequestError) as caught:
        await bsre.sign_pdf_v1(make_pdf(), nik=KEPALA_NIK, credential=passphrase, appearance=appearance)
    assert caught.value.remote_code == "4002"


async def test_wrong_passphrase_2031(bsre: BsreClient, recorder: Recorder) -> None:
    with pytest.raises(WrongPassphraseError) as caught:
        await bsre.sign_pdf_v1(make_pdf(), nik=KEPALA_NIK, credential=Credential.passphrase("salah-sekali"))
    assert caught.value.remote_code == "2031"
    assert caught.value.code == "PASSPHRASE_SALAH"
    assert len(recorder.requests) == 1  # never retried


async def test_unregistered_2011(bsre: BsreClient, passphrase: Credential) -> None:
    with pytest.raises(SignerNotRegisteredError) as caught:
        await bsre.sign_pdf_v1(make_pdf(), nik=UNREGISTERED_NIK, credential=passphrase)
    assert caught.value.remote_code == "2011"


@pytest.mark.parametrize(
    ("status", "remote_code"),
    [
        ("EXPIRED", "2051"),
        ("RENEW", "2051"),
        ("SUSPEND", "2052"),
        ("REVOKE", "2053"),
        ("NEW", "2021"),
        ("WAITING_FOR_VERIFICATION", "2021"),
        ("NO_CERTIFICATE", "2021"),
    ],
)
async def test_certificate_status_refusals(bsre: BsreClient, status: str, remote_code: str) -> None:
    with pytest.raises(CertificateStatusError) as caught:
        await bsre.sign_pdf_v1(make_pdf(), nik=STATUS_NIKS[status], credential=Credential.passphrase("x"))
    assert caught.value.status == status
    assert caught.value.remote_code == remote_code


async def test_bad_pdf_4001(bsre: BsreClient, passphrase: Credential) -> None:
    with pytest.raises(BsreRequestError) as caught:
        await bsre.sign_pdf_v1(b"%PDF-1.7 not really", nik=KEPALA_NIK, credential=passphrase)
    assert caught.value.remote_code == "4001"


async def test_bad_nik_and_otp_refused_locally(bsre: BsreClient, passphrase: Credential, recorder: Recorder) -> None:
    with pytest.raises(BsreRequestError):
        await bsre.sign_pdf_v1(make_pdf(), nik="12345", credential=passphrase)
    with pytest.raises(BsreRequestError) as caught:
        await bsre.sign_pdf_v1(make_pdf(), nik=KEPALA_NIK, credential=Credential.otp("123456"))
    assert caught.value.code == "KREDENSIAL_TIDAK_DIDUKUNG"
    assert recorder.requests == []


async def test_wrong_application_credentials_401(
    http: httpx.AsyncClient, mock_bsre: MockService, policy: RetryPolicy, passphrase: Credential
) -> None:
    client = BsreClient(http, mock_bsre.url, mock_bsre.username, "bukan-sandinya", retry=policy)
    with pytest.raises(BsreAuthError):
        await client.sign_pdf_v1(make_pdf(), nik=KEPALA_NIK, credential=passphrase)
    with pytest.raises(BsreAuthError):
        await client.user_status_v1(KEPALA_NIK)


async def test_disabled_application_401(bsre: BsreClient, mock_bsre: MockService) -> None:
    httpx.post(f"{mock_bsre.url}/_admin/clients/{mock_bsre.username}/disable").raise_for_status()
    try:
        with pytest.raises(BsreAuthError):
            await bsre.user_status_v1(KEPALA_NIK)
    finally:
        httpx.post(f"{mock_bsre.url}/_admin/clients/{mock_bsre.username}/enable").raise_for_status()


async def test_verify_v1(bsre: BsreClient, passphrase: Credential) -> None:
    pdf = make_pdf()
    unsigned = await bsre.verify_v1(pdf)
    assert unsigned.jumlah_signature == 0
    assert not unsigned.valid
    signed, _ = await bsre.sign_pdf_v1(pdf, nik=KEPALA_NIK, credential=passphrase, reason="Uji", location="Lumajang")
    report = await bsre.verify_v1(signed)
    assert report.valid
    assert report.jumlah_signature == 1
    detail = report.details[0]
    assert detail.info_signer is not None
    assert detail.info_signer.signer_name == "Drs. Bambang Setiawan, M.Si."
    assert detail.signature_document is not None
    assert detail.signature_document.document_integrity is True
    assert detail.signature_document.location == "Lumajang"
    signed_in = detail.signature_document.signed_in  # served in WIB (guide p.17), read as such: aware, not 7 h off
    assert signed_in is not None
    assert signed_in.utcoffset() == timedelta(hours=7)
    assert abs(signed_in - datetime.now(UTC)) < timedelta(minutes=5)
    assert detail.info_signer.signer_cert_valid_from is not None
    assert detail.info_signer.signer_cert_valid_from < signed_in
    tampered = signed.replace(b"KARTU", b"KARTV", 1)
    assert not (await bsre.verify_v1(tampered)).valid


async def test_verify_v1_bad_pdf(bsre: BsreClient) -> None:
    with pytest.raises(BsreRequestError):
        await bsre.verify_v1(b"bukan pdf")


@pytest.mark.parametrize("status", [*STATUS_NIKS, "ISSUE", "NOT_REGISTERED"])
async def test_user_status_v1(bsre: BsreClient, status: str) -> None:
    nik = {"ISSUE": KEPALA_NIK, "NOT_REGISTERED": UNREGISTERED_NIK}.get(status) or STATUS_NIKS[status]
    info = await bsre.user_status_v1(nik)
    assert info.status is UserStatus(status)
    assert info.can_sign is (status == "ISSUE")

"""The gateway's BSrE client reads every answer shape BSrE's technical guide shows, and those the field shows.

Source: "Petunjuk Teknis API Esign Client Service" v2.2.1 (January 2024); page numbers are the guide's printed ones.
The first part serves each example literally (an ``httpx.MockTransport``) through :class:`BsreClient`; the second
walks every endpoint the guide describes through the client against the real mock BSrE.
"""

from __future__ import annotations

import base64
import json
import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from bsre_client_kit import KEPALA_NIK, SEAL_ID, latest_code, make_pdf, validate
from bsre_guide_kit import (
    GUIDE_SEAL_ACTIVATION,
    GUIDE_SEAL_REFRESH,
    GUIDE_SEAL_TOTP,
    GUIDE_V1_VERIFY,
    GUIDE_V2_VERIFY,
    filled,
)
from hypothesis import given
from hypothesis import strategies as st

from mock_common.pytest_plugin import MockService
from siakgate.bsre import WIB, BsreClient, RetryPolicy, SealCode, UserStatus
from siakgate.errors import (
    BsreError,
    BsreRequestError,
    MalformedResponseError,
    SignerNotRegisteredError,
    WrongPassphraseError,
)
from siakgate.signing.api import Credential

pytestmark = pytest.mark.anyio

ONCE = RetryPolicy(attempts=1, initial_wait=0.01, max_wait=0.01, jitter=0)
ACTIVATION = Credential.otp("482913")
GUIDE_EXPIRES = datetime(2023, 8, 7, 4, 24, 40, 927000, tzinfo=UTC)


class Served:
    """One canned answer, and every request that asked for it."""

    def __init__(self, status: int, body: Any, *, content_type: str = "application/json") -> None:
        self.status = status
        self.body = body
        self.content_type = content_type
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        content = self.body if isinstance(self.body, bytes) else json.dumps(self.body).encode()
        return httpx.Response(self.status, content=content, headers={"content-type": self.content_type})

    def sent(self) -> dict[str, Any]:
        (request,) = self.requests
        body: dict[str, Any] = json.loads(request.content)
        return body


def client_for(handler: Callable[[httpx.Request], httpx.Response]) -> BsreClient:
    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    return BsreClient(http, "http://esign.test", "siakgate", "rahasia-aplikasi", retry=ONCE)


# -- seal (p.26-29) -------------------------------------------------------------------------------


async def test_seal_activation_guide_envelope() -> None:
    served = Served(200, GUIDE_SEAL_ACTIVATION)
    message = await client_for(served).seal_request_activation(SEAL_ID)
    assert message == "TOTP Aktivasi berhasil dikirim"
    assert served.requests[0].url.path == "/api/v2/seal/get/activation"
    assert served.sent() == {"idSubscriber": SEAL_ID}


async def test_seal_activation_success_false_is_a_clear_error() -> None:
    served = Served(200, {"success": False, "message": "idSubscriber tidak ditemukan", "data": None})
    with pytest.raises(BsreError) as caught:
        await client_for(served).seal_request_activation(SEAL_ID)
    assert "idSubscriber tidak ditemukan" in caught.value.message


async def test_seal_refresh_guide_envelope_reads_data_totp() -> None:
    served = Served(200, filled(GUIDE_SEAL_REFRESH, totp="629109"))
    code = await client_for(served).seal_refresh_activation(SEAL_ID, ACTIVATION)
    assert isinstance(code, SealCode)
    assert code.code.get_secret_value() == "629109"
    assert code.credential.reveal() == "629109"
    assert code.expires_at == GUIDE_EXPIRES
    assert code.valid_seconds is None
    assert code.message == "TOTP Aktivasi masih berlaku"
    assert served.sent() == {"idSubscriber": SEAL_ID, "totp": "482913"}
    assert "629109" not in repr(code)
    assert "629109" not in str(code)


async def test_seal_totp_guide_flat_answer() -> None:
    served = Served(200, filled(GUIDE_SEAL_TOTP, totp="731554"))
    code = await client_for(served).seal_totp(SEAL_ID, ACTIVATION, count=2)
    assert code.code.get_secret_value() == "731554"
    assert code.expires_at == GUIDE_EXPIRES
    assert served.requests[0].url.path == "/api/v2/seal/get/totp"
    assert served.sent() == {"idSubscriber": SEAL_ID, "totp": "482913", "data": 2}


@pytest.mark.parametrize(
    ("answer", "seconds"),
    [
        ({"message": "Aktivasi seal berhasil diperbarui", "result": "123456", "expired": 86400}, 86400),
        ({"message": "TOTP seal berhasil dibuat", "result": 123456, "expired": 300}, 300),
        ({"totp": "123456", "expires": 300, "result": True}, 300),
        ({"totp": 123456, "expires": "300", "result": True}, 300),
        ({"success": True, "message": None, "data": {"totp": "123456", "expires": 120, "result": True}}, 120),
    ],
    ids=["old-result-string", "old-result-number", "expires-seconds", "numbers-as-text", "envelope-seconds"],
)
async def test_seal_code_other_shapes(answer: dict[str, Any], seconds: int) -> None:
    code = await client_for(Served(200, answer)).seal_totp(SEAL_ID, ACTIVATION, count=1)
    assert code.code.get_secret_value() == "123456"
    assert code.valid_seconds == seconds
    assert code.expires_at is None


@pytest.mark.parametrize(
    "answer",
    [
        {"message": "TOTP berhasil dibuat", "expires": "2023-08-07T04:24:40.927+0000", "result": True},
        {"success": True, "message": None, "data": {"message": "x", "result": True}},
        {"success": True, "message": "ok", "data": None},
        {"totp": "", "result": True},
    ],
    ids=["result-true-no-totp", "envelope-result-true", "envelope-no-data", "empty-totp"],
)
async def test_seal_code_missing_is_malformed_never_true(answer: dict[str, Any]) -> None:
    """``result: true`` is a success flag: taking it as the seal code would send "True" as an OTP."""
    with pytest.raises(MalformedResponseError):
        await client_for(Served(200, answer)).seal_totp(SEAL_ID, ACTIVATION, count=1)


async def test_seal_expires_unreadable_is_malformed() -> None:
    with pytest.raises(MalformedResponseError):
        await client_for(Served(200, {"totp": "123456", "expires": "besok pagi"})).seal_totp(
            SEAL_ID, ACTIVATION, count=1
        )


@pytest.mark.parametrize(
    "answer",
    [
        {"success": False, "message": "TOTP Aktivasi tidak valid", "data": None},
        {"success": True, "message": None, "data": {"message": "TOTP Aktivasi tidak valid", "result": False}},
    ],
    ids=["envelope", "data-result-false"],
)
async def test_seal_refresh_refused_with_http_200(answer: dict[str, Any]) -> None:
    with pytest.raises(BsreError) as caught:
        await client_for(Served(200, answer)).seal_refresh_activation(SEAL_ID, ACTIVATION)
    assert "TOTP Aktivasi tidak valid" in caught.value.message


async def test_seal_revoke_success_false() -> None:
    served = Served(200, {"success": False, "message": "Aktivasi tidak ditemukan", "data": None})
    with pytest.raises(BsreError):
        await client_for(served).seal_revoke_activation(SEAL_ID, ACTIVATION)
    assert served.requests[0].url.path == "/api/v2/seal/revoke/activation"


async def test_seal_pdf_takes_the_seal_code_model() -> None:
    pdf = make_pdf()
    served = Served(200, {"time": 1000, "file": [base64.b64encode(pdf + b"%sealed").decode()]})
    code = SealCode.from_answer({"totp": "629109", "expires": "2023-08-07T04:24:40.927+0000", "result": True})
    (sealed,) = await client_for(served).seal_pdf([pdf], id_subscriber=SEAL_ID, seal_code=code)
    assert sealed == pdf + b"%sealed"
    body = served.sent()
    assert body["totp"] == "629109"
    assert body["idSubscriber"] == SEAL_ID
    assert body["signatureProperties"] == [{"tampilan": "INVISIBLE"}]


# -- registration (p.33) ----------------------------------------------------------------------------


async def test_register_user_sends_the_guide_body() -> None:
    served = Served(200, {"success": True, "message": "Registrasi berhasil", "data": None})
    info = await client_for(served).register_user("nama user", "nama@email.go.id")
    assert served.requests[0].url.path == "/api/v2/user/registration"
    assert served.sent() == {"nama": "nama user", "email": "nama@email.go.id"}
    assert info.success is True
    assert info.message == "Registrasi berhasil"


async def test_register_user_other_answer_fields_are_kept() -> None:
    answer = {"status_code": 1110, "status": "NEW", "message": "Pengguna terdaftar", "data": {"id": "U-1"}}
    info = await client_for(Served(200, answer)).register_user("nama user", "nama@email.go.id")
    assert info.status == "NEW"
    assert info.status_code == 1110
    assert info.data == {"id": "U-1"}


async def test_register_user_refusals() -> None:
    with pytest.raises(BsreError) as refused:
        await client_for(Served(200, {"success": False, "message": "Email sudah terdaftar"})).register_user(
            "nama user", "nama@email.go.id"
        )
    assert "Email sudah terdaftar" in refused.value.message
    with pytest.raises(BsreRequestError) as http_400:
        await client_for(Served(400, {"error": "Email tidak valid", "status_code": 4000})).register_user(
            "nama user", "nama@email.go.id"
        )
    assert http_400.value.remote_code == "4000"


async def test_register_user_checks_locally_first() -> None:
    served = Served(200, {"success": True})
    with pytest.raises(BsreRequestError):
        await client_for(served).register_user("nama user", "bukan-email")
    with pytest.raises(BsreRequestError):
        await client_for(served).register_user("  ", "nama@email.go.id")
    assert served.requests == []


# -- v2 verify (p.35-36) ------------------------------------------------------------------------------


async def test_verify_v2_guide_example() -> None:
    served = Served(200, GUIDE_V2_VERIFY)
    report = await client_for(served).verify_v2(b"%PDF-1.7 ...", password="rahasia")
    assert served.sent() == {"file": base64.b64encode(b"%PDF-1.7 ...").decode(), "password": "rahasia"}
    assert report.conclusion == "NO_SIGNATURE"
    assert not report.valid
    (info,) = report.signature_informations
    assert info.id == "S-95753E0AA2976206696F9A4052E13AB6DFE057"
    assert info.signature_format == "PKCS7-T"
    assert info.signature_date == datetime(2023, 7, 11, 2, 41, 23, tzinfo=UTC)
    assert info.signature_algorithm is None
    assert info.digest_algorithm is None
    assert info.timestamp_information is not None
    assert info.timestamp_information.id == "T-73049E0B76BC9223590E4DB041EB6DE13F14"
    assert info.timestamp_information.timestamp_date == datetime(2023, 7, 11, 2, 46, 28, tzinfo=UTC)
    leaf, ca = info.certificate_details
    assert leaf.id == "C-84C1AD5F3227F9404B570DC237D39112"
    assert leaf.signature_algorithm == "RSA with SHA256"
    assert leaf.key_usages == ["digitalSignature", "nonRepudiation"]
    assert leaf.not_after_date == datetime(2023, 12, 22, 7, 47, 10, tzinfo=UTC)
    assert ca.serial_number == "1077311342475385395"
    assert ca.key_usages == ["digitalSignature", "keyCertSign", "crlSign"]
    assert info.integrity_valid is True
    assert info.certificate_trusted is False


async def test_verify_v2_older_field_shapes() -> None:
    """What the mock served before the guide's shapes: numeric id, hex serial, microsecond dates, subjectDN,
    ``signatureAlgorithm`` spelled right, a serial as a JSON number."""
    answer = {
        "documentName": "kk.pdf",
        "conclusion": "VALID",
        "signatureCount": 1,
        "signatureInformations": [
            {
                "id": 1,
                "signatureFormat": "PAdES-BASELINE-T",
                "signatureDate": "2026-11-22T03:15:42.123456+00:00",
                "modified": False,
                "timestampInfomation": {"signerName": "TSA", "timestampDate": "2026-11-22T03:15:43.5+00:00"},
                "certificateDetails": [
                    {"subjectDN": "CN=A", "serialNumber": "1f2e3d", "signatureAlgorithm": "SHA256withRSA"},
                    {"serialNumber": 1077311342475385395, "notBeforeDate": "2018-04-08T17:23:28"},
                ],
            }
        ],
    }
    report = await client_for(Served(200, answer)).verify_v2(b"%PDF-")
    assert report.valid
    (info,) = report.signature_informations
    assert info.id == "1"
    assert info.signature_date == datetime(2026, 11, 22, 3, 15, 42, 123456, tzinfo=UTC)
    first, second = info.certificate_details
    assert first.serial_number == "1f2e3d"
    assert first.signature_algorithm == "SHA256withRSA"
    assert second.serial_number == "1077311342475385395"
    assert second.not_before_date == datetime(2018, 4, 8, 17, 23, 28, tzinfo=UTC)  # no offset: UTC


async def test_verify_v2_unreadable_date_is_malformed() -> None:
    answer = {"conclusion": "VALID", "signatureInformations": [{"signatureDate": "kemarin"}]}
    with pytest.raises(MalformedResponseError):
        await client_for(Served(200, answer)).verify_v2(b"%PDF-")


# -- v1 verify (p.16-17): WIB times -------------------------------------------------------------------

# The guide's v1 example with its placeholders filled and the validity it cuts short ("... to") completed.
GUIDE_V1_ANSWER = filled(GUIDE_V1_VERIFY, nama_dokumen="kk.pdf", notes="Dokumen valid", summary="VALID")
GUIDE_V1_ANSWER["details"][0]["info_signer"]["signer_cert_validity"] = (
    "2023-10-06 12:56:15.00 to 2024-10-06 12:56:15.00"
)


async def test_verify_v1_guide_example_times_are_wib() -> None:
    report = await client_for(Served(200, GUIDE_V1_ANSWER)).verify_v1(b"%PDF-")
    assert report.valid
    (detail,) = report.details
    assert detail.signature_document is not None
    assert detail.info_signer is not None
    signed_in = detail.signature_document.signed_in
    assert signed_in == datetime(2023, 10, 16, 13, 28, 34, tzinfo=WIB)
    assert signed_in == datetime(2023, 10, 16, 6, 28, 34, tzinfo=UTC)  # 7 hours before, in UTC
    assert detail.info_signer.signer_cert_valid_from == datetime(2023, 10, 6, 5, 56, 15, tzinfo=UTC)
    assert detail.info_signer.signer_cert_valid_until == datetime(2024, 10, 6, 12, 56, 15, tzinfo=WIB)
    assert detail.info_tsa is not None
    assert detail.info_tsa.tsa_cert_valid_from is None


async def test_verify_v1_validity_cut_short_like_the_guide() -> None:
    """The guide prints ``2023-10-06 12:56:15.00 to…``: the start is read, the end is unknown."""
    answer = json.loads(json.dumps(GUIDE_V1_ANSWER))
    answer["details"][0]["info_signer"]["signer_cert_validity"] = "2023-10-06 12:56:15.00 to…"
    (detail,) = (await client_for(Served(200, answer)).verify_v1(b"%PDF-")).details
    assert detail.info_signer is not None
    assert detail.info_signer.signer_cert_valid_from == datetime(2023, 10, 6, 12, 56, 15, tzinfo=WIB)
    assert detail.info_signer.signer_cert_valid_until is None


async def test_verify_v1_unreadable_signed_in_is_malformed() -> None:
    answer = json.loads(json.dumps(GUIDE_V1_ANSWER))
    answer["details"][0]["signature_document"]["signed_in"] = "16 Oktober 2023"
    with pytest.raises(MalformedResponseError):
        await client_for(Served(200, answer)).verify_v1(b"%PDF-")


# -- v1 errors: the reason code in the text or in status_code -----------------------------------------

V1_SHAPES = {
    "text": (400, {"error": "Proses signing gagal : Passphrase anda salah 2031", "status_code": 400}),
    "status-code": (400, {"error": "Passphrase anda salah", "status_code": 2031}),
    "status-code-as-text": (400, {"error": "Passphrase anda salah", "status_code": "2031"}),
    "status-code-http-200": (200, {"error": "Passphrase anda salah", "status_code": 2031}),
    "message-key": (400, {"message": "Passphrase anda salah", "status_code": 2031}),
    "old-web-api": (400, {"status_code": 2031, "error": "Passphrase anda salah !!!"}),
}


@pytest.mark.parametrize("shape", V1_SHAPES)
async def test_v1_wrong_passphrase_same_exception_in_every_shape(shape: str) -> None:
    status, body = V1_SHAPES[shape]
    with pytest.raises(WrongPassphraseError) as caught:
        await client_for(Served(status, body)).sign_pdf_v1(
            make_pdf(), nik=KEPALA_NIK, credential=Credential.passphrase("salah")
        )
    assert caught.value.remote_code == "2031"
    assert "Passphrase anda salah" in caught.value.message


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (400, {"error": "Proses signing gagal : User tidak terdaftar 2011", "status_code": 400}),
        (400, {"error": "Penandatangan tidak terdaftar", "status_code": 2011}),
    ],
    ids=["text", "status-code"],
)
async def test_v1_unregistered_in_both_shapes(status: int, body: dict[str, Any]) -> None:
    with pytest.raises(SignerNotRegisteredError) as caught:
        await client_for(Served(status, body)).sign_pdf_v1(
            make_pdf(), nik=KEPALA_NIK, credential=Credential.passphrase("x")
        )
    assert caught.value.remote_code == "2011"


async def test_v1_http_status_echoed_is_not_a_bsre_code() -> None:
    """``status_code: 400`` beside a text without a code: a request error, no invented reason code."""
    with pytest.raises(BsreRequestError) as caught:
        await client_for(Served(400, {"error": "Proses signing gagal : file rusak", "status_code": 400})).sign_pdf_v1(
            make_pdf(), nik=KEPALA_NIK, credential=Credential.passphrase("x")
        )
    assert caught.value.remote_code is None


async def test_v2_refusal_with_http_200_is_mapped() -> None:
    with pytest.raises(WrongPassphraseError):
        await client_for(Served(200, {"error": "Passphrase anda salah", "status_code": 2031})).sign_pdf_v2(
            [make_pdf()], nik=KEPALA_NIK, credential=Credential.passphrase("salah")
        )


# -- every endpoint the guide describes, through the client, against the real mock ------------------


async def test_every_guide_endpoint_against_mock(mock_bsre: MockService) -> None:
    passphrase = Credential.passphrase("kepala-dinas-uji-123")
    async with httpx.AsyncClient(timeout=60) as http:
        bsre = BsreClient(http, mock_bsre.url, mock_bsre.username, mock_bsre.password, retry=ONCE)
        # v1 (p.7-17): sign, download once, verify, status
        pdf = make_pdf()
        signed, doc_id = await bsre.sign_pdf_v1(pdf, nik=KEPALA_NIK, credential=passphrase)
        assert (await bsre.download(doc_id)).startswith(pdf)
        v1 = await bsre.verify_v1(signed)
        assert v1.valid
        assert v1.details[0].signature_document is not None
        signed_in = v1.details[0].signature_document.signed_in
        assert signed_in is not None
        assert abs(signed_in - datetime.now(UTC)) < timedelta(minutes=5)
        assert (await bsre.user_status_v1(KEPALA_NIK)).status is UserStatus.ISSUE
        # v2 (p.18-25, 31-36): sign, sign TOTP, status, registration, verify
        (signed2,) = await bsre.sign_pdf_v2([pdf], nik=KEPALA_NIK, credential=passphrase)
        assert await bsre.request_totp(nik=KEPALA_NIK, count=1) >= 0
        otp = Credential.otp(latest_code(mock_bsre, nik=KEPALA_NIK, kind="sign-totp"))
        (signed3,) = await bsre.sign_pdf_v2([pdf], nik=KEPALA_NIK, credential=otp)
        assert (await bsre.check_status(nik=KEPALA_NIK)).can_sign
        v2 = await bsre.verify_v2(signed3)
        assert v2.valid
        assert v2.signature_informations[0].signature_date is not None
        email = f"uji-{secrets.token_hex(4)}@dukcapil.example"
        registered = await bsre.register_user("Pengguna Uji", email)
        assert registered.success is not False
        assert not (await bsre.check_status(email=email)).can_sign  # registered, no certificate yet
        with pytest.raises(BsreRequestError):  # the same e-mail twice
            await bsre.register_user("Pengguna Uji", email)
        # seal (p.25-30): activation, refresh, seal TOTP, seal PDF, revoke
        await bsre.seal_request_activation(SEAL_ID)
        activation = Credential.otp(latest_code(mock_bsre, idSubscriber=SEAL_ID, kind="seal-activation"))
        refreshed = await bsre.seal_refresh_activation(SEAL_ID, activation)
        seal_code = await bsre.seal_totp(SEAL_ID, refreshed.credential, count=1)
        (sealed,) = await bsre.seal_pdf([make_pdf("SEGEL")], id_subscriber=SEAL_ID, seal_code=seal_code)
        await bsre.seal_revoke_activation(SEAL_ID, refreshed.credential)
    for out in (signed, signed2, signed3, sealed):
        (status,) = await validate(out)
        assert status.bottom_line


@pytest.mark.parametrize(
    ("answer", "seconds"),
    [
        ({"message": "TOTP berhasil dikirim ke email terdaftar", "expired": 300}, 300),
        ({"success": True, "message": None, "data": {"message": "ok", "expires": 120}}, 120),
        ({"time": 1000, "file": []}, 0),  # what the guide prints on p.25, evidently the sign answer
    ],
    ids=["mock", "envelope", "guide-p25"],
)
async def test_request_sign_totp_answers(answer: dict[str, Any], seconds: int) -> None:
    served = Served(200, answer)
    assert await client_for(served).request_totp(nik=KEPALA_NIK, count=2) == seconds
    assert served.sent() == {"nik": KEPALA_NIK, "data": 2}


@given(
    code=st.text(alphabet="0123456789", min_size=4, max_size=8),
    seconds=st.integers(min_value=0, max_value=10**7),
    wrapped=st.booleans(),
    flag=st.sampled_from([True, False, None]),
)
def test_seal_code_reads_the_code_whatever_the_envelope(code: str, seconds: int, wrapped: bool, flag: Any) -> None:
    inner: dict[str, Any] = {"totp": code, "expires": seconds}
    if flag is not None:
        inner["result"] = flag
    answer = {"success": True, "message": None, "data": inner} if wrapped else inner
    read = SealCode.from_answer(answer)
    assert read.code.get_secret_value() == code
    assert read.valid_seconds == seconds


@given(flag=st.booleans(), wrapped=st.booleans())
def test_seal_code_never_takes_a_boolean_result(flag: bool, wrapped: bool) -> None:
    inner = {"message": "TOTP berhasil dibuat", "result": flag, "expires": "2023-08-07T04:24:40.927+0000"}
    with pytest.raises(ValueError, match="no seal code"):
        SealCode.from_answer({"success": True, "data": inner} if wrapped else inner)

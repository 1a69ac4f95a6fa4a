"""Contract tests from BSrE's guide ("Petunjuk Teknis API Esign Client Service" v2.2.1, printed pages cited).

Each request body is the guide's example with its ``{{placeholders}}`` filled in; each answer is checked
key by key against the guide's example answer: the same keys, the same JSON types, the same formats
(:func:`conforms`). Where the guide shows no answer, the mock's choice (mock_bsre/API.md) is checked.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from io import BytesIO
from pathlib import Path
from typing import Any

import httpx
import pytest
from bsre_guide_kit import (
    GUIDE_SEAL_ACTIVATION,
    GUIDE_SEAL_REFRESH,
    GUIDE_SEAL_TOTP,
    GUIDE_SIGN_ANSWER,
    GUIDE_V1_VERIFY,
    GUIDE_V2_VERIFY,
)
from bsre_testkit import CERTS, KEPALA, SEAL_ID, b64, make_pdf, make_png
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers

from mock_bsre.app import create_app
from mock_bsre.config import BsreMockConfig
from mock_bsre.pki import load_pki
from mock_common.pytest_plugin import MockService, serving

KEPALA_EMAIL = "bambang.setiawan@dukcapil.lumajang.example"
SEKCAM = {"nik": "3508200607780006", "email": "sekcam.sumbersuko@kecamatan.lumajang.example"}

ISO_MS_UTC = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00")  # v2 verify, p.35-36
EXPIRES = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000")  # seal answers, p.27 and p.29
WIB_CS = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d\d"  # v1 verify, p.16-17
SIG_FIELD = re.compile(r"sig_\d{13}")  # p.16 and p.35
DSS_ID = {prefix: re.compile(prefix + r"-[0-9A-F]{64}") for prefix in "STC"}

# Values the guide shows as null only because its example document had none (the sign example p.24 sends
# ``location: null``): a string is as right there. Every other null of the guide must be null.
DOCUMENT_NULLS = {"location", "reason"}


def conforms(answer: Any, example: Any, path: str = "$") -> list[str]:
    """Where ``answer`` departs from ``example``: keys, JSON types (null only where the guide has null)."""
    key = path.rsplit(".", 1)[-1]
    if isinstance(example, dict):
        if not isinstance(answer, dict):
            return [f"{path}: {type(answer).__name__}, the guide has an object"]
        problems = [f"{path}: keys {sorted(set(answer) ^ set(example))} differ"] if set(answer) != set(example) else []
        for k in set(answer) & set(example):
            problems += conforms(answer[k], example[k], f"{path}.{k}")
        return problems
    if isinstance(example, list):
        if not isinstance(answer, list):
            return [f"{path}: {type(answer).__name__}, the guide has an array"]
        return [p for item in answer for p in conforms(item, example[0], f"{path}[]")] if example else []
    if example is None:
        ok = answer is None or (key in DOCUMENT_NULLS and isinstance(answer, str))
        return [] if ok else [f"{path}: {answer!r}, the guide has null"]
    if answer is None and key in DOCUMENT_NULLS:
        return []
    if type(answer) is not type(example):
        return [f"{path}: {type(answer).__name__}, the guide has {type(example).__name__}"]
    return []


@pytest.fixture(scope="module")
def client(mock_bsre: MockService) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=mock_bsre.url, auth=mock_bsre.auth, timeout=60) as c:
        yield c


def last_code(mock_bsre: MockService, **query: str) -> str:
    messages = httpx.get(f"{mock_bsre.url}/_admin/outbox", params=query).json()["messages"]
    return str(messages[-1]["code"])


def request_sign_otp(client: httpx.Client, mock_bsre: MockService, files: int) -> str:
    """p.25: ``{nik, email, data}``; the guide's ``"data": 0`` is a type placeholder (like ``""`` and ``0.0``
    in the parameter list p.19); its prose asks for the number of files."""
    r = client.post("/api/v2/sign/get/totp", json={**SEKCAM, "data": files})
    assert r.status_code == 200, r.text
    return last_code(mock_bsre, nik=SEKCAM["nik"], kind="sign-totp")


def signed(r: httpx.Response, count: int) -> list[bytes]:
    assert r.status_code == 200, r.text
    assert conforms(r.json(), GUIDE_SIGN_ANSWER) == []
    assert len(r.json()["file"]) == count
    return [base64.b64decode(f) for f in r.json()["file"]]


# -- v2 sign, p.19-24 ----------------------------------------------------------------------------------------


def test_sign_invisible_by_email_and_passphrase(client: httpx.Client) -> None:
    """p.22-23 a."""
    body = {
        "email": KEPALA_EMAIL,
        "passphrase": KEPALA["passphrase"],
        "signatureProperties": [{"tampilan": "INVISIBLE"}],
        "file": [b64(make_pdf())],
    }
    signed(client.post("/api/v2/sign/pdf", json=body), 1)


def test_sign_visible_coordinates_by_nik_and_passphrase(client: httpx.Client) -> None:
    """p.23 b."""
    props = {"tampilan": "VISIBLE", "imageBase64": b64(make_png()), "page": 1, "originX": 10, "originY": 10}
    body = {
        "nik": KEPALA["nik"],
        "passphrase": KEPALA["passphrase"],
        "signatureProperties": [{**props, "width": 200, "height": 100}],
        "file": [b64(make_pdf())],
    }
    signed(client.post("/api/v2/sign/pdf", json=body), 1)


def test_sign_with_the_examples_otp_key(client: httpx.Client, mock_bsre: MockService) -> None:
    """p.23 c: the example sends ``otp`` where the parameter list (p.19) says ``totp``; both are accepted."""
    otp = request_sign_otp(client, mock_bsre, 1)
    props = {"tampilan": "VISIBLE", "tag_koordinat": "$", "imageBase64": b64(make_png()), "width": 200}
    body = {
        "nik": SEKCAM["nik"],
        "otp": otp,
        "signatureProperties": [{**props, "height": 100}],
        "file": [b64(make_pdf(tag="$"))],
    }
    signed(client.post("/api/v2/sign/pdf", json=body), 1)


def test_sign_many_kinds_by_email_and_otp(client: httpx.Client, mock_bsre: MockService) -> None:
    """p.24 d: three files, three properties, ``otp`` valid for three signatures."""
    otp = request_sign_otp(client, mock_bsre, 3)
    image = b64(make_png())
    body = {
        "email": SEKCAM["email"],
        "otp": otp,
        "signatureProperties": [
            {
                "tampilan": "VISIBLE",
                "imageBase64": image,
                "page": 1,
                "originX": 10,
                "originY": 10,
                "width": 200,
                "height": 100,
                "location": "Jakarta",
                "reason": "Tanda tangan elektronik",
            },
            {"tampilan": "INVISIBLE", "location": None, "reason": "Tanda tangan elektronik"},
            {
                "tampilan": "VISIBLE",
                "tag_koordinat": "$",
                "imageBase64": image,
                "width": 120,
                "height": 40,
                "location": "Jakarta",
                "reason": None,
            },
        ],
        "file": [b64(make_pdf()), b64(make_pdf()), b64(make_pdf(tag="$"))],
    }
    signed(client.post("/api/v2/sign/pdf", json=body), 3)


@pytest.mark.parametrize("key", ["otp", "totp"])
def test_a_wrong_one_time_code_is_a_totp_error_under_either_key(client: httpx.Client, key: str) -> None:
    body = {"nik": SEKCAM["nik"], key: "000000", "file": [b64(make_pdf())]}
    r = client.post("/api/v2/sign/pdf", json=body)
    assert r.status_code == 400
    assert r.json()["status_code"] == 2032  # not 2031 (passphrase): the code was read


def test_request_sign_totp_answer(client: httpx.Client, mock_bsre: MockService) -> None:
    """p.25 shows ``{time, file}`` (the sign answer, copied by mistake); the mock answers its chosen
    ``{message, expired}`` and e-mails the code."""
    r = client.post("/api/v2/sign/get/totp", json={**SEKCAM, "data": 2})
    assert r.status_code == 200
    assert isinstance(r.json()["message"], str)
    assert isinstance(r.json()["expired"], int)
    assert re.fullmatch(r"\d{6}", last_code(mock_bsre, nik=SEKCAM["nik"], kind="sign-totp"))


# -- seal, p.25-31 -------------------------------------------------------------------------------------------


def activate_seal(client: httpx.Client, mock_bsre: MockService) -> str:
    r = client.post("/api/v2/seal/get/activation", json={"idSubscriber": SEAL_ID})
    assert r.status_code == 200, r.text
    assert r.json() == GUIDE_SEAL_ACTIVATION
    return last_code(mock_bsre, idSubscriber=SEAL_ID, kind="seal-activation")


def test_seal_activation_refresh_totp_pdf_revoke(client: httpx.Client, mock_bsre: MockService) -> None:
    activation = activate_seal(client, mock_bsre)  # p.26
    refresh = client.post("/api/v2/seal/get/activation", json={"idSubscriber": SEAL_ID, "totp": activation})
    assert refresh.status_code == 200, refresh.text
    body = refresh.json()
    assert conforms(body, GUIDE_SEAL_REFRESH) == []  # p.27
    assert body["success"] is True
    assert body["message"] is None
    assert body["data"]["message"] == "TOTP Aktivasi masih berlaku"
    assert body["data"]["result"] is True
    assert body["data"]["totp"] == activation  # extended, not replaced ("memperpanjang masa berlaku", p.26)
    expires = datetime.strptime(body["data"]["expires"], "%Y-%m-%dT%H:%M:%S.%f%z")
    assert EXPIRES.fullmatch(body["data"]["expires"])
    assert expires > datetime.now(UTC) + timedelta(hours=23)  # seal_activation_ttl_seconds: one day

    seal_otp = client.post("/api/v2/seal/get/totp", json={"idSubscriber": SEAL_ID, "data": "2", "totp": activation})
    assert seal_otp.status_code == 200, seal_otp.text
    answer = seal_otp.json()
    assert conforms(answer, GUIDE_SEAL_TOTP) == []  # p.29: not wrapped in an envelope
    assert answer["message"] == "TOTP berhasil dibuat"
    assert answer["result"] is True
    assert EXPIRES.fullmatch(answer["expires"])
    assert answer["totp"] == last_code(mock_bsre, idSubscriber=SEAL_ID, kind="seal-totp")  # also e-mailed (p.29)

    seal_body = {  # p.30
        "idSubscriber": SEAL_ID,
        "totp": answer["totp"],
        "signatureProperties": [{"tampilan": "INVISIBLE", "location": None, "reason": None}],
        "file": [b64(make_pdf()), b64(make_pdf())],
    }
    signed(client.post("/api/v2/seal/pdf", json=seal_body), 2)  # p.31 "File yang sudah disegel": {time, file}

    revoke = client.post("/api/v2/seal/revoke/activation", json={"idSubscriber": SEAL_ID, "totp": activation})
    assert revoke.status_code == 200  # p.27-28 shows no answer; the activation's envelope (chosen)
    assert revoke.json() == {"success": True, "message": "TOTP Aktivasi berhasil dicabut", "data": None}
    after = client.post("/api/v2/seal/get/totp", json={"idSubscriber": SEAL_ID, "data": "1", "totp": activation})
    assert (after.status_code, after.json()["status_code"]) == (400, 2061)


def test_seal_pdf_accepts_otp_too(client: httpx.Client, mock_bsre: MockService) -> None:
    activation = activate_seal(client, mock_bsre)
    code = client.post("/api/v2/seal/get/totp", json={"idSubscriber": SEAL_ID, "data": 1, "totp": activation})
    body = {"idSubscriber": SEAL_ID, "otp": code.json()["totp"], "file": [b64(make_pdf())]}
    signed(client.post("/api/v2/seal/pdf", json=body), 1)


@pytest.mark.parametrize(
    ("path", "body", "code"),
    [
        ("/api/v2/seal/get/activation", {"idSubscriber": "TIDAK-ADA"}, 2011),
        ("/api/v2/seal/get/activation", {"idSubscriber": SEAL_ID, "totp": "000000"}, 2032),
        ("/api/v2/seal/revoke/activation", {"idSubscriber": SEAL_ID, "totp": "000000"}, 2032),
        ("/api/v2/seal/get/totp", {"idSubscriber": SEAL_ID, "data": "1", "totp": "000000"}, 2061),
        ("/api/v2/seal/pdf", {"idSubscriber": SEAL_ID, "totp": "000000", "file": ["JVBERi0="]}, 2032),
    ],
)
def test_seal_refusals(client: httpx.Client, path: str, body: dict[str, Any], code: int) -> None:
    """The guide shows no seal error; the mock keeps the v2 error body and its codes (API.md)."""
    r = client.post(path, json=body)
    assert r.status_code == 400
    assert r.json()["status_code"] == code
    assert isinstance(r.json()["error"], str)


# -- user status and registration, p.31-34 -------------------------------------------------------------------

GUIDE_STATUSES = {  # p.32
    "ISSUE",
    "EXPIRED",
    "RENEW",
    "WAITING_FOR_VERIFICATION",
    "NEW",
    "NO_CERTIFICATE",
    "NOT_REGISTERED",
    "SUSPEND",
    "REVOKE",
}


@pytest.mark.parametrize("body", [{"nik": KEPALA["nik"]}, {"email": KEPALA_EMAIL}])
def test_check_status_by_nik_or_email(client: httpx.Client, body: dict[str, str]) -> None:
    """p.32-33 (the guide shows no answer; the v1 status body is kept)."""
    answer = client.post("/api/v2/user/check/status", json=body).json()
    assert answer["status"] == "ISSUE"
    assert answer["status"] in GUIDE_STATUSES
    assert isinstance(answer["status_code"], int)
    assert isinstance(answer["message"], str)


def test_registration_then_status_and_no_signing(client: httpx.Client) -> None:
    """p.33-34: ``{nama, email}``; the new user is registered without a certificate (NO_CERTIFICATE, p.32)."""
    email = "nama@email.go.id"
    r = client.post("/api/v2/user/registration", json={"nama": "nama user", "email": email})
    assert r.status_code == 200, r.text
    assert r.json() == {"success": True, "message": "Registrasi user berhasil", "data": None}
    status = client.post("/api/v2/user/check/status", json={"email": email.upper()}).json()
    assert status["status"] == "NO_CERTIFICATE"
    sign = client.post("/api/v2/sign/pdf", json={"email": email, "passphrase": "x", "file": [b64(make_pdf())]})
    assert (sign.status_code, sign.json()["status_code"]) == (400, 2021)
    again = client.post("/api/v2/user/registration", json={"nama": "nama user", "email": email})
    assert (again.status_code, again.json()["status_code"]) == (400, 4000)
    assert "sudah terdaftar" in again.json()["error"]


@pytest.mark.parametrize(
    ("body", "word"),
    [
        ({"email": "tanpa.nama@email.go.id"}, "nama"),
        ({"nama": "  ", "email": "kosong@email.go.id"}, "nama"),
        ({"nama": "Tanpa Email"}, "email"),
        ({"nama": "Email Salah", "email": "bukan-email"}, "email"),
        ({"nama": ["bukan", "teks"], "email": "daftar@email.go.id"}, "nama"),
    ],
)
def test_registration_refuses_bad_input(client: httpx.Client, body: dict[str, Any], word: str) -> None:
    r = client.post("/api/v2/user/registration", json=body)
    assert (r.status_code, r.json()["status_code"]) == (400, 4000)
    assert word in r.json()["error"]


def test_register_path_of_a_public_client_is_not_served(client: httpx.Client) -> None:
    """One public client posts to ``/api/v2/user/register``; the guide names ``/registration`` (p.33)."""
    r = client.post("/api/v2/user/register", json={"nama": "nama user", "email": "lain@email.go.id"})
    assert r.status_code == 404


# -- verify, p.15-17 (v1) and p.34-36 (v2) -------------------------------------------------------------------


@pytest.fixture(scope="module")
def pades_signed(client: httpx.Client) -> bytes:
    props = {"tampilan": "INVISIBLE", "location": "Indonesia", "reason": "Dokumen ini telah ditandatangani"}
    body = {**KEPALA, "signatureProperties": [props], "file": [b64(make_pdf())]}
    (pdf,) = signed(client.post("/api/v2/sign/pdf", json=body), 1)
    return pdf


def pkcs7_signed() -> bytes:
    """An ``adbe.pkcs7.detached`` B-T signature by the same test signer, made here with pyHanko."""
    pki = load_pki(CERTS)
    meta = signers.PdfSignatureMetadata(
        field_name="sig_1689043283248", subfilter=fields.SigSeedSubFilter.ADOBE_PKCS7_DETACHED
    )
    out = BytesIO()
    signer = signers.PdfSigner(meta, pki.signer("kepala-dinas"), timestamper=pki.timestamper())
    signer.sign_pdf(IncrementalPdfFileWriter(BytesIO(make_pdf())), output=out)
    return out.getvalue()


def check_v2_formats(info: dict[str, Any]) -> None:
    assert DSS_ID["S"].fullmatch(info["id"])
    assert ISO_MS_UTC.fullmatch(info["signatureDate"])
    assert DSS_ID["T"].fullmatch(info["timestampInfomation"]["id"])
    assert ISO_MS_UTC.fullmatch(info["timestampInfomation"]["timestampDate"])
    pki = load_pki(CERTS)
    leaf, ca = info["certificateDetails"][:2]
    assert leaf["serialNumber"] == str(pki.certificate("kepala-dinas").serial_number)  # decimal, p.35
    assert leaf["issuerName"].startswith("C=ID,")  # p.35
    assert leaf["issuerName"].endswith(f"CN={ca['commonName']}")  # the signer, then its CA (p.35-36)
    assert leaf["signatureAlgoritm"] == "RSA with SHA256"
    assert "nonRepudiation" in leaf["keyUsages"]
    assert {"keyCertSign", "crlSign"} <= set(ca["keyUsages"])
    for cert in info["certificateDetails"]:
        assert DSS_ID["C"].fullmatch(cert["id"])
        assert cert["serialNumber"].isdigit()
        assert ISO_MS_UTC.fullmatch(cert["notAfterDate"])
        assert ISO_MS_UTC.fullmatch(cert["notBeforeDate"])


def test_v2_verify_pades(client: httpx.Client, pades_signed: bytes) -> None:
    answer = client.post("/api/v2/verify/pdf", json={"file": b64(pades_signed)}).json()  # p.34
    assert conforms(answer, GUIDE_V2_VERIFY) == []
    assert (answer["conclusion"], answer["signatureCount"]) == ("VALID", 1)
    (info,) = answer["signatureInformations"]
    assert info["signatureFormat"] == "PAdES-BASELINE-T"  # ETSI.CAdES.detached: DSS's name (API.md)
    assert (info["location"], info["reason"]) == ("Indonesia", "Dokumen ini telah ditandatangani")
    assert info["signatureAlgorithm"] is None
    assert info["digestAlgorithm"] is None
    check_v2_formats(info)
    signed_at = datetime.fromisoformat(info["signatureDate"])
    assert abs(signed_at - datetime.now(UTC)) < timedelta(minutes=5)


def test_v2_verify_pkcs7_with_password_body(client: httpx.Client) -> None:
    """p.34 (body with ``password``); an adbe.pkcs7.detached time-stamped signature is "PKCS7-T" (p.35)."""
    pdf = pkcs7_signed()
    answer = client.post("/api/v2/verify/pdf", json={"file": b64(pdf), "password": ""}).json()
    assert conforms(answer, GUIDE_V2_VERIFY) == []
    (info,) = answer["signatureInformations"]
    assert info["signatureFormat"] == "PKCS7-T"
    assert info["fieldName"] == "sig_1689043283248"
    check_v2_formats(info)


def test_v2_verify_unsigned(client: httpx.Client) -> None:
    """The guide's example says NO_SIGNATURE with one signature listed and a count of 0 (p.35-36): the
    mock answers NO_SIGNATURE with the guide's text, no signature and the count 0."""
    answer = client.post("/api/v2/verify/pdf", json={"file": b64(make_pdf())}).json()
    assert answer == {
        "conclusion": "NO_SIGNATURE",
        "description": "Dokumen tidak memiliki tandatangan elektronik",
        "signatureInformations": [],
        "signatureCount": 0,
    }


def test_v1_verify_times_in_wib(client: httpx.Client, pades_signed: bytes) -> None:
    """p.16-17: ``signed_in`` and ``signer_cert_validity`` are WIB (the example's ``signed_in`` is its
    ``sig_<ms>`` field name plus seven hours)."""
    r = client.post("/api/sign/verify", files={"signed_file": ("kk.pdf", pades_signed, "application/pdf")})
    answer = r.json()
    assert conforms(answer, GUIDE_V1_VERIFY) == []
    (detail,) = answer["details"]
    document, signer = detail["signature_document"], detail["info_signer"]
    assert re.fullmatch(WIB_CS, document["signed_in"])
    wib_now = datetime.now(UTC).replace(tzinfo=None) + timedelta(hours=7)
    signed_in = datetime.strptime(document["signed_in"], "%Y-%m-%d %H:%M:%S.%f")
    assert abs(signed_in - wib_now) < timedelta(minutes=5)
    assert re.fullmatch(f"{WIB_CS} to {WIB_CS}", signer["signer_cert_validity"])
    not_before = load_pki(CERTS).certificate("kepala-dinas").not_valid_before
    assert signer["signer_cert_validity"].startswith((not_before + timedelta(hours=7)).strftime("%Y-%m-%d %H:%M:%S"))
    assert signer["issuer_dn"].startswith("C=ID,")
    assert detail["info_tsa"]["name"]
    assert detail["info_tsa"]["tsa_cert_validity"] is None
    assert document["hash_value"] is None
    assert document["signature_value"] is None


def test_field_names_are_sig_and_13_digit_ms(client: httpx.Client, pades_signed: bytes) -> None:
    """p.16 ``sig_1697437714025``, p.35 ``sig_1689043283248``: ``sig_`` and the signing time in ms, which is
    also the answer's signatureDate (p.35)."""
    answer = client.post("/api/v2/verify/pdf", json={"file": b64(pades_signed)}).json()
    (info,) = answer["signatureInformations"]
    assert SIG_FIELD.fullmatch(info["fieldName"])
    ms = int(info["fieldName"][4:])
    assert abs(datetime.fromtimestamp(ms / 1000, UTC) - datetime.fromisoformat(info["signatureDate"])) < timedelta(
        seconds=2
    )


def test_mock_signing_in_pkcs7_mode_verifies_as_pkcs7_t(tmp_path: Path) -> None:
    """``BsreMockConfig.signature_format="pkcs7"``: the mock's own signatures are then "PKCS7-T" (p.35)."""
    config = BsreMockConfig(state_dir=tmp_path, signature_format="pkcs7")
    with (
        serving(create_app(config), config.clients) as service,
        httpx.Client(base_url=service.url, auth=service.auth, timeout=60) as c,
    ):
        (pdf,) = signed(c.post("/api/v2/sign/pdf", json={**KEPALA, "file": [b64(make_pdf())]}), 1)
        answer = c.post("/api/v2/verify/pdf", json={"file": b64(pdf)}).json()
    assert conforms(answer, GUIDE_V2_VERIFY) == []
    (info,) = answer["signatureInformations"]
    assert info["signatureFormat"] == "PKCS7-T"
    check_v2_formats(info)

"""API v2 of mock BSrE: bulk JSON signing, TOTP via the outbox, user status, verify, seal."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import httpx
import pytest
from bsre_testkit import (
    KEPALA,
    SEAL_ID,
    SEKRETARIS,
    UNREGISTERED_NIK,
    b64,
    flip_text,
    make_pdf,
    make_png,
    validate,
)

from mock_bsre.state import OtpStore
from mock_common.pytest_plugin import MockService

STATUS_NIKS = {
    "ISSUE": "3508011205720001",
    "EXPIRED": "3508010302680003",
    "RENEW": "3508014104900007",
    "WAITING_FOR_VERIFICATION": "3508012208910008",
    "NEW": "3508015503930009",
    "NO_CERTIFICATE": "3508010101950010",
    "NOT_REGISTERED": UNREGISTERED_NIK,
    "SUSPEND": "3508015011820005",
    "REVOKE": "3508011709800004",
}


@pytest.fixture(scope="module")
def client(mock_bsre: MockService) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=mock_bsre.url, auth=mock_bsre.auth, timeout=60) as c:
        yield c


def outbox(mock_bsre: MockService, **query: str) -> list[dict[str, object]]:
    r = httpx.get(f"{mock_bsre.url}/_admin/outbox", params=query)
    return list(r.json()["messages"])


def signed_files(r: httpx.Response) -> list[bytes]:
    assert r.status_code == 200, r.text
    body = r.json()
    assert isinstance(body["time"], int)
    return [base64.b64decode(f) for f in body["file"]]


def test_bulk_three_files_one_property(client: httpx.Client) -> None:
    pdfs = [make_pdf(text=f"KARTU KELUARGA {i}") for i in range(3)]
    r = client.post(
        "/api/v2/sign/pdf",
        json={
            **KEPALA,
            "signatureProperties": [{"tampilan": "INVISIBLE", "reason": "KK"}],
            "file": [b64(p) for p in pdfs],
        },
    )
    files = signed_files(r)
    assert len(files) == 3
    for original, signed in zip(pdfs, files, strict=True):
        assert signed.startswith(original)  # incremental update of each own input, in order
        assert validate(signed)[0].bottom_line


def test_per_file_properties_and_email_identity(client: httpx.Client) -> None:
    props = [
        {
            "tampilan": "VISIBLE",
            "imageBase64": b64(make_png()),
            "page": 1,
            "originX": 30,
            "originY": 40,
            "width": 100,
            "height": 50,
            "reason": "Satu",
        },
        {"tampilan": "VISIBLE", "tag_koordinat": "#", "width": 60, "height": 60, "reason": "Dua"},
    ]
    r = client.post(
        "/api/v2/sign/pdf",
        json={
            "email": "sri.wahyuningsih@dukcapil.lumajang.example",
            "passphrase": SEKRETARIS["passphrase"],
            "signatureProperties": props,
            "file": [b64(make_pdf()), b64(make_pdf())],
        },
    )
    first, second = signed_files(r)
    assert validate(first)[0].bottom_line
    assert validate(second)[0].bottom_line
    report = client.post("/api/v2/verify/pdf", json={"file": b64(second)}).json()
    assert report["signatureInformations"][0]["reason"] == "Dua"
    assert report["signatureInformations"][0]["signerName"] == "Sri Wahyuningsih, S.H."


def test_property_count_mismatch_refused(client: httpx.Client) -> None:
    r = client.post(
        "/api/v2/sign/pdf",
        json={
            **KEPALA,
            "signatureProperties": [{"tampilan": "INVISIBLE"}] * 2,
            "file": [b64(make_pdf())] * 3,
        },
    )
    assert r.status_code == 400
    assert r.json()["status_code"] == 4000


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"nik": UNREGISTERED_NIK, "passphrase": "x"}, 2011),
        ({"nik": KEPALA["nik"], "passphrase": "salah"}, 2031),
        ({"nik": STATUS_NIKS["REVOKE"], "passphrase": "revoked-uji-000"}, 2053),
        ({"nik": STATUS_NIKS["NO_CERTIFICATE"], "passphrase": "nocert-uji-000"}, 2021),
    ],
)
def test_v2_refusals(client: httpx.Client, body: dict[str, str], code: int) -> None:
    r = client.post("/api/v2/sign/pdf", json={**body, "file": [b64(make_pdf())]})
    assert r.status_code == 400
    assert r.json()["status_code"] == code
    assert isinstance(r.json()["error"], str)


def test_password_protected_pdf(client: httpx.Client) -> None:
    from io import BytesIO

    from reportlab.lib import pdfencrypt
    from reportlab.pdfgen import canvas

    buf = BytesIO()
    c = canvas.Canvas(buf, encrypt=pdfencrypt.StandardEncryption("rahasia", canPrint=1))
    c.drawString(72, 700, "KK terproteksi")
    c.showPage()
    c.save()
    body = {**KEPALA, "file": [b64(buf.getvalue())]}
    no_pw = client.post("/api/v2/sign/pdf", json=body)
    assert no_pw.status_code == 400
    r = client.post(
        "/api/v2/sign/pdf",
        json={**body, "signatureProperties": [{"tampilan": "INVISIBLE", "pdfPassword": "rahasia"}]},
    )
    (signed,) = signed_files(r)
    assert validate(signed, password="rahasia")[0].bottom_line


def test_totp_flow_and_reuse_refused(client: httpx.Client, mock_bsre: MockService) -> None:
    nik = KEPALA["nik"]
    r = client.post("/api/v2/sign/get/totp", json={"nik": nik, "data": 2})
    assert r.status_code == 200, r.text
    (mail,) = outbox(mock_bsre, nik=nik, kind="sign-totp")[-1:]
    assert mail["to"] == "bambang.setiawan@dukcapil.lumajang.example"
    body = {"nik": nik, "totp": mail["code"], "file": [b64(make_pdf()), b64(make_pdf())]}
    assert len(signed_files(client.post("/api/v2/sign/pdf", json=body))) == 2
    again = client.post("/api/v2/sign/pdf", json=body)
    assert again.status_code == 400
    assert again.json()["status_code"] == 2032


def test_totp_valid_only_for_requested_count(client: httpx.Client, mock_bsre: MockService) -> None:
    client.post(
        "/api/v2/sign/get/totp",
        json={"email": "sekcam.sumbersuko@kecamatan.lumajang.example", "data": 1},
    )
    code = outbox(mock_bsre, kind="sign-totp", nik="3508200607780006")[-1]["code"]
    body = {"nik": "3508200607780006", "totp": code, "file": [b64(make_pdf())] * 2}
    assert client.post("/api/v2/sign/pdf", json=body).json()["status_code"] == 2032


@pytest.mark.parametrize("status", list(STATUS_NIKS))
def test_check_status_every_status(client: httpx.Client, status: str) -> None:
    body = client.post("/api/v2/user/check/status", json={"nik": STATUS_NIKS[status]}).json()
    assert body["status"] == status
    assert isinstance(body["status_code"], int)
    assert body["message"]


def test_check_status_by_email(client: httpx.Client) -> None:
    body = client.post("/api/v2/user/check/status", json={"email": "agus.prasetyo@dukcapil.lumajang.example"}).json()
    assert body["status"] == "EXPIRED"


def test_verify_v2_valid_and_tampered(client: httpx.Client) -> None:
    r = client.post(
        "/api/v2/sign/pdf",
        json={
            **KEPALA,
            "file": [b64(make_pdf())],
            "signatureProperties": [{"tampilan": "INVISIBLE", "location": "Lumajang"}],
        },
    )
    (signed,) = signed_files(r)
    ok = client.post("/api/v2/verify/pdf", json={"file": b64(signed)}).json()
    assert ok["conclusion"] == "VALID"
    assert ok["signatureCount"] == 1
    info = ok["signatureInformations"][0]
    for key in (
        "signatureFormat",
        "signerName",
        "signatureDate",
        "fieldName",
        "reason",
        "location",
        "certificateDetails",
        "integrityValid",
        "certificateTrusted",
        "lastSignature",
    ):
        assert key in info
    assert info["signatureFormat"] == "PAdES-BASELINE-T"
    assert info["integrityValid"]
    assert info["certificateTrusted"]
    assert info["lastSignature"]
    assert info["location"] == "Lumajang"
    assert info["certificateDetails"][0]["commonName"] == "Drs. Bambang Setiawan, M.Si."
    bad = client.post("/api/v2/verify/pdf", json={"file": b64(flip_text(signed))}).json()
    assert bad["conclusion"] == "INVALID"
    assert bad["signatureInformations"][0]["integrityValid"] is False


def test_seal_flow(client: httpx.Client, mock_bsre: MockService) -> None:
    activated = client.post("/api/v2/seal/get/activation", json={"idSubscriber": SEAL_ID})
    assert activated.json() == {"success": True, "message": "TOTP Aktivasi berhasil dikirim", "data": None}
    activation = outbox(mock_bsre, idSubscriber=SEAL_ID, kind="seal-activation")[-1]["code"]
    refreshed = client.post("/api/v2/seal/get/activation", json={"idSubscriber": SEAL_ID, "totp": activation}).json()
    assert refreshed["data"]["totp"] == activation  # the refresh extends the activation code (guide p.26-27)
    seal_code = client.post(
        "/api/v2/seal/get/totp", json={"idSubscriber": SEAL_ID, "totp": activation, "data": 2}
    ).json()["totp"]
    r = client.post(
        "/api/v2/seal/pdf",
        json={
            "idSubscriber": SEAL_ID,
            "totp": seal_code,
            "signatureProperties": [{"tampilan": "INVISIBLE", "reason": "Segel"}],
            "file": [b64(make_pdf()), b64(make_pdf())],
        },
    )
    files = signed_files(r)
    report = client.post("/api/v2/verify/pdf", json={"file": b64(files[0])}).json()
    assert report["signatureInformations"][0]["signerName"].startswith("Dinas Kependudukan")
    reuse = client.post(
        "/api/v2/seal/pdf",
        json={"idSubscriber": SEAL_ID, "totp": seal_code, "file": [b64(make_pdf())]},
    )
    assert reuse.status_code == 400
    revoke = client.post("/api/v2/seal/revoke/activation", json={"idSubscriber": SEAL_ID, "totp": activation})
    assert revoke.status_code == 200
    after = client.post("/api/v2/seal/get/totp", json={"idSubscriber": SEAL_ID, "totp": activation, "data": 1})
    assert after.status_code == 400
    assert after.json()["status_code"] == 2061
    refresh_revoked = client.post("/api/v2/seal/get/activation", json={"idSubscriber": SEAL_ID, "totp": activation})
    assert refresh_revoked.json()["status_code"] == 2032
    unknown = client.post("/api/v2/seal/get/activation", json={"idSubscriber": "NOPE"})
    assert unknown.json()["status_code"] == 2011


def test_seal_activation_expires_and_refresh_extends() -> None:
    """A refresh gives the activation code a fresh TTL from now (guide p.26: "memperpanjang masa berlaku")."""
    clock = [1_000_000.0]
    otps = OtpStore(300, clock=lambda: clock[0])
    code = otps.issue("seal-activation:X", 10, None, ttl=100)
    clock[0] += 90
    assert otps.extend("seal-activation:X", code, 100) == clock[0] + 100
    clock[0] += 90  # 180 s after issue: alive only because of the refresh
    assert otps.peek("seal-activation:X", code)
    clock[0] += 20
    assert not otps.peek("seal-activation:X", code)
    assert otps.extend("seal-activation:X", code, 100) is None  # expired codes are not revived
    assert otps.expiry("seal-activation:X", "999999") is None


def test_v2_needs_basic_auth(mock_bsre: MockService) -> None:
    r = httpx.post(f"{mock_bsre.url}/api/v2/user/check/status", json={"nik": KEPALA["nik"]})
    assert r.status_code == 401

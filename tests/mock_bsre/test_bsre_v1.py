"""API v1 of mock BSrE: multipart signing, one-time download, verify, user status, Basic auth."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from bsre_testkit import (
    KEPALA,
    TAG_POS,
    UNREGISTERED_NIK,
    flip_text,
    make_pdf,
    make_png,
    validate,
)
from pyhanko.pdf_utils.reader import PdfFileReader

from mock_bsre.pki import load_pki
from mock_common.pytest_plugin import MockService


@pytest.fixture(scope="module")
def client(mock_bsre: MockService) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=mock_bsre.url, auth=mock_bsre.auth, timeout=60) as c:
        yield c


def sign(client: httpx.Client, pdf: bytes | None = None, **form: str) -> httpx.Response:
    data = {**KEPALA, "tampilan": "invisible", **form}
    return client.post("/api/sign/pdf", data=data, files={"file": ("kk.pdf", pdf or make_pdf(), "application/pdf")})


def sig_box(pdf: bytes) -> tuple[int, list[float]]:
    """(page index, /Rect) of the first signature widget."""
    from io import BytesIO

    reader = PdfFileReader(BytesIO(pdf))
    sig = reader.embedded_signatures[0]
    field = sig.sig_field
    rect = [float(v) for v in field["/Rect"]]
    pages = [reader.root["/Pages"]["/Kids"][i].get_object() for i in range(len(reader.root["/Pages"]["/Kids"]))]
    page_ref = field.get_object()["/P"]
    return pages.index(page_ref.get_object()), rect


def assert_bsre_error(r: httpx.Response, code: int, words: str) -> None:
    assert r.status_code == 400, r.text
    body = r.json()
    assert body["status_code"] == 400
    assert body["error"].startswith("Proses signing gagal : ")
    assert body["error"].endswith(f" {code}")
    assert words in body["error"]


def test_healthz(mock_bsre: MockService) -> None:
    assert httpx.get(f"{mock_bsre.url}/healthz").json() == {"service": "mock_bsre", "status": "ok"}


def test_invisible_signature_is_valid_pades_bt(client: httpx.Client) -> None:
    r = sign(client, reason="Penerbitan KK", location="Lumajang")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/pdf"
    assert len(r.headers["id_dokumen"]) == 32
    (status,) = validate(r.content)
    assert status.bottom_line
    assert status.trusted
    assert status.intact
    assert status.timestamp_validity is not None  # B-T: time-stamped
    from io import BytesIO

    sig = PdfFileReader(BytesIO(r.content)).embedded_signatures[0]
    assert sig.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"


def test_visible_qr_by_page_and_axes(client: httpx.Client) -> None:
    r = sign(
        client,
        pdf=make_pdf(pages=2),
        tampilan="visible",
        image="false",
        linkQR="https://verify.example/kk/1",
        page="2",
        xAxis="100",
        yAxis="50",
        width="90",
        height="90",
    )
    assert r.status_code == 200, r.text
    assert validate(r.content)[0].bottom_line
    page, rect = sig_box(r.content)
    assert page == 1
    assert rect == pytest.approx([100, 50, 190, 140])


@pytest.mark.parametrize(("halaman", "page"), [("PERTAMA", 0), ("TERAKHIR", 2), ("LAST", 2)])
def test_visible_halaman_first_last(client: httpx.Client, halaman: str, page: int) -> None:
    r = sign(
        client,
        pdf=make_pdf(pages=3),
        tampilan="visible",
        image="false",
        linkQR="https://verify.example/kk/2",
        halaman=halaman,
        xAxis="10",
        yAxis="10",
        width="50",
        height="50",
    )
    assert r.status_code == 200, r.text
    assert sig_box(r.content)[0] == page


def test_visible_image(client: httpx.Client) -> None:
    r = client.post(
        "/api/sign/pdf",
        data={
            **KEPALA,
            "tampilan": "visible",
            "image": "true",
            "page": "1",
            "xAxis": "20",
            "yAxis": "20",
            "width": "120",
            "height": "60",
            "text": "Kepala Dinas",
        },
        files={
            "file": ("kk.pdf", make_pdf(), "application/pdf"),
            "imageTTD": ("ttd.png", make_png(), "image/png"),
        },
    )
    assert r.status_code == 200, r.text
    assert validate(r.content)[0].bottom_line


def test_visible_tag_koordinat_places_box_at_marker(client: httpx.Client) -> None:
    r = sign(
        client,
        pdf=make_pdf(pages=2, tag="$"),
        tampilan="visible",
        image="false",
        linkQR="https://verify.example/kk/3",
        tag_koordinat="$",
        width="70",
        height="70",
    )
    assert r.status_code == 200, r.text
    page, rect = sig_box(r.content)
    assert page == 1
    assert rect[0] == pytest.approx(TAG_POS[0], abs=1)
    assert rect[1] == pytest.approx(TAG_POS[1], abs=1)


def test_tag_of_two_characters_is_refused(client: httpx.Client) -> None:
    r = sign(
        client,
        tampilan="visible",
        image="false",
        linkQR="https://x.example",
        tag_koordinat="##",
        width="50",
        height="50",
    )
    assert_bsre_error(r, 4002, "satu karakter")


def test_tag_not_in_document_is_refused(client: httpx.Client) -> None:
    r = sign(
        client,
        tampilan="visible",
        image="false",
        linkQR="https://x.example",
        tag_koordinat="~",
        width="50",
        height="50",
    )
    assert_bsre_error(r, 4002, "tidak ditemukan")


def test_download_is_one_time(client: httpx.Client) -> None:
    r = sign(client)
    doc_id = r.headers["id_dokumen"]
    first = client.get(f"/api/sign/download/{doc_id}")
    assert first.status_code == 200
    assert first.content == r.content
    second = client.get(f"/api/sign/download/{doc_id}")
    assert second.status_code == 404
    assert second.json()["error"] == "Dokumen telah didownload sebelumnya"
    unknown = client.get("/api/sign/download/0123456789abcdef0123456789abcdef")
    assert unknown.status_code == 404


def test_wrong_passphrase_2031(client: httpx.Client) -> None:
    r = sign(client, passphrase="salah")
    assert_bsre_error(r, 2031, "Passphrase anda salah")


def test_unregistered_2011(client: httpx.Client) -> None:
    r = sign(client, nik=UNREGISTERED_NIK)
    assert r.json() == {
        "error": "Proses signing gagal : User tidak terdaftar 2011",
        "status_code": 400,
    }


@pytest.mark.parametrize(
    ("nik", "passphrase", "code"),
    [
        ("3508010302680003", "expired-uji-000", 2051),
        ("3508011709800004", "revoked-uji-000", 2053),
        ("3508015011820005", "suspended-uji-000", 2052),
        ("3508015503930009", "new-uji-000", 2021),
    ],
)
def test_inactive_certificates_cannot_sign(client: httpx.Client, nik: str, passphrase: str, code: int) -> None:
    r = sign(client, nik=nik, passphrase=passphrase)
    assert_bsre_error(r, code, "")


def test_malformed_pdf_reports_library_error(client: httpx.Client, mock_bsre: MockService) -> None:
    r = sign(client, pdf=b"%PDF-1.7\nthis is not a pdf at all")
    assert_bsre_error(r, 4001, "pyhanko")
    r = sign(client, pdf=b"GIF89a not a pdf")
    assert_bsre_error(r, 4001, "PdfReadError")


def test_bad_basic_auth_401(mock_bsre: MockService) -> None:
    r = httpx.post(f"{mock_bsre.url}/api/sign/pdf", auth=("siakgate", "wrong"))
    assert r.status_code == 401
    assert r.json()["error"] == "Unauthorized"
    assert r.headers["www-authenticate"].startswith("Basic")
    assert httpx.get(f"{mock_bsre.url}/api/user/status/1").status_code == 401


def test_disabled_client_401_then_enabled(mock_bsre: MockService, client: httpx.Client) -> None:
    admin = f"{mock_bsre.url}/_admin/clients/{mock_bsre.username}"
    assert httpx.post(f"{admin}/disable").json()["enabled"] is False
    try:
        assert client.get(f"/api/user/status/{KEPALA['nik']}").status_code == 401
    finally:
        assert httpx.post(f"{admin}/enable").json()["enabled"] is True
    assert client.get(f"/api/user/status/{KEPALA['nik']}").status_code == 200


def test_user_status_v1(client: httpx.Client) -> None:
    assert client.get(f"/api/user/status/{KEPALA['nik']}").json() == {
        "status_code": 1111,
        "status": "ISSUE",
        "message": "User sudah terdaftar dan memiliki sertifikat dengan status ISSUE",
    }
    assert client.get(f"/api/user/status/{UNREGISTERED_NIK}").json() == {
        "status_code": 1110,
        "status": "NOT_REGISTERED",
        "message": "User belum terdaftar",
    }


def test_verify_valid_tampered_and_unsigned(client: httpx.Client) -> None:
    signed = sign(client, reason="Penerbitan KK", location="Lumajang").content
    ok = client.post("/api/sign/verify", files={"signed_file": ("kk.pdf", signed)}).json()
    assert ok["summary"] == "DOCUMENT VALID !!!"
    assert ok["jumlah_signature"] == 1
    assert ok["nama_dokumen"] == "kk.pdf"
    detail = ok["details"][0]
    assert set(detail) == {"info_tsa", "signature_field", "info_signer", "signature_document"}
    assert detail["info_signer"]["signer_name"] == "Drs. Bambang Setiawan, M.Si."
    assert detail["info_signer"]["cert_user_certified"] is True
    assert detail["signature_document"]["signed_using_tsa"] is True
    assert detail["signature_document"]["reason"] == "Penerbitan KK"
    assert detail["info_tsa"]["name"]

    tampered = flip_text(signed)
    assert not validate(tampered)[0].intact
    bad = client.post("/api/sign/verify", files={"signed_file": ("kk.pdf", tampered)}).json()
    assert bad["summary"] == "DOCUMENT NOT VALID !!!"
    assert bad["details"][0]["signature_document"]["document_integrity"] is False

    unsigned = client.post("/api/sign/verify", files={"signed_file": ("x.pdf", make_pdf())}).json()
    assert unsigned == {
        "nama_dokumen": "x.pdf",
        "jumlah_signature": 0,
        "notes": None,
        "details": [],
        "summary": None,
    }


def test_verify_reports_a_revoked_signer_not_valid(client: httpx.Client) -> None:
    """A document signed (elsewhere) by a signer whose certificate BSrE revoked is not valid, as BSrE says."""
    from io import BytesIO

    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers
    from pyhanko.sign.fields import SigSeedSubFilter

    meta = signers.PdfSignatureMetadata(field_name="TTE", subfilter=SigSeedSubFilter.PADES)
    for name, expected in (("signer-revoked", "DOCUMENT NOT VALID !!!"), ("sekretaris-dinas", "DOCUMENT VALID !!!")):
        out = signers.sign_pdf(IncrementalPdfFileWriter(BytesIO(make_pdf())), meta, signer=load_pki().signer(name))
        answer = client.post("/api/sign/verify", files={"signed_file": ("kk.pdf", out.getvalue())}).json()
        assert answer["summary"] == expected, name
        assert answer["details"][0]["signature_document"]["document_integrity"] is True

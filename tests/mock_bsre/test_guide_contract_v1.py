"""Contract tests: the guide's v1 sign and download examples, run in-process against mock BSrE.

"Petunjuk Teknis API Esign Client Service v2.2.1", printed pages 7-15 (v1 sign, download): the four request
examples of p.13-14 (invisible, visible by coordinates, linkQR, tag), the signed PDF of p.14 and the one-time
download of p.15. Also: both v1 error shapes (the guide shows no error body, API.md), the unit of width/height
(a "pixel" is one PDF unit, p.11/12/20), tag-only visible signatures (v1 and v2, as esign-ts sends them) and
the ``adbe.pkcs7.detached`` signature format.
"""

from __future__ import annotations

from collections.abc import Iterator
from io import BytesIO
from pathlib import Path
from typing import Any

import httpx
import pytest
from bsre_testkit import KEPALA, SEAL_ID, TAG_POS, UNREGISTERED_NIK, b64, make_pdf, validate
from PIL import Image
from pyhanko.pdf_utils.reader import PdfFileReader
from reportlab.lib.pagesizes import A4, landscape

from mock_bsre.app import create_app
from mock_bsre.config import BsreMockConfig
from mock_bsre.pdfsign import DEFAULT_QR_SIZE, DEFAULT_TEXT_SIZE
from mock_common.pytest_plugin import serving

AUTH = ("siakgate", "siakgate-dev")
A4_LANDSCAPE = (841.89, 595.28)  # make_pdf's page size


def _client(tmp: Path, **options: Any) -> Iterator[httpx.Client]:
    """A mock BSrE with ``options`` served from this process on a free loopback port."""
    config = BsreMockConfig(state_dir=tmp, **options)
    with (
        serving(create_app(config), config.clients) as mock,
        httpx.Client(base_url=mock.url, auth=AUTH, timeout=60) as c,
    ):
        yield c


@pytest.fixture(scope="module")
def bsre(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    """The default mock: ``text`` error shape, PAdES signatures."""
    yield from _client(tmp_path_factory.mktemp("bsre"))


@pytest.fixture(scope="module")
def bsre_status_code(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    yield from _client(tmp_path_factory.mktemp("bsre-sc"), v1_error_shape="status-code")


@pytest.fixture(scope="module")
def bsre_pkcs7(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    yield from _client(tmp_path_factory.mktemp("bsre-p7"), signature_format="pkcs7")


def png(width: int, height: int) -> bytes:
    buf = BytesIO()
    Image.new("RGB", (width, height), (10, 60, 160)).save(buf, format="PNG")
    return buf.getvalue()


KEY_PNG = png(80, 40)  # the guide's "key.png" specimen


def sign_v1(
    client: httpx.Client, form: dict[str, str], pdf: bytes | None = None, image: bytes | None = None
) -> httpx.Response:
    files: dict[str, tuple[str, bytes, str]] = {"file": ("LetterWithTag.pdf", pdf or make_pdf(), "application/pdf")}
    if image is not None:
        files["imageTTD"] = ("key.png", image, "image/png")
    return client.post("/api/sign/pdf", data={**KEPALA, **form}, files=files)


def signature(pdf: bytes) -> Any:
    (sig,) = PdfFileReader(BytesIO(pdf)).embedded_signatures
    return sig


def widget(pdf: bytes) -> tuple[int, list[float]]:
    """(page index, /Rect) of the signature widget."""
    reader = PdfFileReader(BytesIO(pdf))
    field = reader.embedded_signatures[0].sig_field
    kids = reader.root["/Pages"]["/Kids"]
    pages = [kids[i].get_object() for i in range(len(kids))]
    return pages.index(field["/P"].get_object()), [float(v) for v in field["/Rect"]]


def assert_valid_bt(pdf: bytes, subfilter: str = "/ETSI.CAdES.detached") -> None:
    (verdict,) = validate(pdf)
    status: Any = verdict
    assert status.intact, status.pretty_print_details()
    assert status.valid, status.pretty_print_details()
    assert status.trusted, status.pretty_print_details()
    assert status.timestamp_validity is not None  # B-T: the signature is time-stamped
    assert signature(pdf).sig_object["/SubFilter"] == subfilter


# -- the guide's examples (printed p.13-15) ----------------------------------------------------------


def test_example_a_invisible(bsre: httpx.Client) -> None:
    r = sign_v1(bsre, {"tampilan": "invisible"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/pdf"
    assert_valid_bt(r.content)
    rect = signature(r.content).sig_field.get("/Rect")
    assert rect is None or [float(v) for v in rect] == [0, 0, 0, 0]


def test_example_b_visible_by_coordinates(bsre: httpx.Client) -> None:
    form = {"tampilan": "visible", "image": "true", "page": "1", "xAxis": "10", "yAxis": "10"}
    r = sign_v1(bsre, {**form, "width": "100", "height": "200"}, image=KEY_PNG)
    assert r.status_code == 200, r.text
    assert_valid_bt(r.content)
    assert widget(r.content) == (0, [10, 10, 110, 210])


def test_example_c_link_qr_on_first_page(bsre: httpx.Client) -> None:
    form = {"tampilan": "visible", "image": "false", "linkQR": "https://domain.go.id/path-to-pdf"}
    r = sign_v1(bsre, {**form, "halaman": "pertama", "xAxis": "10", "yAxis": "10", "width": "100", "height": "100"})
    assert r.status_code == 200, r.text
    assert_valid_bt(r.content)
    assert widget(r.content) == (0, [10, 10, 110, 110])


def test_example_d_tag_koordinat(bsre: httpx.Client) -> None:
    form = {"tampilan": "visible", "image": "true", "width": "100", "height": "200", "tag_koordinat": "$"}
    r = sign_v1(bsre, form, pdf=make_pdf(pages=2, tag="$"), image=KEY_PNG)
    assert r.status_code == 200, r.text
    page, (llx, lly, urx, ury) = widget(r.content)
    assert page == 1
    assert (llx, lly) == pytest.approx(TAG_POS, abs=1)
    assert (urx - llx, ury - lly) == pytest.approx((100, 200))


def test_download_signed_document_once(bsre: httpx.Client) -> None:
    signed = sign_v1(bsre, {"tampilan": "invisible"})
    id_dokumen = signed.headers["id_dokumen"]
    first = bsre.get(f"/api/sign/download/{id_dokumen}")
    assert first.status_code == 200
    assert first.headers["content-type"] == "application/pdf"
    assert first.content == signed.content
    again = bsre.get(f"/api/sign/download/{id_dokumen}")
    assert again.status_code == 404
    assert again.json()["error"] == "Dokumen telah didownload sebelumnya"


# -- refusals in both shapes (the guide shows none: API.md) ------------------------------------------

REFUSALS = [
    # (case, form, pdf, code, reason)
    ("unregistered", {"nik": UNREGISTERED_NIK}, None, 2011, "User tidak terdaftar"),
    ("new", {"nik": "3508015503930009", "passphrase": "new-uji-000"}, None, 2021, "User belum memiliki sertifikat"),
    ("wrong-passphrase", {"passphrase": "salah"}, None, 2031, "Passphrase anda salah"),
    ("expired", {"nik": "3508010302680003", "passphrase": "expired-uji-000"}, None, 2051, "kedaluwarsa"),
    ("suspended", {"nik": "3508015011820005", "passphrase": "suspended-uji-000"}, None, 2052, "ditangguhkan"),
    ("revoked", {"nik": "3508011709800004", "passphrase": "revoked-uji-000"}, None, 2053, "dicabut"),
    ("bad-tampilan", {"tampilan": "kadang"}, None, 4000, "tampilan"),
    ("bad-number", {"tampilan": "visible", "image": "false", "linkQR": "x", "xAxis": "sepuluh"}, None, 4000, "xAxis"),
    ("bad-image-flag", {"tampilan": "visible", "image": "mungkin"}, None, 4000, "image"),
    ("qr-without-link", {"tampilan": "visible", "image": "false", "tag_koordinat": "#"}, None, 4000, "linkQR"),
    ("image-without-file", {"tampilan": "visible", "image": "true"}, None, 4000, "imageTTD"),
    ("negative-width", {"tampilan": "visible", "image": "false", "linkQR": "x", "width": "-5"}, None, 4000, "negatif"),
    ("bad-pdf", {}, b"%PDF-1.7\nthis is not a pdf", 4001, "pyhanko"),
    (
        "two-char-tag",
        {"tampilan": "visible", "image": "false", "linkQR": "x", "tag_koordinat": "##"},
        None,
        4002,
        "satu",
    ),
    (
        "missing-tag",
        {"tampilan": "visible", "image": "false", "linkQR": "x", "tag_koordinat": "~"},
        None,
        4002,
        "tidak",
    ),
]


def _refused(client: httpx.Client, form: dict[str, str], pdf: bytes | None) -> Any:
    r = sign_v1(client, {"tampilan": "invisible", **form}, pdf=pdf)
    assert r.status_code == 400, r.text
    assert r.headers["content-type"] == "application/json"
    return r.json()


@pytest.mark.parametrize(("case", "form", "pdf", "code", "reason"), REFUSALS, ids=[c[0] for c in REFUSALS])
def test_refusal_text_shape(
    bsre: httpx.Client, case: str, form: dict[str, str], pdf: bytes | None, code: int, reason: str
) -> None:
    body = _refused(bsre, form, pdf)
    assert set(body) == {"error", "status_code"}
    assert body["status_code"] == 400
    assert body["error"].startswith("Proses signing gagal : ")
    assert body["error"].endswith(f" {code}")
    assert reason in body["error"]


@pytest.mark.parametrize(("case", "form", "pdf", "code", "reason"), REFUSALS, ids=[c[0] for c in REFUSALS])
def test_refusal_status_code_shape(
    bsre_status_code: httpx.Client, case: str, form: dict[str, str], pdf: bytes | None, code: int, reason: str
) -> None:
    body = _refused(bsre_status_code, form, pdf)
    assert set(body) == {"error", "status_code"}
    assert body["status_code"] == code
    assert reason in body["error"]
    assert not body["error"].startswith("Proses signing gagal")
    assert not body["error"].endswith(str(code))


def test_wrong_passphrase_exact_bodies(bsre: httpx.Client, bsre_status_code: httpx.Client) -> None:
    """The two bodies the field shows; the Laravel client's ``isWrongPassphrase()`` is ``status_code == 2031``."""
    assert _refused(bsre, {"passphrase": "salah"}, None) == {
        "error": "Proses signing gagal : Passphrase anda salah 2031",
        "status_code": 400,
    }
    assert _refused(bsre_status_code, {"passphrase": "salah"}, None) == {
        "error": "Passphrase anda salah",
        "status_code": 2031,
    }


def test_verify_refusal_follows_the_shape(bsre: httpx.Client, bsre_status_code: httpx.Client) -> None:
    text = bsre.post("/api/sign/verify", files={"other": ("x.pdf", b"x")})
    assert text.status_code == 400
    assert text.json() == {"error": "Proses verifikasi gagal : signed_file wajib diisi", "status_code": 400}
    coded = bsre_status_code.post("/api/sign/verify", files={"other": ("x.pdf", b"x")})
    assert coded.status_code == 400
    assert coded.json() == {"error": "signed_file wajib diisi", "status_code": 4000}


def test_php_true_image_flag_is_accepted(bsre: httpx.Client) -> None:
    """Guzzle (the Laravel client) sends PHP ``true`` as the string "1"."""
    form = {"tampilan": "visible", "image": "1", "page": "1", "xAxis": "20", "yAxis": "20"}
    r = sign_v1(bsre, {**form, "width": "80", "height": "40"}, image=KEY_PNG)
    assert r.status_code == 200, r.text
    assert widget(r.content) == (0, [20, 20, 100, 60])


# -- units: one "pixel" is one PDF unit (p.11, p.12, p.20) --------------------------------------------


def test_widget_rectangle_is_exactly_x_y_x_plus_width_y_plus_height(bsre: httpx.Client) -> None:
    form = {"tampilan": "visible", "image": "true", "page": "1", "xAxis": "12.5", "yAxis": "30.25"}
    r = sign_v1(bsre, {**form, "width": "100.5", "height": "40.75"}, image=KEY_PNG)
    assert r.status_code == 200, r.text
    assert widget(r.content) == (0, [12.5, 30.25, 113.0, 71.0])


def test_image_without_size_gets_its_pixel_size(bsre: httpx.Client) -> None:
    form = {"tampilan": "visible", "image": "true", "page": "1", "xAxis": "50", "yAxis": "60"}
    r = sign_v1(bsre, form, image=png(123, 45))
    assert r.status_code == 200, r.text
    assert_valid_bt(r.content)
    assert widget(r.content) == (0, [50, 60, 173, 105])


def test_image_larger_than_the_page_is_scaled_down_proportionally(bsre: httpx.Client) -> None:
    form = {"tampilan": "visible", "image": "true", "page": "1", "xAxis": "0", "yAxis": "0"}
    r = sign_v1(bsre, form, image=png(2000, 1000))
    assert r.status_code == 200, r.text
    _, (llx, lly, urx, ury) = widget(r.content)
    scale = min(A4_LANDSCAPE[0] / 2000, A4_LANDSCAPE[1] / 1000)
    assert (urx - llx, ury - lly) == pytest.approx((2000 * scale, 1000 * scale), abs=0.01)


def test_only_width_keeps_the_image_proportions(bsre: httpx.Client) -> None:
    form = {"tampilan": "visible", "image": "true", "page": "1", "xAxis": "10", "yAxis": "10", "width": "160"}
    r = sign_v1(bsre, form, image=KEY_PNG)  # 80 x 40
    assert r.status_code == 200, r.text
    assert widget(r.content) == (0, [10, 10, 170, 90])


# -- tag-only visible signatures ---------------------------------------------------------------------


def test_v1_tag_with_image_without_size(bsre: httpx.Client) -> None:
    form = {"tampilan": "visible", "image": "true", "tag_koordinat": "$"}
    r = sign_v1(bsre, form, pdf=make_pdf(tag="$"), image=png(90, 30))
    assert r.status_code == 200, r.text
    assert_valid_bt(r.content)
    _, (llx, lly, urx, ury) = widget(r.content)
    assert (llx, lly) == pytest.approx(TAG_POS, abs=1)
    assert (urx - llx, ury - lly) == pytest.approx((90, 30))


def test_v1_tag_with_link_qr_without_size(bsre: httpx.Client) -> None:
    form = {"tampilan": "visible", "image": "false", "linkQR": "https://domain.go.id/path-to-pdf", "tag_koordinat": "#"}
    r = sign_v1(bsre, form)
    assert r.status_code == 200, r.text
    _, (llx, lly, urx, ury) = widget(r.content)
    assert (urx - llx, ury - lly) == pytest.approx(DEFAULT_QR_SIZE)


def test_v1_tag_only_as_esign_ts_sends_it(bsre: httpx.Client) -> None:
    """esign-ts ``signVisible(..., VisibleSignOptions.withTag('#'))``: tampilan=visible and tag_koordinat only."""
    r = bsre.post(
        "/api/sign/pdf",
        data={"nik": KEPALA["nik"], "passphrase": KEPALA["passphrase"], "tampilan": "visible", "tag_koordinat": "#"},
        files={"file": ("surat.pdf", make_pdf(), "application/pdf")},
    )
    assert r.status_code == 200, r.text
    assert_valid_bt(r.content)
    _, (llx, lly, urx, ury) = widget(r.content)
    assert (llx, lly) == pytest.approx(TAG_POS, abs=1)
    assert (urx - llx, ury - lly) == pytest.approx(DEFAULT_TEXT_SIZE)


def sign_v2(client: httpx.Client, props: dict[str, Any], pdf: bytes | None = None) -> Any:
    body = {**KEPALA, "signatureProperties": [props], "file": [b64(pdf or make_pdf())]}
    return client.post("/api/v2/sign/pdf", json=body)


def _v2_pdf(r: Any) -> bytes:
    assert r.status_code == 200, r.text
    import base64

    return base64.b64decode(r.json()["file"][0])


def test_v2_tag_with_image_without_size(bsre: httpx.Client) -> None:
    """esign-ts ``SignatureProperties.visibleWithTag('#', image)``: no page, origin, width or height."""
    props = {"tampilan": "VISIBLE", "imageBase64": b64(png(70, 35)), "tag_koordinat": "#", "location": None}
    pdf = _v2_pdf(sign_v2(bsre, {**props, "reason": ""}))
    assert_valid_bt(pdf)
    _, (llx, lly, urx, ury) = widget(pdf)
    assert (llx, lly) == pytest.approx(TAG_POS, abs=1)
    assert (urx - llx, ury - lly) == pytest.approx((70, 35))


def test_v2_tag_only_without_image(bsre: httpx.Client) -> None:
    """esign-ts ``SignatureProperties.visibleWithTag('#')``: the tag and nothing else gets the text stamp."""
    pdf = _v2_pdf(sign_v2(bsre, {"tampilan": "VISIBLE", "tag_koordinat": "#", "location": None, "reason": ""}))
    assert_valid_bt(pdf)
    _, (llx, lly, urx, ury) = widget(pdf)
    assert (llx, lly) == pytest.approx(TAG_POS, abs=1)
    assert (urx - llx, ury - lly) == pytest.approx(DEFAULT_TEXT_SIZE)


def test_v2_origin_is_the_upper_left_corner_measured_from_the_top(bsre: httpx.Client) -> None:
    """Guide p.21 (API v2): y = 0 at the top of the page, (originX, originY) the box's upper-left corner; the page
    here is A4 landscape, 595.28 high."""
    props = {"tampilan": "VISIBLE", "imageBase64": b64(KEY_PNG), "page": 1, "originX": 10, "originY": 20}
    pdf = _v2_pdf(sign_v2(bsre, {**props, "width": 100, "height": 50}))
    top = landscape(A4)[1]
    assert widget(pdf) == (0, pytest.approx([10, top - 20 - 50, 110, top - 20]))


def test_v2_guide_example_c_tag_with_size(bsre: httpx.Client) -> None:
    """Guide p.23 c (credential by passphrase here; ``otp`` is v2's business)."""
    props = {"tampilan": "VISIBLE", "tag_koordinat": "$", "imageBase64": b64(KEY_PNG), "width": 200, "height": 100}
    pdf = _v2_pdf(sign_v2(bsre, props, pdf=make_pdf(tag="$")))
    _, (llx, lly, urx, ury) = widget(pdf)
    assert (urx - llx, ury - lly) == pytest.approx((200, 100))


# -- signature format adbe.pkcs7.detached -------------------------------------------------------------

PKCS7 = "/adbe.pkcs7.detached"


def test_pkcs7_v1(bsre_pkcs7: httpx.Client) -> None:
    r = sign_v1(bsre_pkcs7, {"tampilan": "invisible", "reason": "Penerbitan KK"})
    assert r.status_code == 200, r.text
    assert_valid_bt(r.content, PKCS7)


def test_pkcs7_v2_visible(bsre_pkcs7: httpx.Client) -> None:
    props = {"tampilan": "VISIBLE", "imageBase64": b64(KEY_PNG), "page": 1, "originX": 10, "originY": 10}
    pdf = _v2_pdf(sign_v2(bsre_pkcs7, {**props, "width": 200, "height": 100}))
    assert_valid_bt(pdf, PKCS7)


def _outbox_code(client: httpx.Client, kind: str) -> str:
    mails = client.get("/_admin/outbox", params={"idSubscriber": SEAL_ID, "kind": kind}).json()["messages"]
    return str(mails[-1]["code"])


def test_pkcs7_seal(bsre_pkcs7: httpx.Client) -> None:
    assert bsre_pkcs7.post("/api/v2/seal/get/activation", json={"idSubscriber": SEAL_ID}).status_code == 200
    activation = _outbox_code(bsre_pkcs7, "seal-activation")
    answer = bsre_pkcs7.post("/api/v2/seal/get/totp", json={"idSubscriber": SEAL_ID, "totp": activation, "data": 1})
    assert answer.status_code == 200, answer.text
    seal_code = _outbox_code(bsre_pkcs7, "seal-totp")
    body = {"idSubscriber": SEAL_ID, "totp": seal_code, "file": [b64(make_pdf())]}
    pdf = _v2_pdf(bsre_pkcs7.post("/api/v2/seal/pdf", json=body))
    assert_valid_bt(pdf, PKCS7)


def test_default_format_stays_pades(bsre: httpx.Client) -> None:
    r = sign_v1(bsre, {"tampilan": "invisible"})
    assert signature(r.content).sig_object["/SubFilter"] == "/ETSI.CAdES.detached"

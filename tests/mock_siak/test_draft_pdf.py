"""The draft KK PDF: layout content, the empty TTE field, signability, pagination, bad input.

Text is extracted with Debian's ``pdftotext`` (poppler-utils) in ``-raw`` mode, which keeps content
stream order, so a name wrapped onto two lines of one cell still reads as one string.
"""

from __future__ import annotations

import copy
import io
import re
import shutil
import subprocess
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers
from pyhanko.sign.fields import enumerate_sig_fields
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from mock_siak.draft_pdf import PAGE_SIZE, TTE_BOX, render_draft_kk
from mock_siak.population import generate_population

PDFTOTEXT = shutil.which("pdftotext")
needs_pdftotext = pytest.mark.skipif(PDFTOTEXT is None, reason="poppler-utils pdftotext missing")
ISSUED = date(2026, 11, 1)
RENDER_ARGS: dict[str, Any] = {
    "no_permohonan": "BCA-2026-000123",
    "issued_on": ISSUED,
    "kepala_dinas_name": "Drs. AGUS SANTOSO, M.Si.",
    "kepala_dinas_nip": "19730702 199311 1 001",
    "kab_name": "KABUPATEN LUMAJANG",
}


@pytest.fixture(scope="module")
def families() -> list[dict[str, Any]]:
    return list(generate_population(20261101, 400))


@pytest.fixture(scope="module")
def family(families: list[dict[str, Any]]) -> dict[str, Any]:
    """A married couple with children and at least one date of marriage to print."""
    return next(f for f in families if len(f["ANGGOTA"]) >= 4 and f["NO_KAB"] == "08" and f["ANGGOTA"][0]["TGL_KWN"])


def with_members(base: dict[str, Any], count: int) -> dict[str, Any]:
    """``base`` grown (or cut) to ``count`` members with distinct NIKs and names."""
    family = copy.deepcopy(base)
    members = family["ANGGOTA"][:count]
    template = members[-1]
    while len(members) < count:
        extra = copy.deepcopy(template)
        extra["NIK"] = f"{template['NIK'][:12]}{9000 + len(members):04d}"
        extra["NAMA_LGKP"] = f"FAMILI TAMBAHAN NOMOR {len(members) + 1}"
        extra["STAT_HBKEL"] = 9
        members.append(extra)
    family["ANGGOTA"] = members
    return family


def text_of(pdf: bytes, tmp_path: Path, page: int | None = None) -> str:
    path = tmp_path / "draft.pdf"
    path.write_bytes(pdf)
    pages = ["-f", str(page), "-l", str(page)] if page else []
    assert PDFTOTEXT is not None
    result = subprocess.run([PDFTOTEXT, "-raw", *pages, str(path), "-"], capture_output=True, text=True, check=True)
    return " ".join(result.stdout.split())


def page_count(pdf: bytes) -> int:
    return int(PdfFileReader(io.BytesIO(pdf)).root["/Pages"]["/Count"])


def dmy(value: date) -> str:
    return value.strftime("%d-%m-%Y")


@pytest.fixture(scope="module")
def draft(family: dict[str, Any]) -> bytes:
    return render_draft_kk(family, **RENDER_ARGS)


# --- a valid A4 landscape PDF with the KK's content ----------------------------------------------------
def test_draft_is_a_pdf_on_a4_landscape(draft: bytes) -> None:
    assert draft.startswith(b"%PDF-")
    reader = PdfFileReader(io.BytesIO(draft))
    first = reader.root["/Pages"]["/Kids"][0].get_object()
    x1, y1, x2, y2 = (float(v) for v in first["/MediaBox"])
    assert (round(x2 - x1), round(y2 - y1)) == (842, 595)
    assert page_count(draft) == 1
    assert PAGE_SIZE[0] > PAGE_SIZE[1]


@needs_pdftotext
def test_draft_shows_title_header_fields_and_every_member(draft: bytes, family: dict[str, Any], tmp_path: Path) -> None:
    text = text_of(draft, tmp_path)
    assert "KARTU KELUARGA" in text
    assert f"No. {family['NO_KK']}" in text
    for label in ("Nama Kepala Keluarga", "Alamat", "RT/RW", "Desa/Kelurahan", "Kecamatan",
                  "Kabupaten/Kota", "Kode Pos", "Provinsi"):  # fmt: skip
        assert label in text
    for key in ("ALAMAT", "KEL_NAME", "KEC_NAME", "KAB_NAME", "KODE_POS", "PROP_NAME"):
        assert family[key] in text
    assert f"{family['NO_RT']}/{family['NO_RW']}" in text
    for member in family["ANGGOTA"]:
        assert member["NIK"] in text
        assert member["NAMA_LGKP"] in text
        assert dmy(member["TGL_LHR"]) in text
    married = family["ANGGOTA"][0]["TGL_KWN"]
    assert dmy(married) in text
    for label in ("Kepala Keluarga", "Kawin", "WNI", "Laki-laki"):  # labels from codes.json
        assert label in text


@needs_pdftotext
def test_draft_shows_all_seventeen_column_headings(draft: bytes, tmp_path: Path) -> None:
    text = text_of(draft, tmp_path)
    for number in range(1, 18):
        assert f"({number})" in text
    for heading in ("Nama Lengkap", "NIK", "Jenis Kelamin", "Tempat Lahir", "Tanggal Lahir",
                    "Agama", "Pendidikan", "Jenis Pekerjaan", "Golongan Darah",
                    "Status Perkawinan", "Tanggal Perkawinan", "Kewarganegaraan", "No. Paspor",
                    "No. KITAP", "Ayah", "Ibu"):  # fmt: skip
        assert heading in text
    assert re.search(r"Status Hubungan\s+Dalam\s+Keluarga", text)


@needs_pdftotext
def test_draft_footer_names_the_head_and_the_kepala_dinas(draft: bytes, family: dict[str, Any], tmp_path: Path) -> None:
    text = text_of(draft, tmp_path)
    assert "Dikeluarkan Tanggal : 01-11-2026" in text
    assert f"KEPALA KELUARGA {family['NAMA_KEP']}" in text
    assert "KEPALA DINAS KEPENDUDUKAN DAN PENCATATAN SIPIL KABUPATEN LUMAJANG" in text
    assert "Drs. AGUS SANTOSO, M.Si." in text
    assert "NIP. 19730702 199311 1 001" in text
    assert "DRAFT" in text
    assert "BCA-2026-000123" in text


# --- the TTE signature field ---------------------------------------------------------------------------
def test_draft_has_exactly_one_empty_tte_field_on_the_last_page(draft: bytes) -> None:
    reader = PdfFileReader(io.BytesIO(draft))
    found = list(enumerate_sig_fields(reader, filled_status=None))
    assert [(name, value) for name, value, _ in found] == [("TTE", None)]
    field = found[0][2].get_object()
    assert field["/FT"] == "/Sig"
    assert tuple(float(v) for v in field["/Rect"]) == TTE_BOX
    last_page = reader.root["/Pages"]["/Kids"][-1].get_object()
    annots = [a.get_object() for a in last_page["/Annots"]]
    assert any(a.get("/T") == "TTE" for a in annots)


Box = tuple[float, float, float, float]


def word_boxes(pdf: bytes, tmp_path: Path) -> list[list[tuple[str, Box]]]:
    """Per page, every word with its box in PDF coordinates (origin bottom left)."""
    path = tmp_path / "draft.pdf"
    path.write_bytes(pdf)
    assert PDFTOTEXT is not None
    html = subprocess.run([PDFTOTEXT, "-bbox", str(path), "-"], capture_output=True, text=True, check=True).stdout
    height = PAGE_SIZE[1]
    pattern = r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<'
    pages = []
    for page in html.split("<page ")[1:]:
        pages.append(
            [
                (word, (float(a), height - float(d), float(c), height - float(b)))
                for a, b, c, d, word in re.findall(pattern, page)
            ]
        )
    return pages


def overlap(one: Box, two: Box, slack: float = 0.3) -> bool:
    return one[0] < two[2] - slack and one[2] > two[0] + slack and one[1] < two[3] - slack and one[3] > two[1] + slack


@needs_pdftotext
def test_nothing_is_printed_inside_the_tte_area(draft: bytes, tmp_path: Path) -> None:
    (words,) = word_boxes(draft, tmp_path)
    assert len(words) > 100
    for word, box in words:
        assert not overlap(box, TTE_BOX, slack=0), word


@needs_pdftotext
@pytest.mark.parametrize("count", [10, 12])
def test_full_pages_keep_every_word_on_the_page_and_apart(family: dict[str, Any], count: int, tmp_path: Path) -> None:
    pdf = render_draft_kk(with_members(family, count), **RENDER_ARGS)
    for words in word_boxes(pdf, tmp_path):
        for index, (word, box) in enumerate(words):
            inside = box[0] >= 0 and box[1] >= 0 and box[2] <= PAGE_SIZE[0] and box[3] <= PAGE_SIZE[1]
            assert inside, word  # nothing clipped
            for other, other_box in words[index + 1 :]:
                assert not overlap(box, other_box), (word, other)


def throwaway_signer() -> tuple[signers.SimpleSigner, asn1_x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Kepala Dinas Uji")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=7))
        .sign(key, hashes.SHA256())
    )
    asn1_cert = asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))
    asn1_key = asn1_keys.PrivateKeyInfo.load(
        key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    signer = signers.SimpleSigner(
        signing_cert=asn1_cert,
        signing_key=asn1_key,
        cert_registry=SimpleCertificateStore.from_certs([asn1_cert]),  # type: ignore[no-untyped-call]
    )
    return signer, asn1_cert


def test_pyhanko_signs_into_the_tte_field(draft: bytes) -> None:
    signer, cert = throwaway_signer()
    writer = IncrementalPdfFileWriter(io.BytesIO(draft))
    signed = signers.sign_pdf(writer, signers.PdfSignatureMetadata(field_name="TTE"), signer=signer)
    reader = PdfFileReader(io.BytesIO(signed.getvalue()))
    assert len(reader.embedded_signatures) == 1
    signature = reader.embedded_signatures[0]
    assert signature.field_name == "TTE"
    status = validate_pdf_signature(signature, ValidationContext(trust_roots=[cert]))
    assert status.intact
    assert status.valid
    filled = list(enumerate_sig_fields(reader, filled_status=None))
    assert len(filled) == 1
    assert filled[0][1] is not None


# --- pagination ----------------------------------------------------------------------------------------
def test_ten_members_fit_on_one_page(family: dict[str, Any]) -> None:
    assert page_count(render_draft_kk(with_members(family, 10), **RENDER_ARGS)) == 1


@needs_pdftotext
def test_twelve_members_continue_on_a_second_page_with_the_footer_last(family: dict[str, Any], tmp_path: Path) -> None:
    big = with_members(family, 12)
    pdf = render_draft_kk(big, **RENDER_ARGS)
    assert page_count(pdf) == 2
    first, second = text_of(pdf, tmp_path, 1), text_of(pdf, tmp_path, 2)
    niks = [m["NIK"] for m in big["ANGGOTA"]]
    assert all(nik in first for nik in niks[:10])
    assert not any(n in first for n in niks[10:])
    assert all(nik in second for nik in niks[10:])
    assert "Dikeluarkan Tanggal" not in first
    assert "Bersambung" in first
    assert "Dikeluarkan Tanggal" in second
    assert "NIP. 19730702 199311 1 001" in second
    assert "KARTU KELUARGA" in second
    assert big["NO_KK"] in second
    reader = PdfFileReader(io.BytesIO(pdf))
    (_, _, ref), *rest = list(enumerate_sig_fields(reader, filled_status=None))
    assert not rest
    second_page = reader.root["/Pages"]["/Kids"][1].get_object()
    assert ref.get_object()["/P"].get_object() == second_page


@needs_pdftotext
def test_a_very_long_name_is_printed_whole(family: dict[str, Any], tmp_path: Path) -> None:
    long_family = copy.deepcopy(family)
    long_name = "MUHAMMAD ARKAN ALFARIZI AL GHIFARI SYAHPUTRA WIJAYAKUSUMA"
    long_family["ANGGOTA"][-1]["NAMA_LGKP"] = long_name
    assert long_name in text_of(render_draft_kk(long_family, **RENDER_ARGS), tmp_path)


# --- determinism and bad input -------------------------------------------------------------------------
def first_revision(pdf: bytes) -> bytes:
    return pdf[: pdf.index(b"%%EOF") + 5]


@needs_pdftotext
def test_same_input_renders_the_same_document(
    family: dict[str, Any], families: list[dict[str, Any]], tmp_path: Path
) -> None:
    one, two = render_draft_kk(family, **RENDER_ARGS), render_draft_kk(family, **RENDER_ARGS)
    assert first_revision(one) == first_revision(two)
    assert text_of(one, tmp_path) == text_of(two, tmp_path)
    other = next(f for f in families if f["NO_KK"] != family["NO_KK"])
    assert first_revision(render_draft_kk(other, **RENDER_ARGS)) != first_revision(one)


def test_a_family_without_members_is_refused(family: dict[str, Any]) -> None:
    empty = {**family, "ANGGOTA": []}
    with pytest.raises(ValueError, match="ANGGOTA"):
        render_draft_kk(empty, **RENDER_ARGS)


def test_a_family_missing_header_elements_is_refused(family: dict[str, Any]) -> None:
    broken = {k: v for k, v in family.items() if k not in ("NO_KK", "KODE_POS")}
    with pytest.raises(ValueError, match="NO_KK, KODE_POS"):
        render_draft_kk(broken, **RENDER_ARGS)

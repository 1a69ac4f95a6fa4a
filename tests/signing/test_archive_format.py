"""A signed KK fit for the archive: every font embedded (the TTE block's too), titled "Kartu Keluarga",
nothing poppler has to repair, and the draft's PDF/A-2b parts kept in step by the signature's update.

See ``tests/archive_pdf_kit.py`` for what is judged by poppler and why no PDF/A validator runs.
"""

from __future__ import annotations

import io
import zlib
from pathlib import Path

import anyio
import pytest
from archive_pdf_kit import assert_info_matches_xmp, font_rows, info_field, needs_poppler, xmp_properties
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.writer import PdfFileWriter
from signing_kit import draft_kk, p12_passphrase, p12_path, tte_block

from siakgate.signing import PadesLevel, SigningOptions, SignRequest
from siakgate.signing._fonts import BOLD, REGULAR, font_subset, text_width
from siakgate.signing.engine import sign_batch
from siakgate.signing.pkcs12 import load_pkcs12


@pytest.fixture(scope="module")
def signed_kk() -> bytes:
    signer = load_pkcs12(p12_path().read_bytes(), p12_passphrase())

    async def main() -> bytes:
        (result,) = await sign_batch(
            [SignRequest("kk", draft_kk(3), tte=tte_block("kk"))], signer, SigningOptions(level=PadesLevel.B_B)
        )
        assert result.signed_pdf is not None, result.error
        return result.signed_pdf

    return anyio.run(main)


@needs_poppler
def test_every_font_of_the_signed_kk_is_embedded(signed_kk: bytes, tmp_path: Path) -> None:
    rows = font_rows(signed_kk, tmp_path)  # also fails on "Internal Error: xref num ... not found"
    assert all(row["emb"] == "yes" for row in rows), rows
    assert all(row["object"] != "[none]" for row in rows), "every font is an indirect object"
    names = [row["name"] for row in rows]
    assert not [name for name in names if "Helvetica" in name]
    # the draft's three faces and the TTE block's two
    assert sum(name.endswith("+DejaVuSansCondensed") for name in names) == 2
    assert sum(name.endswith("+DejaVuSansCondensed-Bold") for name in names) == 2


@needs_poppler
def test_the_signed_kk_is_titled_kartu_keluarga(signed_kk: bytes, tmp_path: Path) -> None:
    assert info_field(signed_kk, tmp_path, "Title") == "Kartu Keluarga"


def test_signing_keeps_the_pdfa_metadata_in_step(signed_kk: bytes) -> None:
    xmp = xmp_properties(signed_kk)
    assert (xmp["pdfaid:part"], xmp["pdfaid:conformance"]) == ("2", "B")
    assert xmp["dc:title"] == "Kartu Keluarga"
    assert_info_matches_xmp(signed_kk)  # producer and modification date rewritten in both places
    assert "/OutputIntents" in PdfFileReader(io.BytesIO(signed_kk)).root


def test_embedded_widths_are_the_widths_the_layout_used() -> None:
    text = "Drs. Bambang Setiawan, M.Si. ÄÖ"
    subset = font_subset(BOLD, text)
    assert subset.chars == tuple(sorted(set(text)))
    for char, width in zip(subset.chars, subset.widths, strict=True):
        assert width == pytest.approx(text_width(char, BOLD, 1000))
    assert subset.encode("Drs") == b"<" + bytes(subset.chars.index(c) for c in "Drs").hex().encode() + b">"


def test_a_subset_is_cut_once_and_written_as_indirect_objects() -> None:
    text = "NIP. 19720512 199803 1 004"
    subset = font_subset(REGULAR, text)
    assert font_subset(REGULAR, "".join(reversed(text))) is subset  # cached by character set
    writer = PdfFileWriter()  # type: ignore[no-untyped-call]
    ref = subset.write(writer)
    assert isinstance(ref, generic.IndirectObject)
    font = ref.get_object()
    assert font["/Subtype"] == "/TrueType"
    assert "/Encoding" not in font  # a symbolic TrueType font: its one cmap maps the codes
    assert isinstance(font.raw_get("/FontDescriptor"), generic.IndirectObject)
    program = font["/FontDescriptor"]["/FontFile2"]
    data = zlib.decompress(program.encoded_data)
    assert data[:4] == b"\x00\x01\x00\x00"  # a TrueType font program
    assert program["/Length1"] == len(data)
    assert font["/BaseFont"] == "/" + subset.base_font
    assert subset.base_font[6] == "+"
    assert subset.base_font[:6].isupper()

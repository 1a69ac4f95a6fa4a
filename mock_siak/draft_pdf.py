"""The draft Kartu Keluarga as mock SIAK renders it: an A4 landscape PDF with an empty "TTE" field.

Layout follows the KK printed since 2020 (plain A4 HVS, authenticity from the electronic signature):
title and No. KK, the header fields in two columns, member table 1 with columns (1)-(9), member
table 2 with columns (10)-(17), and the footer: "Dikeluarkan Tanggal", the Kepala Keluarga on the
left, the Kepala Dinas with name and NIP on the right. Each table always shows 10 rows, as the
printed form does; a family with more members continues on further pages (header and tables
repeated, numbering continued), and the footer with the TTE area is on the last page only.

The TTE area between the Kepala Dinas's title and name is left blank and carries an empty
signature form field named ``TTE`` whose rectangle is :data:`TTE_BOX` (PDF points, origin bottom
left, on the LAST page). Reportlab cannot create signature fields, so pyHanko appends the field as
an incremental update after rendering; the result is a plain, unsigned PDF that pyHanko (or BSrE's
Esign Client) can sign into ``TTE``, where the QR code and the BSrE sentence then appear.

"DRAFT" marking (decision): while a request is still being checked (``draft=True``) the page carries a
red "DRAFT" label in the top-right corner and, on the last page, a short red note in the footer's
middle column ("Belum ditandatangani secara elektronik; belum berlaku sebagai Kartu Keluarga"), both
clear of the TTE area and of the data. No diagonal watermark: it would hurt legibility of the printed
draft the applicant checks and garble text extraction. Once the verifier has approved the request,
SIAK hands out the KK to be signed: the same layout with ``draft=False``, without those marks, since
they are page content and would otherwise survive the signature.

Title (decision): the draft a person checks is titled "Draf Kartu Keluarga"; the KK handed out for
signing (``draft=False``) is titled "Kartu Keluarga", since the gateway signs it as it is and its
title is then the signed KK's.

Archive (PDF/A-2b, as far as reportlab and pyHanko go): the text is set in DejaVu Sans Condensed
(``fonts/``, close to Helvetica's widths), which reportlab embeds as subsets; reportlab writes no XMP
and no OutputIntent, so pyHanko's incremental update adds them: an sRGB OutputIntent (``icc/``) and
XMP metadata that declares PDF/A-2 level B and mirrors the document information dictionary (title,
author, subject, creator, producer and both dates: PDF/A wants them equal; no keywords, see
:func:`_complete`). The producer is
pyHanko's name alone because pyHanko writes exactly that into the XMP at every update, the gateway's
signature included. No PDF/A validator (veraPDF) runs in the tests: they check these parts, not
conformance as a whole.

Determinism: reportlab renders with ``invariant=1`` (no timestamps, fixed document ID), so the first
revision is byte-identical for the same input; pyHanko's incremental update adds a fresh second
document-ID half and a ModDate, so whole files differ between calls while text and layout do not.
"""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from importlib.resources import files
from typing import Any

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name, pdf_string
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.metadata.model import NS, VENDOR, ExpandedName, XmpStructure, XmpValue
from pyhanko.pdf_utils.metadata.xmp_xml import MetadataStream
from pyhanko.sign.fields import SigFieldSpec, append_signature_field
from reportlab.lib.colors import Color, black
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfbase.pdfmetrics import registerFont, stringWidth
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

__all__ = ["DRAFT_TITLE", "KK_TITLE", "PAGE_SIZE", "ROWS_PER_PAGE", "TTE_BOX", "TTE_FIELD_NAME", "render_draft_kk"]

PAGE_SIZE: tuple[float, float] = landscape(A4)  # 841.89 x 595.28 points
ROWS_PER_PAGE = 10
TTE_FIELD_NAME = "TTE"
TTE_BOX: tuple[int, int, int, int] = (560, 46, 790, 108)
"""(x1, y1, x2, y2) in points of the empty TTE signature field on the last page: 230 x 62 pt,
between the Kepala Dinas's title (above) and name (below). Room for a QR code and the BSrE text."""

KK_TITLE = "Kartu Keluarga"
DRAFT_TITLE = "Draf Kartu Keluarga"

_MARGIN = 28.0
_FONT, _BOLD, _ITALIC = "KK-DejaVuSansCondensed", "KK-DejaVuSansCondensed-Bold", "KK-DejaVuSansCondensed-Oblique"
_FONT_FILES = {
    _FONT: "DejaVuSansCondensed.ttf",
    _BOLD: "DejaVuSansCondensed-Bold.ttf",
    _ITALIC: "DejaVuSansCondensed-Oblique.ttf",
}
_AUTHOR, _CREATOR = "mock SIAK", "siakgate mock_siak"
_CREATED = datetime(2000, 1, 1, tzinfo=UTC)  # the CreationDate reportlab writes with invariant=1
_SRGB = "sRGB IEC61966-2.1"
_HEADER_H, _NUMBER_H, _ROW_H = 22.0, 10.0, 13.0
_TABLE1_TOP, _TABLE_GAP = 484.0, 8.0
_GRAY = Color(0.9, 0.9, 0.9)
_RED = Color(0.75, 0.1, 0.1)


@dataclass(frozen=True)
class _Column:
    label: str
    number: str  # "(1)".."(17)"; "" for the No column
    width: float
    key: str  # member key, "#" for the running number
    group: str = ""  # a heading spanning adjacent columns with the same group


_TABLE1 = (
    _Column("No", "", 20, "#"),
    _Column("Nama Lengkap", "(1)", 150, "NAMA_LGKP"),
    _Column("NIK", "(2)", 88, "NIK"),
    _Column("Jenis Kelamin", "(3)", 58, "JENIS_KLMIN"),
    _Column("Tempat Lahir", "(4)", 80, "TMPT_LHR"),
    _Column("Tanggal Lahir", "(5)", 56, "TGL_LHR"),
    _Column("Agama", "(6)", 60, "AGAMA"),
    _Column("Pendidikan", "(7)", 104, "PDDK_AKH"),
    _Column("Jenis Pekerjaan", "(8)", 116, "JENIS_PKRJN"),
    _Column("Golongan Darah", "(9)", 54, "GOL_DARAH"),
)
_TABLE2 = (
    _Column("No", "", 20, "#"),
    _Column("Status Perkawinan", "(10)", 70, "STATUS_KAWIN"),
    _Column("Tanggal Perkawinan", "(11)", 62, "TGL_KWN"),
    _Column("Status Hubungan Dalam Keluarga", "(12)", 88, "STAT_HBKEL"),
    _Column("Kewarganegaraan", "(13)", 66, "KEWARGANEGARAAN"),
    _Column("No. Paspor", "(14)", 72, "NO_PASPOR", "Dokumen Imigrasi"),
    _Column("No. KITAP", "(15)", 72, "NO_KITAP", "Dokumen Imigrasi"),
    _Column("Ayah", "(16)", 168, "NAMA_LGKP_AYAH", "Nama Orang Tua"),
    _Column("Ibu", "(17)", 168, "NAMA_LGKP_IBU", "Nama Orang Tua"),
)
_CODED = ("JENIS_KLMIN", "AGAMA", "PDDK_AKH", "JENIS_PKRJN", "GOL_DARAH", "STATUS_KAWIN",
          "STAT_HBKEL", "KEWARGANEGARAAN")  # fmt: skip
_FAMILY_KEYS = ("NO_KK", "NAMA_KEP", "ALAMAT", "NO_RT", "NO_RW", "KEL_NAME", "KEC_NAME",
                "KAB_NAME", "KODE_POS", "PROP_NAME", "ANGGOTA")  # fmt: skip


@cache
def _register_fonts() -> None:
    """Register the bundled DejaVu faces with reportlab, once per process (reportlab then embeds subsets)."""
    for name, file_name in _FONT_FILES.items():
        data = (files("mock_siak") / "fonts" / file_name).read_bytes()
        registerFont(TTFont(name, io.BytesIO(data)))


@cache
def _labels() -> dict[str, dict[str, str]]:
    """The printed labels of the shared code lists (the mock reads only contract files)."""
    text = (files("siakgate.contracts") / "codes.json").read_text(encoding="utf-8")
    codes: dict[str, dict[str, str]] = json.loads(text)
    return codes


def _dmy(value: date | None) -> str:
    return value.strftime("%d-%m-%Y") if value else "-"


def _cell_text(member: dict[str, Any], key: str, number: int) -> str:
    if key == "#":
        return str(number)
    value = member.get(key)
    if value is None or value == "":
        return "-"
    if key in _CODED:
        return _labels()[key].get(str(value), str(value))
    if isinstance(value, date):
        return _dmy(value)
    return str(value)


def _fit(text: str, font: str, width: float, size: float = 7.0) -> tuple[list[str], float]:
    """Lines and font size so ``text`` fits ``width``: shrink to 5.5 pt, then wrap onto 2 lines."""
    while size > 5.5 and stringWidth(text, font, size) > width:
        size -= 0.25
    if stringWidth(text, font, size) <= width:
        return [text], size
    words, first = text.split(), ""
    while words and stringWidth(f"{first} {words[0]}".strip(), font, size) <= width:
        first = f"{first} {words.pop(0)}".strip()
    rest = " ".join(words)
    while stringWidth(rest, font, size) > width and size > 4.5:
        size -= 0.25
    return [first, rest] if first else [rest], size


def _centred_lines(c: Canvas, lines: Sequence[str], font: str, size: float, x: float, w: float, mid_y: float) -> None:
    leading = size + 1
    y = mid_y + (len(lines) - 1) * leading / 2 - size * 0.35
    for line in lines:
        c.setFont(font, size)
        c.drawCentredString(x + w / 2, y, line)
        y -= leading


def _table_header(c: Canvas, columns: Sequence[_Column], top: float) -> None:
    x = _MARGIN
    c.setFillColor(_GRAY)
    total = sum(col.width for col in columns)
    c.rect(_MARGIN, top - _HEADER_H - _NUMBER_H, total, _HEADER_H + _NUMBER_H, stroke=0, fill=1)
    c.setFillColor(black)
    index = 0
    while index < len(columns):
        col = columns[index]
        if col.group:
            span = [cc for cc in columns[index:] if cc.group == col.group]
            span_w = sum(cc.width for cc in span)
            half = _HEADER_H / 2
            _centred_lines(c, [col.group], _BOLD, 6.5, x, span_w, top - half / 2)
            c.line(x, top - half, x + span_w, top - half)
            for position, sub in enumerate(span):
                _centred_lines(c, [sub.label], _BOLD, 6.5, x, sub.width, top - half - half / 2)
                c.line(x, top if position == 0 else top - half, x, top - _HEADER_H - _NUMBER_H)
                x += sub.width
            index += len(span)
            continue
        lines, size = _fit(col.label, _BOLD, col.width - 4, 6.5)
        _centred_lines(c, lines, _BOLD, size, x, col.width, top - _HEADER_H / 2)
        _centred_lines(c, [col.number], _ITALIC, 6.0, x, col.width, top - _HEADER_H - _NUMBER_H / 2)
        c.line(x, top, x, top - _HEADER_H - _NUMBER_H)
        x += col.width
        index += 1
    for col_x, col in _column_edges(columns):
        if col.group:
            _centred_lines(c, [col.number], _ITALIC, 6.0, col_x, col.width, top - _HEADER_H - _NUMBER_H / 2)
    c.line(_MARGIN, top - _HEADER_H, _MARGIN + total, top - _HEADER_H)


def _column_edges(columns: Sequence[_Column]) -> list[tuple[float, _Column]]:
    edges, x = [], _MARGIN
    for col in columns:
        edges.append((x, col))
        x += col.width
    return edges


def _table(c: Canvas, columns: Sequence[_Column], top: float, members: Sequence[dict[str, Any]], first: int) -> float:
    """Draw one member table with ROWS_PER_PAGE rows starting at ``top``; return its bottom."""
    total = sum(col.width for col in columns)
    _table_header(c, columns, top)
    body_top = top - _HEADER_H - _NUMBER_H
    bottom = body_top - ROWS_PER_PAGE * _ROW_H
    c.setLineWidth(0.5)
    c.rect(_MARGIN, bottom, total, top - bottom, stroke=1, fill=0)
    for row in range(ROWS_PER_PAGE + 1):
        y = body_top - row * _ROW_H
        c.line(_MARGIN, y, _MARGIN + total, y)
    for col_x, _col in _column_edges(columns)[1:]:
        c.line(col_x, body_top, col_x, bottom)
    for row, member in enumerate(members):
        mid = body_top - row * _ROW_H - _ROW_H / 2
        for col_x, col in _column_edges(columns):
            text = _cell_text(member, col.key, first + row)
            lines, size = _fit(text, _FONT, col.width - 4)
            if col.key in ("NAMA_LGKP", "NAMA_LGKP_AYAH", "NAMA_LGKP_IBU"):
                _left_lines(c, lines, size, col_x + 2, mid)
            else:
                _centred_lines(c, lines, _FONT, size, col_x, col.width, mid)
    return bottom


def _left_lines(c: Canvas, lines: Sequence[str], size: float, x: float, mid_y: float) -> None:
    leading = size + 1
    y = mid_y + (len(lines) - 1) * leading / 2 - size * 0.35
    c.setFont(_FONT, size)
    for line in lines:
        c.drawString(x, y, line)
        y -= leading


def _page_header(c: Canvas, family: dict[str, Any], no_permohonan: str, *, draft: bool) -> None:
    width, height = PAGE_SIZE
    c.setFillColor(black)
    c.setFont(_BOLD, 16)
    c.drawCentredString(width / 2, height - 30, "KARTU KELUARGA")
    c.setFont(_BOLD, 11)
    c.drawCentredString(width / 2, height - 45, f"No. {family['NO_KK']}")
    c.setFont(_FONT, 6.5)
    c.drawString(_MARGIN, height - 22, f"No. Permohonan: {no_permohonan}")
    if draft:
        _draft_label(c)
    rt_rw = f"{family['NO_RT']}/{family['NO_RW']}"
    left = (
        ("Nama Kepala Keluarga", family["NAMA_KEP"]),
        ("Alamat", family["ALAMAT"]),
        ("RT/RW", rt_rw),
        ("Desa/Kelurahan", family["KEL_NAME"]),
    )
    right = (
        ("Kecamatan", family["KEC_NAME"]),
        ("Kabupaten/Kota", family["KAB_NAME"]),
        ("Kode Pos", family["KODE_POS"]),
        ("Provinsi", family["PROP_NAME"]),
    )
    for (x_label, x_value), pairs in (((_MARGIN, 140.0), left), ((520.0, 600.0), right)):
        y = 528.0
        for label, value in pairs:
            c.setFont(_FONT, 8)
            c.drawString(x_label, y, label)
            c.drawString(x_value - 8, y, ":")
            c.setFont(_BOLD, 8)
            c.drawString(x_value, y, str(value or "-"))
            y -= 11


def _draft_label(c: Canvas) -> None:
    """The DRAFT label, top right, far from the TTE area."""
    width, height = PAGE_SIZE
    c.setStrokeColor(_RED)
    c.setFillColor(_RED)
    c.setLineWidth(1.2)
    c.rect(width - _MARGIN - 92, height - 48, 92, 30, stroke=1, fill=0)
    c.setFont(_BOLD, 15)
    c.drawCentredString(width - _MARGIN - 46, height - 35, "DRAFT")
    c.setFont(_FONT, 5.5)
    c.drawCentredString(width - _MARGIN - 46, height - 44, "belum ditandatangani (TTE)")
    c.setStrokeColor(black)
    c.setFillColor(black)
    c.setLineWidth(0.5)


def _footer(
    c: Canvas,
    head_name: str,
    *,
    issued_on: date,
    kepala_dinas_name: str,
    kepala_dinas_nip: str,
    kab_name: str,
    draft: bool,
) -> None:
    x1, y1, x2, y2 = TTE_BOX
    centre = (x1 + x2) / 2
    c.setFillColor(black)
    c.setFont(_FONT, 8)
    c.drawCentredString(centre, y2 + 28, f"Dikeluarkan Tanggal : {_dmy(issued_on)}")
    c.setFont(_BOLD, 8)
    c.drawCentredString(centre, y2 + 16, "KEPALA DINAS KEPENDUDUKAN DAN PENCATATAN SIPIL")
    c.drawCentredString(centre, y2 + 6, kab_name.upper())
    name_y = y1 - 10
    c.drawCentredString(centre, name_y, kepala_dinas_name)
    name_w = stringWidth(kepala_dinas_name, _BOLD, 8)
    c.line(centre - name_w / 2, name_y - 1.5, centre + name_w / 2, name_y - 1.5)
    c.setFont(_FONT, 8)
    c.drawCentredString(centre, name_y - 10, f"NIP. {kepala_dinas_nip}")
    # the Kepala Keluarga, on the left, aligned with the Kepala Dinas
    left_centre = 160.0
    c.setFont(_BOLD, 8)
    c.drawCentredString(left_centre, y2 + 16, "KEPALA KELUARGA")
    c.drawCentredString(left_centre, name_y, head_name)
    if not draft:
        return
    # the draft note, in the middle column
    c.setFillColor(_RED)
    c.setFont(_ITALIC, 6.5)
    for offset, line in enumerate(
        (
            "DRAFT untuk pemeriksaan data oleh pemohon dan verifikator.",
            "Belum ditandatangani secara elektronik;",
            "belum berlaku sebagai Kartu Keluarga.",
        )
    ):
        c.drawCentredString(PAGE_SIZE[0] / 2 - 40, y2 - 10 - offset * 9, line)
    c.setFillColor(black)


def _validate(family: dict[str, Any]) -> list[dict[str, Any]]:
    missing = [key for key in _FAMILY_KEYS if key not in family]
    if missing:
        raise ValueError(f"family lacks SIAK elements: {', '.join(missing)}")
    members: list[dict[str, Any]] = list(family["ANGGOTA"])
    if not members:
        raise ValueError("family has no members (ANGGOTA is empty)")
    return members


def render_draft_kk(
    family: dict[str, Any],
    *,
    no_permohonan: str,
    issued_on: date,
    kepala_dinas_name: str,
    kepala_dinas_nip: str,
    kab_name: str,
    draft: bool = True,
) -> bytes:
    """Render the KK of ``family`` (a dict as ``generate_population`` yields) as PDF bytes.

    ``kab_name`` completes the Kepala Dinas's title (e.g. ``KABUPATEN LUMAJANG``). ``draft`` adds the
    DRAFT marks; the KK handed out for signing is rendered with ``draft=False``. Raises ValueError
    when the family lacks a header element or has no members.
    """
    members = _validate(family)
    _register_fonts()
    pages = [members[i : i + ROWS_PER_PAGE] for i in range(0, len(members), ROWS_PER_PAGE)]
    title = DRAFT_TITLE if draft else KK_TITLE
    buffer = io.BytesIO()
    c = Canvas(buffer, pagesize=PAGE_SIZE, invariant=1, pageCompression=1, initialFontName=_FONT)
    c.setTitle(title)
    c.setSubject(title)
    c.setAuthor(_AUTHOR)
    c.setCreator(_CREATOR)
    for page_no, chunk in enumerate(pages, start=1):
        first = (page_no - 1) * ROWS_PER_PAGE + 1
        _page_header(c, family, no_permohonan, draft=draft)
        bottom = _table(c, _TABLE1, _TABLE1_TOP, chunk, first)
        _table(c, _TABLE2, bottom - _TABLE_GAP, chunk, first)
        if len(pages) > 1:
            c.setFont(_FONT, 6.5)
            c.drawRightString(PAGE_SIZE[0] - _MARGIN, 16, f"Halaman {page_no} dari {len(pages)}")
        if page_no == len(pages):
            _footer(
                c,
                str(family["NAMA_KEP"]),
                issued_on=issued_on,
                kepala_dinas_name=kepala_dinas_name,
                kepala_dinas_nip=kepala_dinas_nip,
                kab_name=kab_name,
                draft=draft,
            )
        else:
            c.setFont(_ITALIC, 7)
            c.drawCentredString(PAGE_SIZE[0] / 2, 130, "Bersambung ke halaman berikutnya")
        c.showPage()
    c.save()
    return _complete(buffer.getvalue(), title)


def _complete(pdf: bytes, title: str) -> bytes:
    """Append what reportlab cannot write (an incremental update): the empty ``TTE`` signature field on
    the last page, the sRGB OutputIntent and the XMP metadata of PDF/A-2b."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    append_signature_field(writer, SigFieldSpec(TTE_FIELD_NAME, on_page=-1, box=TTE_BOX))
    writer.root["/OutputIntents"] = generic.ArrayObject([writer.add_object(_output_intent(writer))])
    writer.update_root()  # type: ignore[no-untyped-call]
    # The XMP: the PDF/A identification here; pyHanko adds the entries of document_meta when it writes,
    # mirroring the info dictionary entry for entry. (Not document_meta.xmp_extra: pyHanko prepares the
    # document twice per write, and the extra structure would come out twice.)
    pdfaid = NS["pdfaid"]
    identification = XmpStructure.of(
        (ExpandedName(pdfaid, "part"), XmpValue("2")), (ExpandedName(pdfaid, "conformance"), XmpValue("B"))
    )
    writer.root["/Metadata"] = writer.add_object(MetadataStream.from_xmp([identification]))
    writer.update_root()  # type: ignore[no-untyped-call]
    meta = writer.document_meta
    meta.title, meta.subject, meta.author, meta.creator = title, title, _AUTHOR, _CREATOR
    meta.created = _CREATED
    # pyHanko 0.38 writes keywords as "pdf:keywords", which is not the PDF schema's pdf:Keywords: no keywords
    info_ref = writer.trailer.raw_get("/Info")
    info = info_ref.get_object()
    del info["/Keywords"]
    info["/Producer"] = pdf_string(VENDOR)
    writer.mark_update(info_ref)
    out = io.BytesIO()
    writer.write(out)  # type: ignore[no-untyped-call]
    return out.getvalue()


def _output_intent(writer: IncrementalPdfFileWriter) -> generic.DictionaryObject:
    profile = generic.StreamObject(
        {pdf_name("/N"): generic.NumberObject(3)},  # type: ignore[no-untyped-call]
        stream_data=(files("mock_siak") / "icc" / "sRGB.icc").read_bytes(),
    )
    profile.compress()  # type: ignore[no-untyped-call]
    return generic.DictionaryObject(  # type: ignore[no-untyped-call]
        {
            pdf_name("/Type"): pdf_name("/OutputIntent"),
            pdf_name("/S"): pdf_name("/GTS_PDFA1"),
            pdf_name("/OutputConditionIdentifier"): pdf_string(_SRGB),
            pdf_name("/Info"): pdf_string(_SRGB),
            pdf_name("/RegistryName"): pdf_string("http://www.color.org"),
            pdf_name("/DestOutputProfile"): writer.add_object(profile),
        }
    )

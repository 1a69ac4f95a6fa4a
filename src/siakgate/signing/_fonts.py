"""The TTE block's fonts: DejaVu Sans Condensed (``fonts/``), measured and embedded from the same file.

Why embedded: a KK kept for the archive (PDF/A-2b) must embed every font it shows, the TTE signature's
appearance stream included; a reader without Helvetica would otherwise substitute a font whose widths
no longer fit the 230 x 62 pt TTE box. Layout and embedding both read the TrueType file with
reportlab's parser (``reportlab.pdfbase.ttfonts``), so the widths the text is wrapped with are the
``/Widths`` the PDF carries.

Each font goes in as reportlab embeds a TrueType subset: a simple, symbolic TrueType font, one byte
per glyph (code ``i`` shows the subset's ``i``-th character), its program cut down to those glyphs,
and a ``/ToUnicode`` map so that text extraction (pdftotext, search) still reads the name and NIP.
Every font object is an INDIRECT object: poppler gives a direct font dictionary a made-up object
number and then looks that number up, which makes ``pdffonts`` report an xref error.

Why not pyHanko's ``GlyphAccumulator`` (0.38): it writes ``/W`` and the font descriptor in the font's
own units, which is only right for fonts of 1000 units per em; DejaVu (2048) comes out spaced at
twice its width. It also needs HarfBuzz, which a left-to-right Latin block does not.

Cost: the subset (program, widths, ToUnicode) is cached by font and character set. The TTE blocks of
a batch share their text (same signer, same sentence; only the QR code differs), so a batch cuts
each font once and every document adds five small objects that reference the cached bytes.
"""

from __future__ import annotations

import hashlib
import io
import threading
import zlib
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib.resources import files

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.writer import BasePdfFileWriter
from reportlab.pdfbase.ttfonts import TTFont, TTFontFace, makeToUnicodeCMap

__all__ = ["BOLD", "REGULAR", "FontSubset", "font_subset", "text_width"]

REGULAR = "DejaVuSansCondensed"
BOLD = "DejaVuSansCondensed-Bold"
_FILES = {REGULAR: "DejaVuSansCondensed.ttf", BOLD: "DejaVuSansCondensed-Bold.ttf"}
_SUBSET_LOCK = threading.Lock()  # reportlab reads the font file through one cursor per face


@cache
def _face(font: str) -> TTFontFace:
    data = (files("siakgate.signing") / "fonts" / _FILES[font]).read_bytes()
    face: TTFontFace = TTFont(font, io.BytesIO(data)).face
    return face


def text_width(text: str, font: str, size: float) -> float:
    """The advance width of ``text`` in ``font`` at ``size`` points (no kerning: none is applied when shown)."""
    face = _face(font)
    return float(sum(face.getCharWidth(ord(char)) for char in text)) * size / 1000


def _pdf_number(value: float) -> generic.FloatObject:
    return generic.FloatObject(round(value, 3))  # type: ignore[no-untyped-call]


def _pdf_int(value: int) -> generic.NumberObject:
    return generic.NumberObject(value)  # type: ignore[no-untyped-call]


@dataclass(frozen=True)
class FontSubset:
    """One font cut to the characters of one TTE block: what to show its text with and what to embed."""

    font: str
    chars: tuple[str, ...]
    """Code ``i`` shows ``chars[i]``."""
    base_font: str
    """``ABCDEF+DejaVuSansCondensed``: the subset tag is derived from the characters (deterministic)."""
    program: bytes
    """The cut-down TrueType program, Flate-compressed."""
    program_length: int
    widths: tuple[float, ...]
    to_unicode: bytes
    """The ToUnicode CMap, Flate-compressed."""

    def encode(self, text: str) -> bytes:
        """``text`` as a PDF hex string in this subset's one-byte codes, for ``Tj``."""
        codes = {char: code for code, char in enumerate(self.chars)}
        return b"<" + bytes(codes[char] for char in text).hex().encode("ascii") + b">"

    def write(self, writer: BasePdfFileWriter) -> generic.IndirectObject:
        """Add the font (dictionary, descriptor, program, ToUnicode) to ``writer``; return the font's reference."""
        face = _face(self.font)
        program = generic.StreamObject(
            {
                pdf_name("/Length1"): _pdf_int(self.program_length),
                pdf_name("/Filter"): pdf_name("/FlateDecode"),
            },
            encoded_data=self.program,
        )
        descriptor = generic.DictionaryObject(  # type: ignore[no-untyped-call]
            {
                pdf_name("/Type"): pdf_name("/FontDescriptor"),
                pdf_name("/FontName"): pdf_name("/" + self.base_font),
                pdf_name("/Flags"): _pdf_int(face.flags),
                pdf_name("/FontBBox"): generic.ArrayObject([_pdf_number(v) for v in face.bbox]),
                pdf_name("/ItalicAngle"): _pdf_number(face.italicAngle),
                pdf_name("/Ascent"): _pdf_number(face.ascent),
                pdf_name("/Descent"): _pdf_number(face.descent),
                pdf_name("/CapHeight"): _pdf_number(face.capHeight),
                pdf_name("/StemV"): _pdf_int(face.stemV),
                pdf_name("/MissingWidth"): _pdf_number(face.defaultWidth),
                pdf_name("/FontFile2"): writer.add_object(program),
            }
        )
        to_unicode = generic.StreamObject({pdf_name("/Filter"): pdf_name("/FlateDecode")}, encoded_data=self.to_unicode)
        font = generic.DictionaryObject(  # type: ignore[no-untyped-call]
            {
                pdf_name("/Type"): pdf_name("/Font"),
                pdf_name("/Subtype"): pdf_name("/TrueType"),
                pdf_name("/BaseFont"): pdf_name("/" + self.base_font),
                pdf_name("/FirstChar"): _pdf_int(0),
                pdf_name("/LastChar"): _pdf_int(len(self.chars) - 1),
                pdf_name("/Widths"): generic.ArrayObject([_pdf_number(w) for w in self.widths]),
                pdf_name("/FontDescriptor"): writer.add_object(descriptor),
                pdf_name("/ToUnicode"): writer.add_object(to_unicode),
            }
        )
        return writer.add_object(font)


def font_subset(font: str, text: str) -> FontSubset:
    """``font`` cut to the characters of ``text`` (at most 256 distinct ones: one byte per glyph)."""
    return _subset(font, tuple(sorted(set(text))))


@lru_cache(maxsize=32)
def _subset(font: str, chars: tuple[str, ...]) -> FontSubset:
    if not 0 < len(chars) <= 256:
        raise ValueError(f"a one-byte font subset holds 1 to 256 characters, not {len(chars)}")
    face = _face(font)
    codepoints = [ord(char) for char in chars]
    with _SUBSET_LOCK:
        program = face.makeSubset(codepoints)
    digest = hashlib.sha256(f"{font}:{''.join(chars)}".encode()).digest()
    tag = "".join(chr(ord("A") + byte % 26) for byte in digest[:6])
    base_font = f"{tag}+{face.name.decode('ascii')}"
    return FontSubset(
        font=font,
        chars=chars,
        base_font=base_font,
        program=zlib.compress(program, 9),
        program_length=len(program),
        widths=tuple(face.getCharWidth(cp) for cp in codepoints),
        to_unicode=zlib.compress(makeToUnicodeCMap(base_font, codepoints).encode("ascii"), 9),
    )

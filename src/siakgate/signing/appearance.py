"""The visible TTE block: a QR code to the verification page, the signer's name and NIP, the BSrE sentence.

Why our own appearance stream rather than pyHanko's ``QRStampStyle``: the KK's TTE area is a small
230 x 62 pt box, and the block must fit the QR code plus five to seven lines of text in it, wrapped
and sized to stay legible and inside the box. pyHanko's text box neither wraps nor shrinks text to a
width. The text is set in DejaVu Sans Condensed, embedded as a subset (:mod:`._fonts`: a KK kept
for the archive embeds its fonts), and laid out with that font's own metrics.

Layout (origin bottom left of the field): the QR code as a square of the box's height on the left;
to its right, vertically centred, "Ditandatangani secara elektronik oleh:", the name (bold), "NIP. ...",
then the sentence in small type.

Cost (a batch draws hundreds of blocks): the QR code uses one fixed mask pattern (:data:`QR_MASK`)
instead of python-qrcode's search, which builds and scores all eight masks (about 7 ms of a
visible signature's 13 ms); any of the eight is a valid QR code that every reader decodes, the
search only lowers a penalty score. The text half of the block (layout, font subsets, content
stream) is the same for every KK of a batch (one signer) and is computed once (:func:`_text_block`);
only the QR code and the font objects written into each PDF are per document.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import qrcode
from pyhanko.pdf_utils import layout
from pyhanko.pdf_utils.content import ResourceType
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.writer import BasePdfFileWriter
from pyhanko.stamp import BaseStamp, BaseStampStyle
from qrcode.constants import ERROR_CORRECT_M

from siakgate.signing._fonts import BOLD, REGULAR, FontSubset, font_subset, text_width
from siakgate.signing.api import TteBlock

__all__ = ["QR_MASK", "TteStampStyle", "layout_lines", "qr_modules"]

_REGULAR, _BOLD = REGULAR, BOLD
_FONT_RESOURCES = {_REGULAR: "/TteR", _BOLD: "/TteB"}
_PAD = 2.0
_GAP = 6.0  # about 3 QR modules of quiet zone before the text
_LEADING = 1.18
_HEADING = "Ditandatangani secara elektronik oleh:"
QR_MASK = 0
"""The QR code's mask pattern (ISO/IEC 18004 8.8.1, pattern 000: ``(row + column) mod 2 == 0``)."""


@lru_cache(maxsize=256)
def qr_modules(data: str) -> tuple[tuple[bool, ...], ...]:
    """The QR matrix for ``data`` (error correction M, mask :data:`QR_MASK`, no quiet zone)."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0, mask_pattern=QR_MASK)
    code.add_data(data)
    code.make(fit=True)
    return tuple(tuple(bool(cell) for cell in row) for row in code.get_matrix())


@lru_cache(maxsize=64)
def _wrap(text: str, font: str, size: float, width: float) -> tuple[str, ...]:
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if current and text_width(candidate, font, size) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    return tuple(lines)


def _fit_size(text: str, font: str, size: float, width: float, minimum: float) -> float:
    """Shrink a one-line text's size until it fits ``width`` (a long name must not leave the box)."""
    while size > minimum and text_width(text, font, size) > width:
        size -= 0.25
    return size


@dataclass(frozen=True)
class _Line:
    text: str
    font: str
    size: float


def layout_lines(tte: TteBlock, width: float, height: float) -> list[_Line]:
    """The text lines of the block, sized so that all of them fit ``width`` x ``height``."""
    name = _fit_size(tte.signer_name, _BOLD, 7.0, width, 4.5)
    nip_text = f"NIP. {tte.signer_nip}"
    nip = _fit_size(nip_text, _REGULAR, 6.0, width, 4.5)
    for sentence_size in (5.0, 4.75, 4.5, 4.25, 4.0, 3.75, 3.5):
        head = min(sentence_size, 5.0)
        lines = [_Line(_HEADING, _REGULAR, _fit_size(_HEADING, _REGULAR, head, width, 3.5))]
        lines += [_Line(tte.signer_name, _BOLD, name), _Line(nip_text, _REGULAR, nip)]
        lines += [_Line(t, _REGULAR, sentence_size) for t in _wrap(tte.sentence, _REGULAR, sentence_size, width)]
        if sum(line.size * _LEADING for line in lines) <= height:
            return lines
    return lines


def _qr_ops(data: str, x: float, y: float, size: float) -> bytes:
    matrix = qr_modules(data)
    n = len(matrix)
    module = size / n
    ops = [b"0 g"]
    for r, row in enumerate(matrix):
        top = y + size - (r + 1) * module
        c = 0
        while c < n:  # one rectangle per horizontal run of dark modules keeps the stream short
            if not row[c]:
                c += 1
                continue
            start = c
            while c < n and row[c]:
                c += 1
            ops.append(b"%.3f %.3f %.3f %.3f re" % (x + start * module, top, (c - start) * module, module))
    ops.append(b"f")
    return b"\n".join(ops)


@dataclass(frozen=True)
class TteStampStyle(BaseStampStyle):
    """pyHanko stamp style drawing one document's TTE block (the QR code differs per document)."""

    tte: TteBlock | None = None
    border_width: int = 0

    def create_stamp(
        self, writer: BasePdfFileWriter, box: layout.BoxConstraints, text_params: dict[str, object]
    ) -> TteStamp:
        assert self.tte is not None
        return TteStamp(writer, self, self.tte, box)


class TteStamp(BaseStamp):
    def __init__(
        self, writer: BasePdfFileWriter, style: TteStampStyle, tte: TteBlock, box: layout.BoxConstraints
    ) -> None:
        super().__init__(writer=writer, style=style, box=box)
        self.tte = tte

    def _render_inner_content(self) -> list[bytes]:
        width, height = float(self.box.width), float(self.box.height)
        qr_size = max(height - 2 * _PAD, 0.0)
        text = _text_block(self.tte.signer_name, self.tte.signer_nip, self.tte.sentence, width, height)
        assert self.writer is not None
        for name, subset in text.fonts:
            self.set_resource(category=ResourceType.FONT, name=pdf_name(name), value=subset.write(self.writer))
        return [_qr_ops(self.tte.verify_url, _PAD, (height - qr_size) / 2, qr_size), text.ops]


@dataclass(frozen=True)
class _TextBlock:
    ops: bytes
    """The ``BT ... ET`` content of the text lines."""
    fonts: tuple[tuple[str, FontSubset], ...]
    """(resource name, subset) for each font the lines use."""


@lru_cache(maxsize=64)
def _text_block(signer_name: str, signer_nip: str, sentence: str, width: float, height: float) -> _TextBlock:
    """The text half of a ``width`` x ``height`` block: the same for every KK a signer signs in one box."""
    qr_size = max(height - 2 * _PAD, 0.0)
    text_x = _PAD + qr_size + _GAP
    tte = TteBlock(verify_url="", signer_name=signer_name, signer_nip=signer_nip, sentence=sentence)
    lines = layout_lines(tte, width - text_x - _PAD, height - 2 * _PAD)
    subsets: dict[str, FontSubset] = {}
    for font in _FONT_RESOURCES:
        text = "".join(line.text for line in lines if line.font == font)
        if text:
            subsets[font] = font_subset(font, text)
    block = sum(line.size * _LEADING for line in lines)
    y = (height + block) / 2
    ops = [b"BT 0 g"]
    for line in lines:
        y -= line.size * _LEADING
        ops.append(
            b"%s %.2f Tf 1 0 0 1 %.2f %.2f Tm %s Tj"
            % (
                _FONT_RESOURCES[line.font].encode(),
                line.size,
                text_x,
                y + line.size * 0.2,
                subsets[line.font].encode(line.text),
            )
        )
    ops.append(b"ET")
    return _TextBlock(b"\n".join(ops), tuple((_FONT_RESOURCES[font], subset) for font, subset in subsets.items()))

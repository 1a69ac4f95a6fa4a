"""Find where a one-character marker (``tag_koordinat``) is printed in a PDF.

Office systems print a marker such as ``#`` or ``$`` where the signature should go and pass it as
``tag_koordinat``; the service looks the character up in the page text. pypdf's text extraction
with a
visitor gives the text matrix of each text run, which is enough to place the signature box.
"""

from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO
from typing import Any

from pypdf import PdfReader

from mock_bsre.errors import BAD_TAG, Refused


@dataclass(frozen=True)
class TagPosition:
    page_index: int
    x: float
    y: float


def validate_tag(tag: str) -> str:
    if len(tag) != 1:
        raise Refused(BAD_TAG, "Tag koordinat harus berupa satu karakter")
    return tag


def find_tag(pdf: bytes, tag: str, password: str | None = None) -> TagPosition:
    """The first place ``tag`` is printed, in page order; the box's lower left goes there."""
    validate_tag(tag)
    reader = PdfReader(BytesIO(pdf))
    if reader.is_encrypted:
        reader.decrypt(password or "")
    for index, page in enumerate(reader.pages):
        found: list[tuple[float, float]] = []

        def visit(
            text: str,
            cm: list[float],
            tm: list[float],
            font: Any,
            size: float,
            found: list[tuple[float, float]] = found,
        ) -> None:
            if found or tag not in text:
                return
            offset = text.index(tag) * (size or 0) * 0.5  # rough glyph advance for a run with prefix
            x0, y0 = tm[4] + offset * tm[0], tm[5]
            found.append((cm[0] * x0 + cm[2] * y0 + cm[4], cm[1] * x0 + cm[3] * y0 + cm[5]))

        page.extract_text(visitor_text=visit)
        if found:
            return TagPosition(index, found[0][0], found[0][1])
    raise Refused(BAD_TAG, f"Tag koordinat '{tag}' tidak ditemukan pada dokumen")

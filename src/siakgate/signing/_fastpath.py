"""Per-layout incremental-update templates: pyHanko's work for one KK, replayed for the next.

Why: profiling the engine showed that two thirds of a B-B signature's CPU time went into pyHanko parsing
the input PDF (cross-reference sections, page tree, form fields, XMP) and writing the incremental update,
although every KK a renderer produces has the same structure: the same objects under the same numbers,
differing only in the page content. So the first document of a layout is prepared by pyHanko as usual
(:mod:`siakgate.signing.engine`), and its incremental update becomes a template. A further document of
the batch is prepared from the template only when pyHanko would, provably, have written the same update:

* its classic cross-reference tables have the same layout (sections, object numbers, generations, trailer
  keys and values apart from ``/ID`` and ``/Prev``), header and end-of-file bytes; and
* every object pyHanko *read* while preparing the template's document (catalog, page tree, AcroForm,
  fields, Info, XMP, ...) has byte for byte the same text in this document.

pyHanko's output is a function of exactly these inputs plus the time, the file length and a random
``/ID`` half, so the update is the template with the offsets (xref entries, ``/ByteRange``,
``startxref``), ``/Prev`` and ``/ID`` set for this document. The template's signing time (``/M``,
``/ModDate``, XMP ``ModifyDate``) is shared by the documents of the few seconds a template lives
(:data:`TEMPLATE_MAX_AGE`). Anything else (xref streams, encryption, existing signatures, a layout not
seen yet) goes the usual pyHanko way. When a template is made, it re-renders its own document and must
reproduce pyHanko's bytes exactly, or it is not used.

The output of :meth:`UpdateTemplate.render` is only the *update*: the caller keeps the input PDF, so a
prepared document costs its update (~15 KB), not a copy of the whole file.
"""

from __future__ import annotations

import bisect
import hashlib
import re
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field

__all__ = ["TEMPLATE_MAX_AGE", "FastUpdate", "PdfLayout", "TemplateCache", "UpdateTemplate"]

TEMPLATE_MAX_AGE = 5.0
"""Seconds a template (and so its signing time) serves further documents before pyHanko makes a new one."""
_MAX_TEMPLATES = 16

_TAIL_WINDOW = 1024
_STARTXREF = re.compile(rb"startxref\s+(\d+)(\s*%%EOF\s*)$")
_XREF_SUBSECTION = re.compile(rb"(\d+) (\d+)\s*$")
_XREF_ENTRY = re.compile(rb"(\d{10}) (\d{5}) ([nf])")
_TRAILER_PREV = re.compile(rb"/Prev\s+(\d+)")
_TRAILER_ID = re.compile(rb"/ID\s*\[\s*<([0-9A-Fa-f]*)>\s*<([0-9A-Fa-f]*)>\s*\]")
_UNSUPPORTED_TRAILER_KEYS = (b"/Encrypt", b"/XRefStm")
_BYTE_RANGE = re.compile(rb"/ByteRange \[0 (\d+) (\d+) (\d+)\]( *)")
_TRAILER_INFO = re.compile(rb"/Info\s+(\d+)\s+(\d+)\s+R")
_CATALOG_METADATA = re.compile(rb"/Metadata\s+(\d+)\s+(\d+)\s+R")
# The input values pyHanko overwrites, and so never copies: the Info dictionary's /ModDate, the XMP
# packet's xmp:ModifyDate attribute. KKs rendered at different moments differ there and nowhere else.
_INFO_MOD_DATE = re.compile(rb"/ModDate\s*\((?:[^()\\]|\\.)*\)")
_XMP_MODIFY_DATE = re.compile(rb'xmp:ModifyDate="[^"<>]*"')


@dataclass
class PdfLayout:
    """What a cheap scan of a PDF's classic cross-reference tables tells: enough to match a template."""

    key: bytes
    """Header, xref layout (without offsets), trailers without /ID and /Prev, end-of-file bytes."""
    offsets: dict[tuple[int, int], int]
    """(object number, generation) -> byte offset, the newest revision winning."""
    boundaries: list[int]
    """Every object and xref section start, sorted: where one object's text ends."""
    startxref: int
    id0: bytes
    """The first half of the trailer /ID, as hex digits."""
    info: tuple[int, int] | None = None
    """The trailer's /Info reference."""

    @classmethod
    def parse(cls, pdf: bytes) -> PdfLayout | None:
        """The layout of ``pdf``, or None if it is not a plain classic-xref file this module handles."""
        tail = _STARTXREF.search(pdf, max(0, len(pdf) - _TAIL_WINDOW))
        if tail is None or not pdf.startswith(b"%PDF-"):
            return None
        startxref = int(tail.group(1))
        header_end = pdf.find(b"\n", 0, 64)
        if header_end < 0:
            return None
        key_parts: list[bytes] = [pdf[:header_end], tail.group(2)]
        offsets: dict[tuple[int, int], int] = {}
        boundaries: list[int] = []
        id0: bytes | None = None
        info: tuple[int, int] | None = None
        position: int | None = startxref
        seen: set[int] = set()
        while position is not None:
            if position in seen or not pdf.startswith(b"xref", position):
                return None
            seen.add(position)
            boundaries.append(position)
            end = pdf.find(b"trailer", position)
            after = pdf.find(b"startxref", end)
            if end < 0 or after < 0:
                return None
            section = _parse_xref_section(pdf[position + 4 : end])
            if section is None:
                return None
            layout, entries = section
            for ref, offset in entries.items():
                offsets.setdefault(ref, offset)  # the newest section is read first
            trailer = pdf[end:after]
            if any(k in trailer for k in _UNSUPPORTED_TRAILER_KEYS):
                return None
            ids = list(_TRAILER_ID.finditer(trailer))
            prevs = list(_TRAILER_PREV.finditer(trailer))
            if len(ids) > 1 or len(prevs) > 1:
                return None
            if id0 is None:
                if len(ids) != 1:
                    return None
                id0 = ids[0].group(1).lower()
                info_ref = _TRAILER_INFO.search(trailer)
                info = (int(info_ref.group(1)), int(info_ref.group(2))) if info_ref else None
            stripped = _TRAILER_PREV.sub(b"/Prev", _TRAILER_ID.sub(b"/ID", trailer))
            key_parts += [layout, stripped]
            position = int(prevs[0].group(1)) if prevs else None
        if id0 is None:
            return None
        boundaries += offsets.values()
        boundaries.sort()
        return cls(b"\x00".join(key_parts), offsets, boundaries, startxref, id0, info)

    def region(self, pdf: bytes, ref: tuple[int, int]) -> bytes | None:
        """The bytes from an object's start to the next object or xref section (all of its text)."""
        start = self.offsets.get(ref)
        if start is None:
            return None
        i = bisect.bisect_right(self.boundaries, start)
        end = self.boundaries[i] if i < len(self.boundaries) else len(pdf)
        return pdf[start:end]


def _parse_xref_section(body: bytes) -> tuple[bytes, dict[tuple[int, int], int]] | None:
    lines = body.split(b"\n")
    entries: dict[tuple[int, int], int] = {}
    layout: list[bytes] = []
    number = count = 0
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        if count == 0:
            m = _XREF_SUBSECTION.match(line)
            if m is None:
                return None
            number, count = int(m.group(1)), int(m.group(2))
            layout.append(line)
            continue
        e = _XREF_ENTRY.match(line)
        if e is None:
            return None
        generation = int(e.group(2))
        if e.group(3) == b"n":
            entries[(number, generation)] = int(e.group(1))
            layout.append(b"%d %d n" % (number, generation))
        else:
            layout.append(b"%d f" % number)
        number += 1
        count -= 1
    if count:
        return None
    return b" ".join(layout), entries


@dataclass
class FastUpdate:
    """A document prepared from a template: its incremental update and the digest over both parts."""

    update: bytes
    document_digest: bytes
    contents_start: int
    """The '<' of /Contents, relative to the update."""
    contents_end: int
    """Just past the '>' of /Contents, relative to the update."""


@dataclass
class UpdateTemplate:
    """One layout's incremental update with its per-document values cut out."""

    layout_key: bytes
    regions: dict[tuple[int, int], bytes]
    """The text of every object pyHanko read, with the values it overwrites masked (see :data:`masks`)."""
    masks: dict[tuple[int, int], re.Pattern[bytes]]
    head: bytes
    """The update's objects, up to its xref section, with /Contents still zeros."""
    contents: tuple[int, int]
    byte_range: tuple[int, int]
    """Start and width of the ``[0 a b c]   `` text in ``head``."""
    xref: list[tuple[bytes, list[tuple[int, bytes]]]]
    """Subsection header lines and entries: (offset relative to the update, rest of the line)."""
    trailer: tuple[bytes, bytes, bytes, bytes]
    """The trailer text around /ID's two halves and /Prev's value: before id0, between, before prev, after."""
    eof: bytes
    created: float

    @classmethod
    def derive(
        cls, pdf: bytes, layout: PdfLayout, read: set[tuple[int, int]], prepared: bytes, created: float
    ) -> UpdateTemplate | None:
        """A template from pyHanko's phase-1 output ``prepared`` for ``pdf``; None if it cannot be one."""
        if not prepared.startswith(pdf) or not read:
            return None
        raw: dict[tuple[int, int], bytes] = {}
        for ref in read:
            region = layout.region(pdf, ref)
            if region is None:
                return None
            raw[ref] = region
        masks: dict[tuple[int, int], re.Pattern[bytes]] = {}
        if layout.info is not None and layout.info in raw:
            masks[layout.info] = _INFO_MOD_DATE
        for text in raw.values():
            if b"/Type /Catalog" in text or b"/Type/Catalog" in text:
                metadata = _CATALOG_METADATA.search(text)
                if metadata is not None:
                    ref = (int(metadata.group(1)), int(metadata.group(2)))
                    if ref in raw and ref not in masks:
                        masks[ref] = _XMP_MODIFY_DATE
        regions = {ref: _masked(text, masks.get(ref)) for ref, text in raw.items()}
        base = len(pdf)
        update = prepared[base:]
        xref_at = update.rfind(b"\nxref\n") + 1
        trailer_at = update.find(b"trailer", xref_at)
        startxref_at = update.find(b"startxref", trailer_at)
        if xref_at <= 0 or trailer_at < 0 or startxref_at < 0:
            return None
        head = update[:xref_at]
        br = list(_BYTE_RANGE.finditer(head))
        if len(br) != 1:
            return None
        a, b, c = (int(br[0].group(i)) for i in (1, 2, 3))
        cs, ce = a - base, b - base
        if not (0 <= cs < ce <= len(head)) or c != len(prepared) - b:
            return None
        if head[cs : cs + 1] != b"<" or head[ce - 1 : ce] != b">" or head[cs + 1 : ce - 1].strip(b"0"):
            return None
        xref = _template_xref(update[xref_at + 5 : trailer_at], base)
        trailer = _template_trailer(update[trailer_at:startxref_at], layout)
        tail = _STARTXREF.match(update, startxref_at)
        if xref is None or trailer is None or tail is None or int(tail.group(1)) != base + xref_at:
            return None
        template = cls(
            layout_key=layout.key,
            regions=regions,
            masks=masks,
            head=head,
            contents=(cs, ce),
            byte_range=(br[0].start(0) + len(b"/ByteRange "), br[0].end(0) - br[0].start(0) - len(b"/ByteRange ")),
            xref=xref,
            trailer=trailer,
            eof=tail.group(2),
            created=created,
        )
        # Self-check: the template must give back pyHanko's own bytes for its own document.
        id1 = _TRAILER_ID.search(update, trailer_at)
        if id1 is None or template._update(len(pdf), layout, id1.group(2)) != update:
            return None
        return template

    def matches(self, pdf: bytes, layout: PdfLayout) -> bool:
        """Whether pyHanko would have written this template's update for ``pdf`` (see the module doc)."""
        if layout.key != self.layout_key:
            return False
        for ref, text in self.regions.items():
            region = layout.region(pdf, ref)
            if region is None or _masked(region, self.masks.get(ref)) != text:
                return False
        return True

    def render(self, pdf: bytes, layout: PdfLayout, id1: bytes) -> FastUpdate:
        """The update for ``pdf`` (which :meth:`matches`), with ``id1`` (16 random bytes) as its new /ID half."""
        update = self._update(len(pdf), layout, id1.hex().encode("ascii"))
        cs, ce = self.contents
        digest = hashlib.sha256(pdf)
        digest.update(memoryview(update)[:cs])
        digest.update(memoryview(update)[ce:])
        return FastUpdate(update, digest.digest(), cs, ce)

    def _update(self, base: int, layout: PdfLayout, id1_hex: bytes) -> bytes:
        head = self.head
        br_at, br_width = self.byte_range
        cs, ce = self.contents
        parts = [b"xref\n"]
        for header, entries in self.xref:
            parts.append(header)
            parts += [b"%010d%s" % (base + rel, rest) if rel >= 0 else rest for rel, rest in entries]
        before_id0, between, before_prev, after_prev = self.trailer
        parts += [before_id0, layout.id0, between, id1_hex, before_prev, b"%d" % layout.startxref, after_prev]
        parts += [b"startxref\n%d" % (base + len(head)), self.eof]
        tail = b"".join(parts)
        total = base + len(head) + len(tail)
        byte_range = b"[0 %d %d %d]" % (base + cs, base + ce, total - (base + ce))
        if len(byte_range) > br_width:
            raise ValueError("ByteRange does not fit the template's reserved width")
        return b"".join((head[:br_at], byte_range.ljust(br_width), head[br_at + br_width :], tail))


def _masked(text: bytes, mask: re.Pattern[bytes] | None) -> bytes:
    """``text`` with the one overwritten value ``mask`` finds blanked; unchanged if it occurs other than once."""
    if mask is None:
        return text
    found = list(mask.finditer(text))
    if len(found) != 1:
        return text
    return text[: found[0].start()] + b"\x00" + text[found[0].end() :]


def _template_xref(body: bytes, base: int) -> list[tuple[bytes, list[tuple[int, bytes]]]] | None:
    lines = body.splitlines(keepends=True)
    out: list[tuple[bytes, list[tuple[int, bytes]]]] = []
    count = 0
    for line in lines:
        if count == 0:
            m = _XREF_SUBSECTION.match(line.strip())
            if m is None:
                return None
            count = int(m.group(2))
            out.append((line, []))
            continue
        e = _XREF_ENTRY.match(line)
        if e is None:
            return None
        if e.group(3) == b"n":
            offset = int(e.group(1))
            if offset < base:
                return None  # an object of the input listed again: not a shape this module replays
            out[-1][1].append((offset - base, line[10:]))
        else:
            out[-1][1].append((-1, line))
        count -= 1
    return out if count == 0 and out else None


def _template_trailer(trailer: bytes, layout: PdfLayout) -> tuple[bytes, bytes, bytes, bytes] | None:
    ids = list(_TRAILER_ID.finditer(trailer))
    prevs = list(_TRAILER_PREV.finditer(trailer))
    if len(ids) != 1 or len(prevs) != 1 or ids[0].end() > prevs[0].start():
        return None
    i, p = ids[0], prevs[0]
    if i.group(1).lower() != layout.id0 or int(p.group(1)) != layout.startxref:
        return None
    return (trailer[: i.start(1)], trailer[i.end(1) : i.start(2)], trailer[i.end(2) : p.start(1)], trailer[p.end(1) :])


@dataclass
class TemplateCache:
    """A batch's templates, by request shape (field, box, reason, ...) and layout."""

    clock: Callable[[], float]
    max_age: float = TEMPLATE_MAX_AGE
    _templates: dict[tuple[Hashable, bytes], UpdateTemplate] = field(default_factory=dict)

    def find(self, shape: Hashable, pdf: bytes, layout: PdfLayout) -> UpdateTemplate | None:
        template = self._templates.get((shape, layout.key))
        if template is None or self.clock() - template.created > self.max_age:
            return None
        return template if template.matches(pdf, layout) else None

    def learn(
        self, shape: Hashable, pdf: bytes, layout: PdfLayout, read: set[tuple[int, int]], prepared: bytes
    ) -> UpdateTemplate | None:
        key = (shape, layout.key)
        if key not in self._templates and len(self._templates) >= _MAX_TEMPLATES:
            return None
        template = UpdateTemplate.derive(pdf, layout, read, prepared, self.clock())
        if template is not None:
            self._templates[key] = template
        return template

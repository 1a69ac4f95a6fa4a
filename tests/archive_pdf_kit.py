"""Checks of a KK PDF's fitness for the archive, shared by tests/mock_siak and tests/signing.

Judged with poppler's ``pdffonts`` and ``pdfinfo`` (an independent reader: it reports a font that is
not embedded and any structure it has to repair). No PDF/A validator runs here: veraPDF is not
available from the package registries this project installs from. So the parts of PDF/A-2b that can
be checked are checked one by one: embedded fonts, the sRGB OutputIntent, the XMP identification, and
the XMP mirroring the document information dictionary (the rule veraPDF calls ``doesInfoMatchXMP``).
"""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import pytest
from lxml import etree
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader

PDFFONTS = shutil.which("pdffonts")
PDFINFO = shutil.which("pdfinfo")
needs_poppler = pytest.mark.skipif(
    PDFFONTS is None or PDFINFO is None, reason="poppler-utils (pdffonts, pdfinfo) missing"
)

_NS = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "dc": "http://purl.org/dc/elements/1.1/",
    "xmp": "http://ns.adobe.com/xap/1.0/",
    "pdf": "http://ns.adobe.com/pdf/1.3/",
    "pdfaid": "http://www.aiim.org/pdfa/ns/id/",
}
# Info dictionary entry -> its XMP property (ISO 19005-2, 6.6.2.3.1)
INFO_TO_XMP = {
    "/Title": "dc:title",
    "/Author": "dc:creator",
    "/Subject": "dc:description",
    "/Keywords": "pdf:Keywords",
    "/Creator": "xmp:CreatorTool",
    "/Producer": "pdf:Producer",
    "/CreationDate": "xmp:CreateDate",
    "/ModDate": "xmp:ModifyDate",
}


def poppler(tool: str, pdf: bytes, tmp_path: Path) -> str:
    """Run ``pdffonts`` or ``pdfinfo`` on ``pdf``; fail on a non-zero exit or any error it prints."""
    path = tmp_path / "kk.pdf"
    path.write_bytes(pdf)
    program = {"pdffonts": PDFFONTS, "pdfinfo": PDFINFO}[tool]
    assert program is not None
    result = subprocess.run([program, str(path)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "Error" not in result.stdout + result.stderr, result.stdout + result.stderr
    return result.stdout


def font_rows(pdf: bytes, tmp_path: Path) -> list[dict[str, str]]:
    """``pdffonts``' table: one dict per font (name, emb, object)."""
    lines = poppler("pdffonts", pdf, tmp_path).splitlines()
    header = lines[0]
    emb, obj = header.index("emb"), header.index("object ID")
    return [
        {"name": line[: header.index("type")].strip(), "emb": line[emb : emb + 3], "object": line[obj:].strip()}
        for line in lines[2:]
    ]


def info_field(pdf: bytes, tmp_path: Path, field: str) -> str:
    """One ``pdfinfo`` field, e.g. ``Title``."""
    for line in poppler("pdfinfo", pdf, tmp_path).splitlines():
        name, _, value = line.partition(":")
        if name == field:
            return value.strip()
    raise AssertionError(f"pdfinfo prints no {field}")


def xmp_properties(pdf: bytes) -> dict[str, str]:
    """The simple XMP properties of the catalog's metadata stream (``dc:title`` -> its x-default text)."""
    root = PdfFileReader(io.BytesIO(pdf)).root
    stream = root["/Metadata"]
    assert isinstance(stream, generic.StreamObject)
    assert "/Filter" not in stream, "PDF/A: the metadata stream is not filtered"
    tree = etree.fromstring(stream.data)
    props: dict[str, str] = {}
    for description in tree.iter(f"{{{_NS['rdf']}}}Description"):
        for key, value in description.attrib.items():
            props[_prefixed(key)] = value
        for child in description:
            items = child.findall(".//rdf:li", _NS)
            props[_prefixed(child.tag)] = (items[0].text or "") if items else (child.text or "")
    return props


def _prefixed(tag: str) -> str:
    ns, _, local = tag[1:].partition("}")
    prefix = next((p for p, uri in _NS.items() if uri == ns), ns)
    return f"{prefix}:{local}"


def info_dictionary(pdf: bytes) -> generic.DictionaryObject:
    info = PdfFileReader(io.BytesIO(pdf)).trailer["/Info"]
    assert isinstance(info, generic.DictionaryObject)
    return info


def assert_info_matches_xmp(pdf: bytes) -> None:
    """Every entry of the info dictionary that has an XMP counterpart is in the XMP with the same value."""
    info, xmp = info_dictionary(pdf), xmp_properties(pdf)
    for key, prop in INFO_TO_XMP.items():
        if key not in info:
            continue
        assert prop in xmp, f"{key} is in the info dictionary but {prop} is not in the XMP"
        if key.endswith("Date"):
            assert generic.parse_pdf_date(str(info[key])) == datetime.fromisoformat(xmp[prop]), key
        else:
            assert str(info[key]) == xmp[prop], key

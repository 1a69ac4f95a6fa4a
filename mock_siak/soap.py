"""SOAP 1.1 envelopes for mock SIAK: parsing requests safely, building answers and faults.

Values cross the wire as the XSD's simple types; inside the mock they are Python values (``int``
codes, ``date`` dates, ``bytes`` for base64, ``bool``), converted here by element name, in one
place.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast

from lxml import etree

from mock_siak.contract import NS, safe_parser
from mock_siak.errors import DATA_TIDAK_VALID, Masalah, SiakError
from mock_siak.records import MEMBER_CODES

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
CONTENT_TYPE = "text/xml; charset=utf-8"

CODE_ELEMENTS = frozenset({*MEMBER_CODES, "JUMLAH", "JUMLAH_CETAK"})
DATE_ELEMENTS = frozenset({"TGL_LHR", "TGL_KWN", "TGL_KELUAR", "TGL_MULAI", "TGL_SELESAI", "TGL_ENTRI"})
BOOL_ELEMENTS = frozenset({"CETAK_ULANG"})
BINARY_ELEMENTS = frozenset({"DRAFT_KK", "KK_TERTANDATANGAN"})
LIST_ELEMENTS = frozenset({"ANGGOTA", "ENTRI", "MASALAH", "ELEMEN_TIDAK_SESUAI"})


@dataclass
class SoapRequest:
    """A parsed request: the operation (the body element's local name), its values, and the SOAP header."""

    operation: str
    body: etree._Element
    header: etree._Element | None

    def values(self) -> dict[str, Any]:
        return element_to_dict(self.body)


def parse_envelope(raw: bytes) -> SoapRequest:
    """Parse a SOAP 1.1 request; refuse DTDs and entities outright (XXE) and anything not an envelope."""
    if b"<!DOCTYPE" in raw or b"<!ENTITY" in raw:
        raise SiakError(DATA_TIDAK_VALID, "Dokumen XML dengan DTD atau entitas tidak diizinkan.")
    try:
        root = etree.fromstring(raw, safe_parser())
    except etree.XMLSyntaxError as exc:
        raise SiakError(DATA_TIDAK_VALID, "Permintaan bukan XML yang sah.") from exc
    if cast(Any, root.getroottree().docinfo).doctype:
        raise SiakError(DATA_TIDAK_VALID, "Dokumen XML dengan DTD atau entitas tidak diizinkan.")
    if root.tag != f"{{{SOAP_ENV}}}Envelope":
        raise SiakError(DATA_TIDAK_VALID, "Permintaan bukan SOAP 1.1 Envelope.")
    header = root.find(f"{{{SOAP_ENV}}}Header")
    body = root.find(f"{{{SOAP_ENV}}}Body")
    children = [] if body is None else [c for c in body if isinstance(c.tag, str)]
    if len(children) != 1:
        raise SiakError(DATA_TIDAK_VALID, "SOAP Body harus berisi tepat satu elemen operasi.")
    operation = etree.QName(children[0]).localname
    if etree.QName(children[0]).namespace != NS:
        pesan = f"Operasi {operation} tidak dikenal."
        raise SiakError(DATA_TIDAK_VALID, pesan, [Masalah(pesan, operation)])
    return SoapRequest(operation, children[0], header)


def _leaf_value(name: str, text: str) -> Any:
    if name in CODE_ELEMENTS:
        return int(text)
    if name in DATE_ELEMENTS:
        return date.fromisoformat(text)
    if name in BOOL_ELEMENTS:
        return text.strip() in ("true", "1")
    if name in BINARY_ELEMENTS:
        return base64.b64decode("".join(text.split()))
    return text


def element_to_dict(element: etree._Element) -> dict[str, Any]:
    """Turn a (schema-valid) element into a dict of local names; repeated elements become lists."""
    result: dict[str, Any] = {}
    for child in element:
        if not isinstance(child.tag, str):
            continue
        name = etree.QName(child).localname
        value: Any = element_to_dict(child) if len(child) else _leaf_value(name, child.text or "")
        if name in LIST_ELEMENTS:
            result.setdefault(name, []).append(value)
        else:
            result[name] = value
    return result


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    return str(value)


def append_value(parent: etree._Element, name: str, value: Any) -> None:
    """Append ``value`` as element(s) ``name``.

    A mapping becomes children in its order (so callers give XSD order), a list repeats, None is left out.
    """
    if value is None:
        return
    if isinstance(value, list):
        for item in value:
            append_value(parent, name, item)
        return
    child = etree.SubElement(parent, f"{{{NS}}}{name}")
    if isinstance(value, Mapping):
        for key, item in value.items():
            append_value(child, key, item)
    else:
        child.text = _text(value)


def build_element(name: str, values: Mapping[str, Any]) -> etree._Element:
    element = etree.Element(f"{{{NS}}}{name}", nsmap={"siak": NS})
    for key, item in values.items():
        append_value(element, key, item)
    return element


def envelope(body_child: etree._Element) -> bytes:
    env = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap={"soap": SOAP_ENV, "siak": NS})
    etree.SubElement(env, f"{{{SOAP_ENV}}}Body").append(body_child)
    return bytes(etree.tostring(env, xml_declaration=True, encoding="UTF-8"))


def fault_envelope(error: SiakError) -> bytes:
    """The SOAP 1.1 fault for ``error``: faultcode soap:Client or soap:Server, detail siak:SiakFault."""
    env = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap={"soap": SOAP_ENV, "siak": NS})
    fault = etree.SubElement(etree.SubElement(env, f"{{{SOAP_ENV}}}Body"), f"{{{SOAP_ENV}}}Fault")
    # faultcode, faultstring and detail are unqualified in SOAP 1.1.
    etree.SubElement(fault, "faultcode").text = "soap:Server" if error.is_server_fault else "soap:Client"
    etree.SubElement(fault, "faultstring").text = error.pesan
    detail = etree.SubElement(fault, "detail")
    masalah = [{"ELEMEN": m.elemen or None, "PESAN": m.pesan} for m in error.masalah]
    detail.append(build_element("SiakFault", {"KODE": error.kode, "PESAN": error.pesan, "MASALAH": masalah}))
    return bytes(etree.tostring(env, xml_declaration=True, encoding="UTF-8"))

"""The shared SIAK contract (``siakgate/contracts/siak.wsdl`` + ``siak.xsd``) as mock SIAK uses it.

The mock imports nothing from the gateway but these contract files: it serves them (with the service
address and the schema location rewritten to where it is reachable) and validates every request body
against the schema, so the mock and the gateway's zeep client can never drift apart.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from functools import cache
from importlib import resources
from typing import Any, cast

from lxml import etree

NS = "urn:siakgate:siak:v1"
XSD_NS = "http://www.w3.org/2001/XMLSchema"
WSDL_NS = "http://schemas.xmlsoap.org/wsdl/"
WSDL_SOAP_NS = "http://schemas.xmlsoap.org/wsdl/soap/"
XSD_NAME = "siak.xsd"
WSDL_NAME = "siak.wsdl"


def _read(name: str) -> bytes:
    return resources.files("siakgate.contracts").joinpath(name).read_bytes()


def safe_parser() -> etree.XMLParser:
    """A parser that never resolves entities, loads a DTD or touches the network (no XXE, no billion laughs)."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_blank_text=True,
    )


@cache
def wsdl_bytes() -> bytes:
    return _read(WSDL_NAME)


@cache
def xsd_bytes() -> bytes:
    return _read(XSD_NAME)


@cache
def schema() -> etree.XMLSchema:
    doc = etree.fromstring(xsd_bytes(), safe_parser())
    return etree.XMLSchema(doc)


@cache
def codes() -> dict[str, dict[str, str]]:
    data: dict[str, Any] = json.loads(_read("codes.json"))
    return {k: v for k, v in data.items() if not k.startswith("_")}


def served_wsdl(base_url: str) -> bytes:
    """The WSDL with its soap:address and schema import pointing at this server (``base_url`` has no slash)."""
    doc = etree.fromstring(wsdl_bytes(), safe_parser())
    for address in doc.iter(f"{{{WSDL_SOAP_NS}}}address"):
        address.set("location", f"{base_url}/siak")
    for imp in doc.iter(f"{{{XSD_NS}}}import"):
        if imp.get("schemaLocation") == XSD_NAME:
            imp.set("schemaLocation", f"{base_url}/siak?xsd={XSD_NAME}")
    return bytes(etree.tostring(doc, xml_declaration=True, encoding="UTF-8"))


_ELEMENT_RE = re.compile(r"Element '(?:\{[^}]*\})?([A-Za-z_][\w.-]*)'")
_MISSING_RE = re.compile(r"Expected is (?:one of )?\( ?(?:\{[^}]*\})?([A-Za-z_][\w.-]*)")

# libxml2's error types, explained in Bahasa Indonesia without echoing the submitted value (it may
# be a NIK).
_REASONS = {
    "SCHEMAV_CVC_PATTERN_VALID": "format tidak sesuai",
    "SCHEMAV_CVC_ENUMERATION_VALID": "kode tidak dikenal",
    "SCHEMAV_CVC_DATATYPE_VALID_1_2_1": "jenis nilai tidak sesuai (angka, tanggal, atau boolean)",
    "SCHEMAV_CVC_MINLENGTH_VALID": "terlalu pendek atau kosong",
    "SCHEMAV_CVC_MAXLENGTH_VALID": "terlalu panjang",
    "SCHEMAV_CVC_LENGTH_VALID": "panjang tidak sesuai",
    "SCHEMAV_ELEMENT_CONTENT": "susunan elemen tidak sesuai (elemen wajib hilang atau elemen tidak dikenal)",
    "SCHEMAV_CVC_ELT_1": "elemen operasi tidak dikenal",
    "SCHEMAV_CVC_COMPLEX_TYPE_2_4": "elemen wajib tidak ada",
}


def schema_problems(element: etree._Element) -> list[tuple[str | None, str]]:
    """Validate ``element`` against the XSD; return (element name, reason) pairs, empty when valid."""
    validator = schema()
    if validator.validate(element):
        return []
    problems: list[tuple[str | None, str]] = []
    for error in cast(Iterable[Any], validator.error_log):  # lxml-stubs lack __iter__
        match = _ELEMENT_RE.search(error.message)
        name = match.group(1) if match else None
        reason = _REASONS.get(error.type_name, "tidak sesuai skema")
        missing = _MISSING_RE.search(error.message)
        if error.type_name == "SCHEMAV_ELEMENT_CONTENT" and missing and "Missing child" in error.message:
            reason = f"elemen wajib {missing.group(1)} tidak ada di dalam {name}"
            name = missing.group(1)
        elif error.type_name == "SCHEMAV_ELEMENT_CONTENT" and "not expected" in error.message:
            reason = "elemen tidak dikenal atau urutannya salah"
        problems.append((name, f"Elemen {name or '?'}: {reason}." if name else f"{reason}."))
    return problems

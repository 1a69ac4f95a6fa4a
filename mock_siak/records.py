"""Family and member records inside mock SIAK: one normal form, its JSON for SQLite, its order on
the wire.

A family is a dict keyed by SIAK element names (as :func:`mock_siak.population.generate_population`
yields it): codes are ``int``, dates are ``date``, absent optional values are ``None``, and region
codes are zero-padded strings of the XSD's widths. ``ANGGOTA`` holds the members in KK order.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

MEMBER_ORDER = (
    "NIK",
    "NAMA_LGKP",
    "JENIS_KLMIN",
    "TMPT_LHR",
    "TGL_LHR",
    "AGAMA",
    "PDDK_AKH",
    "JENIS_PKRJN",
    "GOL_DARAH",
    "STATUS_KAWIN",
    "TGL_KWN",
    "STAT_HBKEL",
    "KEWARGANEGARAAN",
    "NO_PASPOR",
    "NO_KITAP",
    "NAMA_LGKP_AYAH",
    "NAMA_LGKP_IBU",
)
ADDRESS_ORDER = (
    "ALAMAT",
    "NO_RT",
    "NO_RW",
    "DUSUN",
    "KODE_POS",
    "NO_PROP",
    "PROP_NAME",
    "NO_KAB",
    "KAB_NAME",
    "NO_KEC",
    "KEC_NAME",
    "NO_KEL",
    "KEL_NAME",
)
FAMILY_ORDER = ("NO_KK", "NAMA_KEP", *ADDRESS_ORDER, "TGL_KELUAR", "ANGGOTA")
MEMBER_CODES = (
    "JENIS_KLMIN",
    "AGAMA",
    "PDDK_AKH",
    "JENIS_PKRJN",
    "GOL_DARAH",
    "STATUS_KAWIN",
    "STAT_HBKEL",
    "KEWARGANEGARAAN",
)
MEMBER_DATES = ("TGL_LHR", "TGL_KWN")
PADDED = {
    "NO_RT": 3,
    "NO_RW": 3,
    "KODE_POS": 5,
    "NO_PROP": 2,
    "NO_KAB": 2,
    "NO_KEC": 2,
    "NO_KEL": 4,
}
KEPALA_KELUARGA = 1


def _date(value: Any) -> date | None:
    if value is None or value == "":
        return None
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def normalize_member(member: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in MEMBER_ORDER:
        value = member.get(key)
        if key in MEMBER_CODES:
            out[key] = int(value) if value is not None else None
        elif key in MEMBER_DATES:
            out[key] = _date(value)
        else:
            out[key] = _text(value)
    return out


def head_of(members: list[dict[str, Any]]) -> dict[str, Any] | None:
    heads = [m for m in members if m.get("STAT_HBKEL") == KEPALA_KELUARGA]
    return heads[0] if heads else None


def normalize_family(family: dict[str, Any]) -> dict[str, Any]:
    """Bring a family (from the generator, a request, or JSON) into the normal form, in wire order."""
    members = [normalize_member(m) for m in family.get("ANGGOTA", [])]
    out: dict[str, Any] = {"NO_KK": _text(family.get("NO_KK"))}
    head = head_of(members)
    out["NAMA_KEP"] = _text(family.get("NAMA_KEP")) or (head["NAMA_LGKP"] if head else None)
    for key in ADDRESS_ORDER:
        value = _text(family.get(key))
        if value is not None and key in PADDED and value.isdigit():
            value = value.zfill(PADDED[key])
        out[key] = value
    out["TGL_KELUAR"] = _date(family.get("TGL_KELUAR"))
    out["ANGGOTA"] = members
    return out


def _json_default(value: Any) -> str:
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def to_json(value: Any) -> str:
    return json.dumps(value, default=_json_default, ensure_ascii=False, sort_keys=False)


def family_from_json(text: str) -> dict[str, Any]:
    return normalize_family(json.loads(text))


def member_from_json(text: str) -> dict[str, Any]:
    return normalize_member(json.loads(text))


def canonical_hash_input(value: Any) -> str:
    """A stable text of a request's content, for idempotency (same content, same text)."""
    return json.dumps(value, default=_json_default, ensure_ascii=False, sort_keys=True)


def area_code(family: dict[str, Any]) -> str:
    return f"{family['NO_PROP']}{family['NO_KAB']}{family['NO_KEC']}"

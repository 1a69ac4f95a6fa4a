"""Map a :class:`KartuKeluarga` to and from SIAK's data elements (``NO_KK``, ``NAMA_LGKP``, ...).

The plain dict uses exactly the element names of the SOAP contract (``contracts/siak.xsd``), with
members as a list under ``ANGGOTA``; codes are plain ``int``, dates ``datetime.date``, optional
elements ``None``; region codes, RT/RW and postal code are zero-padded digit strings. The mock SIAK
and the zeep client both speak this shape, so the English models never leak into the contract and
the contract's names never leak into the domain.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import TypedDict

from pydantic import ValidationError

from siakgate.domain._pydantic_issues import issues_from_validation_error
from siakgate.domain.family import KartuKeluarga, Member
from siakgate.domain.issues import InvalidFamilyError, IssueCode, issue
from siakgate.errors import DataIssue

__all__ = [
    "HEADER_ELEMENTS",
    "MEMBER_ELEMENTS",
    "FamilyElements",
    "MemberElements",
    "from_siak_elements",
    "siak_path",
    "to_siak_elements",
]


class MemberElements(TypedDict):
    """One ``ANGGOTA``: KK columns (1) to (17)."""

    NIK: str
    NAMA_LGKP: str
    JENIS_KLMIN: int
    TMPT_LHR: str
    TGL_LHR: date
    AGAMA: int
    PDDK_AKH: int
    JENIS_PKRJN: int
    GOL_DARAH: int
    STATUS_KAWIN: int
    TGL_KWN: date | None
    STAT_HBKEL: int
    KEWARGANEGARAAN: int
    NO_PASPOR: str | None
    NO_KITAP: str | None
    NAMA_LGKP_AYAH: str
    NAMA_LGKP_IBU: str


class FamilyElements(TypedDict):
    """A whole family (SIAK's ``KeluargaType``)."""

    NO_KK: str
    NAMA_KEP: str
    ALAMAT: str
    NO_RT: str
    NO_RW: str
    DUSUN: str | None
    KODE_POS: str
    NO_PROP: str
    PROP_NAME: str
    NO_KAB: str
    KAB_NAME: str
    NO_KEC: str
    KEC_NAME: str
    NO_KEL: str
    KEL_NAME: str
    TGL_KELUAR: date | None
    ANGGOTA: list[MemberElements]


HEADER_ELEMENTS: dict[str, str] = {
    "no_kk": "NO_KK",
    "head_name": "NAMA_KEP",
    "address": "ALAMAT",
    "rt": "NO_RT",
    "rw": "NO_RW",
    "dusun": "DUSUN",
    "postal_code": "KODE_POS",
    "province_code": "NO_PROP",
    "province": "PROP_NAME",
    "regency_code": "NO_KAB",
    "regency": "KAB_NAME",
    "district_code": "NO_KEC",
    "district": "KEC_NAME",
    "village_code": "NO_KEL",
    "village": "KEL_NAME",
    "issued_on": "TGL_KELUAR",
    "members": "ANGGOTA",
}
"""KartuKeluarga field -> SIAK element."""

MEMBER_ELEMENTS: dict[str, str] = {
    "nik": "NIK",
    "full_name": "NAMA_LGKP",
    "sex": "JENIS_KLMIN",
    "birth_place": "TMPT_LHR",
    "birth_date": "TGL_LHR",
    "religion": "AGAMA",
    "education": "PDDK_AKH",
    "occupation": "JENIS_PKRJN",
    "blood_type": "GOL_DARAH",
    "marital_status": "STATUS_KAWIN",
    "marriage_date": "TGL_KWN",
    "relationship": "STAT_HBKEL",
    "citizenship": "KEWARGANEGARAAN",
    "passport_number": "NO_PASPOR",
    "kitap_number": "NO_KITAP",
    "father_name": "NAMA_LGKP_AYAH",
    "mother_name": "NAMA_LGKP_IBU",
}
"""Member field -> SIAK element."""

_HEADER_FIELDS = {element: field for field, element in HEADER_ELEMENTS.items()}
_MEMBER_FIELDS = {element: field for field, element in MEMBER_ELEMENTS.items()}


def _member_elements(member: Member) -> MemberElements:
    return MemberElements(
        NIK=member.nik,
        NAMA_LGKP=member.full_name,
        JENIS_KLMIN=int(member.sex),
        TMPT_LHR=member.birth_place,
        TGL_LHR=member.birth_date,
        AGAMA=int(member.religion),
        PDDK_AKH=int(member.education),
        JENIS_PKRJN=int(member.occupation),
        GOL_DARAH=int(member.blood_type),
        STATUS_KAWIN=int(member.marital_status),
        TGL_KWN=member.marriage_date,
        STAT_HBKEL=int(member.relationship),
        KEWARGANEGARAAN=int(member.citizenship),
        NO_PASPOR=member.passport_number,
        NO_KITAP=member.kitap_number,
        NAMA_LGKP_AYAH=member.father_name,
        NAMA_LGKP_IBU=member.mother_name,
    )


def to_siak_elements(kk: KartuKeluarga) -> FamilyElements:
    """The family as SIAK elements, members in KK order under ``ANGGOTA``."""
    return FamilyElements(
        NO_KK=kk.no_kk,
        NAMA_KEP=kk.head_name,
        ALAMAT=kk.address,
        NO_RT=kk.rt,
        NO_RW=kk.rw,
        DUSUN=kk.dusun,
        KODE_POS=kk.postal_code,
        NO_PROP=kk.province_code,
        PROP_NAME=kk.province,
        NO_KAB=kk.regency_code,
        KAB_NAME=kk.regency,
        NO_KEC=kk.district_code,
        KEC_NAME=kk.district,
        NO_KEL=kk.village_code,
        KEL_NAME=kk.village,
        TGL_KELUAR=kk.issued_on,
        ANGGOTA=[_member_elements(member) for member in kk.members],
    )


def _rename(data: Mapping[str, object], names: Mapping[str, str], at: str) -> tuple[dict[str, object], list[DataIssue]]:
    renamed: dict[str, object] = {}
    found: list[DataIssue] = []
    for key, value in data.items():
        field = names.get(key)
        if field is None:
            # Reported where it sits, never by its key: a key is data too (a NIK sent as a key).
            message = (
                f"Elemen {at} memuat elemen yang tidak dikenal"
                if at
                else "Data keluarga memuat elemen yang tidak dikenal"
            )
            found.append(issue(IssueCode.ELEMEN_TIDAK_DIKENAL, at or "keluarga", message))
        else:
            renamed[field] = value
    return renamed, found


def from_siak_elements(data: Mapping[str, object]) -> KartuKeluarga:
    """Build a :class:`KartuKeluarga` from SIAK elements (the inverse of :func:`to_siak_elements`).

    Checks types only, reporting every problem at once with SIAK element paths
    (``ANGGOTA[2].AGAMA``): unknown elements, missing elements, unknown codes, malformed dates.
    Whether SIAK would accept the family is :func:`~siakgate.domain.validation.validate_family`.
    Raises :class:`~siakgate.domain.issues.InvalidFamilyError`.
    """
    header, found = _rename(data, _HEADER_FIELDS, "")
    members = header.get("members")
    if isinstance(members, list | tuple):
        renamed_members: list[object] = []
        for index, member in enumerate(members):
            if isinstance(member, Mapping):
                renamed, member_issues = _rename(member, _MEMBER_FIELDS, f"ANGGOTA[{index}]")
                found += member_issues
                renamed_members.append(renamed)
            else:
                renamed_members.append(member)  # pydantic reports the wrong type
        header["members"] = renamed_members
    try:
        kk = KartuKeluarga.model_validate(header)
    except ValidationError as exc:
        found += issues_from_validation_error(exc, path_of=_siak_loc)
    if found:
        raise InvalidFamilyError(found)
    return kk


def _siak_loc(loc: tuple[int | str, ...]) -> str:
    text = ""
    names = HEADER_ELEMENTS
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
            names = MEMBER_ELEMENTS
        else:
            element = names.get(part, part)
            text += f".{element}" if text else element
    return text


_PATH_PART = re.compile(r"([a-z_]+)(\[\d+\])?")


def siak_path(path: str) -> str:
    """Translate a domain path to SIAK element names: ``members[2].nik`` -> ``ANGGOTA[2].NIK``.

    Lets a SIAK-side component (the mock, a SOAP fault's ``ELEMEN``) report a domain issue in the
    contract's own terms. Unknown parts are kept as they are.
    """
    parts: list[str] = []
    names = HEADER_ELEMENTS
    for segment in path.split("."):
        match = _PATH_PART.fullmatch(segment)
        if match is None:
            parts.append(segment)
            continue
        name, index = match.groups()
        parts.append(names.get(name, name) + (index or ""))
        if index:
            names = MEMBER_ELEMENTS
    return ".".join(parts)

"""Which changes of KK data make a new KTP-el necessary (seed 003: "Apabila perubahan data KK
mengakibatkan pembaharuan KTP, maka pemohon melakukan permohonan pencetakan").

The KTP-el prints: NIK, name, place and date of birth, sex, blood type, address (street, RT/RW,
village, district), religion, marital status, occupation and citizenship. The KK also carries
education, relationship in the family, marriage date, passport and KITAP numbers and the parents'
names, which are not on the card: changing only those needs no new KTP-el.

The element codes below are the lines of the "Surat Pernyataan Perubahan Elemen Data Kependudukan"
form; a calling system declares the codes its applicant changed (``PUT /v1/applications/{id}/changed-elements``)
or, when it holds both versions of the KK, computes them with :func:`changed_elements`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from siakgate.domain import KartuKeluarga

__all__ = ["ELEMENTS", "KTP_ELEMENTS", "changed_elements", "ktp_elements", "unknown_elements"]

ELEMENTS: Final[dict[str, str]] = {
    "NAMA_LENGKAP": "Nama lengkap",
    "TEMPAT_LAHIR": "Tempat lahir",
    "TANGGAL_LAHIR": "Tanggal lahir",
    "JENIS_KELAMIN": "Jenis kelamin",
    "GOLONGAN_DARAH": "Golongan darah",
    "ALAMAT": "Alamat (jalan, RT/RW, desa/kelurahan, kecamatan)",
    "AGAMA": "Agama",
    "STATUS_PERKAWINAN": "Status perkawinan",
    "PEKERJAAN": "Pekerjaan",
    "KEWARGANEGARAAN": "Kewarganegaraan",
    "PENDIDIKAN": "Pendidikan terakhir",
    "STATUS_HUBUNGAN": "Status hubungan dalam keluarga",
    "TANGGAL_PERKAWINAN": "Tanggal perkawinan/perceraian",
    "NO_PASPOR": "Nomor paspor",
    "NO_KITAP": "Nomor KITAP",
    "NAMA_AYAH": "Nama ayah",
    "NAMA_IBU": "Nama ibu",
}
"""Element code -> Indonesian label."""

KTP_ELEMENTS: Final = frozenset(
    {
        "NAMA_LENGKAP",
        "TEMPAT_LAHIR",
        "TANGGAL_LAHIR",
        "JENIS_KELAMIN",
        "GOLONGAN_DARAH",
        "ALAMAT",
        "AGAMA",
        "STATUS_PERKAWINAN",
        "PEKERJAAN",
        "KEWARGANEGARAAN",
    }
)
"""The elements printed on the KTP-el."""

_MEMBER_FIELDS: Final = {
    "full_name": "NAMA_LENGKAP",
    "birth_place": "TEMPAT_LAHIR",
    "birth_date": "TANGGAL_LAHIR",
    "sex": "JENIS_KELAMIN",
    "blood_type": "GOLONGAN_DARAH",
    "religion": "AGAMA",
    "marital_status": "STATUS_PERKAWINAN",
    "occupation": "PEKERJAAN",
    "citizenship": "KEWARGANEGARAAN",
    "education": "PENDIDIKAN",
    "relationship": "STATUS_HUBUNGAN",
    "marriage_date": "TANGGAL_PERKAWINAN",
    "passport_number": "NO_PASPOR",
    "kitap_number": "NO_KITAP",
    "father_name": "NAMA_AYAH",
    "mother_name": "NAMA_IBU",
}
_ADDRESS_FIELDS: Final = ("address", "rt", "rw", "dusun", "village", "district", "village_code", "district_code")


def unknown_elements(codes: Iterable[str]) -> list[str]:
    """The codes that are not element codes (to refuse them, not to ignore a typo)."""
    return sorted({code for code in codes if code not in ELEMENTS})


def ktp_elements(codes: Iterable[str]) -> list[str]:
    """The given element codes that are printed on the KTP-el, sorted."""
    return sorted(KTP_ELEMENTS.intersection(codes))


def changed_elements(before: KartuKeluarga, after: KartuKeluarga) -> list[str]:
    """The element codes that differ between two versions of one KK, members matched by NIK.

    A member present in only one version (added, removed) is not an element change of a person who
    holds a KTP-el; it is ignored here. The address belongs to every member, so a changed address
    is one ``ALAMAT``.
    """
    changed: set[str] = set()
    if any(getattr(before, name) != getattr(after, name) for name in _ADDRESS_FIELDS):
        changed.add("ALAMAT")
    old = {member.nik: member for member in before.members}
    for member in after.members:
        previous = old.get(member.nik)
        if previous is None:
            continue
        for name, code in _MEMBER_FIELDS.items():
            if getattr(previous, name) != getattr(member, name):
                changed.add(code)
    return sorted(changed)

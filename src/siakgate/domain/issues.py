"""Stable issue codes, and the domain's exception classes (defined in :mod:`siakgate.errors`, re-exported here).

Every refusal in :mod:`siakgate.domain` is an :class:`~siakgate.errors.InvalidDataError` carrying
one or more :class:`~siakgate.errors.DataIssue`. The issue codes below are the contract for programs
(the gateway's API, the workflow, tests); the messages are for people and may be reworded.

::

    InvalidDataError                DATA_TIDAK_VALID
    ├── UnknownCodeError            KODE_TIDAK_DIKENAL      a code or label not in codes.json
    ├── InvalidNikError             NIK_TIDAK_VALID         a NIK that cannot be parsed
    ├── InvalidNoKkError            NO_KK_TIDAK_VALID       a No. KK that cannot be parsed
    ├── InvalidFamilyError          KK_TIDAK_VALID          a Kartu Keluarga SIAK would refuse
    └── UnknownRequirementError     PERSYARATAN_TIDAK_DIKENAL
"""

from __future__ import annotations

from enum import StrEnum

from siakgate.errors import (
    DataIssue,
    InvalidFamilyError,
    InvalidNikError,
    InvalidNoKkError,
    UnknownCodeError,
    UnknownRequirementError,
)

__all__ = [
    "DataIssue",
    "InvalidFamilyError",
    "InvalidNikError",
    "InvalidNoKkError",
    "IssueCode",
    "UnknownCodeError",
    "UnknownRequirementError",
]


class IssueCode(StrEnum):
    """Every issue code the domain emits. Values never change once released; add, do not rename."""

    # code lists
    KODE_TIDAK_DIKENAL = "KODE_TIDAK_DIKENAL"
    LABEL_TIDAK_DIKENAL = "LABEL_TIDAK_DIKENAL"
    # NIK and No. KK structure
    NIK_FORMAT = "NIK_FORMAT"
    NIK_KODE_WILAYAH = "NIK_KODE_WILAYAH"
    NIK_TANGGAL_TIDAK_VALID = "NIK_TANGGAL_TIDAK_VALID"
    NIK_NOMOR_URUT = "NIK_NOMOR_URUT"
    NO_KK_FORMAT = "NO_KK_FORMAT"
    NO_KK_KODE_WILAYAH = "NO_KK_KODE_WILAYAH"
    NO_KK_TANGGAL_TIDAK_VALID = "NO_KK_TANGGAL_TIDAK_VALID"
    NO_KK_NOMOR_URUT = "NO_KK_NOMOR_URUT"
    NO_KK_WILAYAH_TIDAK_SESUAI = "NO_KK_WILAYAH_TIDAK_SESUAI"
    # header
    WAJIB_DIISI = "WAJIB_DIISI"
    FORMAT_TIDAK_VALID = "FORMAT_TIDAK_VALID"
    TEKS_TIDAK_VALID = "TEKS_TIDAK_VALID"
    KODE_WILAYAH_FORMAT = "KODE_WILAYAH_FORMAT"
    RT_RW_FORMAT = "RT_RW_FORMAT"
    KODE_POS_FORMAT = "KODE_POS_FORMAT"
    TANGGAL_KELUAR_MASA_DEPAN = "TANGGAL_KELUAR_MASA_DEPAN"
    TANGGAL_KELUAR_SEBELUM_NO_KK = "TANGGAL_KELUAR_SEBELUM_NO_KK"
    NAMA_KEPALA_KELUARGA_TIDAK_SESUAI = "NAMA_KEPALA_KELUARGA_TIDAK_SESUAI"
    ELEMEN_TIDAK_DIKENAL = "ELEMEN_TIDAK_DIKENAL"
    # family composition
    ANGGOTA_KOSONG = "ANGGOTA_KOSONG"
    KEPALA_KELUARGA_TIDAK_TUNGGAL = "KEPALA_KELUARGA_TIDAK_TUNGGAL"
    KEPALA_KELUARGA_BELUM_DEWASA = "KEPALA_KELUARGA_BELUM_DEWASA"
    NIK_GANDA = "NIK_GANDA"
    SUAMI_HARUS_LAKI_LAKI = "SUAMI_HARUS_LAKI_LAKI"
    ISTRI_HARUS_PEREMPUAN = "ISTRI_HARUS_PEREMPUAN"
    PASANGAN_HARUS_KAWIN = "PASANGAN_HARUS_KAWIN"
    KEPALA_KELUARGA_TIDAK_SESUAI_PASANGAN = "KEPALA_KELUARGA_TIDAK_SESUAI_PASANGAN"
    # member data
    NIK_TANGGAL_LAHIR_TIDAK_SESUAI = "NIK_TANGGAL_LAHIR_TIDAK_SESUAI"
    NIK_JENIS_KELAMIN_TIDAK_SESUAI = "NIK_JENIS_KELAMIN_TIDAK_SESUAI"
    TANGGAL_LAHIR_MASA_DEPAN = "TANGGAL_LAHIR_MASA_DEPAN"
    TANGGAL_KAWIN_WAJIB = "TANGGAL_KAWIN_WAJIB"
    TANGGAL_KAWIN_TIDAK_SESUAI_STATUS = "TANGGAL_KAWIN_TIDAK_SESUAI_STATUS"
    TANGGAL_KAWIN_SEBELUM_LAHIR = "TANGGAL_KAWIN_SEBELUM_LAHIR"
    TANGGAL_KAWIN_MASA_DEPAN = "TANGGAL_KAWIN_MASA_DEPAN"
    PASPOR_WAJIB_WNA = "PASPOR_WAJIB_WNA"
    KITAP_WAJIB_WNA = "KITAP_WAJIB_WNA"
    KITAP_TIDAK_BERLAKU_WNI = "KITAP_TIDAK_BERLAKU_WNI"
    # case requirements
    PERSYARATAN_TIDAK_DIKENAL = "PERSYARATAN_TIDAK_DIKENAL"


def issue(code: IssueCode, path: str, message: str) -> DataIssue:
    """Build a :class:`DataIssue` from a typed code (keeps call sites short and typo-proof)."""
    return DataIssue(code=code.value, path=path, message=message)

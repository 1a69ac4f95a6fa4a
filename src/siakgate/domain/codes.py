"""SIAK code lists as Python enums: the numeric code SIAK stores and the label printed on a KK.

The lists mirror ``siakgate/contracts/codes.json`` exactly (a test guards it); that file is the
contract shared with the WSDL and the mock SIAK. They are written out here rather than loaded at
import time so that the domain stays pure, type checkers see every member, and code reads
``Agama.ISLAM`` instead of ``codes["AGAMA"]["1"]``.

Each enum member is an ``int`` (what goes over SOAP) with a ``label`` (what is printed)::

    >>> Agama.from_code(1).label
    'Islam'
    >>> Agama.from_label("kepercayaan terhadap tuhan yme", tolerant=True)
    <Agama.KEPERCAYAAN: 7>
"""

from __future__ import annotations

from enum import IntEnum, StrEnum
from typing import Self

from siakgate.domain.issues import IssueCode, UnknownCodeError, issue

__all__ = [
    "SIAK_CODE_LISTS",
    "Agama",
    "CaseType",
    "CodeList",
    "GolonganDarah",
    "JenisKelamin",
    "Kewarganegaraan",
    "Pekerjaan",
    "Pendidikan",
    "StatusHubungan",
    "StatusPerkawinan",
]


def _normalise(label: str) -> str:
    """Fold case and drop all whitespace: ``"tidak / belum sekolah"`` and ``"Tidak/Belum Sekolah"``
    compare equal.
    """
    return "".join(label.split()).casefold()


class CodeList(IntEnum):
    """Base of every numeric SIAK code list: members are ``(code, printed label)``."""

    label: str

    def __new__(cls, value: int, label: str) -> Self:
        member = int.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member

    @classmethod
    def element(cls) -> str:
        """The SIAK element that carries this list (``AGAMA``, ``STAT_HBKEL``, ...)."""
        for name, code_list in SIAK_CODE_LISTS.items():
            if code_list is cls:
                return name
        return cls.__name__

    @classmethod
    def from_code(cls, code: int | str, *, path: str = "") -> Self:
        """The member for a SIAK code; ``"7"`` is accepted as well as ``7`` (XML carries text).

        Raises :class:`UnknownCodeError` (issue ``KODE_TIDAK_DIKENAL``) for anything else, booleans
        included.
        """
        number: int | None = None
        if isinstance(code, str) and code.strip().isdigit():
            number = int(code.strip())
        elif isinstance(code, int) and not isinstance(code, bool):
            number = code
        for member in cls:
            if member.value == number:
                return member
        where = path or cls.element()
        raise UnknownCodeError(
            [
                issue(
                    IssueCode.KODE_TIDAK_DIKENAL,
                    where,
                    f"Kode {cls.element()} {code!r} tidak dikenal",
                )
            ]
        )

    @classmethod
    def from_label(cls, label: str, *, tolerant: bool = False, path: str = "") -> Self:
        """The member whose printed label is ``label``.

        Exact by default (labels are the contract). ``tolerant=True`` ignores case and whitespace,
        for labels typed by people or read from scanned forms; it never guesses beyond that. Raises
        :class:`UnknownCodeError` (issue ``LABEL_TIDAK_DIKENAL``).
        """
        wanted = _normalise(label) if tolerant else label
        for member in cls:
            candidate = _normalise(member.label) if tolerant else member.label
            if candidate == wanted:
                return member
        raise UnknownCodeError(
            [
                issue(
                    IssueCode.LABEL_TIDAK_DIKENAL,
                    path or cls.element(),
                    f"Label {cls.element()} {label!r} tidak dikenal",
                )
            ]
        )


class JenisKelamin(CodeList):
    """JENIS_KLMIN."""

    LAKI_LAKI = 1, "Laki-laki"
    PEREMPUAN = 2, "Perempuan"


class Agama(CodeList):
    """AGAMA."""

    ISLAM = 1, "Islam"
    KRISTEN = 2, "Kristen"
    KATHOLIK = 3, "Katholik"
    HINDU = 4, "Hindu"
    BUDHA = 5, "Budha"
    KHONGHUCU = 6, "Khonghucu"
    KEPERCAYAAN = 7, "Kepercayaan Terhadap Tuhan YME"


class Pendidikan(CodeList):
    """PDDK_AKH: last education completed."""

    TIDAK_BELUM_SEKOLAH = 1, "Tidak/Belum Sekolah"
    BELUM_TAMAT_SD = 2, "Belum Tamat SD/Sederajat"
    TAMAT_SD = 3, "Tamat SD/Sederajat"
    SLTP = 4, "SLTP/Sederajat"
    SLTA = 5, "SLTA/Sederajat"
    DIPLOMA_I_II = 6, "Diploma I/II"
    DIPLOMA_III = 7, "Akademi/Diploma III/S.Muda"
    DIPLOMA_IV_S1 = 8, "Diploma IV/Strata I"
    S2 = 9, "Strata II"
    S3 = 10, "Strata III"


class Pekerjaan(CodeList):
    """JENIS_PKRJN: the 89 occupations."""

    BELUM_TIDAK_BEKERJA = 1, "Belum/Tidak Bekerja"
    MENGURUS_RUMAH_TANGGA = 2, "Mengurus Rumah Tangga"
    PELAJAR_MAHASISWA = 3, "Pelajar/Mahasiswa"
    PENSIUNAN = 4, "Pensiunan"
    PNS = 5, "Pegawai Negeri Sipil (PNS)"
    TNI = 6, "Tentara Nasional Indonesia (TNI)"
    POLRI = 7, "Kepolisian RI (POLRI)"
    PERDAGANGAN = 8, "Perdagangan"
    PETANI_PEKEBUN = 9, "Petani/Pekebun"
    PETERNAK = 10, "Peternak"
    NELAYAN_PERIKANAN = 11, "Nelayan/Perikanan"
    INDUSTRI = 12, "Industri"
    KONSTRUKSI = 13, "Konstruksi"
    TRANSPORTASI = 14, "Transportasi"
    KARYAWAN_SWASTA = 15, "Karyawan Swasta"
    KARYAWAN_BUMN = 16, "Karyawan BUMN"
    KARYAWAN_BUMD = 17, "Karyawan BUMD"
    KARYAWAN_HONORER = 18, "Karyawan Honorer"
    BURUH_HARIAN_LEPAS = 19, "Buruh Harian Lepas"
    BURUH_TANI_PERKEBUNAN = 20, "Buruh Tani/Perkebunan"
    BURUH_NELAYAN_PERIKANAN = 21, "Buruh Nelayan/Perikanan"
    BURUH_PETERNAKAN = 22, "Buruh Peternakan"
    PEMBANTU_RUMAH_TANGGA = 23, "Pembantu Rumah Tangga"
    TUKANG_CUKUR = 24, "Tukang Cukur"
    TUKANG_LISTRIK = 25, "Tukang Listrik"
    TUKANG_BATU = 26, "Tukang Batu"
    TUKANG_KAYU = 27, "Tukang Kayu"
    TUKANG_SOL_SEPATU = 28, "Tukang Sol Sepatu"
    TUKANG_LAS_PANDAI_BESI = 29, "Tukang Las/Pandai Besi"
    TUKANG_JAHIT = 30, "Tukang Jahit"
    TUKANG_GIGI = 31, "Tukang Gigi"
    PENATA_RIAS = 32, "Penata Rias"
    PENATA_BUSANA = 33, "Penata Busana"
    PENATA_RAMBUT = 34, "Penata Rambut"
    MEKANIK = 35, "Mekanik"
    SENIMAN = 36, "Seniman"
    TABIB = 37, "Tabib"
    PARAJI = 38, "Paraji"
    PERANCANG_BUSANA = 39, "Perancang Busana"
    PENTERJEMAH = 40, "Penterjemah"
    IMAM_MASJID = 41, "Imam Masjid"
    PENDETA = 42, "Pendeta"
    PASTOR = 43, "Pastor"
    WARTAWAN = 44, "Wartawan"
    USTADZ_MUBALIGH = 45, "Ustadz/Mubaligh"
    JURU_MASAK = 46, "Juru Masak"
    PROMOTOR_ACARA = 47, "Promotor Acara"
    ANGGOTA_DPR_RI = 48, "Anggota DPR-RI"
    ANGGOTA_DPD = 49, "Anggota DPD"
    ANGGOTA_BPK = 50, "Anggota BPK"
    PRESIDEN = 51, "Presiden"
    WAKIL_PRESIDEN = 52, "Wakil Presiden"
    ANGGOTA_MAHKAMAH_KONSTITUSI = 53, "Anggota Mahkamah Konstitusi"
    ANGGOTA_KABINET_KEMENTERIAN = 54, "Anggota Kabinet/Kementerian"
    DUTA_BESAR = 55, "Duta Besar"
    GUBERNUR = 56, "Gubernur"
    WAKIL_GUBERNUR = 57, "Wakil Gubernur"
    BUPATI = 58, "Bupati"
    WAKIL_BUPATI = 59, "Wakil Bupati"
    WALIKOTA = 60, "Walikota"
    WAKIL_WALIKOTA = 61, "Wakil Walikota"
    ANGGOTA_DPRD_PROVINSI = 62, "Anggota DPRD Provinsi"
    ANGGOTA_DPRD_KABUPATEN_KOTA = 63, "Anggota DPRD Kabupaten/Kota"
    DOSEN = 64, "Dosen"
    GURU = 65, "Guru"
    PILOT = 66, "Pilot"
    PENGACARA = 67, "Pengacara"
    NOTARIS = 68, "Notaris"
    ARSITEK = 69, "Arsitek"
    AKUNTAN = 70, "Akuntan"
    KONSULTAN = 71, "Konsultan"
    DOKTER = 72, "Dokter"
    BIDAN = 73, "Bidan"
    PERAWAT = 74, "Perawat"
    APOTEKER = 75, "Apoteker"
    PSIKIATER_PSIKOLOG = 76, "Psikiater/Psikolog"
    PENYIAR_TELEVISI = 77, "Penyiar Televisi"
    PENYIAR_RADIO = 78, "Penyiar Radio"
    PELAUT = 79, "Pelaut"
    PENELITI = 80, "Peneliti"
    SOPIR = 81, "Sopir"
    PIALANG = 82, "Pialang"
    PARANORMAL = 83, "Paranormal"
    PEDAGANG = 84, "Pedagang"
    PERANGKAT_DESA = 85, "Perangkat Desa"
    KEPALA_DESA = 86, "Kepala Desa"
    BIARAWATI = 87, "Biarawati"
    WIRASWASTA = 88, "Wiraswasta"
    LAINNYA = 89, "Lainnya"


class GolonganDarah(CodeList):
    """GOL_DARAH: blood group, with or without rhesus, or unknown."""

    A = 1, "A"
    B = 2, "B"
    AB = 3, "AB"
    O = 4, "O"  # noqa: E741 - the blood group's own name
    A_POS = 5, "A+"
    A_NEG = 6, "A-"
    B_POS = 7, "B+"
    B_NEG = 8, "B-"
    AB_POS = 9, "AB+"
    AB_NEG = 10, "AB-"
    O_POS = 11, "O+"
    O_NEG = 12, "O-"
    TIDAK_TAHU = 13, "Tidak Tahu"


class StatusPerkawinan(CodeList):
    """STATUS_KAWIN."""

    BELUM_KAWIN = 1, "Belum Kawin"
    KAWIN = 2, "Kawin"
    CERAI_HIDUP = 3, "Cerai Hidup"
    CERAI_MATI = 4, "Cerai Mati"

    @property
    def ever_married(self) -> bool:
        """Kawin, Cerai Hidup or Cerai Mati: the person has married at some time (the law's "kawin
        atau pernah kawin").
        """
        return self is not StatusPerkawinan.BELUM_KAWIN


class StatusHubungan(CodeList):
    """STAT_HBKEL: relationship to the Kepala Keluarga."""

    KEPALA_KELUARGA = 1, "Kepala Keluarga"
    SUAMI = 2, "Suami"
    ISTRI = 3, "Istri"
    ANAK = 4, "Anak"
    MENANTU = 5, "Menantu"
    CUCU = 6, "Cucu"
    ORANG_TUA = 7, "Orang Tua"
    MERTUA = 8, "Mertua"
    FAMILI_LAIN = 9, "Famili Lain"
    PEMBANTU = 10, "Pembantu"
    LAINNYA = 11, "Lainnya"


class Kewarganegaraan(CodeList):
    """KEWARGANEGARAAN: Indonesian citizen (WNI) or foreigner (WNA)."""

    WNI = 1, "WNI"
    WNA = 2, "WNA"


class CaseType(StrEnum):
    """JENIS_PERMOHONAN: why a KK is (re)issued. String codes, unlike the numeric lists."""

    label: str

    def __new__(cls, value: str, label: str) -> Self:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member

    KK_BARU_MENIKAH = "KK_BARU_MENIKAH", "Pembentukan keluarga baru karena perkawinan"
    TAMBAH_ANGGOTA = "TAMBAH_ANGGOTA", "Penambahan anggota keluarga (kelahiran atau lainnya)"
    PINDAH_DATANG = "PINDAH_DATANG", "Pindah datang"
    DATANG_LUAR_NEGERI = "DATANG_LUAR_NEGERI", "Kedatangan WNI dari luar negeri"
    WNA_KITAP = "WNA_KITAP", "Orang asing pemegang KITAP"
    HILANG = "HILANG", "KK hilang"
    RUSAK = "RUSAK", "KK rusak"
    PERUBAHAN_DATA = "PERUBAHAN_DATA", "Perubahan elemen data kependudukan"
    KEMATIAN = "KEMATIAN", "Anggota keluarga meninggal dunia"
    PERCERAIAN = "PERCERAIAN", "Perceraian"

    @classmethod
    def from_code(cls, code: str, *, path: str = "") -> CaseType:
        """The case type for a JENIS_PERMOHONAN code; raises :class:`UnknownCodeError` otherwise."""
        for member in cls:
            if member.value == code:
                return member
        raise UnknownCodeError(
            [
                issue(
                    IssueCode.KODE_TIDAK_DIKENAL,
                    path or "JENIS_PERMOHONAN",
                    f"Kode JENIS_PERMOHONAN {code!r} tidak dikenal",
                )
            ]
        )


SIAK_CODE_LISTS: dict[str, type[CodeList]] = {
    "JENIS_KLMIN": JenisKelamin,
    "AGAMA": Agama,
    "PDDK_AKH": Pendidikan,
    "JENIS_PKRJN": Pekerjaan,
    "GOL_DARAH": GolonganDarah,
    "STATUS_KAWIN": StatusPerkawinan,
    "STAT_HBKEL": StatusHubungan,
    "KEWARGANEGARAAN": Kewarganegaraan,
}
"""SIAK element name -> the enum holding its codes (the same keys as codes.json, minus
JENIS_PERMOHONAN).
"""

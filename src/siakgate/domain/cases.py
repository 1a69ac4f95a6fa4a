"""What each kind of KK application (JENIS_PERMOHONAN) needs: documents, data entry, the old card.

The checklists come from the five service standards in ``shared/seeds`` (cited per item by seed
number, ``"000"`` to ``"004"``). They are different offices' standards, so each item records the
seeds it comes from and :func:`checklist` can give one office's view (``seed="002"``) or the union
of all of them (the default, the strictest reading). Seed 004 (Kecamatan Sumbersuko) names only
"Persyaratan permohonan KK" without listing it, so it contributes no items.

Two case types have no seed of their own and are derived:

* **KEMATIAN** from seed 000, requirement 1: "Fotocopy Surat Kematian (Jika ada anggota keluarga
  yang meninggal)", plus 000's cover letter and original old KK.
* **PERCERAIAN** from seed 002, requirement d: "foto copy Akta Perceraian legalisir jika ada anggota
  keluarga yang berstatus cerai untuk update data KK", plus seed 000's cover letter and old KK.

Data entry in SIAK: seed 003 says "Entri data hanya untuk KK baru dan perubahan data. KK hilang
tidak ada kegiatan entri data." A damaged card is reissued from the data SIAK already holds, so it
is treated like a lost one. The old card is handed back in every case that has one (seed 003: "KK
lama agar dikembalikan ..."; seed 000 step 8: the KK is exchanged for the original documents); a
lost card cannot be.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from siakgate.domain.codes import CaseType
from siakgate.domain.issues import IssueCode, UnknownRequirementError, issue

__all__ = [
    "DOCUMENTS",
    "SEEDS",
    "CaseProfile",
    "MissingRequirements",
    "Requirement",
    "case_profile",
    "checklist",
    "missing_requirements",
]

SEEDS: dict[str, str] = {
    "000": "Kecamatan Lumajang, BCA (Berkas Cukup WA)",
    "001": "Dinas, loket dengan nomor antrian",
    "002": "Loket Adminduk Online Desa/Kelurahan (KK hilang)",
    "003": "Bantul, WhatsApp dan cetak mandiri (perubahan data, hilang, rusak)",
    "004": "SOP Kecamatan Sumbersuko (2017)",
}
"""Seed number -> which service standard it is."""

DOCUMENTS: dict[str, str] = {
    "SURAT_PENGANTAR_DESA": ("Surat Pengantar (Formulir DRT/Daftar Rumah Tangga) dari Desa/Kelurahan"),
    "KK_LAMA_ASLI": "Kartu Keluarga lama asli",
    "SURAT_KEHILANGAN_POLISI": "Surat Keterangan Kehilangan dari Kepolisian",
    "BUKU_NIKAH": "Fotokopi Buku Nikah/Akta Perkawinan",
    "BUKU_NIKAH_LEGALISIR": "Fotokopi Buku Nikah yang dilegalisir",
    "AKTA_PERCERAIAN_LEGALISIR": "Fotokopi Akta Perceraian yang dilegalisir",
    "AKTA_KELAHIRAN_IJAZAH": "Fotokopi Akta Kelahiran/Ijazah",
    "SURAT_KELAHIRAN": ("Surat Keterangan Kelahiran/Surat Kenal Lahir dari Bidan, Dokter atau Kelurahan"),
    "SURAT_PINDAH": "Surat Keterangan Pindah Datang",
    "SURAT_DATANG_LUAR_NEGERI": "Surat Keterangan Datang dari Luar Negeri",
    "KITAP": "Kartu Izin Tinggal Tetap (KITAP)",
    "SURAT_KEMATIAN": "Fotokopi Surat Kematian",
    "DOKUMEN_KEPENDUDUKAN_ANGGOTA": ("Dokumen kependudukan salah satu anggota keluarga (Akta Kelahiran atau KTP-el)"),
    "FORMULIR_PERUBAHAN_DATA": "Formulir Surat Pernyataan Perubahan Elemen Data Kependudukan",
    "BUKTI_PERUBAHAN_DATA": "Dokumen/Bukti Pendukung Perubahan",
}
"""Requirement code -> Indonesian label. The codes are stable; applicants' files refer to them."""


@dataclass(frozen=True, slots=True)
class Requirement:
    """One line of a checklist.

    ``mandatory`` items must be in the file; conditional ones (``condition`` says when, in words)
    are for the officer to judge. ``alternatives`` are codes that satisfy the item instead (a lost
    original KK is replaced by the police report).
    """

    code: str
    mandatory: bool
    seeds: tuple[str, ...]
    condition: str | None = None
    alternatives: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """The Indonesian label (with its condition, for conditional items)."""
        base = DOCUMENTS[self.code]
        return base if self.condition is None else f"{base} ({self.condition})"

    def satisfied_by(self, provided: frozenset[str]) -> bool:
        """Whether the item or one of its alternatives was provided."""
        return self.code in provided or any(code in provided for code in self.alternatives)


@dataclass(frozen=True, slots=True)
class CaseProfile:
    """A case type's checklist and how it is handled."""

    case_type: CaseType
    requirements: tuple[Requirement, ...]
    needs_data_entry: bool
    old_kk_returned: bool


@dataclass(frozen=True, slots=True)
class MissingRequirements:
    """What a file lacks: mandatory items (they block the file) and conditional ones (to check)."""

    mandatory: tuple[Requirement, ...]
    conditional: tuple[Requirement, ...]

    @property
    def complete(self) -> bool:
        """No mandatory item is missing."""
        return not self.mandatory


def _m(code: str, *seeds: str, alternatives: tuple[str, ...] = ()) -> Requirement:
    return Requirement(code=code, mandatory=True, seeds=seeds, alternatives=alternatives)


def _c(code: str, condition: str, *seeds: str) -> Requirement:
    return Requirement(code=code, mandatory=False, seeds=seeds, condition=condition)


_OR_POLICE = ("SURAT_KEHILANGAN_POLISI",)
_COVER = _m("SURAT_PENGANTAR_DESA", "000")
_OLD_KK = _m("KK_LAMA_ASLI", "000", alternatives=_OR_POLICE)
_OLD_KK_IF_JOINING = _c("KK_LAMA_ASLI", "jika bergabung ke KK yang sudah ada", "000", "001")
_UNMARRIED = _c("AKTA_KELAHIRAN_IJAZAH", "untuk anak/anggota keluarga yang belum menikah", "000")
_MARRIED = _c("BUKU_NIKAH", "jika ada anggota keluarga yang sudah menikah", "000")
_FOREIGNER = _c("KITAP", "bagi anggota keluarga WNA", "001", "002")
_CHANGE_FORM = _m("FORMULIR_PERUBAHAN_DATA", "003")

_PROFILES: dict[CaseType, CaseProfile] = {
    profile.case_type: profile
    for profile in (
        CaseProfile(
            CaseType.KK_BARU_MENIKAH,
            (
                _COVER,
                _m("BUKU_NIKAH", "000", "001"),
                _OLD_KK,
                _UNMARRIED,
                _FOREIGNER,
            ),
            needs_data_entry=True,
            old_kk_returned=True,
        ),
        CaseProfile(
            CaseType.TAMBAH_ANGGOTA,
            (
                _COVER,
                _m("KK_LAMA_ASLI", "000", "001", alternatives=_OR_POLICE),
                _c("SURAT_KELAHIRAN", "jika menambah anak yang baru lahir", "000", "001"),
                _UNMARRIED,
                _MARRIED,
                _FOREIGNER,
            ),
            needs_data_entry=True,
            old_kk_returned=True,
        ),
        CaseProfile(
            CaseType.PINDAH_DATANG,
            (_COVER, _m("SURAT_PINDAH", "000", "001"), _OLD_KK_IF_JOINING, _UNMARRIED, _MARRIED),
            needs_data_entry=True,
            old_kk_returned=True,
        ),
        CaseProfile(
            CaseType.DATANG_LUAR_NEGERI,
            (_COVER, _m("SURAT_DATANG_LUAR_NEGERI", "001"), _OLD_KK_IF_JOINING, _MARRIED),
            needs_data_entry=True,
            old_kk_returned=True,
        ),
        CaseProfile(
            CaseType.WNA_KITAP,
            (_COVER, _m("KITAP", "001", "002"), _OLD_KK_IF_JOINING, _MARRIED),
            needs_data_entry=True,
            old_kk_returned=True,
        ),
        CaseProfile(
            CaseType.HILANG,
            (
                _m("SURAT_KEHILANGAN_POLISI", "000", "002", "003"),
                _m("DOKUMEN_KEPENDUDUKAN_ANGGOTA", "002"),
                _COVER,
                _CHANGE_FORM,
                _FOREIGNER,
                _c(
                    "BUKU_NIKAH_LEGALISIR",
                    "jika ada anggota keluarga yang sudah kawin, untuk pemutakhiran data KK",
                    "002",
                ),
                _c(
                    "AKTA_PERCERAIAN_LEGALISIR",
                    "jika ada anggota keluarga yang berstatus cerai, untuk pemutakhiran data KK",
                    "002",
                ),
            ),
            needs_data_entry=False,
            old_kk_returned=False,
        ),
        CaseProfile(
            CaseType.RUSAK,
            (_m("KK_LAMA_ASLI", "000", "003"), _COVER, _CHANGE_FORM),
            needs_data_entry=False,
            old_kk_returned=True,
        ),
        CaseProfile(
            CaseType.PERUBAHAN_DATA,
            (_CHANGE_FORM, _m("BUKTI_PERUBAHAN_DATA", "003"), _OLD_KK, _COVER),
            needs_data_entry=True,
            old_kk_returned=True,
        ),
        CaseProfile(
            CaseType.KEMATIAN,
            (_m("SURAT_KEMATIAN", "000"), _OLD_KK, _COVER),
            needs_data_entry=True,
            old_kk_returned=True,
        ),
        CaseProfile(
            CaseType.PERCERAIAN,
            (_m("AKTA_PERCERAIAN_LEGALISIR", "002"), _OLD_KK, _COVER),
            needs_data_entry=True,
            old_kk_returned=True,
        ),
    )
}


def case_profile(case_type: CaseType) -> CaseProfile:
    """The full profile of a case type (union of all seeds)."""
    return _PROFILES[case_type]


def checklist(case_type: CaseType, *, seed: str | None = None) -> tuple[Requirement, ...]:
    """The requirements of ``case_type``; with ``seed``, only those that office's standard lists."""
    items = _PROFILES[case_type].requirements
    if seed is None:
        return items
    if seed not in SEEDS:
        raise KeyError(seed)
    return tuple(item for item in items if seed in item.seeds)


def missing_requirements(
    case_type: CaseType, provided: Iterable[str], *, seed: str | None = None
) -> MissingRequirements:
    """Compare a file with the checklist: missing mandatory items, and conditional items not given.

    ``provided`` holds requirement codes (:data:`DOCUMENTS`). An unknown code is refused with
    :class:`UnknownRequirementError` (``PERSYARATAN_TIDAK_DIKENAL``) rather than ignored, because a
    typo would otherwise silently leave a document unaccounted for. Known codes that this case
    does not ask for are ignored.
    """
    given = frozenset(provided)
    unknown = sorted(given - DOCUMENTS.keys())
    if unknown:
        raise UnknownRequirementError(
            [
                issue(
                    IssueCode.PERSYARATAN_TIDAK_DIKENAL,
                    "persyaratan",
                    f"Kode persyaratan {code!r} tidak dikenal",
                )
                for code in unknown
            ]
        )
    items = checklist(case_type, seed=seed)
    return MissingRequirements(
        mandatory=tuple(i for i in items if i.mandatory and not i.satisfied_by(given)),
        conditional=tuple(i for i in items if not i.mandatory and not i.satisfied_by(given)),
    )

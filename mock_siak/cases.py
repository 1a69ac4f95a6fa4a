"""What each case type (JENIS_PERMOHONAN) asks of EntriDataKeluarga.

``no_kk``: whether the request names an existing KK ("required"), must not ("forbidden"), or may ("optional":
given, the case changes that family; absent, it forms a new one). ``data``: whether DATA_KELUARGA
(the complete family after the case) is required or forbidden. ``moves``: whether members may come
from another family (they leave it; a family left empty disappears); otherwise a NIK already in
another family is a DUPLIKAT.

A lost KK (HILANG) changes no data: it takes only the existing NO_KK and reissues the same family,
as the Bantul standard says ("KK hilang tidak ada kegiatan entri data"). A damaged KK (RUSAK)
resubmits the family as it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Need = Literal["required", "forbidden", "optional"]


@dataclass(frozen=True)
class CaseRule:
    no_kk: Need
    data: Need
    moves: bool


CASES: dict[str, CaseRule] = {
    "KK_BARU_MENIKAH": CaseRule(no_kk="forbidden", data="required", moves=True),
    "TAMBAH_ANGGOTA": CaseRule(no_kk="required", data="required", moves=True),
    "PINDAH_DATANG": CaseRule(no_kk="optional", data="required", moves=True),
    "DATANG_LUAR_NEGERI": CaseRule(no_kk="optional", data="required", moves=False),
    "WNA_KITAP": CaseRule(no_kk="optional", data="required", moves=False),
    "HILANG": CaseRule(no_kk="required", data="forbidden", moves=False),
    "RUSAK": CaseRule(no_kk="required", data="required", moves=False),
    "PERUBAHAN_DATA": CaseRule(no_kk="required", data="required", moves=False),
    "KEMATIAN": CaseRule(no_kk="required", data="required", moves=False),
    "PERCERAIAN": CaseRule(no_kk="optional", data="required", moves=True),
}

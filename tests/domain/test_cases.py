"""Checklists per case type, the missing-requirements function, and what each case involves."""

from __future__ import annotations

import pytest

from siakgate.domain import (
    DOCUMENTS,
    SEEDS,
    CaseType,
    UnknownRequirementError,
    case_profile,
    checklist,
    missing_requirements,
)


def codes(items: object) -> list[str]:
    return [item.code for item in items]  # type: ignore[attr-defined]


@pytest.mark.parametrize("case_type", list(CaseType))
def test_every_case_type_has_a_coherent_checklist(case_type: CaseType) -> None:
    profile = case_profile(case_type)
    assert profile.case_type is case_type
    items = profile.requirements
    assert any(item.mandatory for item in items)
    assert len(codes(items)) == len(set(codes(items)))
    for item in items:
        assert item.code in DOCUMENTS
        assert item.seeds
        assert set(item.seeds) <= set(SEEDS)
        assert set(item.alternatives) <= set(DOCUMENTS)
        if item.mandatory:
            assert item.condition is None
        else:
            assert item.condition
            assert item.condition in item.label


@pytest.mark.parametrize(
    ("case_type", "mandatory"),
    [
        (CaseType.KK_BARU_MENIKAH, ["SURAT_PENGANTAR_DESA", "BUKU_NIKAH", "KK_LAMA_ASLI"]),
        (CaseType.TAMBAH_ANGGOTA, ["SURAT_PENGANTAR_DESA", "KK_LAMA_ASLI"]),
        (CaseType.PINDAH_DATANG, ["SURAT_PENGANTAR_DESA", "SURAT_PINDAH"]),
        (CaseType.DATANG_LUAR_NEGERI, ["SURAT_PENGANTAR_DESA", "SURAT_DATANG_LUAR_NEGERI"]),
        (CaseType.WNA_KITAP, ["SURAT_PENGANTAR_DESA", "KITAP"]),
        (
            CaseType.HILANG,
            [
                "SURAT_KEHILANGAN_POLISI",
                "DOKUMEN_KEPENDUDUKAN_ANGGOTA",
                "SURAT_PENGANTAR_DESA",
                "FORMULIR_PERUBAHAN_DATA",
            ],
        ),
        (CaseType.RUSAK, ["KK_LAMA_ASLI", "SURAT_PENGANTAR_DESA", "FORMULIR_PERUBAHAN_DATA"]),
        (
            CaseType.PERUBAHAN_DATA,
            [
                "FORMULIR_PERUBAHAN_DATA",
                "BUKTI_PERUBAHAN_DATA",
                "KK_LAMA_ASLI",
                "SURAT_PENGANTAR_DESA",
            ],
        ),
        (CaseType.KEMATIAN, ["SURAT_KEMATIAN", "KK_LAMA_ASLI", "SURAT_PENGANTAR_DESA"]),
        (
            CaseType.PERCERAIAN,
            ["AKTA_PERCERAIAN_LEGALISIR", "KK_LAMA_ASLI", "SURAT_PENGANTAR_DESA"],
        ),
    ],
)
def test_mandatory_items_per_case(case_type: CaseType, mandatory: list[str]) -> None:
    assert codes(missing_requirements(case_type, []).mandatory) == mandatory


def test_lost_kk_per_seed_002() -> None:
    items = checklist(CaseType.HILANG, seed="002")
    assert [(i.code, i.mandatory) for i in items] == [
        ("SURAT_KEHILANGAN_POLISI", True),
        ("DOKUMEN_KEPENDUDUKAN_ANGGOTA", True),
        ("KITAP", False),
        ("BUKU_NIKAH_LEGALISIR", False),
        ("AKTA_PERCERAIAN_LEGALISIR", False),
    ]
    assert items[2].label == "Kartu Izin Tinggal Tetap (KITAP) (bagi anggota keluarga WNA)"
    result = missing_requirements(
        CaseType.HILANG,
        ["SURAT_KEHILANGAN_POLISI", "DOKUMEN_KEPENDUDUKAN_ANGGOTA"],
        seed="002",
    )
    assert result.complete
    assert codes(result.conditional) == [
        "KITAP",
        "BUKU_NIKAH_LEGALISIR",
        "AKTA_PERCERAIAN_LEGALISIR",
    ]


def test_lost_kk_needs_no_data_entry_and_returns_no_card() -> None:
    profile = case_profile(CaseType.HILANG)
    assert not profile.needs_data_entry
    assert not profile.old_kk_returned


def test_data_entry_and_card_return_per_case() -> None:
    no_entry = {c for c in CaseType if not case_profile(c).needs_data_entry}
    assert no_entry == {CaseType.HILANG, CaseType.RUSAK}
    not_returned = {c for c in CaseType if not case_profile(c).old_kk_returned}
    assert not_returned == {CaseType.HILANG}


def test_bantul_profile_for_data_change() -> None:
    assert codes(checklist(CaseType.PERUBAHAN_DATA, seed="003")) == [
        "FORMULIR_PERUBAHAN_DATA",
        "BUKTI_PERUBAHAN_DATA",
    ]
    assert codes(checklist(CaseType.RUSAK, seed="003")) == [
        "KK_LAMA_ASLI",
        "FORMULIR_PERUBAHAN_DATA",
    ]


def test_police_report_stands_in_for_a_lost_original_kk() -> None:
    result = missing_requirements(CaseType.TAMBAH_ANGGOTA, ["SURAT_PENGANTAR_DESA", "SURAT_KEHILANGAN_POLISI"])
    assert result.complete
    assert "SURAT_KELAHIRAN" in codes(result.conditional)


def test_damaged_kk_cannot_be_replaced_by_police_report() -> None:
    result = missing_requirements(
        CaseType.RUSAK,
        ["SURAT_KEHILANGAN_POLISI", "SURAT_PENGANTAR_DESA", "FORMULIR_PERUBAHAN_DATA"],
    )
    assert codes(result.mandatory) == ["KK_LAMA_ASLI"]
    assert not result.complete


def test_provided_conditionals_are_not_reported() -> None:
    result = missing_requirements(
        CaseType.KK_BARU_MENIKAH,
        ["SURAT_PENGANTAR_DESA", "BUKU_NIKAH", "KK_LAMA_ASLI", "KITAP"],
    )
    assert result.complete
    assert codes(result.conditional) == ["AKTA_KELAHIRAN_IJAZAH"]


def test_documents_not_asked_for_are_ignored() -> None:
    result = missing_requirements(
        CaseType.KEMATIAN,
        ["SURAT_KEMATIAN", "KK_LAMA_ASLI", "SURAT_PENGANTAR_DESA", "SURAT_PINDAH"],
    )
    assert result.complete
    assert result.conditional == ()


def test_unknown_requirement_codes_are_refused_together() -> None:
    with pytest.raises(UnknownRequirementError) as info:
        missing_requirements(CaseType.KEMATIAN, ["SURAT_KEMATIAN", "AKTA_MATI", "KTP"])
    assert info.value.code == "PERSYARATAN_TIDAK_DIKENAL"
    assert [i.message for i in info.value.issues] == [
        "Kode persyaratan 'AKTA_MATI' tidak dikenal",
        "Kode persyaratan 'KTP' tidak dikenal",
    ]


def test_unknown_seed_is_refused() -> None:
    with pytest.raises(KeyError):
        checklist(CaseType.HILANG, seed="999")


def test_seed_004_lists_no_documents() -> None:
    assert all(checklist(case_type, seed="004") == () for case_type in CaseType)


def test_derived_cases_cite_their_seeds() -> None:
    death = {i.code: i.seeds for i in checklist(CaseType.KEMATIAN)}
    assert death["SURAT_KEMATIAN"] == ("000",)
    divorce = {i.code: i.seeds for i in checklist(CaseType.PERCERAIAN)}
    assert divorce["AKTA_PERCERAIAN_LEGALISIR"] == ("002",)

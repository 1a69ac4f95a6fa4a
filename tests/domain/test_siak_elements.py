"""The SIAK element mapping: exact names, plain types, round trips, refusals with element paths."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from kk_samples import FAMILY, TODAY, foreign_member

from siakgate.domain import (
    InvalidFamilyError,
    from_siak_elements,
    siak_path,
    to_siak_elements,
    validate_family,
)

HEADER_NAMES = [
    "NO_KK", "NAMA_KEP", "ALAMAT", "NO_RT", "NO_RW", "DUSUN", "KODE_POS", "NO_PROP", "PROP_NAME",
    "NO_KAB", "KAB_NAME", "NO_KEC", "KEC_NAME", "NO_KEL", "KEL_NAME", "TGL_KELUAR", "ANGGOTA",
]  # fmt: skip
MEMBER_NAMES = [
    "NIK", "NAMA_LGKP", "JENIS_KLMIN", "TMPT_LHR", "TGL_LHR", "AGAMA", "PDDK_AKH", "JENIS_PKRJN",
    "GOL_DARAH", "STATUS_KAWIN", "TGL_KWN", "STAT_HBKEL", "KEWARGANEGARAAN", "NO_PASPOR",
    "NO_KITAP", "NAMA_LGKP_AYAH", "NAMA_LGKP_IBU",
]  # fmt: skip
CODE_ELEMENTS = [
    "JENIS_KLMIN", "AGAMA", "PDDK_AKH", "JENIS_PKRJN", "GOL_DARAH", "STATUS_KAWIN", "STAT_HBKEL",
    "KEWARGANEGARAAN",
]  # fmt: skip


def test_element_names_are_exactly_the_contract() -> None:
    elements = to_siak_elements(FAMILY)
    assert sorted(elements) == sorted(HEADER_NAMES)
    for member in elements["ANGGOTA"]:
        assert sorted(member) == sorted(MEMBER_NAMES)


def test_values_are_plain_types() -> None:
    elements = to_siak_elements(FAMILY)
    assert elements["NO_KK"] == "3508121503100004"
    assert elements["NO_PROP"] == "35"
    assert elements["NO_KAB"] == "08"
    assert elements["NO_KEL"] == "2001"
    assert elements["NO_RT"] == "002"
    assert elements["TGL_KELUAR"] == date(2024, 2, 10)
    head = elements["ANGGOTA"][0]
    for name in CODE_ELEMENTS:
        assert type(head[name]) is int, name  # type: ignore[literal-required]
    assert head["TGL_LHR"] == date(1985, 5, 12)
    assert head["STAT_HBKEL"] == 1
    assert head["NO_PASPOR"] is None
    grandmother = elements["ANGGOTA"][3]
    assert grandmother["TGL_KWN"] is None
    assert grandmother["STATUS_KAWIN"] == 4


def test_round_trip() -> None:
    assert from_siak_elements(to_siak_elements(FAMILY)) == FAMILY
    with_wna = FAMILY.model_copy(update={"members": (*FAMILY.members, foreign_member())})
    elements = to_siak_elements(with_wna)
    assert elements["ANGGOTA"][4]["KEWARGANEGARAAN"] == 2
    assert elements["ANGGOTA"][4]["NO_KITAP"] == "2C21JE0001-AB"
    assert from_siak_elements(elements) == with_wna


@given(
    st.lists(st.integers(0, 3), min_size=1, max_size=6),
    st.one_of(st.none(), st.dates(min_value=date(2010, 3, 15), max_value=TODAY)),
)
def test_round_trip_any_member_selection(indices: list[int], issued: date | None) -> None:
    kk = FAMILY.model_copy(update={"members": tuple(FAMILY.members[i] for i in indices), "issued_on": issued})
    assert from_siak_elements(to_siak_elements(kk)) == kk


def test_text_from_xml_is_accepted() -> None:
    elements: dict[str, object] = dict(to_siak_elements(FAMILY))
    members = [dict(m) for m in elements["ANGGOTA"]]  # type: ignore[attr-defined]
    members[0]["TGL_LHR"] = "1985-05-12"
    members[0]["AGAMA"] = "1"
    members[3]["NO_PASPOR"] = ""
    elements["ANGGOTA"] = members
    assert from_siak_elements(elements) == FAMILY


def test_refusals_use_element_paths_and_are_collected() -> None:
    elements: dict[str, object] = dict(to_siak_elements(FAMILY))
    members = [dict(m) for m in elements["ANGGOTA"]]  # type: ignore[attr-defined]
    members[1]["AGAMA"] = 9
    members[2]["GOL_DARAH"] = 14
    members[2]["TGL_LHR"] = "kemarin"
    members[3]["NAMA_LGKP_IBUU"] = "typo"
    del members[0]["NIK"]
    elements["ANGGOTA"] = members
    elements["KODE_PROP"] = "35"
    with pytest.raises(InvalidFamilyError) as info:
        from_siak_elements(elements)
    found = {(i.code, i.path) for i in info.value.issues}
    assert found == {
        ("ELEMEN_TIDAK_DIKENAL", "keluarga"),  # an unknown key is never echoed (it could be a NIK)
        ("ELEMEN_TIDAK_DIKENAL", "ANGGOTA[3]"),
        ("WAJIB_DIISI", "ANGGOTA[0].NIK"),
        ("KODE_TIDAK_DIKENAL", "ANGGOTA[1].AGAMA"),
        ("KODE_TIDAK_DIKENAL", "ANGGOTA[2].GOL_DARAH"),
        ("FORMAT_TIDAK_VALID", "ANGGOTA[2].TGL_LHR"),
    }
    messages = {i.path: i.message for i in info.value.issues}
    assert messages["ANGGOTA[1].AGAMA"] == "Elemen ANGGOTA[1].AGAMA memuat kode yang tidak dikenal"
    assert messages["ANGGOTA[0].NIK"] == "Elemen ANGGOTA[0].NIK wajib diisi"


def test_anggota_must_be_a_list_of_records() -> None:
    elements: dict[str, object] = dict(to_siak_elements(FAMILY))
    elements["ANGGOTA"] = ["bukan anggota"]
    with pytest.raises(InvalidFamilyError) as info:
        from_siak_elements(elements)
    assert [(i.code, i.path) for i in info.value.issues] == [("FORMAT_TIDAK_VALID", "ANGGOTA[0]")]


def test_mapping_does_not_apply_business_rules() -> None:
    elements = dict(to_siak_elements(FAMILY))
    elements["NAMA_KEP"] = "ORANG LAIN"
    kk = from_siak_elements(elements)
    assert [i.code for i in validate_family(kk, today=TODAY)] == ["NAMA_KEPALA_KELUARGA_TIDAK_SESUAI"]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("members[2].nik", "ANGGOTA[2].NIK"),
        ("members[0].marriage_date", "ANGGOTA[0].TGL_KWN"),
        ("no_kk", "NO_KK"),
        ("issued_on", "TGL_KELUAR"),
        ("members", "ANGGOTA"),
        ("members[3]", "ANGGOTA[3]"),
        ("village_code", "NO_KEL"),
    ],
)
def test_siak_path(path: str, expected: str) -> None:
    assert siak_path(path) == expected


def test_every_domain_issue_path_translates_to_contract_names() -> None:
    kk = FAMILY.model_copy(update={"members": (), "rt": "1", "issued_on": date(2030, 1, 1)})
    for found in validate_family(kk, today=TODAY):
        top = siak_path(found.path).split(".")[0].split("[")[0]
        assert top in HEADER_NAMES

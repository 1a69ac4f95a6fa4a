"""The synthetic population keeps every rule the gateway relies on, over whole generated populations."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from collections import Counter
from datetime import date
from importlib.resources import files
from typing import Any

import pytest

from mock_siak.population import REFERENCE_DATE, generate_population
from mock_siak.regions import PROVINCES, all_places

Family = dict[str, Any]
Member = dict[str, Any]

FAMILY_KEYS = {
    "NO_KK", "NAMA_KEP", "ALAMAT", "NO_RT", "NO_RW", "DUSUN", "KODE_POS", "NO_PROP", "PROP_NAME",
    "NO_KAB", "KAB_NAME", "NO_KEC", "KEC_NAME", "NO_KEL", "KEL_NAME", "TGL_KELUAR", "ANGGOTA",
}  # fmt: skip
MEMBER_KEYS = {
    "NIK", "NAMA_LGKP", "JENIS_KLMIN", "TMPT_LHR", "TGL_LHR", "AGAMA", "PDDK_AKH", "JENIS_PKRJN",
    "GOL_DARAH", "STATUS_KAWIN", "TGL_KWN", "STAT_HBKEL", "KEWARGANEGARAAN", "NO_PASPOR",
    "NO_KITAP", "NAMA_LGKP_AYAH", "NAMA_LGKP_IBU",
}  # fmt: skip
CODED = ("JENIS_KLMIN", "AGAMA", "PDDK_AKH", "JENIS_PKRJN", "GOL_DARAH", "STATUS_KAWIN",
         "STAT_HBKEL", "KEWARGANEGARAAN")  # fmt: skip
MALE, FEMALE = 1, 2
BELUM_KAWIN, KAWIN, CERAI_HIDUP, CERAI_MATI = 1, 2, 3, 4
KEPALA, SUAMI, ISTRI, ANAK, MENANTU, CUCU, ORANG_TUA, MERTUA, FAMILI_LAIN = range(1, 10)
CODES = json.loads((files("siakgate.contracts") / "codes.json").read_text(encoding="utf-8"))
AREAS = {place.area_code for place in all_places()}


@pytest.fixture(scope="module", params=[20261101, 7])
def population(request: pytest.FixtureRequest) -> list[Family]:
    return list(generate_population(request.param, 3000))


def members(population: list[Family]) -> list[tuple[Family, Member]]:
    return [(family, member) for family in population for member in family["ANGGOTA"]]


def age(birth: date, on: date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def ddmmyy(code: str) -> tuple[int, int, int]:
    return int(code[:2]), int(code[2:4]), int(code[4:6])


def by_role(family: Family, role: int) -> list[Member]:
    return [m for m in family["ANGGOTA"] if m["STAT_HBKEL"] == role]


# --- determinism -------------------------------------------------------------------------------------
def digest(seed: int, count: int) -> str:
    return hashlib.sha256(repr(list(generate_population(seed, count))).encode()).hexdigest()


def test_same_seed_gives_identical_population_and_another_seed_differs() -> None:
    assert list(generate_population(42, 300)) == list(generate_population(42, 300))
    assert digest(42, 300) != digest(43, 300)


def test_output_does_not_depend_on_hash_randomisation() -> None:
    code = (
        "import hashlib; from mock_siak.population import generate_population; "
        "print(hashlib.sha256(repr(list(generate_population(42, 300))).encode()).hexdigest())"
    )
    outputs = set()
    for hash_seed in ("1", "987654"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
        outputs.add(result.stdout.strip())
    assert outputs == {digest(42, 300)}


def test_a_prefix_of_a_larger_population_is_the_smaller_population() -> None:
    assert list(generate_population(5, 50)) == list(generate_population(5, 120))[:50]


def test_zero_families_is_empty_and_a_negative_count_is_refused() -> None:
    assert list(generate_population(1, 0)) == []
    with pytest.raises(ValueError, match="families"):
        list(generate_population(1, -1))


# --- shape and codes -----------------------------------------------------------------------------------
def test_families_and_members_have_exactly_the_siak_elements(population: list[Family]) -> None:
    for family in population:
        assert set(family) == FAMILY_KEYS
        assert isinstance(family["TGL_KELUAR"], date)
        assert family["ANGGOTA"], "a KK has at least one member"
        for member in family["ANGGOTA"]:
            assert set(member) == MEMBER_KEYS
            assert isinstance(member["TGL_LHR"], date)
            assert member["TGL_KWN"] is None or isinstance(member["TGL_KWN"], date)
            for key in ("NIK", "NAMA_LGKP", "TMPT_LHR", "NAMA_LGKP_AYAH", "NAMA_LGKP_IBU"):
                assert isinstance(member[key], str), key
                assert member[key].strip(), key


def test_every_code_is_in_the_shared_code_lists(population: list[Family]) -> None:
    for _, member in members(population):
        for key in CODED:
            assert type(member[key]) is int
            assert str(member[key]) in CODES[key], (key, member[key])


def test_names_are_upper_case_and_fit_the_card(population: list[Family]) -> None:
    for _, member in members(population):
        for key in ("NAMA_LGKP", "NAMA_LGKP_AYAH", "NAMA_LGKP_IBU"):
            assert member[key] == member[key].upper()
            assert re.fullmatch(r"[A-Z][A-Z .'-]{1,59}", member[key]), member[key]


def test_region_codes_and_names_match_the_region_table(population: list[Family]) -> None:
    known = {
        (p.province.code, p.regency.code, p.district.code, v.code): (
            p.province.name, p.regency.name, p.district.name, v.name, p.district.postal_code
        )
        for p in all_places()
        for v in p.district.villages
    }  # fmt: skip
    for family in population:
        key = (family["NO_PROP"], family["NO_KAB"], family["NO_KEC"], family["NO_KEL"])
        assert re.fullmatch(r"\d\d", family["NO_PROP"])
        assert re.fullmatch(r"\d{4}", family["NO_KEL"])
        assert known[key] == (
            family["PROP_NAME"], family["KAB_NAME"], family["KEC_NAME"], family["KEL_NAME"],
            family["KODE_POS"],
        )  # fmt: skip
        assert re.fullmatch(r"\d{5}", family["KODE_POS"])
        assert re.fullmatch(r"\d{3}", family["NO_RT"])
        assert re.fullmatch(r"\d{3}", family["NO_RW"])
        if family["NO_KEL"].startswith("2"):  # desa: a dusun address
            assert family["DUSUN"]
            assert family["DUSUN"] in family["ALAMAT"]
        else:  # kelurahan: a street address
            assert family["DUSUN"] is None
            assert family["ALAMAT"].startswith("JL. ")


def test_population_spans_several_provinces_and_regencies(population: list[Family]) -> None:
    provinces = {f["NO_PROP"] for f in population}
    regencies = {(f["NO_PROP"], f["NO_KAB"]) for f in population}
    districts = {(f["NO_PROP"], f["NO_KAB"], f["NO_KEC"]) for f in population}
    assert len(provinces) >= 2
    assert len(regencies) >= 3
    assert len(districts) >= 10
    assert ("35", "08", "21") in districts
    assert ("35", "08", "10") in districts
    assert ("34", "02") in regencies  # Bantul
    assert len(PROVINCES) >= 2


# --- NIK and No. KK ------------------------------------------------------------------------------------
def test_nik_encodes_area_birth_date_sex_and_a_serial(population: list[Family]) -> None:
    for _family, member in members(population):
        nik = member["NIK"]
        assert re.fullmatch(r"\d{16}", nik)
        assert nik[:6] in AREAS
        day, month, year = ddmmyy(nik[6:12])
        birth = member["TGL_LHR"]
        assert day == birth.day + (40 if member["JENIS_KLMIN"] == FEMALE else 0)
        assert (month, year) == (birth.month, birth.year % 100)
        assert nik[12:] != "0000"


def test_most_members_are_registered_in_the_family_kecamatan(population: list[Family]) -> None:
    moved_in = sum(m["NIK"][:6] != f["NO_PROP"] + f["NO_KAB"] + f["NO_KEC"] for f, m in members(population))
    total = len(members(population))
    assert 0.02 * total < moved_in < 0.3 * total


def test_no_kk_encodes_area_and_a_data_entry_date_not_after_issue(population: list[Family]) -> None:
    for family in population:
        no_kk = family["NO_KK"]
        assert re.fullmatch(r"\d{16}", no_kk)
        assert no_kk[:6] == family["NO_PROP"] + family["NO_KAB"] + family["NO_KEC"]
        day, month, year = ddmmyy(no_kk[6:12])
        entered = date(2000 + year, month, day)
        assert entered <= family["TGL_KELUAR"] <= REFERENCE_DATE
        assert no_kk[12:] != "0000"


def test_nik_and_no_kk_are_globally_unique(population: list[Family]) -> None:
    niks = [m["NIK"] for _, m in members(population)]
    kks = [f["NO_KK"] for f in population]
    assert len(set(niks)) == len(niks)
    assert len(set(kks)) == len(kks)
    assert not set(niks) & set(kks)


# --- family structure ----------------------------------------------------------------------------------
def test_exactly_one_head_listed_first_and_named_in_nama_kep(population: list[Family]) -> None:
    for family in population:
        heads = by_role(family, KEPALA)
        assert len(heads) == 1
        assert family["ANGGOTA"][0] is heads[0]
        assert family["NAMA_KEP"] == heads[0]["NAMA_LGKP"]
        assert age(heads[0]["TGL_LHR"], REFERENCE_DATE) >= 19


def test_spouses_are_married_to_the_head_after_both_turned_19(population: list[Family]) -> None:
    for family in population:
        head = family["ANGGOTA"][0]
        spouses = by_role(family, ISTRI) + by_role(family, SUAMI)
        assert len(spouses) <= 1
        if not spouses:
            assert head["STATUS_KAWIN"] != KAWIN
            continue
        spouse = spouses[0]
        expected_sex = FEMALE if spouse["STAT_HBKEL"] == ISTRI else MALE
        assert spouse["JENIS_KLMIN"] == expected_sex != head["JENIS_KLMIN"]
        assert head["STATUS_KAWIN"] == spouse["STATUS_KAWIN"] == KAWIN
        married = head["TGL_KWN"]
        assert married is not None
        assert married == spouse["TGL_KWN"] <= REFERENCE_DATE
        for partner in (head, spouse):
            assert age(partner["TGL_LHR"], married) >= 19


def test_children_are_born_after_the_marriage_to_the_listed_parents(
    population: list[Family],
) -> None:
    for family in population:
        head = family["ANGGOTA"][0]
        spouse = next(iter(by_role(family, ISTRI) + by_role(family, SUAMI)), None)
        parents = [head] + ([spouse] if spouse else [])
        for child in by_role(family, ANAK):
            for parent in parents:
                assert age(parent["TGL_LHR"], child["TGL_LHR"]) >= 16
                side = "NAMA_LGKP_AYAH" if parent["JENIS_KLMIN"] == MALE else "NAMA_LGKP_IBU"
                assert child[side] == parent["NAMA_LGKP"]
            if head["TGL_KWN"] is not None:
                assert child["TGL_LHR"] > head["TGL_KWN"]


def test_grandchildren_belong_to_a_child_of_the_household(population: list[Family]) -> None:
    seen = 0
    for family in population:
        children = {c["NAMA_LGKP"]: c for c in by_role(family, ANAK)}
        for grandchild in by_role(family, CUCU):
            seen += 1
            parent = children.get(grandchild["NAMA_LGKP_AYAH"]) or children.get(grandchild["NAMA_LGKP_IBU"])
            assert parent is not None
            assert age(parent["TGL_LHR"], grandchild["TGL_LHR"]) >= 16
            in_laws = by_role(family, MENANTU)
            if in_laws:
                other = "NAMA_LGKP_IBU" if parent["JENIS_KLMIN"] == MALE else "NAMA_LGKP_AYAH"
                assert grandchild[other] == in_laws[0]["NAMA_LGKP"]
                assert grandchild["TGL_LHR"] > in_laws[0]["TGL_KWN"]
    assert seen > 0


def test_parents_and_siblings_carry_the_names_the_head_lists(population: list[Family]) -> None:
    for family in population:
        head = family["ANGGOTA"][0]
        spouse = next(iter(by_role(family, ISTRI) + by_role(family, SUAMI)), None)
        for parent in by_role(family, ORANG_TUA):
            side = "NAMA_LGKP_AYAH" if parent["JENIS_KLMIN"] == MALE else "NAMA_LGKP_IBU"
            assert parent["NAMA_LGKP"] == head[side]
            assert age(parent["TGL_LHR"], head["TGL_LHR"]) >= 16
            if parent["TGL_KWN"] is not None:
                assert parent["TGL_KWN"] < head["TGL_LHR"]
        for parent in by_role(family, MERTUA):
            assert spouse is not None
            side = "NAMA_LGKP_AYAH" if parent["JENIS_KLMIN"] == MALE else "NAMA_LGKP_IBU"
            assert parent["NAMA_LGKP"] == spouse[side]
        for sibling in by_role(family, FAMILI_LAIN):
            assert (sibling["NAMA_LGKP_AYAH"], sibling["NAMA_LGKP_IBU"]) == (
                head["NAMA_LGKP_AYAH"],
                head["NAMA_LGKP_IBU"],
            )


def test_marriage_dates_belong_to_married_adults_only(population: list[Family]) -> None:
    for _, member in members(population):
        birth = member["TGL_LHR"]
        assert birth <= REFERENCE_DATE
        if member["STATUS_KAWIN"] == KAWIN:
            assert member["TGL_KWN"] is not None
            assert age(birth, member["TGL_KWN"]) >= 19
        else:
            assert member["TGL_KWN"] is None
        if age(birth, REFERENCE_DATE) < 17:
            assert member["STATUS_KAWIN"] == BELUM_KAWIN


def test_education_and_occupation_fit_the_age(population: list[Family]) -> None:
    for _, member in members(population):
        years = age(member["TGL_LHR"], REFERENCE_DATE)
        school, job = member["PDDK_AKH"], member["JENIS_PKRJN"]
        if years < 7:
            assert (school, job) == (1, 1)  # Tidak/Belum Sekolah, Belum/Tidak Bekerja
        elif years < 17:
            assert school in (2, 3, 4)
            assert job == 3
        if school >= 6:
            assert years >= 20  # no diploma or degree before one can hold it
        if job in (5, 64, 65, 72):  # PNS, Dosen, Guru, Dokter need schooling
            assert school >= 5
        if job == 4:  # Pensiunan
            assert years >= 55


def test_family_shapes_cover_the_real_variety(population: list[Family]) -> None:
    heads = Counter(f["ANGGOTA"][0]["STATUS_KAWIN"] for f in population)
    roles = Counter(m["STAT_HBKEL"] for _, m in members(population))
    sizes = Counter(len(f["ANGGOTA"]) for f in population)
    assert sizes[1] > 0.03 * len(population)  # single-person households
    assert max(sizes) >= 7
    assert heads[CERAI_MATI] > 0.03 * len(population)
    assert heads[CERAI_HIDUP] > 0.01 * len(population)
    assert heads[KAWIN] > 0.5 * len(population)
    for role in (SUAMI, ISTRI, ANAK, MENANTU, CUCU, ORANG_TUA, MERTUA, FAMILI_LAIN):
        assert roles[role] > 0, role
    head_sexes = Counter(f["ANGGOTA"][0]["JENIS_KLMIN"] for f in population)
    assert head_sexes[MALE] > head_sexes[FEMALE] > 0


def test_foreign_members_have_passport_and_kitap_and_only_they_do(
    population: list[Family],
) -> None:
    foreigners = 0
    for _, member in members(population):
        if member["KEWARGANEGARAAN"] == 2:
            foreigners += 1
            assert re.fullmatch(r"[A-Z]{1,2}\d{7}", member["NO_PASPOR"])
            assert re.fullmatch(r"2C\d\d[A-Z]{2}\d{4}-[A-Z]{2}", member["NO_KITAP"])
        else:
            assert member["NO_PASPOR"] is None
            assert member["NO_KITAP"] is None
    assert 0 < foreigners < 0.02 * len(members(population))


def test_religion_and_blood_type_frequencies_are_plausible(population: list[Family]) -> None:
    people = [m for _, m in members(population)]
    religions = Counter(m["AGAMA"] for m in people)
    blood = Counter(m["GOL_DARAH"] for m in people)
    assert religions[1] > 0.8 * len(people)  # Islam
    assert religions[2] + religions[3] > 0.03 * len(people)  # Christians
    assert len(religions) >= 5
    assert blood.most_common(1)[0][0] == 13  # Tidak Tahu
    assert 0.3 * len(people) < blood[13] < 0.8 * len(people)
    for family in population:  # a household shares its religion
        assert len({m["AGAMA"] for m in family["ANGGOTA"]}) == 1

"""The enums must equal codes.json (the contract with the WSDL and the mock); edge behaviour."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from siakgate.domain import (
    SIAK_CODE_LISTS,
    Agama,
    CaseType,
    GolonganDarah,
    JenisKelamin,
    Pekerjaan,
    Pendidikan,
    StatusPerkawinan,
    UnknownCodeError,
)


def _contract() -> dict[str, dict[str, str]]:
    text = resources.files("siakgate.contracts").joinpath("codes.json").read_text("utf-8")
    data: dict[str, dict[str, str]] = json.loads(text)
    data.pop("_comment")
    return data


def test_every_code_list_of_the_contract_has_an_enum_and_no_more() -> None:
    assert set(SIAK_CODE_LISTS) | {"JENIS_PERMOHONAN"} == set(_contract())


@pytest.mark.parametrize("element", sorted(SIAK_CODE_LISTS))
def test_enum_equals_codes_json_exactly(element: str) -> None:
    expected = _contract()[element]
    actual = {str(member.value): member.label for member in SIAK_CODE_LISTS[element]}
    assert actual == expected
    # same order as the contract, so lists shown to officers read the same everywhere
    assert list(actual) == list(expected)
    assert SIAK_CODE_LISTS[element].element() == element


def test_case_types_equal_jenis_permohonan() -> None:
    expected = _contract()["JENIS_PERMOHONAN"]
    assert {member.value: member.label for member in CaseType} == expected


def test_pekerjaan_has_all_89_occupations() -> None:
    assert len(Pekerjaan) == 89
    assert Pekerjaan.from_code(89) is Pekerjaan.LAINNYA
    assert Pekerjaan.WIRASWASTA.label == "Wiraswasta"


def test_from_code_accepts_int_and_digit_text() -> None:
    assert Agama.from_code(7) is Agama.KEPERCAYAAN
    assert Agama.from_code(" 7 ") is Agama.KEPERCAYAAN
    assert Pendidikan.from_code("10") is Pendidikan.S3


@pytest.mark.parametrize("bad", [0, 8, -1, "8", "satu", "", True])
def test_from_code_refuses_unknown_with_stable_code(bad: object) -> None:
    with pytest.raises(UnknownCodeError) as info:
        Agama.from_code(bad)  # type: ignore[arg-type]
    assert info.value.code == "KODE_TIDAK_DIKENAL"
    assert info.value.issue_codes == ["KODE_TIDAK_DIKENAL"]
    assert info.value.issues[0].path == "AGAMA"
    assert "Kode AGAMA" in info.value.issues[0].message
    assert "tidak dikenal" in info.value.issues[0].message


def test_from_code_reports_the_given_path() -> None:
    with pytest.raises(UnknownCodeError) as info:
        GolonganDarah.from_code(14, path="ANGGOTA[1].GOL_DARAH")
    assert info.value.issues[0].path == "ANGGOTA[1].GOL_DARAH"


def test_from_label_is_exact_by_default() -> None:
    assert JenisKelamin.from_label("Perempuan") is JenisKelamin.PEREMPUAN
    with pytest.raises(UnknownCodeError) as info:
        JenisKelamin.from_label("perempuan")
    assert info.value.issue_codes == ["LABEL_TIDAK_DIKENAL"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("perempuan", JenisKelamin.PEREMPUAN),
        ("  LAKI-LAKI ", JenisKelamin.LAKI_LAKI),
        ("tidak / belum sekolah", Pendidikan.TIDAK_BELUM_SEKOLAH),
        ("cerai  mati", StatusPerkawinan.CERAI_MATI),
        ("kepercayaan terhadap tuhan yme", Agama.KEPERCAYAAN),
    ],
)
def test_from_label_tolerant_ignores_case_and_spaces(text: str, expected: object) -> None:
    assert type(expected).from_label(text, tolerant=True) is expected  # type: ignore[attr-defined]


def test_tolerant_matching_never_guesses() -> None:
    with pytest.raises(UnknownCodeError):
        JenisKelamin.from_label("laki laki", tolerant=True)  # hyphen matters
    with pytest.raises(UnknownCodeError):
        GolonganDarah.from_label("A positif", tolerant=True)


@pytest.mark.parametrize("element", sorted(SIAK_CODE_LISTS))
def test_tolerant_labels_stay_unambiguous(element: str) -> None:
    normalised = ["".join(m.label.split()).casefold() for m in SIAK_CODE_LISTS[element]]
    assert len(normalised) == len(set(normalised))


def test_case_type_from_code() -> None:
    assert CaseType.from_code("HILANG") is CaseType.HILANG
    assert CaseType.HILANG.label == "KK hilang"
    with pytest.raises(UnknownCodeError) as info:
        CaseType.from_code("hilang")
    assert info.value.issues[0].path == "JENIS_PERMOHONAN"


def test_codes_are_plain_ints_for_soap() -> None:
    assert Agama.ISLAM == 1
    assert int(StatusPerkawinan.CERAI_HIDUP) == 3
    assert StatusPerkawinan.CERAI_HIDUP.ever_married
    assert not StatusPerkawinan.BELUM_KAWIN.ever_married

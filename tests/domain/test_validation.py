"""The family rules: a valid family passes; each rule shows its code, path and Indonesian message;
several issues are reported together."""

from __future__ import annotations

import pickle
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from kk_samples import CHILD, FAMILY, GRANDMOTHER, HEAD, TODAY, WIFE, foreign_member, with_member

from siakgate.domain import (
    DataIssue,
    InvalidFamilyError,
    JenisKelamin,
    KartuKeluarga,
    Kewarganegaraan,
    Nik,
    StatusHubungan,
    StatusPerkawinan,
    ensure_valid_family,
    parse_family,
    validate_family,
)
from siakgate.errors import InvalidDataError, SiakgateError


def issues(kk: KartuKeluarga, **kwargs: object) -> list[DataIssue]:
    return validate_family(kk, today=TODAY, **kwargs)  # type: ignore[arg-type]


def only(kk: KartuKeluarga, **kwargs: object) -> DataIssue:
    found = issues(kk, **kwargs)
    assert len(found) == 1, found
    return found[0]


def test_realistic_family_passes() -> None:
    assert issues(FAMILY) == []
    assert ensure_valid_family(FAMILY, today=TODAY) is FAMILY


def test_family_with_a_foreign_member_passes() -> None:
    kk = FAMILY.model_copy(update={"members": (*FAMILY.members, foreign_member())})
    assert issues(kk) == []


def test_moved_in_member_keeps_a_nik_from_another_region() -> None:
    assert GRANDMOTHER.nik[:4] != FAMILY.no_kk[:4]
    assert issues(FAMILY) == []


def test_widowed_and_divorced_need_no_marriage_date() -> None:
    for status in (StatusPerkawinan.CERAI_MATI, StatusPerkawinan.CERAI_HIDUP):
        assert issues(with_member(FAMILY, 3, marital_status=status, marriage_date=None)) == []


# -- one rule at a time ----------------------------------------------------------------------


def test_nik_birth_date_mismatch() -> None:
    found = only(with_member(FAMILY, 2, birth_date=date(2011, 1, 16)))
    assert found == DataIssue(
        "NIK_TANGGAL_LAHIR_TIDAK_SESUAI",
        "members[2].nik",
        "NIK anggota ke-3 tidak sesuai dengan tanggal lahir",
    )


def test_nik_sex_mismatch() -> None:
    found = only(with_member(FAMILY, 2, sex=JenisKelamin.PEREMPUAN, relationship=StatusHubungan.ANAK))
    assert found.code == "NIK_JENIS_KELAMIN_TIDAK_SESUAI"
    assert found.path == "members[2].nik"
    assert found.message == "NIK anggota ke-3 tidak sesuai dengan jenis kelamin"


def test_malformed_nik_in_a_member() -> None:
    found = only(with_member(FAMILY, 1, nik="35081243098800"))
    assert found.code == "NIK_FORMAT"
    assert found.path == "members[1].nik"
    assert found.message == "NIK anggota ke-2 harus terdiri dari 16 digit angka"


def test_duplicate_nik() -> None:
    kk = with_member(FAMILY, 3, nik=CHILD.nik, birth_date=CHILD.birth_date, sex=CHILD.sex)
    found = only(kk)
    assert found.code == "NIK_GANDA"
    assert found.path == "members[3].nik"
    assert found.message == "NIK anggota ke-4 sama dengan NIK anggota ke-3"


def test_no_head_of_family() -> None:
    kk = with_member(FAMILY, 0, relationship=StatusHubungan.FAMILI_LAIN)
    codes = [i.code for i in issues(kk)]
    assert "KEPALA_KELUARGA_TIDAK_TUNGGAL" in codes
    head_issue = next(i for i in issues(kk) if i.code == "KEPALA_KELUARGA_TIDAK_TUNGGAL")
    assert head_issue.path == "members"
    assert head_issue.message == "KK harus memiliki tepat satu Kepala Keluarga (ditemukan 0)"


def test_two_heads_of_family() -> None:
    kk = with_member(FAMILY, 2, relationship=StatusHubungan.KEPALA_KELUARGA)
    found = [i for i in issues(kk) if i.code == "KEPALA_KELUARGA_TIDAK_TUNGGAL"]
    assert [i.message for i in found] == ["KK harus memiliki tepat satu Kepala Keluarga (ditemukan 2)"]


def test_no_members() -> None:
    found = only(FAMILY.model_copy(update={"members": ()}))
    assert (found.code, found.path) == ("ANGGOTA_KOSONG", "members")
    assert found.message == "KK harus memiliki paling sedikit satu anggota"


def test_head_name_must_be_the_head_members_name() -> None:
    assert issues(FAMILY.model_copy(update={"head_name": "budi  santoso"})) == []
    found = only(FAMILY.model_copy(update={"head_name": "BUDI SANTOSA"}))
    assert (found.code, found.path) == ("NAMA_KEPALA_KELUARGA_TIDAK_SESUAI", "head_name")
    assert found.message == "Nama Kepala Keluarga tidak sesuai dengan nama anggota ke-1"


def test_birth_date_in_the_future() -> None:
    tomorrow = TODAY + timedelta(days=1)
    # the NIK's two-digit year resolves to 1925 and so still "agrees" (day, month, yy):
    # only the future date is wrong
    nik = "3508120206250003"
    found = only(with_member(FAMILY, 2, birth_date=tomorrow, nik=nik))
    assert found.code == "TANGGAL_LAHIR_MASA_DEPAN"
    assert found.path == "members[2].birth_date"
    assert found.message == "Tanggal lahir anggota ke-3 tidak boleh di masa depan"


def test_married_without_marriage_date() -> None:
    found = only(with_member(FAMILY, 1, marriage_date=None))
    assert found == DataIssue(
        "TANGGAL_KAWIN_WAJIB",
        "members[1].marriage_date",
        "Tanggal perkawinan anggota ke-2 wajib diisi untuk status Kawin",
    )


def test_never_married_with_marriage_date() -> None:
    found = only(with_member(FAMILY, 2, marriage_date=date(2024, 1, 1)))
    assert found.code == "TANGGAL_KAWIN_TIDAK_SESUAI_STATUS"
    assert found.message == "Anggota ke-3 berstatus Belum Kawin tetapi memiliki tanggal perkawinan"


def test_marriage_before_birth() -> None:
    found = only(with_member(FAMILY, 1, marriage_date=date(1980, 1, 1)))
    assert (found.code, found.path) == ("TANGGAL_KAWIN_SEBELUM_LAHIR", "members[1].marriage_date")
    assert found.message == "Tanggal perkawinan anggota ke-2 lebih awal dari tanggal lahir"


def test_marriage_in_the_future() -> None:
    kk = with_member(FAMILY, 3, marriage_date=TODAY + timedelta(days=30))
    found = only(kk)
    assert found.code == "TANGGAL_KAWIN_MASA_DEPAN"
    assert found.message == "Tanggal perkawinan anggota ke-4 tidak boleh di masa depan"


def test_divorced_with_marriage_date_before_birth_is_still_wrong() -> None:
    kk = with_member(FAMILY, 3, marriage_date=date(1950, 1, 1))
    assert only(kk).code == "TANGGAL_KAWIN_SEBELUM_LAHIR"


def test_wife_must_be_female() -> None:
    # a male "Istri" whose NIK is consistent with his recorded sex
    nik = Nik.build(
        province_code="35",
        regency_code="08",
        district_code="12",
        birth_date=WIFE.birth_date,
        sex=JenisKelamin.LAKI_LAKI,
        serial=1,
    )
    found = issues(with_member(FAMILY, 1, sex=JenisKelamin.LAKI_LAKI, nik=nik.value))
    assert [i.code for i in found] == ["ISTRI_HARUS_PEREMPUAN"]  # the (male, married) head is fine
    assert found[0].path == "members[1].sex"
    assert found[0].message == "Anggota ke-2 (Istri) harus Perempuan"


def test_spouse_must_be_married() -> None:
    kk = with_member(FAMILY, 1, marital_status=StatusPerkawinan.CERAI_HIDUP, marriage_date=None)
    found = only(kk)
    assert (found.code, found.path) == ("PASANGAN_HARUS_KAWIN", "members[1].marital_status")
    assert found.message == "Anggota ke-2 (Istri) harus berstatus Kawin"


def _female_headed_family() -> KartuKeluarga:
    """Wife is the head; the husband is listed as Suami."""
    kk = with_member(FAMILY, 0, relationship=StatusHubungan.SUAMI)
    kk = with_member(kk, 1, relationship=StatusHubungan.KEPALA_KELUARGA)
    return kk.model_copy(update={"head_name": WIFE.full_name})


def test_female_head_with_husband_passes() -> None:
    assert issues(_female_headed_family()) == []


def test_husband_must_be_male() -> None:
    kk = _female_headed_family()
    nik = Nik.build(
        province_code="35",
        regency_code="08",
        district_code="12",
        birth_date=HEAD.birth_date,
        sex=JenisKelamin.PEREMPUAN,
        serial=2,
    )
    found = issues(with_member(kk, 0, sex=JenisKelamin.PEREMPUAN, nik=nik.value))
    assert [i.code for i in found] == ["SUAMI_HARUS_LAKI_LAKI"]
    assert found[0].message == "Anggota ke-1 (Suami) harus Laki-laki"


def test_head_must_be_married_when_there_is_a_wife() -> None:
    kk = with_member(FAMILY, 0, marital_status=StatusPerkawinan.CERAI_HIDUP)
    found = only(kk)
    assert (found.code, found.path) == ("KEPALA_KELUARGA_TIDAK_SESUAI_PASANGAN", "members[0]")
    assert "Kepala Keluarga (anggota ke-1) harus berstatus Kawin" in found.message


def test_foreigner_needs_passport_and_kitap() -> None:
    kk = FAMILY.model_copy(
        update={
            "members": (
                *FAMILY.members,
                foreign_member(passport_number=None, kitap_number="-"),
            )
        }
    )
    found = issues(kk)
    assert [(i.code, i.path) for i in found] == [
        ("PASPOR_WAJIB_WNA", "members[4].passport_number"),
        ("KITAP_WAJIB_WNA", "members[4].kitap_number"),
    ]
    assert found[0].message == "Nomor paspor anggota ke-5 wajib diisi untuk WNA"
    assert found[1].message == "Nomor KITAP anggota ke-5 wajib diisi untuk WNA"


def test_citizen_must_not_carry_kitap() -> None:
    found = only(with_member(FAMILY, 2, kitap_number="2C21JE0001-AB"))
    assert (found.code, found.path) == ("KITAP_TIDAK_BERLAKU_WNI", "members[2].kitap_number")
    assert found.message == "Anggota ke-3 berstatus WNI sehingga tidak boleh memiliki nomor KITAP"


def test_citizen_may_hold_a_passport() -> None:
    assert issues(with_member(FAMILY, 0, passport_number="C1234567")) == []


def test_document_number_format() -> None:
    found = only(with_member(FAMILY, 0, passport_number="c 12"))
    assert (found.code, found.path) == ("FORMAT_TIDAK_VALID", "members[0].passport_number")


@pytest.mark.parametrize(
    ("no_kk", "code"),
    [
        ("350812150310004", "NO_KK_FORMAT"),
        ("3508121503100000", "NO_KK_NOMOR_URUT"),
        ("3508123202100004", "NO_KK_TANGGAL_TIDAK_VALID"),
        ("0008121503100004", "NO_KK_KODE_WILAYAH"),
    ],
)
def test_no_kk_format(no_kk: str, code: str) -> None:
    found = only(FAMILY.model_copy(update={"no_kk": no_kk}))
    assert (found.code, found.path) == (code, "no_kk")
    assert found.message.startswith("No. KK ")


def test_existing_no_kk_may_carry_another_area_code() -> None:
    # e.g. issued before the district was split (pemekaran)
    kk = FAMILY.model_copy(update={"no_kk": "3508051503100004"})
    assert issues(kk) == []
    found = only(kk, new_no_kk=True)
    assert (found.code, found.path) == ("NO_KK_WILAYAH_TIDAK_SESUAI", "no_kk")
    assert issues(FAMILY, new_no_kk=True) == []


def test_issue_date_rules() -> None:
    future = only(FAMILY.model_copy(update={"issued_on": TODAY + timedelta(days=1)}))
    assert future.code == "TANGGAL_KELUAR_MASA_DEPAN"
    assert future.message == "Tanggal dikeluarkan KK tidak boleh di masa depan"
    early = only(FAMILY.model_copy(update={"issued_on": date(2010, 3, 14)}))
    assert early.code == "TANGGAL_KELUAR_SEBELUM_NO_KK"
    assert issues(FAMILY.model_copy(update={"issued_on": None})) == []


def test_head_must_be_adult_or_ever_married() -> None:
    orphan_head = FAMILY.model_copy(
        update={
            "members": (CHILD.model_copy(update={"relationship": StatusHubungan.KEPALA_KELUARGA}),),
            "head_name": CHILD.full_name,
        }
    )
    found = only(orphan_head)
    assert (found.code, found.path) == ("KEPALA_KELUARGA_BELUM_DEWASA", "members[0].birth_date")
    assert found.message == ("Kepala Keluarga (anggota ke-1) harus berumur paling sedikit 17 tahun atau pernah kawin")
    # the same person on his seventeenth birthday is acceptable
    assert validate_family(orphan_head, today=date(2028, 1, 15)) == []
    assert [i.code for i in validate_family(orphan_head, today=date(2028, 1, 14))] == ["KEPALA_KELUARGA_BELUM_DEWASA"]


def test_young_but_married_head_is_acceptable() -> None:
    young = FAMILY.model_copy(
        update={
            "members": (
                CHILD.model_copy(
                    update={
                        "relationship": StatusHubungan.KEPALA_KELUARGA,
                        "marital_status": StatusPerkawinan.CERAI_HIDUP,
                    }
                ),
            ),
            "head_name": CHILD.full_name,
        }
    )
    assert issues(young) == []


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("rt", "2", "RT_RW_FORMAT"),
        ("rw", "00A", "RT_RW_FORMAT"),
        ("postal_code", "6731", "KODE_POS_FORMAT"),
        ("province_code", "99", "KODE_WILAYAH_FORMAT"),
        ("regency_code", "8", "KODE_WILAYAH_FORMAT"),
        ("district_code", "00", "KODE_WILAYAH_FORMAT"),
        ("village_code", "201", "KODE_WILAYAH_FORMAT"),
        ("address", "", "WAJIB_DIISI"),
        ("village", "   ", "WAJIB_DIISI"),
        ("address", "X" * 201, "FORMAT_TIDAK_VALID"),
    ],
)
def test_header_formats(field: str, value: str, code: str) -> None:
    kk = KartuKeluarga.model_validate({**FAMILY.model_dump(), field: value})
    found = only(kk)
    assert (found.code, found.path) == (code, field)


@pytest.mark.parametrize("field", ["full_name", "birth_place", "father_name", "mother_name"])
def test_member_names_are_required(field: str) -> None:
    found = only(with_member(FAMILY, 1, **{field: " "}))
    assert (found.code, found.path) == ("WAJIB_DIISI", f"members[1].{field}")
    assert found.message.endswith("anggota ke-2 wajib diisi")


def test_head_of_wrong_sex_for_the_wife() -> None:
    nik = Nik.build(
        province_code="35",
        regency_code="08",
        district_code="12",
        birth_date=HEAD.birth_date,
        sex=JenisKelamin.PEREMPUAN,
        serial=2,
    )
    found = only(with_member(FAMILY, 0, sex=JenisKelamin.PEREMPUAN, nik=nik.value))
    assert (found.code, found.path) == ("KEPALA_KELUARGA_TIDAK_SESUAI_PASANGAN", "members[0]")
    assert found.message == (
        "Kepala Keluarga (anggota ke-1) harus berstatus Kawin dan berlawanan jenis kelamin dengan Suami/Istri dalam KK"
    )


# -- many issues at once ---------------------------------------------------------------------


def test_all_issues_are_reported_together() -> None:
    kk = with_member(FAMILY, 1, marriage_date=None)  # TANGGAL_KAWIN_WAJIB
    kk = with_member(kk, 2, birth_date=date(2011, 1, 16), kitap_number="KITAP1")  # two issues
    kk = with_member(kk, 3, nik=HEAD.nik)  # NIK_GANDA + birth date + sex mismatch
    kk = kk.model_copy(update={"postal_code": "673", "issued_on": TODAY + timedelta(days=3)})
    with pytest.raises(InvalidFamilyError) as info:
        ensure_valid_family(kk, today=TODAY)
    error = info.value
    assert isinstance(error, InvalidDataError)
    assert isinstance(error, SiakgateError)
    assert error.code == "KK_TIDAK_VALID"
    assert sorted(error.issue_codes) == sorted(
        [
            "KODE_POS_FORMAT",
            "TANGGAL_KELUAR_MASA_DEPAN",
            "NIK_GANDA",
            "TANGGAL_KAWIN_WAJIB",
            "NIK_TANGGAL_LAHIR_TIDAK_SESUAI",
            "KITAP_TIDAK_BERLAKU_WNI",
            "NIK_TANGGAL_LAHIR_TIDAK_SESUAI",
            "NIK_JENIS_KELAMIN_TIDAK_SESUAI",
        ]
    )
    assert error.message.startswith("Data tidak valid (8 masalah): ")
    assert "NIK anggota ke-3 tidak sesuai dengan tanggal lahir" in error.message
    assert str(error).startswith("[KK_TIDAK_VALID] ")
    # never a NIK or a name in what may be logged
    for member in kk.members:
        assert member.nik not in str(error)
        assert member.full_name not in str(error)


def test_error_survives_pickling() -> None:
    with pytest.raises(InvalidFamilyError) as info:
        ensure_valid_family(with_member(FAMILY, 1, marriage_date=None), today=TODAY)
    copy = pickle.loads(pickle.dumps(info.value))
    assert type(copy) is InvalidFamilyError
    assert copy.issues == info.value.issues
    assert str(copy) == str(info.value)


def test_issue_order_is_header_then_composition_then_members() -> None:
    kk = with_member(FAMILY, 1, marriage_date=None).model_copy(update={"rt": "1"})
    assert [i.code for i in issues(kk)] == ["RT_RW_FORMAT", "TANGGAL_KAWIN_WAJIB"]


# -- parse_family: type errors become issues too ---------------------------------------------


def test_parse_family_accepts_plain_data() -> None:
    data = FAMILY.model_dump(mode="json")
    assert parse_family(data, today=TODAY) == FAMILY


def test_parse_family_reports_type_errors_as_issues() -> None:
    data = FAMILY.model_dump(mode="json")
    data["members"][1]["religion"] = 9
    data["members"][2]["birth_date"] = "2011-02-30"
    del data["postal_code"]
    with pytest.raises(InvalidFamilyError) as info:
        parse_family(data, today=TODAY)
    found = {(i.code, i.path) for i in info.value.issues}
    assert found == {
        ("KODE_TIDAK_DIKENAL", "members[1].religion"),
        ("FORMAT_TIDAK_VALID", "members[2].birth_date"),
        ("WAJIB_DIISI", "postal_code"),
    }


def test_parse_family_runs_the_rules() -> None:
    data = FAMILY.model_dump(mode="json")
    data["members"][1]["marriage_date"] = None
    with pytest.raises(InvalidFamilyError) as info:
        parse_family(data, today=TODAY)
    assert info.value.issue_codes == ["TANGGAL_KAWIN_WAJIB"]


def test_models_are_frozen_and_repr_hides_personal_data() -> None:
    with pytest.raises(ValueError, match="frozen"):
        HEAD.nik = "1"  # type: ignore[misc]
    text = repr(FAMILY) + repr(HEAD)
    assert HEAD.nik not in text
    assert HEAD.full_name not in text
    assert FAMILY.no_kk not in text
    assert "KEPALA_KELUARGA" in repr(HEAD)


# -- property-based: consistent members always pass, inconsistent ones are always caught -----


adult_birth_dates = st.dates(min_value=date(1930, 1, 1), max_value=date(2007, 1, 1))


@given(adult_birth_dates, st.sampled_from(list(JenisKelamin)), st.integers(1, 9999))
def test_any_consistent_single_head_family_passes(born: date, sex: JenisKelamin, serial: int) -> None:
    nik = Nik.build(
        province_code="35",
        regency_code="08",
        district_code="12",
        birth_date=born,
        sex=sex,
        serial=serial,
    )
    head = HEAD.model_copy(
        update={
            "nik": nik.value,
            "birth_date": born,
            "sex": sex,
            "marital_status": StatusPerkawinan.BELUM_KAWIN,
            "marriage_date": None,
        }
    )
    kk = FAMILY.model_copy(update={"members": (head,)})
    assert issues(kk) == []
    shifted = head.model_copy(update={"birth_date": born + timedelta(days=1)})
    assert "NIK_TANGGAL_LAHIR_TIDAK_SESUAI" in [i.code for i in issues(kk.model_copy(update={"members": (shifted,)}))]
    other = JenisKelamin.PEREMPUAN if sex is JenisKelamin.LAKI_LAKI else JenisKelamin.LAKI_LAKI
    swapped = head.model_copy(update={"sex": other})
    assert [i.code for i in issues(kk.model_copy(update={"members": (swapped,)}))] == ["NIK_JENIS_KELAMIN_TIDAK_SESUAI"]


@given(st.lists(st.sampled_from([HEAD, WIFE, CHILD, GRANDMOTHER]), min_size=1, max_size=8))
def test_duplicates_are_each_reported_once(members: list) -> None:  # type: ignore[type-arg]
    kk = FAMILY.model_copy(update={"members": tuple(members)})
    duplicates = [i for i in issues(kk) if i.code == "NIK_GANDA"]
    assert len(duplicates) == len(members) - len({m.nik for m in members})


def test_wna_rules_do_not_fire_for_wni() -> None:
    assert Kewarganegaraan.WNI.label == "WNI"
    assert issues(with_member(FAMILY, 0, passport_number=None, kitap_number=None)) == []

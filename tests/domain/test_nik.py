"""NIK and No. KK: structure, round trips (hypothesis), century resolution, refusals, masking."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from siakgate.domain import (
    PROVINCE_CODES,
    InvalidNikError,
    InvalidNoKkError,
    JenisKelamin,
    Nik,
    mask_nik,
    parse_nik,
    parse_no_kk,
)

TODAY = date(2025, 6, 1)

provinces = st.sampled_from(sorted(PROVINCE_CODES))
two_digit_codes = st.integers(1, 99).map(lambda n: f"{n:02d}")
serials = st.integers(1, 9999)
sexes = st.sampled_from(list(JenisKelamin))
# birth dates within the last century, so the two-digit year is unambiguous against TODAY
birth_dates = st.dates(min_value=TODAY - timedelta(days=365 * 99), max_value=TODAY)


@given(provinces, two_digit_codes, two_digit_codes, birth_dates, sexes, serials)
def test_every_valid_nik_round_trips(
    province: str, regency: str, district: str, born: date, sex: JenisKelamin, serial: int
) -> None:
    nik = Nik.build(
        province_code=province,
        regency_code=regency,
        district_code=district,
        birth_date=born,
        sex=sex,
        serial=serial,
    )
    parsed = parse_nik(nik.value, today=TODAY)
    assert parsed == nik
    assert (parsed.province_code, parsed.regency_code, parsed.district_code) == (
        province,
        regency,
        district,
    )
    assert (parsed.birth_date, parsed.sex, parsed.serial) == (born, sex, serial)
    assert parsed.area_code == province + regency + district
    assert len(parsed.value) == 16


@given(birth_dates, serials)
def test_women_have_forty_added_to_the_day(born: date, serial: int) -> None:
    woman = Nik.build(
        province_code="35",
        regency_code="08",
        district_code="01",
        birth_date=born,
        sex=JenisKelamin.PEREMPUAN,
        serial=serial,
    )
    day = int(woman.value[6:8])
    assert day == born.day + 40
    assert 41 <= day <= 71
    man = parse_nik(woman.value[:6] + f"{born.day:02d}" + woman.value[8:], today=TODAY)
    assert man.sex is JenisKelamin.LAKI_LAKI
    assert man.birth_date == woman.birth_date


def test_known_example() -> None:
    nik = parse_nik("3508015205900001", today=TODAY)
    assert nik.area_code == "350801"
    assert nik.birth_date == date(1990, 5, 12)
    assert nik.sex is JenisKelamin.PEREMPUAN
    assert nik.serial == 1


@given(st.integers(0, 99), st.dates(min_value=date(1925, 1, 1), max_value=date(2099, 12, 31)))
def test_century_never_puts_a_birth_date_in_the_future(yy: int, reference: date) -> None:
    text = f"3508010101{yy:02d}0001"
    nik = parse_nik(text, today=reference)
    assert nik.birth_date <= reference
    assert nik.birth_date.year % 100 == yy
    assert reference.year - nik.birth_date.year < 100


def test_century_resolution_examples() -> None:
    assert parse_nik("3508010101250001", today=TODAY).birth_date == date(2025, 1, 1)
    assert parse_nik("3508010107250001", today=TODAY).birth_date == date(1925, 7, 1)
    assert parse_nik("3508011206990001", today=TODAY).birth_date == date(1999, 6, 12)


def test_leap_day_takes_the_century_where_it_exists() -> None:
    # 29-02-00: 2000 was a leap year (1900 was not)
    assert parse_nik("3508012902000001", today=TODAY).birth_date == date(2000, 2, 29)
    # 29-02-24 before it happened falls back to 1924, also a leap year
    assert parse_nik("3508012902240001", today=date(2024, 2, 1)).birth_date == date(1924, 2, 29)


def _codes(text: str) -> list[str]:
    with pytest.raises(InvalidNikError) as info:
        parse_nik(text, today=TODAY)
    assert info.value.code == "NIK_TIDAK_VALID"
    return info.value.issue_codes


@given(st.text(alphabet="0123456789", max_size=30).filter(lambda s: len(s) != 16))
def test_wrong_length_is_refused(text: str) -> None:
    assert _codes(text) == ["NIK_FORMAT"]


@given(st.text(min_size=16, max_size=16).filter(lambda s: not (s.isascii() and s.isdigit())))
def test_non_digits_are_refused(text: str) -> None:
    assert _codes(text) == ["NIK_FORMAT"]


def test_unicode_digits_are_not_digits() -> None:
    assert _codes("٣٥٠٨٠١١٢٠٥٩٠٠٠٠١") == ["NIK_FORMAT"]


@given(st.integers(0, 99), st.integers(1, 12))
def test_impossible_days_are_refused(day: int, month: int) -> None:
    real_day = day - 40 if day > 40 else day
    try:
        date(2000, month, real_day)  # leap year: the most permissive
        possible = True
    except ValueError:
        possible = False
    assume(not possible)
    assert _codes(f"350801{day:02d}{month:02d}900001") == ["NIK_TANGGAL_TIDAK_VALID"]


@given(st.sampled_from([0, 13, 20, 99]))
def test_impossible_months_are_refused(month: int) -> None:
    assert _codes(f"35080112{month:02d}900001") == ["NIK_TANGGAL_TIDAK_VALID"]


def test_day_thirty_two_to_forty_is_neither_man_nor_woman() -> None:
    for day in range(32, 41):
        assert _codes(f"350801{day}05900001") == ["NIK_TANGGAL_TIDAK_VALID"]


def test_serial_zero_is_refused() -> None:
    assert _codes("3508011205900000") == ["NIK_NOMOR_URUT"]


@given(provinces, birth_dates, sexes, serials)
def test_any_valid_nik_with_serial_zero_is_refused(province: str, born: date, sex: JenisKelamin, serial: int) -> None:
    nik = Nik.build(
        province_code=province,
        regency_code="01",
        district_code="01",
        birth_date=born,
        sex=sex,
        serial=serial,
    )
    assert _codes(nik.value[:12] + "0000") == ["NIK_NOMOR_URUT"]


@pytest.mark.parametrize("text", ["0008011205900001", "1008011205900001", "9908011205900001"])
def test_unknown_province_is_refused(text: str) -> None:
    assert _codes(text) == ["NIK_KODE_WILAYAH"]


@pytest.mark.parametrize("text", ["3500011205900001", "3508001205900001"])
def test_regency_or_district_zero_is_refused(text: str) -> None:
    assert _codes(text) == ["NIK_KODE_WILAYAH"]


def test_all_structural_issues_are_reported_together() -> None:
    with pytest.raises(InvalidNikError) as info:
        parse_nik("9900003513900000", today=TODAY)
    assert info.value.issue_codes == [
        "NIK_KODE_WILAYAH",
        "NIK_NOMOR_URUT",
        "NIK_TANGGAL_TIDAK_VALID",
    ]
    assert "NIK memuat nomor urut 0000" in info.value.message
    assert "9900003513900000" not in info.value.message


def test_build_refuses_serial_out_of_range() -> None:
    for serial in (0, 10000, -1):
        with pytest.raises(InvalidNikError):
            Nik.build(
                province_code="35",
                regency_code="08",
                district_code="01",
                birth_date=date(1990, 1, 1),
                sex=JenisKelamin.LAKI_LAKI,
                serial=serial,
            )


def test_matches_birth_date_compares_two_digit_year() -> None:
    nik = parse_nik("3508010101250001", today=TODAY)  # resolves to 2025
    assert nik.matches_birth_date(date(1925, 1, 1))  # a centenarian's real date still agrees
    assert not nik.matches_birth_date(date(1925, 1, 2))
    assert nik.matches_sex(JenisKelamin.LAKI_LAKI)
    assert not nik.matches_sex(JenisKelamin.PEREMPUAN)


def test_nik_repr_and_str_are_masked() -> None:
    nik = parse_nik("3508011205900001", today=TODAY)
    assert str(nik) == "3508********0001"
    assert repr(nik) == "Nik('3508********0001')"
    assert "120590" not in f"{nik} {nik!r}"


# -- No. KK -----------------------------------------------------------------------------------


entry_dates = st.dates(min_value=TODAY - timedelta(days=365 * 99), max_value=TODAY)


@given(provinces, two_digit_codes, two_digit_codes, entry_dates, serials)
def test_every_valid_no_kk_round_trips(province: str, regency: str, district: str, entered: date, serial: int) -> None:
    text = f"{province}{regency}{district}{entered.day:02d}{entered.month:02d}{entered.year % 100:02d}{serial:04d}"
    no_kk = parse_no_kk(text, today=TODAY)
    assert no_kk.value == text
    assert no_kk.entry_date == entered
    assert no_kk.area_code == province + regency + district
    assert no_kk.serial == serial


def test_no_kk_has_no_plus_forty() -> None:
    with pytest.raises(InvalidNoKkError) as info:
        parse_no_kk("3508125503100004", today=TODAY)  # day 55 is fine in a woman's NIK only
    assert info.value.issue_codes == ["NO_KK_TANGGAL_TIDAK_VALID"]
    assert info.value.code == "NO_KK_TIDAK_VALID"


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("350812150310000", ["NO_KK_FORMAT"]),
        ("35081215031000O4", ["NO_KK_FORMAT"]),
        ("3508121503100000", ["NO_KK_NOMOR_URUT"]),
        ("0008121503100004", ["NO_KK_KODE_WILAYAH"]),
        ("3508123102100004", ["NO_KK_TANGGAL_TIDAK_VALID"]),
    ],
)
def test_no_kk_refusals(text: str, codes: list[str]) -> None:
    with pytest.raises(InvalidNoKkError) as info:
        parse_no_kk(text, today=TODAY)
    assert info.value.issue_codes == codes
    assert info.value.issues[0].message.startswith("No. KK")


def test_no_kk_repr_is_masked() -> None:
    assert repr(parse_no_kk("3508121503100004", today=TODAY)) == "NoKk('3508********0004')"


# -- masking ----------------------------------------------------------------------------------


def test_mask_example() -> None:
    assert mask_nik("3508011205900001") == "3508********0001"


@given(st.text(alphabet="0123456789", min_size=16, max_size=16))
def test_mask_never_reveals_the_middle(nik: str) -> None:
    masked = mask_nik(nik)
    assert masked[:4] == nik[:4]
    assert masked[-4:] == nik[-4:]
    assert masked[4:12] == "*" * 8
    assert len(masked) == 16


@given(st.text().filter(lambda s: len(s.strip()) != 16))
def test_mask_hides_everything_of_malformed_values(text: str) -> None:
    masked = mask_nik(text)
    assert set(masked) <= {"*"}
    assert len(masked) == len(text.strip())

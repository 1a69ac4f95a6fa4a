"""The rules SIAK applies to a Kartu Keluarga, checked in one pass that reports *every* issue.

Each issue has a stable code (:class:`~siakgate.domain.issues.IssueCode`), a path
(``members[2].nik``) and a message in Bahasa Indonesia that says what and where ("NIK anggota ke-3
tidak sesuai dengan tanggal lahir"). Member numbers in messages count from 1, as printed on the KK;
paths count from 0, as in code.

Decisions, and why:

* **Cerai Hidup / Cerai Mati need no marriage date.** Column (11) records the current marriage;
  after a divorce or a spouse's death there is none, and many older records never had one. If a
  date is given it must still be after birth and not in the future. Kawin requires it; Belum Kawin
  must not have one.
* **Kepala Keluarga: at least 17 or ever married.** The age and status at which the law (UU 23/2006
  as amended by UU 24/2013, art. 63) makes a person an adult who must hold a KTP-el; a younger,
  never-married head is refused.
* **Suami / Istri.** A Suami is male and Kawin, an Istri female and Kawin; since the relationship
  is to the Kepala Keluarga, an Istri also means the head is a married man (a Suami, a married
  woman). Several Istri are allowed (polygamous marriages are lawful for some citizens), so their
  number is not checked.
* **Region consistency is checked only where it always holds.** A member's NIK keeps the region of
  first registration (people move in), and an existing No. KK keeps its area code across regional
  splits (pemekaran), so neither is compared with the family's address. Only a *newly generated*
  No. KK (``new_no_kk=True``) must start with the family's province, regency and district codes,
  because SIAK builds it from them.
* **No. KK date vs issue date.** A No. KK carries the date its data was entered; a card cannot be
  issued before that.
* **Not checked:** parents' names against other records, name spelling rules, minimum marriage age
  (dispensations exist), and passport/KITAP validity dates (not on the KK).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date

from pydantic import ValidationError

from siakgate.clock import Clock
from siakgate.domain._pydantic_issues import issues_from_validation_error
from siakgate.domain.codes import JenisKelamin, Kewarganegaraan, StatusHubungan, StatusPerkawinan
from siakgate.domain.family import KartuKeluarga, Member
from siakgate.domain.issues import InvalidFamilyError, IssueCode, issue
from siakgate.domain.nik import PROVINCE_CODES, NoKk, check_nik, check_no_kk
from siakgate.errors import DataIssue

__all__ = ["ADULT_AGE", "age_on", "ensure_valid_family", "parse_family", "validate_family"]

ADULT_AGE = 17
"""Age from which a never-married person may be Kepala Keluarga (the KTP-el age)."""

_NAME_MAX = 100
_TEXT_MAX = 200
_DOCUMENT_NUMBER = re.compile(r"[A-Z0-9\-/]{4,30}")
_DIGITS = {"rt": 3, "rw": 3, "postal_code": 5}


def age_on(birth_date: date, day: date) -> int:
    """Whole years of age on ``day``."""
    before_birthday = (day.month, day.day) < (birth_date.month, birth_date.day)
    return day.year - birth_date.year - int(before_birthday)


def _same_name(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def _is_digits(value: str, length: int) -> bool:
    return len(value) == length and value.isascii() and value.isdigit()


def _text_issues(value: str, *, path: str, label: str, maximum: int) -> list[DataIssue]:
    if not value:
        return [issue(IssueCode.WAJIB_DIISI, path, f"{label} wajib diisi")]
    if len(value) > maximum:
        return [issue(IssueCode.FORMAT_TIDAK_VALID, path, f"{label} lebih dari {maximum} karakter")]
    return []


def _header_issues(kk: KartuKeluarga, today: date, new_no_kk: bool) -> tuple[NoKk | None, list[DataIssue]]:
    no_kk, found = check_no_kk(kk.no_kk, path="no_kk", subject="No. KK", today=today)
    if no_kk is not None and new_no_kk and no_kk.area_code != kk.area_code:
        found.append(
            issue(
                IssueCode.NO_KK_WILAYAH_TIDAK_SESUAI,
                "no_kk",
                "Kode wilayah No. KK baru tidak sesuai dengan kode provinsi/kabupaten/kecamatan alamat",
            )
        )
    texts = {
        "head_name": ("Nama Kepala Keluarga", _NAME_MAX),
        "address": ("Alamat", _TEXT_MAX),
        "village": ("Nama Desa/Kelurahan", _NAME_MAX),
        "district": ("Nama Kecamatan", _NAME_MAX),
        "regency": ("Nama Kabupaten/Kota", _NAME_MAX),
        "province": ("Nama Provinsi", _NAME_MAX),
    }
    for field, (label, maximum) in texts.items():
        found += _text_issues(getattr(kk, field), path=field, label=label, maximum=maximum)
    if kk.dusun is not None and len(kk.dusun) > _NAME_MAX:
        found.append(issue(IssueCode.FORMAT_TIDAK_VALID, "dusun", f"Dusun lebih dari {_NAME_MAX} karakter"))
    for field, length in _DIGITS.items():
        if not _is_digits(getattr(kk, field), length):
            code = IssueCode.KODE_POS_FORMAT if field == "postal_code" else IssueCode.RT_RW_FORMAT
            label = {"rt": "RT", "rw": "RW", "postal_code": "Kode Pos"}[field]
            found.append(issue(code, field, f"{label} harus {length} digit angka"))
    found += _region_code_issues(kk)
    if kk.issued_on is not None:
        if kk.issued_on > today:
            found.append(
                issue(
                    IssueCode.TANGGAL_KELUAR_MASA_DEPAN,
                    "issued_on",
                    "Tanggal dikeluarkan KK tidak boleh di masa depan",
                )
            )
        elif no_kk is not None and kk.issued_on < no_kk.entry_date:
            found.append(
                issue(
                    IssueCode.TANGGAL_KELUAR_SEBELUM_NO_KK,
                    "issued_on",
                    "Tanggal dikeluarkan KK lebih awal dari tanggal pencatatan pada No. KK",
                )
            )
    return no_kk, found


def _region_code_issues(kk: KartuKeluarga) -> list[DataIssue]:
    checks = (
        ("province_code", "provinsi", 2, kk.province_code in PROVINCE_CODES),
        ("regency_code", "kabupaten/kota", 2, kk.regency_code != "00"),
        ("district_code", "kecamatan", 2, kk.district_code != "00"),
        ("village_code", "desa/kelurahan", 4, kk.village_code != "0000"),
    )
    found: list[DataIssue] = []
    for field, label, length, known in checks:
        value: str = getattr(kk, field)
        if not (_is_digits(value, length) and known):
            found.append(
                issue(
                    IssueCode.KODE_WILAYAH_FORMAT,
                    field,
                    f"Kode {label} harus {length} digit angka dan terdaftar",
                )
            )
    return found


def _member_issues(member: Member, index: int, today: date) -> list[DataIssue]:
    n = index + 1
    at = f"members[{index}]"
    found: list[DataIssue] = []
    texts = {
        "full_name": "Nama lengkap",
        "birth_place": "Tempat lahir",
        "father_name": "Nama ayah",
        "mother_name": "Nama ibu",
    }
    for field, label in texts.items():
        found += _text_issues(
            getattr(member, field),
            path=f"{at}.{field}",
            label=f"{label} anggota ke-{n}",
            maximum=_NAME_MAX,
        )
    nik, nik_issues = check_nik(member.nik, path=f"{at}.nik", subject=f"NIK anggota ke-{n}", today=today)
    found += nik_issues
    if nik is not None:
        if not nik.matches_birth_date(member.birth_date):
            found.append(
                issue(
                    IssueCode.NIK_TANGGAL_LAHIR_TIDAK_SESUAI,
                    f"{at}.nik",
                    f"NIK anggota ke-{n} tidak sesuai dengan tanggal lahir",
                )
            )
        if not nik.matches_sex(member.sex):
            found.append(
                issue(
                    IssueCode.NIK_JENIS_KELAMIN_TIDAK_SESUAI,
                    f"{at}.nik",
                    f"NIK anggota ke-{n} tidak sesuai dengan jenis kelamin",
                )
            )
    if member.birth_date > today:
        found.append(
            issue(
                IssueCode.TANGGAL_LAHIR_MASA_DEPAN,
                f"{at}.birth_date",
                f"Tanggal lahir anggota ke-{n} tidak boleh di masa depan",
            )
        )
    found += _marriage_issues(member, at, n, today)
    found += _citizenship_issues(member, at, n)
    return found


def _marriage_issues(member: Member, at: str, n: int, today: date) -> list[DataIssue]:
    path = f"{at}.marriage_date"
    status = member.marital_status
    married_on = member.marriage_date
    if married_on is None:
        if status is StatusPerkawinan.KAWIN:
            return [
                issue(
                    IssueCode.TANGGAL_KAWIN_WAJIB,
                    path,
                    f"Tanggal perkawinan anggota ke-{n} wajib diisi untuk status Kawin",
                )
            ]
        return []
    if status is StatusPerkawinan.BELUM_KAWIN:
        return [
            issue(
                IssueCode.TANGGAL_KAWIN_TIDAK_SESUAI_STATUS,
                path,
                f"Anggota ke-{n} berstatus Belum Kawin tetapi memiliki tanggal perkawinan",
            )
        ]
    found: list[DataIssue] = []
    if married_on < member.birth_date:
        found.append(
            issue(
                IssueCode.TANGGAL_KAWIN_SEBELUM_LAHIR,
                path,
                f"Tanggal perkawinan anggota ke-{n} lebih awal dari tanggal lahir",
            )
        )
    if married_on > today:
        found.append(
            issue(
                IssueCode.TANGGAL_KAWIN_MASA_DEPAN,
                path,
                f"Tanggal perkawinan anggota ke-{n} tidak boleh di masa depan",
            )
        )
    return found


def _citizenship_issues(member: Member, at: str, n: int) -> list[DataIssue]:
    found: list[DataIssue] = []
    if member.citizenship is Kewarganegaraan.WNA:
        if member.passport_number is None:
            found.append(
                issue(
                    IssueCode.PASPOR_WAJIB_WNA,
                    f"{at}.passport_number",
                    f"Nomor paspor anggota ke-{n} wajib diisi untuk WNA",
                )
            )
        if member.kitap_number is None:
            found.append(
                issue(
                    IssueCode.KITAP_WAJIB_WNA,
                    f"{at}.kitap_number",
                    f"Nomor KITAP anggota ke-{n} wajib diisi untuk WNA",
                )
            )
    elif member.kitap_number is not None:
        found.append(
            issue(
                IssueCode.KITAP_TIDAK_BERLAKU_WNI,
                f"{at}.kitap_number",
                f"Anggota ke-{n} berstatus WNI sehingga tidak boleh memiliki nomor KITAP",
            )
        )
    for field, label in (("passport_number", "paspor"), ("kitap_number", "KITAP")):
        value: str | None = getattr(member, field)
        if value is not None and not _DOCUMENT_NUMBER.fullmatch(value):
            found.append(
                issue(
                    IssueCode.FORMAT_TIDAK_VALID,
                    f"{at}.{field}",
                    f"Nomor {label} anggota ke-{n} harus 4-30 karakter huruf besar, angka, '-' atau '/'",
                )
            )
    return found


def _composition_issues(kk: KartuKeluarga, today: date) -> list[DataIssue]:
    members = kk.members
    if not members:
        return [issue(IssueCode.ANGGOTA_KOSONG, "members", "KK harus memiliki paling sedikit satu anggota")]
    found: list[DataIssue] = []
    heads = kk.heads
    if len(heads) != 1:
        found.append(
            issue(
                IssueCode.KEPALA_KELUARGA_TIDAK_TUNGGAL,
                "members",
                f"KK harus memiliki tepat satu Kepala Keluarga (ditemukan {len(heads)})",
            )
        )
    head = kk.head
    if head is not None:
        h = members.index(head)
        if not _same_name(kk.head_name, head.full_name):
            found.append(
                issue(
                    IssueCode.NAMA_KEPALA_KELUARGA_TIDAK_SESUAI,
                    "head_name",
                    f"Nama Kepala Keluarga tidak sesuai dengan nama anggota ke-{h + 1}",
                )
            )
        if age_on(head.birth_date, today) < ADULT_AGE and not head.marital_status.ever_married:
            found.append(
                issue(
                    IssueCode.KEPALA_KELUARGA_BELUM_DEWASA,
                    f"members[{h}].birth_date",
                    f"Kepala Keluarga (anggota ke-{h + 1}) harus berumur paling sedikit "
                    f"{ADULT_AGE} tahun atau pernah kawin",
                )
            )
    first_seen: dict[str, int] = {}
    for i, member in enumerate(members):
        if member.nik in first_seen:
            found.append(
                issue(
                    IssueCode.NIK_GANDA,
                    f"members[{i}].nik",
                    f"NIK anggota ke-{i + 1} sama dengan NIK anggota ke-{first_seen[member.nik] + 1}",
                )
            )
        else:
            first_seen[member.nik] = i
    found += _spouse_issues(members, head)
    return found


def _spouse_issues(members: tuple[Member, ...], head: Member | None) -> list[DataIssue]:
    found: list[DataIssue] = []
    spouse_sex = {
        StatusHubungan.SUAMI: JenisKelamin.LAKI_LAKI,
        StatusHubungan.ISTRI: JenisKelamin.PEREMPUAN,
    }
    head_needed: set[JenisKelamin] = set()
    for i, member in enumerate(members):
        wanted = spouse_sex.get(member.relationship)
        if wanted is None:
            continue
        role = member.relationship.label
        if member.sex is not wanted:
            code = (
                IssueCode.SUAMI_HARUS_LAKI_LAKI if wanted is JenisKelamin.LAKI_LAKI else IssueCode.ISTRI_HARUS_PEREMPUAN
            )
            found.append(issue(code, f"members[{i}].sex", f"Anggota ke-{i + 1} ({role}) harus {wanted.label}"))
        if member.marital_status is not StatusPerkawinan.KAWIN:
            found.append(
                issue(
                    IssueCode.PASANGAN_HARUS_KAWIN,
                    f"members[{i}].marital_status",
                    f"Anggota ke-{i + 1} ({role}) harus berstatus Kawin",
                )
            )
        head_needed.add(JenisKelamin.PEREMPUAN if wanted is JenisKelamin.LAKI_LAKI else JenisKelamin.LAKI_LAKI)
    if head is not None and head_needed:
        h = members.index(head)
        if head_needed != {head.sex} or head.marital_status is not StatusPerkawinan.KAWIN:
            found.append(
                issue(
                    IssueCode.KEPALA_KELUARGA_TIDAK_SESUAI_PASANGAN,
                    f"members[{h}]",
                    f"Kepala Keluarga (anggota ke-{h + 1}) harus berstatus Kawin dan berlawanan "
                    "jenis kelamin dengan Suami/Istri dalam KK",
                )
            )
    return found


def validate_family(kk: KartuKeluarga, *, today: date | None = None, new_no_kk: bool = False) -> list[DataIssue]:
    """Every issue SIAK would raise for ``kk`` (empty list: acceptable). Pure: ``today`` is the
    clock seam.
    """
    reference = today or Clock().today_wib()
    _, found = _header_issues(kk, reference, new_no_kk)
    found += _composition_issues(kk, reference)
    for index, member in enumerate(kk.members):
        found += _member_issues(member, index, reference)
    return found


def ensure_valid_family(kk: KartuKeluarga, *, today: date | None = None, new_no_kk: bool = False) -> KartuKeluarga:
    """Return ``kk`` unchanged, or raise :class:`InvalidFamilyError` with every issue."""
    found = validate_family(kk, today=today, new_no_kk=new_no_kk)
    if found:
        raise InvalidFamilyError(found)
    return kk


def parse_family(data: Mapping[str, object], *, today: date | None = None, new_no_kk: bool = False) -> KartuKeluarga:
    """Build a :class:`KartuKeluarga` from plain data (English field names) and validate it.

    Type errors (an unknown code, a missing field, a malformed date) are reported as issues too;
    when there are any, the business rules cannot run and only those are reported.
    """
    try:
        kk = KartuKeluarga.model_validate(dict(data))
    except ValidationError as exc:
        raise InvalidFamilyError(issues_from_validation_error(exc)) from exc
    return ensure_valid_family(kk, today=today, new_no_kk=new_no_kk)

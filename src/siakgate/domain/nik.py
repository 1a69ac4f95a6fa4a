"""NIK and No. KK: parse, validate and build the two 16-digit numbers, and mask a NIK for logs.

Structure (both numbers)::

    NIK     PP KK CC DDMMYY SSSS  region of first registration, birth date (+40 to the day
                                  for women), serial 0001-9999
    No. KK  PP KK CC DDMMYY SSSS  region where the card was first issued, date of data entry
                                  (no +40), serial 0001-9999

``PP`` is a province code from the official list, ``KK`` a regency/city code and ``CC`` a district
code (never ``00``). The two-digit year is resolved against a reference date (the clock seam,
default today) to the latest century that does not put the date in the future; a NIK therefore never
yields a future birth date. For people over a hundred this picks the wrong century, which is why
:meth:`Nik.matches_birth_date` compares day, month and two-digit year only.

``str()`` and ``repr()`` of :class:`Nik` and :class:`NoKk` are masked so that an accidental log line
never leaks one; use ``.value`` for the digits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from siakgate.clock import Clock
from siakgate.domain.codes import JenisKelamin
from siakgate.domain.issues import InvalidNikError, InvalidNoKkError, IssueCode, issue
from siakgate.errors import DataIssue

__all__ = [
    "PROVINCE_CODES",
    "Nik",
    "NoKk",
    "check_nik",
    "check_no_kk",
    "mask_nik",
    "parse_nik",
    "parse_no_kk",
]

PROVINCE_CODES: frozenset[str] = frozenset(
    {
        *("11", "12", "13", "14", "15", "16", "17", "18", "19", "21"),  # Sumatra, Kepulauan Riau
        *("31", "32", "33", "34", "35", "36"),  # Java
        *("51", "52", "53"),  # Bali, Nusa Tenggara
        *("61", "62", "63", "64", "65"),  # Kalimantan
        *("71", "72", "73", "74", "75", "76"),  # Sulawesi
        *("81", "82"),  # Maluku
        *("91", "92", "93", "94", "95", "96"),  # Papua, including the 2022 provinces
    }
)
"""The 38 province codes (Kemendagri). A NIK or No. KK must start with one of them."""

FEMALE_DAY_OFFSET = 40
_LENGTH = 16


def _resolve_year(day: int, month: int, yy: int, reference: date) -> date | None:
    """The date ``day/month/yy`` in the latest century that is valid and not after ``reference``
    (None if none).
    """
    century = reference.year - reference.year % 100
    for year in (century + yy, century - 100 + yy):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if candidate <= reference:
            return candidate
    return None


def mask_nik(value: str) -> str:
    """Hide the middle of a NIK (or No. KK) for logs: ``3508011205900001`` -> ``3508********0001``.

    Only a 16-character value keeps its first four (province and regency) and last four characters;
    anything else is starred entirely, so a malformed value can never leak its birth date either.
    """
    text = value.strip()
    if len(text) == _LENGTH:
        return f"{text[:4]}{'*' * 8}{text[-4:]}"
    return "*" * len(text)


@dataclass(frozen=True, slots=True)
class _Parts:
    province_code: str
    regency_code: str
    district_code: str
    day: int
    month: int
    yy: int
    serial: int


def _structure_issues(value: str, *, path: str, subject: str, prefix: str) -> tuple[_Parts | None, list[DataIssue]]:
    """Check length, digits, region codes and serial; the caller interprets the date part."""
    codes = {
        "format": IssueCode[f"{prefix}_FORMAT"],
        "region": IssueCode[f"{prefix}_KODE_WILAYAH"],
        "serial": IssueCode[f"{prefix}_NOMOR_URUT"],
    }
    if len(value) != _LENGTH or not value.isascii() or not value.isdigit():
        return None, [issue(codes["format"], path, f"{subject} harus terdiri dari 16 digit angka")]
    found: list[DataIssue] = []
    parts = _Parts(
        province_code=value[0:2],
        regency_code=value[2:4],
        district_code=value[4:6],
        day=int(value[6:8]),
        month=int(value[8:10]),
        yy=int(value[10:12]),
        serial=int(value[12:16]),
    )
    if parts.province_code not in PROVINCE_CODES or parts.regency_code == "00" or parts.district_code == "00":
        found.append(
            issue(
                codes["region"],
                path,
                f"{subject} memuat kode wilayah (provinsi/kabupaten/kecamatan) yang tidak valid",
            )
        )
    if parts.serial == 0:
        found.append(issue(codes["serial"], path, f"{subject} memuat nomor urut 0000"))
    return parts, found


@dataclass(frozen=True, slots=True, repr=False)
class Nik:
    """A structurally valid NIK, split into its parts. Build with :func:`parse_nik` or
    :meth:`Nik.build`.
    """

    province_code: str
    regency_code: str
    district_code: str
    birth_date: date
    sex: JenisKelamin
    serial: int

    @classmethod
    def build(
        cls,
        *,
        province_code: str,
        regency_code: str,
        district_code: str,
        birth_date: date,
        sex: JenisKelamin,
        serial: int,
    ) -> Nik:
        """Compose a NIK from its parts (the inverse of :func:`parse_nik`); refuses parts that would
        not parse back.
        """
        day = birth_date.day + (FEMALE_DAY_OFFSET if sex is JenisKelamin.PEREMPUAN else 0)
        if not 0 <= serial <= 9999:
            raise InvalidNikError([issue(IssueCode.NIK_NOMOR_URUT, "serial", "Nomor urut NIK harus 0001-9999")])
        text = (
            f"{province_code}{regency_code}{district_code}"
            f"{day:02d}{birth_date.month:02d}{birth_date.year % 100:02d}{serial:04d}"
        )
        # Resolving the century against the birth date itself gives back exactly its year.
        return parse_nik(text, today=birth_date)

    @property
    def area_code(self) -> str:
        """The six-digit region code (province, regency, district) of first registration."""
        return f"{self.province_code}{self.regency_code}{self.district_code}"

    @property
    def value(self) -> str:
        """The sixteen digits. Personal data: never log this, log :func:`mask_nik` of it."""
        day = self.birth_date.day + (FEMALE_DAY_OFFSET if self.sex is JenisKelamin.PEREMPUAN else 0)
        return f"{self.area_code}{day:02d}{self.birth_date.month:02d}{self.birth_date.year % 100:02d}{self.serial:04d}"

    def matches_birth_date(self, birth_date: date) -> bool:
        """Whether the recorded birth date agrees with the NIK (day, month and two-digit year; see
        module doc).
        """
        return (
            self.birth_date.day == birth_date.day
            and self.birth_date.month == birth_date.month
            and self.birth_date.year % 100 == birth_date.year % 100
        )

    def matches_sex(self, sex: JenisKelamin) -> bool:
        """Whether the recorded sex agrees with the NIK's day (+40 for women)."""
        return self.sex is sex

    def __str__(self) -> str:
        return mask_nik(self.value)

    def __repr__(self) -> str:
        return f"Nik('{mask_nik(self.value)}')"


@dataclass(frozen=True, slots=True, repr=False)
class NoKk:
    """A structurally valid No. KK: region of issue, date of data entry, serial."""

    province_code: str
    regency_code: str
    district_code: str
    entry_date: date
    serial: int

    @property
    def area_code(self) -> str:
        """The six-digit region code (province, regency, district) where the number was issued."""
        return f"{self.province_code}{self.regency_code}{self.district_code}"

    @property
    def value(self) -> str:
        """The sixteen digits."""
        d = self.entry_date
        return f"{self.area_code}{d.day:02d}{d.month:02d}{d.year % 100:02d}{self.serial:04d}"

    def __str__(self) -> str:
        return mask_nik(self.value)

    def __repr__(self) -> str:
        return f"NoKk('{mask_nik(self.value)}')"


def check_nik(
    value: str, *, path: str = "nik", subject: str = "NIK", today: date | None = None
) -> tuple[Nik | None, list[DataIssue]]:
    """Parse ``value``: ``(nik, [])``, or ``(None, issues)`` with every structural issue found.

    ``subject`` starts each message (``"NIK anggota ke-3"``) so a family validator can say where the
    problem is.
    """
    reference = today or Clock().today_wib()
    parts, found = _structure_issues(value, path=path, subject=subject, prefix="NIK")
    if parts is None:
        return None, found
    female = parts.day > FEMALE_DAY_OFFSET
    day = parts.day - FEMALE_DAY_OFFSET if female else parts.day
    birth_date = _resolve_year(day, parts.month, parts.yy, reference)
    if birth_date is None:
        found.append(
            issue(
                IssueCode.NIK_TANGGAL_TIDAK_VALID,
                path,
                f"{subject} memuat tanggal lahir yang tidak valid",
            )
        )
    if found or birth_date is None:
        return None, found
    nik = Nik(
        province_code=parts.province_code,
        regency_code=parts.regency_code,
        district_code=parts.district_code,
        birth_date=birth_date,
        sex=JenisKelamin.PEREMPUAN if female else JenisKelamin.LAKI_LAKI,
        serial=parts.serial,
    )
    return nik, []


def parse_nik(value: str, *, today: date | None = None) -> Nik:
    """Parse a NIK; raises :class:`InvalidNikError` listing every structural issue."""
    nik, found = check_nik(value, today=today)
    if nik is None:
        raise InvalidNikError(found)
    return nik


def check_no_kk(
    value: str, *, path: str = "no_kk", subject: str = "No. KK", today: date | None = None
) -> tuple[NoKk | None, list[DataIssue]]:
    """Like :func:`check_nik` for a No. KK (whose day has no +40: it is a date of data entry, not of
    a person).
    """
    reference = today or Clock().today_wib()
    parts, found = _structure_issues(value, path=path, subject=subject, prefix="NO_KK")
    if parts is None:
        return None, found
    entry_date = _resolve_year(parts.day, parts.month, parts.yy, reference)
    if entry_date is None:
        found.append(
            issue(
                IssueCode.NO_KK_TANGGAL_TIDAK_VALID,
                path,
                f"{subject} memuat tanggal pencatatan yang tidak valid",
            )
        )
    if found or entry_date is None:
        return None, found
    no_kk = NoKk(
        province_code=parts.province_code,
        regency_code=parts.regency_code,
        district_code=parts.district_code,
        entry_date=entry_date,
        serial=parts.serial,
    )
    return no_kk, []


def parse_no_kk(value: str, *, today: date | None = None) -> NoKk:
    """Parse a No. KK; raises :class:`InvalidNoKkError` listing every structural issue."""
    no_kk, found = check_no_kk(value, today=today)
    if no_kk is None:
        raise InvalidNoKkError(found)
    return no_kk

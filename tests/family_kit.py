"""Test helpers shared across test packages: fresh KK families for SIAK and mock SIAK's counters.

Kept at the top of ``tests/`` (on ``sys.path`` through the root conftest) so each package's kit uses one builder.
Each caller passes its own serial counter: suites that share one session mock SIAK must never reuse a NIK.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import httpx

from mock_common.pytest_plugin import MockService
from siakgate.domain import (
    Agama,
    GolonganDarah,
    JenisKelamin,
    KartuKeluarga,
    Kewarganegaraan,
    Member,
    Pekerjaan,
    Pendidikan,
    StatusHubungan,
    StatusPerkawinan,
)

PARENT_NAMES = ("SUTRISNO AYAHUJI", "MARYATI IBUUJI")


def fresh_nik(born: date, female: bool, serials: Iterator[int]) -> str:
    """A NIK registered in Kec. Pangalengan (320415) consistent with the birth date and sex."""
    day = born.day + 40 if female else born.day
    return f"320415{day:02d}{born:%m%y}{next(serials):04d}"


def _member(born: date, female: bool, name: str, relationship: StatusHubungan, serials: Iterator[int]) -> Member:
    return Member(
        full_name=name,
        nik=fresh_nik(born, female, serials),
        sex=JenisKelamin.PEREMPUAN if female else JenisKelamin.LAKI_LAKI,
        birth_place="BANDUNG",
        birth_date=born,
        religion=Agama.ISLAM,
        education=Pendidikan.SLTA,
        occupation=Pekerjaan.WIRASWASTA,
        blood_type=GolonganDarah.O,
        marital_status=StatusPerkawinan.KAWIN,
        marriage_date=date(2024, 5, 1),
        relationship=relationship,
        citizenship=Kewarganegaraan.WNI,
        father_name=PARENT_NAMES[0],
        mother_name=PARENT_NAMES[1],
    )


def new_couple(husband: str, wife: str, serials: Iterator[int]) -> KartuKeluarga:
    """A newly married couple with fresh NIKs (KK_BARU_MENIKAH): SIAK assigns the No. KK."""
    return KartuKeluarga(
        no_kk="0000000000000000",  # not sent: SIAK assigns it
        head_name=husband,
        address="JL. MERDEKA NO. 7",
        rt="001",
        rw="002",
        village="MARGAMUKTI",
        district="PANGALENGAN",
        regency="BANDUNG",
        postal_code="40378",
        province="JAWA BARAT",
        province_code="32",
        regency_code="04",
        district_code="15",
        village_code="2006",
        members=(
            _member(date(1993, 4, 11), False, husband, StatusHubungan.KEPALA_KELUARGA, serials),
            _member(date(1996, 9, 23), True, wife, StatusHubungan.ISTRI, serials),
        ),
    )


def mock_siak_stats(service: MockService) -> dict[str, int]:
    """Mock SIAK's row counts (families, residents, requests, signed KKs): proof that nothing was written."""
    response = httpx.get(f"{service.url}/_admin/stats", timeout=10)
    response.raise_for_status()
    data: dict[str, int] = response.json()
    return data

"""Per-person attributes of the synthetic population: education, occupation, blood type, address
parts.

Split from :mod:`mock_siak.population` (which assembles families and numbers them) because these
are frequency tables, not family logic. Codes are the integers of
``siakgate/contracts/codes.json``. The tables aim at "plausible to someone who has seen real KKs",
not at census accuracy:

* education follows the person's age exactly while at school (a 5-year-old is *Tidak/Belum
  Sekolah*, a 14-year-old *Tamat SD/Sederajat*), and the birth cohort afterwards (older cohorts
  mostly primary school); degrees only after the age one can hold them;
* occupation depends on age, sex, education, urban/rural and religion (*Imam Masjid* only for
  Muslims, *Pendeta* only for Protestants); children are *Belum/Tidak Bekerja* or
  *Pelajar/Mahasiswa*;
* blood type is mostly *Tidak Tahu*, as on real KKs, else O > B > A > AB.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import TypeVar

__all__ = [
    "blood_type",
    "dusun_name",
    "education",
    "occupation",
    "street_address",
    "weighted",
]

MALE, FEMALE = 1, 2
_T = TypeVar("_T")


def weighted(rng: random.Random, pairs: Sequence[tuple[_T, float]]) -> _T:
    """One value from ``(value, weight)`` pairs; order-stable, so a seed always gives one pick."""
    values = [value for value, _ in pairs]
    weights = [weight for _, weight in pairs]
    return rng.choices(values, weights=weights)[0]


# --- blood type (GOL_DARAH) -----------------------------------------------------------------------
_BLOOD = (
    (13, 560),
    (4, 150),
    (2, 115),
    (1, 100),
    (3, 35),
    (11, 18),
    (7, 10),
    (5, 8),
    (9, 3),
    (12, 1),
)


def blood_type(rng: random.Random) -> int:
    return weighted(rng, _BLOOD)


# --- education (PDDK_AKH) -------------------------------------------------------------------------
_COHORTS: tuple[tuple[int, tuple[tuple[int, int], ...]], ...] = (
    (1960, ((1, 22), (2, 20), (3, 36), (4, 10), (5, 8), (7, 1), (8, 3))),
    (1980, ((1, 5), (2, 8), (3, 30), (4, 22), (5, 25), (6, 2), (7, 3), (8, 5))),
    (1995, ((1, 1), (2, 3), (3, 15), (4, 22), (5, 39), (6, 2), (7, 5), (8, 11), (9, 2))),
    (9999, ((2, 1), (3, 6), (4, 15), (5, 50), (6, 3), (7, 7), (8, 16), (9, 2))),
)
# the youngest age at which each level can have been completed
_MIN_AGE = {6: 20, 7: 21, 8: 22, 9: 24, 10: 28}


def education(rng: random.Random, age: int, birth_year: int) -> int:
    """Highest education: by age while at school, by birth cohort afterwards."""
    if age < 7:
        return 1
    if age < 13:
        return 2
    if age < 16:
        return 3
    if age < 19:
        return 4
    for last_year, table in _COHORTS:
        if birth_year < last_year:
            level = weighted(rng, table)
            break
    if level == 9 and age >= 35 and rng.random() < 0.08:
        level = 10
    return level if age >= _MIN_AGE.get(level, 0) else 5


# --- occupation (JENIS_PKRJN) ---------------------------------------------------------------------
# code, rural weight, urban weight, minimum education, allowed sexes, required religion (AGAMA) or 0
_JOBS: tuple[tuple[int, int, int, int, tuple[int, ...], int], ...] = (
    (9, 260, 20, 1, (MALE, FEMALE), 0),  # Petani/Pekebun
    (20, 140, 10, 1, (MALE, FEMALE), 0),  # Buruh Tani/Perkebunan
    (19, 110, 90, 1, (MALE, FEMALE), 0),  # Buruh Harian Lepas
    (88, 150, 200, 1, (MALE, FEMALE), 0),  # Wiraswasta
    (15, 90, 260, 4, (MALE, FEMALE), 0),  # Karyawan Swasta
    (8, 50, 70, 1, (MALE, FEMALE), 0),  # Perdagangan
    (84, 30, 40, 1, (MALE, FEMALE), 0),  # Pedagang
    (10, 30, 2, 1, (MALE,), 0),  # Peternak
    (81, 25, 35, 3, (MALE,), 0),  # Sopir
    (26, 25, 15, 1, (MALE,), 0),  # Tukang Batu
    (27, 15, 10, 1, (MALE,), 0),  # Tukang Kayu
    (35, 10, 20, 4, (MALE,), 0),  # Mekanik
    (30, 8, 10, 3, (MALE, FEMALE), 0),  # Tukang Jahit
    (14, 8, 15, 4, (MALE,), 0),  # Transportasi
    (13, 8, 12, 3, (MALE,), 0),  # Konstruksi
    (18, 20, 25, 5, (MALE, FEMALE), 0),  # Karyawan Honorer
    (85, 12, 0, 5, (MALE, FEMALE), 0),  # Perangkat Desa
    (5, 25, 45, 5, (MALE, FEMALE), 0),  # PNS
    (6, 6, 8, 5, (MALE,), 0),  # TNI
    (7, 6, 10, 5, (MALE,), 0),  # POLRI
    (16, 4, 12, 5, (MALE, FEMALE), 0),  # Karyawan BUMN
    (65, 25, 35, 8, (MALE, FEMALE), 0),  # Guru
    (74, 8, 15, 7, (MALE, FEMALE), 0),  # Perawat
    (73, 6, 6, 7, (FEMALE,), 0),  # Bidan
    (72, 2, 6, 8, (MALE, FEMALE), 0),  # Dokter
    (64, 0, 6, 9, (MALE, FEMALE), 0),  # Dosen
    (70, 1, 4, 8, (MALE, FEMALE), 0),  # Akuntan
    (67, 0, 2, 8, (MALE, FEMALE), 0),  # Pengacara
    (45, 4, 2, 3, (MALE,), 1),  # Ustadz/Mubaligh
    (41, 2, 1, 3, (MALE,), 1),  # Imam Masjid
    (42, 2, 3, 8, (MALE, FEMALE), 2),  # Pendeta
    (11, 3, 0, 1, (MALE,), 0),  # Nelayan/Perikanan
)


def occupation(
    rng: random.Random,
    *,
    age: int,
    sex: int,
    education_level: int,
    religion: int,
    urban: bool,
    still_studying: bool = False,
) -> int:
    """An occupation that fits the person: children do not work, and jobs need their schooling."""
    if age < 7:
        return 1  # Belum/Tidak Bekerja
    if age < 19 or still_studying:
        return 3  # Pelajar/Mahasiswa
    if age >= 60:
        roll = rng.random()
        if education_level >= 5 and roll < 0.3:
            return 4  # Pensiunan
        if roll < 0.55:
            return 2 if sex == FEMALE else 1
    if sex == FEMALE and rng.random() < (0.3 if education_level >= 7 else 0.45):
        return 2  # Mengurus Rumah Tangga
    if rng.random() < 0.03:
        return 1
    candidates = [
        (code, urban_w if urban else rural_w)
        for code, rural_w, urban_w, min_edu, sexes, need_religion in _JOBS
        if education_level >= min_edu
        and sex in sexes
        and need_religion in (0, religion)
        and (urban_w if urban else rural_w) > 0
    ]
    return weighted(rng, candidates)


# --- address parts --------------------------------------------------------------------------------
_DUSUN = {
    "jawa": [
        "KRAJAN",
        "KRAJAN_LOR",
        "KRAJAN_KIDUL",
        "SUMBERSARI",
        "GUMUKMAS",
        "KALIWUNGU",
        "SUKOREJO",
        "JATIREJO",
        "NGASEM",
        "KARANGANYAR",
        "TEGALREJO",
        "WONOREJO",
        "SIDOMULYO",
        "PUNDUNGSARI",
        "NGLARANG",
    ],
    "madura": [
        "KRAJAN",
        "TEGALAN",
        "LEMBENGAN",
        "SUMBERKAREP",
        "GUMUK_REJO",
        "KEBUN_SARI",
        "LORPASAR",
    ],
    "sunda": [
        "CIBEUREUM",
        "CIPAKU",
        "SUKAMAJU",
        "BABAKAN",
        "CIGENTUR",
        "SUKAMANAH",
        "PASIRJAMBU",
        "CIKONENG",
        "LEUWIGAJAH",
    ],
}
_STREETS = (
    "PB. SUDIRMAN",
    "KH. AHMAD DAHLAN",
    "DIPONEGORO",
    "GAJAH MADA",
    "VETERAN",
    "BRAWIJAYA",
    "SULTAN AGUNG",
    "KARTINI",
    "SURAPATI",
    "KAPTEN KYAI ILYAS",
    "HOS COKROAMINOTO",
    "MAHAKAM",
    "MERAPI",
    "SEMERU",
    "WR. SUPRATMAN",
    "IMAM BONJOL",
    "DR. SUTOMO",
    "RAYA TIMUR",
)


def dusun_name(rng: random.Random, culture: str) -> str:
    pool = _DUSUN.get(culture, _DUSUN["jawa"])
    return rng.choice(pool).replace("_", " ")


def street_address(rng: random.Random) -> str:
    """A kelurahan street address: ``JL. VETERAN NO. 12`` or ``JL. SEMERU GG. III NO. 4``."""
    street = rng.choice(_STREETS)
    number = rng.randint(1, 180)
    if rng.random() < 0.3:
        alley = ("I", "II", "III", "IV", "V")[rng.randrange(5)]
        return f"JL. {street} GG. {alley} NO. {rng.randint(1, 40)}"
    return f"JL. {street} NO. {number}"

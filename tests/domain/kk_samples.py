"""A realistic, valid Kartu Keluarga for the domain tests, and helpers to spoil it one way at once.

The people are invented. The family lives in Kabupaten Lumajang (35 08); the grandmother moved in
from Kota Semarang (33 74) and keeps her NIK from there, as real moved-in members do.
"""

from __future__ import annotations

from datetime import date
from typing import Any

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

TODAY = date(2025, 6, 1)

HEAD = Member(
    full_name="BUDI SANTOSO",
    nik="3508121205850002",
    sex=JenisKelamin.LAKI_LAKI,
    birth_place="LUMAJANG",
    birth_date=date(1985, 5, 12),
    religion=Agama.ISLAM,
    education=Pendidikan.SLTA,
    occupation=Pekerjaan.WIRASWASTA,
    blood_type=GolonganDarah.O,
    marital_status=StatusPerkawinan.KAWIN,
    marriage_date=date(2009, 6, 20),
    relationship=StatusHubungan.KEPALA_KELUARGA,
    citizenship=Kewarganegaraan.WNI,
    father_name="SUPARMAN",
    mother_name="SITI AMINAH",
)
WIFE = Member(
    full_name="SRI WAHYUNI",
    nik="3508124309880001",
    sex=JenisKelamin.PEREMPUAN,
    birth_place="PROBOLINGGO",
    birth_date=date(1988, 9, 3),
    religion=Agama.ISLAM,
    education=Pendidikan.DIPLOMA_III,
    occupation=Pekerjaan.MENGURUS_RUMAH_TANGGA,
    blood_type=GolonganDarah.A_POS,
    marital_status=StatusPerkawinan.KAWIN,
    marriage_date=date(2009, 6, 20),
    relationship=StatusHubungan.ISTRI,
    citizenship=Kewarganegaraan.WNI,
    father_name="HARTONO",
    mother_name="WARSINI",
)
CHILD = Member(
    full_name="AHMAD RIZKI SANTOSO",
    nik="3508121501110003",
    sex=JenisKelamin.LAKI_LAKI,
    birth_place="LUMAJANG",
    birth_date=date(2011, 1, 15),
    religion=Agama.ISLAM,
    education=Pendidikan.TAMAT_SD,
    occupation=Pekerjaan.PELAJAR_MAHASISWA,
    blood_type=GolonganDarah.TIDAK_TAHU,
    marital_status=StatusPerkawinan.BELUM_KAWIN,
    relationship=StatusHubungan.ANAK,
    citizenship=Kewarganegaraan.WNI,
    father_name="BUDI SANTOSO",
    mother_name="SRI WAHYUNI",
)
GRANDMOTHER = Member(
    full_name="SITI AMINAH",
    nik="3374055002550007",  # Kota Semarang, 10-02-1955 (+40: female)
    sex=JenisKelamin.PEREMPUAN,
    birth_place="SEMARANG",
    birth_date=date(1955, 2, 10),
    religion=Agama.ISLAM,
    education=Pendidikan.TAMAT_SD,
    occupation=Pekerjaan.BELUM_TIDAK_BEKERJA,
    blood_type=GolonganDarah.B,
    marital_status=StatusPerkawinan.CERAI_MATI,  # widowed, no marriage date on record
    relationship=StatusHubungan.ORANG_TUA,
    citizenship=Kewarganegaraan.WNI,
    father_name="KARTO",
    mother_name="SUMINAH",
)

FAMILY = KartuKeluarga(
    no_kk="3508121503100004",  # entered 15-03-2010
    head_name="BUDI SANTOSO",
    address="JL. KENANGA NO. 7",
    rt="002",
    rw="005",
    dusun="KRAJAN",
    village="SUMBERSUKO",
    district="SUMBERSUKO",
    regency="KABUPATEN LUMAJANG",
    postal_code="67316",
    province="JAWA TIMUR",
    province_code="35",
    regency_code="08",
    district_code="12",
    village_code="2001",
    issued_on=date(2024, 2, 10),
    members=(HEAD, WIFE, CHILD, GRANDMOTHER),
)


def with_member(kk: KartuKeluarga, index: int, **changes: Any) -> KartuKeluarga:
    """``kk`` with member ``index`` changed, validated like input (models are frozen: a copy)."""
    members = list(kk.members)
    members[index] = Member.model_validate({**members[index].model_dump(), **changes})
    return kk.model_copy(update={"members": tuple(members)})


def foreign_member(**changes: Any) -> Member:
    """A WNA son-in-law with passport and KITAP (valid on his own)."""
    base = Member(
        full_name="JOHN SMITH",
        nik="3508120803900005",
        sex=JenisKelamin.LAKI_LAKI,
        birth_place="SYDNEY",
        birth_date=date(1990, 3, 8),
        religion=Agama.KRISTEN,
        education=Pendidikan.DIPLOMA_IV_S1,
        occupation=Pekerjaan.KONSULTAN,
        blood_type=GolonganDarah.A,
        marital_status=StatusPerkawinan.KAWIN,
        marriage_date=date(2020, 1, 11),
        relationship=StatusHubungan.MENANTU,
        citizenship=Kewarganegaraan.WNA,
        passport_number="PA1234567",
        kitap_number="2C21JE0001-AB",
        father_name="ROBERT SMITH",
        mother_name="MARY SMITH",
    )
    return Member.model_validate({**base.model_dump(), **changes})

"""The Kartu Keluarga as data: a header (No. KK, address, region) and members with all 17 columns.

The models are frozen pydantic v2 models with English field names;
:mod:`siakgate.domain.siak_elements` maps them to SIAK's element names. They check *types* only (a
code must be in its list, a date must be a date). Whether SIAK would accept the family is a
separate, explicit step, :func:`siakgate.domain.validation.validate_family`, because those rules
depend on the clock and report every issue at once with codes and Indonesian messages.

Names, places and the address follow the one text policy of :mod:`siakgate.domain.text` (NFC, no
control, bidi or zero-width characters, SIAK's character set), so no such character can reach SIAK.

Personal fields (names, NIK, No. KK, dates, document numbers) are excluded from ``repr()`` so that
logging a model never leaks them.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from siakgate.domain.codes import (
    Agama,
    GolonganDarah,
    JenisKelamin,
    Kewarganegaraan,
    Pekerjaan,
    Pendidikan,
    StatusHubungan,
    StatusPerkawinan,
)
from siakgate.domain.text import Address, PersonName, PlaceName

__all__ = ["KartuKeluarga", "Member"]


def _blank_to_none(value: object) -> object:
    """SIAK and printed KKs show an absent optional value as empty or ``-``; both mean "none"."""
    if isinstance(value, str) and value.strip() in {"", "-"}:
        return None
    return value


OptionalText = Annotated[str | None, BeforeValidator(_blank_to_none)]
OptionalPlace = Annotated[PlaceName | None, BeforeValidator(_blank_to_none)]

_CONFIG = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Member(BaseModel):
    """One row of the KK: columns (1) to (17), in the printed order."""

    model_config = _CONFIG

    full_name: PersonName = Field(repr=False, description="(1) Nama Lengkap")
    nik: str = Field(repr=False, description="(2) NIK")
    sex: JenisKelamin = Field(description="(3) Jenis Kelamin")
    birth_place: PlaceName = Field(repr=False, description="(4) Tempat Lahir")
    birth_date: date = Field(repr=False, description="(5) Tanggal Lahir")
    religion: Agama = Field(description="(6) Agama")
    education: Pendidikan = Field(description="(7) Pendidikan")
    occupation: Pekerjaan = Field(description="(8) Jenis Pekerjaan")
    blood_type: GolonganDarah = Field(description="(9) Golongan Darah")
    marital_status: StatusPerkawinan = Field(description="(10) Status Perkawinan")
    marriage_date: date | None = Field(default=None, repr=False, description="(11) Tanggal Perkawinan")
    relationship: StatusHubungan = Field(description="(12) Status Hubungan Dalam Keluarga")
    citizenship: Kewarganegaraan = Field(description="(13) Kewarganegaraan")
    passport_number: OptionalText = Field(default=None, repr=False, description="(14) No. Paspor")
    kitap_number: OptionalText = Field(default=None, repr=False, description="(15) No. KITAP")
    father_name: PersonName = Field(repr=False, description="(16) Ayah")
    mother_name: PersonName = Field(repr=False, description="(17) Ibu")


class KartuKeluarga(BaseModel):
    """A whole Kartu Keluarga: header, region codes, issue date and members in printed order.

    Region codes are zero-padded digit strings (``"08"``, ``"2001"``), as in the NIK and the SIAK
    contract, so that ``province_code + regency_code + district_code`` is the six-digit area code.
    """

    model_config = _CONFIG

    no_kk: str = Field(repr=False, description="No. KK")
    head_name: PersonName = Field(repr=False, description="Nama Kepala Keluarga")
    address: Address = Field(repr=False, description="Alamat")
    rt: str = Field(description="RT (3 digit)")
    rw: str = Field(description="RW (3 digit)")
    dusun: OptionalPlace = Field(default=None, description="Dusun")
    village: PlaceName = Field(description="Desa/Kelurahan")
    district: PlaceName = Field(description="Kecamatan")
    regency: PlaceName = Field(description="Kabupaten/Kota")
    postal_code: str = Field(description="Kode Pos")
    province: PlaceName = Field(description="Provinsi")
    province_code: str = Field(description="Kode provinsi (2 digit)")
    regency_code: str = Field(description="Kode kabupaten/kota (2 digit)")
    district_code: str = Field(description="Kode kecamatan (2 digit)")
    village_code: str = Field(description="Kode desa/kelurahan (4 digit)")
    issued_on: date | None = Field(default=None, description="Dikeluarkan Tanggal")
    members: tuple[Member, ...] = Field(repr=False, description="Anggota keluarga")

    @property
    def area_code(self) -> str:
        """Province, regency and district codes: the six digits a new No. KK starts with."""
        return f"{self.province_code}{self.regency_code}{self.district_code}"

    @property
    def heads(self) -> tuple[Member, ...]:
        """Members whose relationship is Kepala Keluarga (a valid family has exactly one)."""
        return tuple(m for m in self.members if m.relationship is StatusHubungan.KEPALA_KELUARGA)

    @property
    def head(self) -> Member | None:
        """The Kepala Keluarga, or None when there is not exactly one."""
        heads = self.heads
        return heads[0] if len(heads) == 1 else None

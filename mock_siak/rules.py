"""The checks SIAK makes that the XSD cannot express.

The mock imports nothing from the gateway's domain model, so these few rules are restated here: one
Kepala Keluarga, NIKs unique within the family, a NIK whose date part matches the birth date and sex
(women: day + 40) and whose serial is not 0000, and no birth or marriage date in the future.
Messages name the member by position, never by NIK or name.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from mock_siak.errors import Masalah
from mock_siak.records import KEPALA_KELUARGA

PEREMPUAN = 2


def nik_problems(nik: str, member: dict[str, Any], label: str) -> list[Masalah]:
    problems: list[Masalah] = []
    if nik[0:2] == "00" or nik[2:4] == "00" or nik[4:6] == "00":
        problems.append(Masalah(f"{label}: kode wilayah pada NIK tidak valid.", "NIK"))
    if nik[12:16] == "0000":
        problems.append(Masalah(f"{label}: nomor urut NIK tidak boleh 0000.", "NIK"))
    day, month, year2 = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    female = member["JENIS_KLMIN"] == PEREMPUAN
    if female != (day > 40):
        problems.append(Masalah(f"{label}: tanggal pada NIK tidak sesuai jenis kelamin (perempuan +40).", "NIK"))
    born: date = member["TGL_LHR"]
    if (day - 40 if day > 40 else day, month, year2) != (born.day, born.month, born.year % 100):
        problems.append(Masalah(f"{label}: tanggal lahir pada NIK tidak sesuai TGL_LHR.", "NIK"))
    return problems


def member_problems(member: dict[str, Any], position: int, today: date) -> list[Masalah]:
    label = f"Anggota ke-{position}"
    problems = nik_problems(member["NIK"], member, label)
    born: date = member["TGL_LHR"]
    if born > today:
        problems.append(Masalah(f"{label}: tanggal lahir tidak boleh di masa depan.", "TGL_LHR"))
    married: date | None = member.get("TGL_KWN")
    if married is not None and (married > today or married < born):
        problems.append(
            Masalah(
                f"{label}: tanggal perkawinan harus di antara tanggal lahir dan hari ini.",
                "TGL_KWN",
            )
        )
    return problems


def family_problems(family: dict[str, Any], today: date) -> list[Masalah]:
    """Every problem of a family's data (not only the first), for one DATA_TIDAK_VALID answer."""
    members: list[dict[str, Any]] = family["ANGGOTA"]
    problems: list[Masalah] = []
    heads = sum(1 for m in members if m["STAT_HBKEL"] == KEPALA_KELUARGA)
    if heads != 1:
        problems.append(Masalah(f"Keluarga harus memiliki tepat satu Kepala Keluarga (ada {heads}).", "STAT_HBKEL"))
    seen: dict[str, int] = {}
    for position, member in enumerate(members, start=1):
        if member["NIK"] in seen:
            problems.append(
                Masalah(
                    f"Anggota ke-{position}: NIK sama dengan anggota ke-{seen[member['NIK']]}.",
                    "NIK",
                )
            )
        seen.setdefault(member["NIK"], position)
        problems.extend(member_problems(member, position, today))
    return problems

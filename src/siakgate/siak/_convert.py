"""Turn SIAK's answers (zeep values, serialised to plain dicts at once) into :mod:`siakgate.siak.models`.

An answer that does not fit our domain model (an unknown code, a missing element) is SIAK breaking the
contract, so it becomes :class:`~siakgate.errors.MalformedResponseError` with the domain's issues as
its cause; conversion runs after the retry loop, so such an answer is not fetched again.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, cast

from pydantic import ValidationError
from zeep.helpers import serialize_object

from siakgate.domain import CaseType, InvalidFamilyError, KartuKeluarga, Member, from_siak_elements, to_siak_elements
from siakgate.domain.siak_elements import MEMBER_ELEMENTS
from siakgate.errors import MalformedResponseError
from siakgate.siak.models import (
    CheckOutcome,
    CheckResult,
    Draft,
    EntryResult,
    PersonRecord,
    PrintEntry,
    PrintMark,
    PrintStatus,
    RequestStatus,
    SignedUpload,
    StatusChange,
)

__all__ = ["CHECK_ELEMENTS", "entry_data", "plain"]

_serialize: Any = serialize_object  # zeep is unannotated
_CASE_TYPES = {str(case): case for case in CaseType}
_MEMBER_FIELDS = {element: name for name, element in MEMBER_ELEMENTS.items()}
CHECK_ELEMENTS: dict[str, str] = {
    "no_kk": "NO_KK",
    "full_name": "NAMA_LGKP",
    "sex": "JENIS_KLMIN",
    "birth_place": "TMPT_LHR",
    "birth_date": "TGL_LHR",
    "mother_name": "NAMA_LGKP_IBU",
    "father_name": "NAMA_LGKP_AYAH",
}
"""check_person keyword -> CekDataPenduduk element."""
_CHECK_FIELDS = {element: name for name, element in CHECK_ELEMENTS.items()}
# DataKeluargaType is KeluargaType without these: SIAK assigns the number, the head and the issue date.
_NOT_ENTERED = ("NO_KK", "NAMA_KEP", "TGL_KELUAR")


def plain(value: Any) -> dict[str, Any]:
    """A zeep answer as plain dicts and lists (the only shape that leaves the zeep boundary)."""
    return cast(dict[str, Any], _serialize(value, target_cls=dict))


def entry_data(family: KartuKeluarga) -> dict[str, Any]:
    """DATA_KELUARGA for EntriDataKeluarga: the family's address and members, in SIAK's element names."""
    elements: dict[str, Any] = dict(to_siak_elements(family))
    for name in _NOT_ENTERED:
        elements.pop(name)
    elements["ANGGOTA"] = [dict(member) for member in elements["ANGGOTA"]]
    return elements


def _broken(what: str, exc: Exception) -> MalformedResponseError:
    details = "; ".join(issue.message for issue in getattr(exc, "issues", ()))
    return MalformedResponseError(
        f"{what} dari SIAK tidak sesuai model data siakgate{': ' + details if details else ''}."
    )


def family(data: Mapping[str, Any]) -> KartuKeluarga:
    try:
        return from_siak_elements(data)
    except InvalidFamilyError as exc:
        raise _broken("Data keluarga", exc) from exc


def member(data: Mapping[str, Any]) -> Member:
    fields = {_MEMBER_FIELDS.get(key, key): value for key, value in data.items()}
    try:
        return Member.model_validate(fields)
    except ValidationError as exc:
        raise _broken("Data penduduk", exc) from exc


def person_record(answer: Mapping[str, Any]) -> PersonRecord:
    return PersonRecord(no_kk=answer["NO_KK"], person=member(answer["PENDUDUK"]))


def check_result(answer: Mapping[str, Any]) -> CheckResult:
    wrong = answer.get("ELEMEN_TIDAK_SESUAI") or []
    return CheckResult(
        nik=answer["NIK"],
        outcome=CheckOutcome(answer["HASIL"]),
        mismatched=tuple(_CHECK_FIELDS.get(element, element) for element in wrong),
    )


def entry_result(answer: Mapping[str, Any]) -> EntryResult:
    return EntryResult(
        no_permohonan=answer["NO_PERMOHONAN"], no_kk=answer["NO_KK"], status=RequestStatus(answer["STATUS"])
    )


def draft(answer: Mapping[str, Any]) -> Draft:
    entered: date = answer["TGL_ENTRI"]
    return Draft(
        no_permohonan=answer["NO_PERMOHONAN"],
        case_type=_CASE_TYPES[answer["JENIS_PERMOHONAN"]],
        status=RequestStatus(answer["STATUS"]),
        entered_on=entered,
        family=family(answer["KELUARGA"]),
        draft_pdf=answer["DRAFT_KK"],
        signed_pdf=answer.get("KK_TERTANDATANGAN"),
    )


def status_change(answer: Mapping[str, Any]) -> StatusChange:
    return StatusChange(no_permohonan=answer["NO_PERMOHONAN"], status=RequestStatus(answer["STATUS"]))


def signed_upload(answer: Mapping[str, Any]) -> SignedUpload:
    certified_at: datetime = answer["TGL_SERTIFIKASI"]
    return SignedUpload(
        no_permohonan=answer["NO_PERMOHONAN"], status=RequestStatus(answer["STATUS"]), certified_at=certified_at
    )


def print_entries(answer: Mapping[str, Any]) -> list[PrintEntry]:
    return [
        PrintEntry(
            no_permohonan=row["NO_PERMOHONAN"],
            no_kk=row["NO_KK"],
            head_name=row["NAMA_KEP"],
            province_code=row["NO_PROP"],
            regency_code=row["NO_KAB"],
            district_code=row["NO_KEC"],
            village_code=row["NO_KEL"],
            certified_at=row["TGL_SERTIFIKASI"],
            print_status=PrintStatus(row["STATUS_CETAK"]),
            print_count=int(row["JUMLAH_CETAK"]),
        )
        for row in answer.get("ENTRI") or []
    ]


def print_mark(answer: Mapping[str, Any]) -> PrintMark:
    return PrintMark(
        no_permohonan=answer["NO_PERMOHONAN"],
        status=RequestStatus(answer["STATUS"]),
        print_count=int(answer["JUMLAH_CETAK"]),
    )

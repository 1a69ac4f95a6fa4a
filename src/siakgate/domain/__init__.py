"""The Kartu Keluarga domain: code lists, NIK and No. KK, the family model and its rules, the SIAK
element mapping and the requirements of each kind of application.

Pure: no I/O, no clock except through a ``today`` argument, no network. Everything here can be used
by the gateway, the workflow and tests alike.
"""

from siakgate.domain.cases import (
    DOCUMENTS,
    SEEDS,
    CaseProfile,
    MissingRequirements,
    Requirement,
    case_profile,
    checklist,
    missing_requirements,
)
from siakgate.domain.codes import (
    SIAK_CODE_LISTS,
    Agama,
    CaseType,
    CodeList,
    GolonganDarah,
    JenisKelamin,
    Kewarganegaraan,
    Pekerjaan,
    Pendidikan,
    StatusHubungan,
    StatusPerkawinan,
)
from siakgate.domain.family import KartuKeluarga, Member
from siakgate.domain.issues import (
    DataIssue,
    InvalidFamilyError,
    InvalidNikError,
    InvalidNoKkError,
    IssueCode,
    UnknownCodeError,
    UnknownRequirementError,
)
from siakgate.domain.nik import (
    PROVINCE_CODES,
    Nik,
    NoKk,
    check_nik,
    check_no_kk,
    mask_nik,
    parse_nik,
    parse_no_kk,
)
from siakgate.domain.siak_elements import (
    FamilyElements,
    MemberElements,
    from_siak_elements,
    siak_path,
    to_siak_elements,
)
from siakgate.domain.validation import (
    ADULT_AGE,
    age_on,
    ensure_valid_family,
    parse_family,
    validate_family,
)

__all__ = [
    "ADULT_AGE",
    "DOCUMENTS",
    "PROVINCE_CODES",
    "SEEDS",
    "SIAK_CODE_LISTS",
    "Agama",
    "CaseProfile",
    "CaseType",
    "CodeList",
    "DataIssue",
    "FamilyElements",
    "GolonganDarah",
    "InvalidFamilyError",
    "InvalidNikError",
    "InvalidNoKkError",
    "IssueCode",
    "JenisKelamin",
    "KartuKeluarga",
    "Kewarganegaraan",
    "Member",
    "MemberElements",
    "MissingRequirements",
    "Nik",
    "NoKk",
    "Pekerjaan",
    "Pendidikan",
    "Requirement",
    "StatusHubungan",
    "StatusPerkawinan",
    "UnknownCodeError",
    "UnknownRequirementError",
    "age_on",
    "case_profile",
    "check_nik",
    "check_no_kk",
    "checklist",
    "ensure_valid_family",
    "from_siak_elements",
    "mask_nik",
    "missing_requirements",
    "parse_family",
    "parse_nik",
    "parse_no_kk",
    "siak_path",
    "to_siak_elements",
    "validate_family",
]

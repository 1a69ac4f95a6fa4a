"""siakgate: SIAK integration adapter and TTE signing gateway for Dinas Dukcapil.

The public API is what ``__all__`` lists; everything else is private and may change. The KK domain model lives in
:mod:`siakgate.domain`; the SIAK contract files in :mod:`siakgate.contracts`.
"""

from siakgate.domain import (
    CaseType,
    KartuKeluarga,
    Member,
    Nik,
    NoKk,
    ensure_valid_family,
    mask_nik,
    parse_family,
    parse_nik,
    parse_no_kk,
    validate_family,
)
from siakgate.errors import DataIssue, InvalidDataError, SiakgateError

__version__ = "0.1.0.dev0"

__all__ = [
    "CaseType",
    "DataIssue",
    "InvalidDataError",
    "KartuKeluarga",
    "Member",
    "Nik",
    "NoKk",
    "SiakgateError",
    "__version__",
    "ensure_valid_family",
    "mask_nik",
    "parse_family",
    "parse_nik",
    "parse_no_kk",
    "validate_family",
]

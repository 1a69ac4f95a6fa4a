"""What the SIAK client returns: frozen values of our own types, never zeep objects.

Families and members are :mod:`siakgate.domain` models; the rest are small frozen dataclasses. Fields
holding personal data (NIK, No. KK, names) and PDF bytes are left out of ``repr()``, so a result can be
logged or shown in a traceback without leaking them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from siakgate.domain import CaseType, KartuKeluarga, Member

__all__ = [
    "CheckOutcome",
    "CheckResult",
    "Decision",
    "Draft",
    "EntryResult",
    "PersonRecord",
    "PrintEntry",
    "PrintMark",
    "PrintStatus",
    "RequestStatus",
    "SignedUpload",
    "StatusChange",
]


class RequestStatus(StrEnum):
    """STATUS of a request (NO_PERMOHONAN) in SIAK's signing flow."""

    DRAFT = "DRAFT"
    DIAJUKAN = "DIAJUKAN"
    DIVERIFIKASI = "DIVERIFIKASI"
    DITOLAK = "DITOLAK"
    TERSERTIFIKASI = "TERSERTIFIKASI"
    TERCETAK = "TERCETAK"


class PrintStatus(StrEnum):
    """STATUS_CETAK of an entry of the Daftar Cetak KK Tersertifikasi."""

    BELUM_DICETAK = "BELUM_DICETAK"
    SUDAH_DICETAK = "SUDAH_DICETAK"


class Decision(StrEnum):
    """KEPUTUSAN of the verifier."""

    SETUJU = "SETUJU"
    TOLAK = "TOLAK"


class CheckOutcome(StrEnum):
    """HASIL of CekDataPenduduk."""

    SESUAI = "SESUAI"
    TIDAK_SESUAI = "TIDAK SESUAI"


@dataclass(frozen=True)
class PersonRecord:
    """CariPenduduk: one resident and the No. KK of the family they belong to."""

    no_kk: str = field(repr=False)
    person: Member


@dataclass(frozen=True)
class CheckResult:
    """CekDataPenduduk: whether the officer's data agrees with SIAK, and which fields do not.

    ``mismatched`` names :class:`~siakgate.domain.Member` fields (``full_name``, ``birth_date``, ...)
    and ``no_kk``, in the order SIAK listed them.
    """

    nik: str = field(repr=False)
    outcome: CheckOutcome
    mismatched: tuple[str, ...] = ()

    @property
    def matches(self) -> bool:
        return self.outcome is CheckOutcome.SESUAI


@dataclass(frozen=True)
class EntryResult:
    """EntriDataKeluarga: the request created (or, for a repeated CLIENT_REQUEST_ID, the first one)."""

    no_permohonan: str
    no_kk: str = field(repr=False)
    status: RequestStatus


@dataclass(frozen=True)
class Draft:
    """AmbilDraftKK: the request, its family as entered, the draft KK and, once certified, the signed KK."""

    no_permohonan: str
    case_type: CaseType
    status: RequestStatus
    entered_on: date
    family: KartuKeluarga
    draft_pdf: bytes = field(repr=False)
    signed_pdf: bytes | None = field(default=None, repr=False)


@dataclass(frozen=True)
class StatusChange:
    """AjukanSertifikasi and SimpanVerifikasi: the request's new status."""

    no_permohonan: str
    status: RequestStatus


@dataclass(frozen=True)
class SignedUpload:
    """UnggahKKTertandatangan: the request is certified (TERSERTIFIKASI) as of ``certified_at``."""

    no_permohonan: str
    status: RequestStatus
    certified_at: datetime


@dataclass(frozen=True)
class PrintEntry:
    """One line of the Daftar Cetak KK Tersertifikasi."""

    no_permohonan: str
    no_kk: str = field(repr=False)
    head_name: str = field(repr=False)
    province_code: str
    regency_code: str
    district_code: str
    village_code: str
    certified_at: datetime
    print_status: PrintStatus
    print_count: int


@dataclass(frozen=True)
class PrintMark:
    """TandaiTercetak: the request is printed (TERCETAK), ``print_count`` times so far."""

    no_permohonan: str
    status: RequestStatus
    print_count: int

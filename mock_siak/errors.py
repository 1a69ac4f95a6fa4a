"""The one exception mock SIAK raises on purpose, and its stable fault codes.

Every failure the service answers becomes a SOAP 1.1 fault whose ``detail`` holds one
``siak:SiakFault`` (``KODE``, ``PESAN``, ``MASALAH*``). Caller errors are ``soap:Client`` faults,
the server's own are ``soap:Server``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

NIK_TIDAK_DITEMUKAN = "NIK_TIDAK_DITEMUKAN"
NO_KK_TIDAK_DITEMUKAN = "NO_KK_TIDAK_DITEMUKAN"
PERMOHONAN_TIDAK_DITEMUKAN = "PERMOHONAN_TIDAK_DITEMUKAN"
DATA_TIDAK_VALID = "DATA_TIDAK_VALID"
DUPLIKAT = "DUPLIKAT"
STATUS_TIDAK_SESUAI = "STATUS_TIDAK_SESUAI"
TIDAK_BERWENANG = "TIDAK_BERWENANG"
LAYANAN_TIDAK_TERSEDIA = "LAYANAN_TIDAK_TERSEDIA"

FAULT_CODES = (
    NIK_TIDAK_DITEMUKAN,
    NO_KK_TIDAK_DITEMUKAN,
    PERMOHONAN_TIDAK_DITEMUKAN,
    DATA_TIDAK_VALID,
    DUPLIKAT,
    STATUS_TIDAK_SESUAI,
    TIDAK_BERWENANG,
    LAYANAN_TIDAK_TERSEDIA,
)

# Faults that are the server's own doing (the caller may retry); every other code is the caller's.
SERVER_CODES = frozenset({LAYANAN_TIDAK_TERSEDIA})


@dataclass(frozen=True)
class Masalah:
    """One problem in the submitted data: the element at fault (when known) and why, in Bahasa Indonesia."""

    pesan: str
    elemen: str | None = None


@dataclass
class SiakError(Exception):
    """A service failure answered as a SOAP fault with a stable ``kode``."""

    kode: str
    pesan: str
    masalah: list[Masalah] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.kode not in FAULT_CODES:
            raise ValueError(f"unknown fault code {self.kode!r}")
        super().__init__(f"[{self.kode}] {self.pesan}")

    @property
    def is_server_fault(self) -> bool:
        return self.kode in SERVER_CODES


def invalid(masalah: list[Masalah], pesan: str = "Data tidak valid.") -> SiakError:
    """A DATA_TIDAK_VALID error listing every problem found (not only the first)."""
    return SiakError(DATA_TIDAK_VALID, pesan, list(masalah))

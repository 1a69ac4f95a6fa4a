"""What every part of the workflow needs: the dependencies, handed around as one frozen object.

Also the seams: :class:`SiakApi` (the SIAK operations the workflow calls; :class:`~siakgate.siak.SiakClient`
satisfies it, and a test may wrap one), and :class:`TteBlockFactory` (what goes in a signed KK's TTE block).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol

from siakgate.clock import Clock
from siakgate.domain import CaseType, KartuKeluarga
from siakgate.errors import NotFoundError
from siakgate.siak import Decision, Draft, EntryResult, PrintEntry, PrintMark, PrintStatus, SignedUpload, StatusChange
from siakgate.signing import SigningBackend, SigningOptions, TteBlock
from siakgate.store.db import Database
from siakgate.store.documents import DocumentStore
from siakgate.workflow.calendar import WorkingCalendar
from siakgate.workflow.pipeline import Pipeline
from siakgate.workflow.profiles import ServiceProfile

__all__ = ["Deps", "SiakApi", "TteBlockFactory"]


class SiakApi(Protocol):
    """The SIAK operations the workflow uses (a subset of :class:`~siakgate.siak.SiakClient`)."""

    async def get_family(self, no_kk: str) -> KartuKeluarga: ...

    async def get_draft(self, no_permohonan: str) -> Draft: ...

    async def enter_family(
        self,
        client_request_id: str,
        case_type: CaseType,
        family: KartuKeluarga | None,
        no_kk: str | None = None,
        officer: str | None = None,
    ) -> EntryResult: ...

    async def request_certification(self, no_permohonan: str, *, officer: str | None = None) -> StatusChange: ...

    async def record_verification(
        self, no_permohonan: str, decision: Decision, *, verifier_id: str, reason: str | None = None
    ) -> StatusChange: ...

    async def upload_signed(self, no_permohonan: str, pdf: bytes) -> SignedUpload: ...

    async def mark_printed(
        self, no_permohonan: str, *, reprint: bool = False, officer: str | None = None
    ) -> PrintMark: ...

    async def print_list(
        self,
        *,
        start: date | None = None,
        end: date | None = None,
        region: str = "",
        print_status: PrintStatus | None = None,
    ) -> list[PrintEntry]: ...


@dataclass(frozen=True)
class TteBlockFactory:
    """The Kepala Dinas's TTE block; the QR code opens ``{public_base_url}/v1/verify/{ref}``."""

    public_base_url: str
    signer_name: str
    signer_nip: str

    def block(self, ref: str) -> TteBlock:
        return TteBlock(
            verify_url=f"{self.public_base_url.rstrip('/')}/v1/verify/{ref}",
            signer_name=self.signer_name,
            signer_nip=self.signer_nip,
        )


@dataclass(frozen=True)
class Deps:
    db: Database
    """The workflow's database: its units of work carry :attr:`pipeline` (``Database.with_hooks``)."""
    documents: DocumentStore
    profiles: dict[str, ServiceProfile]
    siak: SiakApi
    signing: SigningBackend
    signing_options: SigningOptions
    sekcam_signing: SigningBackend | None
    sekcam_signing_options: SigningOptions
    tte: TteBlockFactory
    calendar: WorkingCalendar
    clock: Clock
    worker_id: str
    lease: timedelta
    """How long a claimed job (or a batch being signed) belongs to its claimer; then another may take it."""
    max_attempts: int
    """A job failing transiently this often is given up (GANGGUAN)."""
    pipeline: Pipeline
    """The transition listeners (notifications, audit, follow-ups, archive, metrics)."""

    def now(self) -> datetime:
        return self.clock.now()

    def today_wib(self) -> date:
        return self.clock.today_wib()

    def profile(self, profile_id: str) -> ServiceProfile:
        try:
            return self.profiles[profile_id]
        except KeyError:
            raise NotFoundError(f"Profil layanan {profile_id!r} tidak dikenal.", code="PROFIL_TIDAK_DIKENAL") from None

"""The applicant's NIK checked with Dukcapil at intake, before an application is written.

When the deployment enables Dukcapil's web service (``SIAKGATE_DUKCAPIL__ENABLED=true``), the app factory
builds a :class:`DukcapilApplicantCheck` (:func:`open_applicant_check`) and the intake route passes it to
:func:`siakgate.workflow.intake.create_application`. After the request has validated, and before anything is
written, the applicant (the family's head, else its first member) is verified by element
(``CALL_VERIFY_BY_ELEMEN``: NIK, full name and birth date, names at the configured threshold):

==============================================  ===================================================================
Dukcapil's answer                               the intake's answer (nothing written in any of these)
==============================================  ===================================================================
the NIK is unknown                              422 ``NIK_TIDAK_DITEMUKAN`` (issue at ``members[i].nik``)
name or birth date below the threshold          422 ``DATA_TIDAK_SESUAI`` (an issue per element that did not agree)
unavailable, timed out, quota spent             503 with ``Retry-After`` (``ServiceUnavailableError``,
                                                ``ServiceTimeoutError``: the API's usual mapping)
the gateway's access refused                    502 (``SiakAuthError``: a deployment problem, not the applicant's)
==============================================  ===================================================================

Messages never quote the NIK, the name or the date. An application without family data (a lost KK, known by its
No. KK) carries no NIK and is not checked.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from datetime import date
from typing import Final, Protocol

import httpx

from siakgate.clock import Clock
from siakgate.config import DukcapilSettings
from siakgate.domain import KartuKeluarga, Member, StatusHubungan
from siakgate.errors import DataIssue, InvalidDataError, SiakNotFoundError
from siakgate.siak.dukcapil import DukcapilClient, VerificationResult
from siakgate.siak.retry import RetryPolicy

__all__ = ["INTAKE_RETRY", "ApplicantCheck", "DukcapilApplicantCheck", "DukcapilVerifier", "open_applicant_check"]

INTAKE_RETRY: Final = RetryPolicy(attempts=2, initial_wait=0.2, max_wait=1.0, deadline=5.0)
"""A person waits at the counter: one retry, then 503 and the counter tries again later."""

NIK_NOT_FOUND: Final = "NIK_TIDAK_DITEMUKAN"
DATA_MISMATCH: Final = "DATA_TIDAK_SESUAI"

_ELEMENTS: Final = (("NAMA_LGKP", "full_name", "Nama lengkap"), ("TGL_LHR", "birth_date", "Tanggal lahir"))


class ApplicantCheck(Protocol):
    """What intake asks before it writes an application (:func:`siakgate.workflow.intake.create_application`)."""

    async def check(self, family: KartuKeluarga) -> None:
        """Return if the applicant is who the request says; raise a :mod:`siakgate.errors` error otherwise."""
        ...


class DukcapilVerifier(Protocol):
    """The part of :class:`~siakgate.siak.dukcapil.DukcapilClient` the check uses."""

    async def verify_elements(
        self, nik: str, elements: Mapping[str, str | int | date], threshold: int | None = None
    ) -> VerificationResult: ...


def _applicant(family: KartuKeluarga) -> tuple[int, Member]:
    for index, member in enumerate(family.members):
        if member.relationship is StatusHubungan.KEPALA_KELUARGA:
            return index, member
    return 0, family.members[0]


class DukcapilApplicantCheck:
    """The applicant's NIK, name and birth date verified by Dukcapil (see the module docstring)."""

    def __init__(self, dukcapil: DukcapilVerifier, *, threshold: int | None = None) -> None:
        self.dukcapil = dukcapil
        self.threshold = threshold

    async def check(self, family: KartuKeluarga) -> None:
        if not family.members:
            return  # refused by validation already; nothing to ask
        index, applicant = _applicant(family)
        path = f"members[{index}]"
        elements: dict[str, str | int | date] = {"NAMA_LGKP": applicant.full_name, "TGL_LHR": applicant.birth_date}
        try:
            result = await self.dukcapil.verify_elements(applicant.nik, elements, self.threshold)
        except SiakNotFoundError as exc:
            raise _not_found(path) from exc
        if not result.matched("NIK"):
            raise _not_found(path)
        issues = [
            DataIssue(DATA_MISMATCH, f"{path}.{field}", f"{label} pemohon tidak sesuai dengan data Dukcapil")
            for element, field, label in _ELEMENTS
            if not result.matched(element)
        ]
        if issues:
            raise InvalidDataError(
                issues,
                "Data pemohon tidak sesuai dengan database kependudukan Dukcapil: "
                + ", ".join(label.lower() for element, _, label in _ELEMENTS if not result.matched(element))
                + ". Periksa kembali dokumen pemohon.",
                code=DATA_MISMATCH,
            )


def _not_found(path: str) -> InvalidDataError:
    return InvalidDataError(
        [DataIssue(NIK_NOT_FOUND, f"{path}.nik", "NIK pemohon tidak ditemukan di database kependudukan Dukcapil")],
        "NIK pemohon tidak ditemukan di database kependudukan Dukcapil; periksa kembali KTP-el atau KK pemohon.",
        code=NIK_NOT_FOUND,
    )


@asynccontextmanager
async def open_applicant_check(
    settings: DukcapilSettings, clock: Clock, *, retry: RetryPolicy = INTAKE_RETRY
) -> AsyncIterator[ApplicantCheck | None]:
    """The intake check for ``settings`` with its own ``httpx.AsyncClient`` (closed on exit), or None when
    Dukcapil is not enabled. Called by the app factory's lifespan, the composition root."""
    if not settings.enabled:
        yield None
        return
    timeout = httpx.Timeout(settings.timeout_seconds, connect=min(settings.timeout_seconds, 10.0))
    async with httpx.AsyncClient(timeout=timeout) as http:
        client = DukcapilClient.from_settings(settings, http=http, retry=retry, clock=clock)
        yield DukcapilApplicantCheck(client, threshold=settings.threshold)

"""The async SIAK client: one typed method per SOAP operation, domain values in and out.

Retries (see :mod:`siakgate.siak.retry`). Only :class:`~siakgate.errors.TransientError` is retried,
within the :class:`RetryPolicy`. What each operation may do after an *ambiguous* failure (SIAK may
have carried the request out, e.g. the connection dropped after the request was sent):

=========================  ==========  ==========================================================
operation                  safety      decision
=========================  ==========  ==========================================================
CariPenduduk, CekData-     READ        retried freely: reading twice changes nothing.
Penduduk, CariKeluarga,
AmbilDraftKK, DaftarCetakKK
EntriDataKeluarga          IDEMPOTENT  retried with the SAME ``CLIENT_REQUEST_ID`` and data: SIAK
                                       answers a repeat with the first request, so a retry never
                                       enters a family twice. The caller keeps the id with its case
                                       and reuses it when it calls again after a failure.
AjukanSertifikasi,         TRANSITION  retried; each is a one-way status change, so a repeat that
SimpanVerifikasi,                      SIAK already applied answers STATUS_TIDAK_SESUAI. Only when an
UnggahKKTertandatangan,                earlier attempt failed ambiguously is that answer checked: the
TandaiTercetak                         request is read back and, if it already has the status we
                                       asked for (and, for an upload, our signed PDF), the call
                                       succeeds; otherwise the SiakStateError stands.
TandaiTercetak with        UNSAFE      each call adds a print to the count, which a read cannot
``reprint=True``                       tell apart: retried only when SIAK surely did nothing
                                       (connection refused, HTTP 429/503, LAYANAN_TIDAK_TERSEDIA).
=========================  ==========  ==========================================================

Logging: one line per attempt on the ``siakgate.siak`` logger with the operation, attempt, duration
and outcome code, and at most a masked NIK/No. KK or a request number. Envelopes, bodies, names and
unmasked numbers are never logged (and :class:`~siakgate.siak._transport.HttpxSoapTransport` keeps
zeep from logging envelopes).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from datetime import date
from typing import Any, TypeVar

import httpx
from zeep.client import AsyncClient as _AsyncClient
from zeep.proxy import AsyncServiceProxy as _AsyncServiceProxy
from zeep.wsse.username import UsernameToken as _UsernameToken

from siakgate.domain import CaseType, JenisKelamin, KartuKeluarga, mask_nik
from siakgate.errors import DataIssue, InvalidDataError, MalformedResponseError, SiakStateError, TransientError
from siakgate.siak import _convert
from siakgate.siak._faults import translate
from siakgate.siak._transport import BINDING, ZEEP_SETTINGS, HttpxSoapTransport, bundled_wsdl
from siakgate.siak.models import (
    CheckResult,
    Decision,
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
from siakgate.siak.retry import RetryPolicy, Safety, not_processed, run_with_retry

__all__ = ["SiakClient"]

log = logging.getLogger("siakgate.siak")

# zeep is unannotated; these are called with checked arguments only here.
AsyncClient: Any = _AsyncClient
AsyncServiceProxy: Any = _AsyncServiceProxy
UsernameToken: Any = _UsernameToken

T = TypeVar("T")
Answer = dict[str, Any]
_REGION_ELEMENTS = (("NO_PROP", 2), ("NO_KAB", 2), ("NO_KEC", 2), ("NO_KEL", 4))


def _region_filter(region: str) -> dict[str, str]:
    """``"3204"`` -> ``{"NO_PROP": "32", "NO_KAB": "04"}``; a prefix of 0, 2, 4, 6 or 10 digits."""
    levels = {0: 0, 2: 1, 4: 2, 6: 3, 10: 4}
    if len(region) not in levels or not (region.isdigit() or not region):
        raise InvalidDataError(
            [DataIssue("WILAYAH_TIDAK_VALID", "region", "Awalan wilayah harus 2, 4, 6 atau 10 digit kode wilayah.")]
        )
    values: dict[str, str] = {}
    position = 0
    for element, width in _REGION_ELEMENTS[: levels[len(region)]]:
        values[element] = region[position : position + width]
        position += width
    return values


class SiakClient:
    """A SIAK SOAP client over an injected ``httpx.AsyncClient`` (which the caller owns and closes).

    ``endpoint`` is the SOAP address (it overrides the bundled WSDL's ``soap:address``). Credentials go
    in a WS-Security UsernameToken (``wsse``, PasswordText or, with ``use_digest``, PasswordDigest)
    and/or HTTP Basic (``http_basic``). Per-attempt timeouts are the httpx client's.
    """

    def __init__(
        self,
        endpoint: str,
        *,
        username: str,
        password: str,
        http: httpx.AsyncClient,
        retry: RetryPolicy | None = None,
        use_digest: bool = False,
        wsse: bool = True,
        http_basic: bool = False,
    ) -> None:
        if not (wsse or http_basic):
            raise ValueError("choose WS-Security, HTTP Basic or both")
        self.endpoint = endpoint
        self.retry = retry or RetryPolicy()
        transport = HttpxSoapTransport(http, auth=httpx.BasicAuth(username, password) if http_basic else None)
        token = UsernameToken(username, password, use_digest=use_digest) if wsse else None
        wsdl = bundled_wsdl()
        self._zeep = AsyncClient(wsdl, wsse=token, transport=transport, settings=ZEEP_SETTINGS)
        self._service = AsyncServiceProxy(self._zeep, wsdl.bindings[BINDING], address=endpoint)

    def __repr__(self) -> str:
        return f"SiakClient({self.endpoint!r})"

    # -- the machinery -------------------------------------------------------------------------------

    async def _invoke(
        self,
        operation: str,
        values: Mapping[str, Any],
        *,
        safety: Safety,
        subject: str = "",
        reconcile: Callable[[], Awaitable[Answer | None]] | None = None,
    ) -> Answer:
        """Call ``operation`` with retries; its answer as plain dicts. ``subject`` is logged (masked)."""
        ambiguous = False

        def should_retry(error: TransientError) -> bool:
            nonlocal ambiguous
            sure = not_processed(error)
            if safety is Safety.UNSAFE and not sure:
                return False
            ambiguous = ambiguous or not sure
            return True

        async def attempt(number: int) -> Answer:
            started = time.perf_counter()
            outcome, level = "OK", logging.INFO
            try:
                return _convert.plain(await self._service[operation](**values))
            except Exception as exc:
                error = translate(exc)
                outcome = error.code if error is not None else type(exc).__name__
                if error is None or isinstance(error, TransientError):
                    level = logging.WARNING
                if error is None or error is exc:
                    raise
                raise error from exc
            finally:
                elapsed = (time.perf_counter() - started) * 1000
                log.log(level, "siak %s%s attempt=%d outcome=%s ms=%.0f", operation, subject, number, outcome, elapsed)

        try:
            return await run_with_retry(attempt, self.retry, should_retry)
        except SiakStateError:
            if reconcile is None or not ambiguous:
                raise
            answer = await reconcile()
            if answer is None:
                raise
            log.info("siak %s%s outcome=OK (already applied by an earlier attempt)", operation, subject)
            return answer

    @staticmethod
    def _build(convert: Callable[[Answer], T], answer: Answer) -> T:
        try:
            return convert(answer)
        except (AttributeError, KeyError, TypeError, ValueError) as exc:
            raise MalformedResponseError("Jawaban SIAK tidak lengkap atau tidak sesuai kontrak.") from exc

    # -- look-ups ------------------------------------------------------------------------------------

    async def lookup_person(self, nik: str) -> PersonRecord:
        """CariPenduduk: the resident with ``nik`` and their No. KK (SiakNotFoundError NIK_TIDAK_DITEMUKAN)."""
        answer = await self._invoke("CariPenduduk", {"NIK": nik}, safety=Safety.READ, subject=f" nik={mask_nik(nik)}")
        return self._build(_convert.person_record, answer)

    async def check_person(
        self,
        nik: str,
        *,
        no_kk: str | None = None,
        full_name: str | None = None,
        sex: JenisKelamin | None = None,
        birth_place: str | None = None,
        birth_date: date | None = None,
        mother_name: str | None = None,
        father_name: str | None = None,
    ) -> CheckResult:
        """CekDataPenduduk: compare the data the officer holds (at least one field) with SIAK's."""
        held: dict[str, Any] = {
            "no_kk": no_kk,
            "full_name": full_name,
            "sex": int(sex) if sex is not None else None,
            "birth_place": birth_place,
            "birth_date": birth_date,
            "mother_name": mother_name,
            "father_name": father_name,
        }
        values = {_convert.CHECK_ELEMENTS[name]: value for name, value in held.items() if value is not None}
        if not values:
            raise InvalidDataError(
                [DataIssue("DATA_CEK_KOSONG", "", "Isi minimal satu data selain NIK untuk dicek ke SIAK.")]
            )
        answer = await self._invoke(
            "CekDataPenduduk", {"NIK": nik, **values}, safety=Safety.READ, subject=f" nik={mask_nik(nik)}"
        )
        return self._build(_convert.check_result, answer)

    async def get_family(self, no_kk: str) -> KartuKeluarga:
        """CariKeluarga: the family on KK ``no_kk`` (SiakNotFoundError NO_KK_TIDAK_DITEMUKAN)."""
        answer = await self._invoke(
            "CariKeluarga", {"NO_KK": no_kk}, safety=Safety.READ, subject=f" no_kk={mask_nik(no_kk)}"
        )
        return self._build(_convert.family, answer)  # zeep unwraps a one-element answer (KELUARGA)

    async def get_draft(self, no_permohonan: str) -> Draft:
        """AmbilDraftKK: the request's status, family, draft KK and (once certified) signed KK."""
        answer = await self._invoke(
            "AmbilDraftKK", {"NO_PERMOHONAN": no_permohonan}, safety=Safety.READ, subject=f" {no_permohonan}"
        )
        return self._build(_convert.draft, answer)

    async def print_list(
        self,
        *,
        start: date | None = None,
        end: date | None = None,
        region: str = "",
        print_status: PrintStatus | None = None,
    ) -> list[PrintEntry]:
        """DaftarCetakKK: certified KKs by certification date (WIB, inclusive), region prefix and print status.

        ``region`` is a prefix of the ten-digit region code: ``"35"`` (province), ``"3508"``
        (regency), ``"350812"`` (district) or ``"3508122001"`` (village); empty for all.
        """
        values: dict[str, Any] = {"TGL_MULAI": start, "TGL_SELESAI": end, **_region_filter(region)}
        if print_status is not None:
            values["STATUS_CETAK"] = str(print_status)
        answer = await self._invoke("DaftarCetakKK", values, safety=Safety.READ)
        return self._build(_convert.print_entries, answer)

    # -- data entry ----------------------------------------------------------------------------------

    async def enter_family(
        self,
        client_request_id: str,
        case_type: CaseType,
        family: KartuKeluarga | None,
        no_kk: str | None = None,
        officer: str | None = None,
    ) -> EntryResult:
        """EntriDataKeluarga: enter a family for a KK application.

        ``family`` is the complete family after the application (its ``no_kk``, ``head_name`` and
        ``issued_on`` are SIAK's to set and are not sent); None for a lost KK (HILANG). ``no_kk`` names
        the existing KK the application changes. Repeating a call with the same ``client_request_id``
        and data returns the first result; the same id with other data is SiakDuplicateError.
        """
        values: dict[str, Any] = {
            "CLIENT_REQUEST_ID": client_request_id,
            "JENIS_PERMOHONAN": str(case_type),
            "NO_KK": no_kk,
            "DATA_KELUARGA": _convert.entry_data(family) if family is not None else None,
            "PETUGAS": officer,
        }
        answer = await self._invoke(
            "EntriDataKeluarga", values, safety=Safety.IDEMPOTENT, subject=f" crid={client_request_id}"
        )
        return self._build(_convert.entry_result, answer)

    # -- the signing flow ----------------------------------------------------------------------------

    async def _status_is(self, no_permohonan: str, wanted: RequestStatus) -> Answer | None:
        current = await self.get_draft(no_permohonan)
        if current.status is not wanted:
            return None
        return {"NO_PERMOHONAN": no_permohonan, "STATUS": str(wanted)}

    async def _printed_entry(self, no_permohonan: str, draft: Draft) -> PrintEntry | None:
        kk = draft.family
        region = kk.province_code + kk.regency_code + kk.district_code + kk.village_code
        for entry in await self.print_list(region=region):
            if entry.no_permohonan == no_permohonan:
                return entry
        return None

    async def request_certification(self, no_permohonan: str, *, officer: str | None = None) -> StatusChange:
        """AjukanSertifikasi: DRAFT -> DIAJUKAN (SiakStateError from any other status)."""

        async def reconcile() -> Answer | None:
            return await self._status_is(no_permohonan, RequestStatus.DIAJUKAN)

        answer = await self._invoke(
            "AjukanSertifikasi",
            {"NO_PERMOHONAN": no_permohonan, "PETUGAS": officer},
            safety=Safety.TRANSITION,
            subject=f" {no_permohonan}",
            reconcile=reconcile,
        )
        return self._build(_convert.status_change, answer)

    async def record_verification(
        self, no_permohonan: str, decision: Decision, *, verifier_id: str, reason: str | None = None
    ) -> StatusChange:
        """SimpanVerifikasi: DIAJUKAN -> DIVERIFIKASI (SETUJU) or DITOLAK (TOLAK, ``reason`` required)."""
        wanted = RequestStatus.DIVERIFIKASI if decision is Decision.SETUJU else RequestStatus.DITOLAK

        async def reconcile() -> Answer | None:
            return await self._status_is(no_permohonan, wanted)

        values = {"NO_PERMOHONAN": no_permohonan, "KEPUTUSAN": str(decision), "ALASAN": reason}
        answer = await self._invoke(
            "SimpanVerifikasi",
            {**values, "ID_VERIFIKATOR": verifier_id},
            safety=Safety.TRANSITION,
            subject=f" {no_permohonan}",
            reconcile=reconcile,
        )
        return self._build(_convert.status_change, answer)

    async def upload_signed(self, no_permohonan: str, pdf: bytes) -> SignedUpload:
        """UnggahKKTertandatangan: DIVERIFIKASI -> TERSERTIFIKASI; the KK joins the print list."""

        async def reconcile() -> Answer | None:
            current = await self.get_draft(no_permohonan)
            if current.status is not RequestStatus.TERSERTIFIKASI or current.signed_pdf != pdf:
                return None
            entry = await self._printed_entry(no_permohonan, current)
            if entry is None:
                return None
            return {
                "NO_PERMOHONAN": no_permohonan,
                "STATUS": str(current.status),
                "TGL_SERTIFIKASI": entry.certified_at,
            }

        answer = await self._invoke(
            "UnggahKKTertandatangan",
            {"NO_PERMOHONAN": no_permohonan, "KK_TERTANDATANGAN": pdf},
            safety=Safety.TRANSITION,
            subject=f" {no_permohonan}",
            reconcile=reconcile,
        )
        return self._build(_convert.signed_upload, answer)

    async def mark_printed(self, no_permohonan: str, *, reprint: bool = False, officer: str | None = None) -> PrintMark:
        """TandaiTercetak: TERSERTIFIKASI -> TERCETAK; a second print needs ``reprint=True`` (and counts)."""

        async def reconcile() -> Answer | None:
            current = await self.get_draft(no_permohonan)
            if current.status is not RequestStatus.TERCETAK:
                return None
            entry = await self._printed_entry(no_permohonan, current)
            if entry is None:
                return None
            return {"NO_PERMOHONAN": no_permohonan, "STATUS": str(current.status), "JUMLAH_CETAK": entry.print_count}

        answer = await self._invoke(
            "TandaiTercetak",
            {"NO_PERMOHONAN": no_permohonan, "CETAK_ULANG": reprint or None, "PETUGAS": officer},
            safety=Safety.UNSAFE if reprint else Safety.TRANSITION,
            subject=f" {no_permohonan}",
            reconcile=None if reprint else reconcile,
        )
        return self._build(_convert.print_mark, answer)

"""Translate what zeep and httpx raise into the siakgate exception tree (:mod:`siakgate.errors`).

SOAP faults are mapped by the ``KODE`` of the ``siak:SiakFault`` in their detail::

    NIK_TIDAK_DITEMUKAN, NO_KK_TIDAK_DITEMUKAN,
    PERMOHONAN_TIDAK_DITEMUKAN         SiakNotFoundError (code = the KODE)
    DATA_TIDAK_VALID                   SiakInvalidDataError (issues from MASALAH)
    DUPLIKAT                           SiakDuplicateError
    STATUS_TIDAK_SESUAI                SiakStateError
    TIDAK_BERWENANG                    SiakAuthError
    LAYANAN_TIDAK_TERSEDIA             ServiceUnavailableError (transient)
    any other KODE, or no SiakFault    SiakError (remote_code = the KODE or the faultcode)

Transport failures: a refused, reset or dropped connection and HTTP 429/5xx without a SOAP answer are
:class:`ServiceUnavailableError`; timeouts :class:`ServiceTimeoutError`; an answer that is not
well-formed XML, carries a DTD or entities, or does not fit the contract :class:`MalformedResponseError`.
SIAK's own PESAN is kept as the message. The original exception is always ``__cause__``; note that
zeep's ``TransportError`` for broken XML quotes the answer in its text, so never log a ``__cause__``.
"""

from __future__ import annotations

import httpx
import zeep.exceptions
from lxml import etree

from siakgate.errors import (
    DataIssue,
    MalformedResponseError,
    ServiceTimeoutError,
    ServiceUnavailableError,
    SiakAuthError,
    SiakDuplicateError,
    SiakError,
    SiakgateError,
    SiakInvalidDataError,
    SiakNotFoundError,
    SiakStateError,
)
from siakgate.siak._transport import NS

__all__ = ["translate"]

_NOT_FOUND = frozenset({"NIK_TIDAK_DITEMUKAN", "NO_KK_TIDAK_DITEMUKAN", "PERMOHONAN_TIDAK_DITEMUKAN"})
_BY_KODE: dict[str, type[SiakError]] = {
    "DUPLIKAT": SiakDuplicateError,
    "STATUS_TIDAK_SESUAI": SiakStateError,
    "TIDAK_BERWENANG": SiakAuthError,
}
_BUSY_STATUS = frozenset({429})


def _text(parent: etree._Element, name: str) -> str | None:
    value = parent.findtext(f"{{{NS}}}{name}")
    return value.strip() if value is not None else None


def _from_fault(fault: zeep.exceptions.Fault) -> SiakgateError:
    detail = fault.detail
    siak_fault = detail.find(f"{{{NS}}}SiakFault") if detail is not None else None
    if siak_fault is None:
        message = f"SIAK menolak permintaan: {fault.message or 'tanpa keterangan'}"
        return SiakError(message, remote_code=fault.code or None)
    kode = _text(siak_fault, "KODE") or ""
    pesan = _text(siak_fault, "PESAN") or fault.message or "SIAK menolak permintaan."
    masalah = [
        DataIssue(code=kode or "DATA_TIDAK_VALID", path=_text(item, "ELEMEN") or "", message=_text(item, "PESAN") or "")
        for item in siak_fault.iterfind(f"{{{NS}}}MASALAH")
    ]
    if kode == "LAYANAN_TIDAK_TERSEDIA":
        return ServiceUnavailableError(pesan)
    if kode in _NOT_FOUND:
        return SiakNotFoundError(pesan, code=kode, remote_code=kode)
    if kode == "DATA_TIDAK_VALID":
        return SiakInvalidDataError(pesan, remote_code=kode, issues=masalah)
    if masalah:  # e.g. DUPLIKAT names the element and the member at fault
        pesan = f"{pesan} ({'; '.join(issue.message for issue in masalah)})"
    return _BY_KODE.get(kode, SiakError)(pesan, remote_code=kode or None)


def _from_http_status(error: zeep.exceptions.TransportError) -> SiakgateError:
    status = error.status_code
    if status >= 500 or status in _BUSY_STATUS:
        return ServiceUnavailableError(f"Layanan SIAK sedang tidak tersedia (HTTP {status}); silakan coba lagi.")
    if status in (401, 403):
        return SiakAuthError(f"Akses ke layanan SIAK ditolak (HTTP {status}).", remote_code=f"HTTP_{status}")
    if status == 200:
        return MalformedResponseError("Jawaban SIAK bukan XML yang sah.")
    return SiakError(f"SIAK menjawab HTTP {status} tanpa jawaban SOAP.", remote_code=f"HTTP_{status}")


def translate(exc: BaseException) -> SiakgateError | None:
    """The siakgate error for ``exc``, or None when it is not a SIAK or transport failure (a bug: re-raise)."""
    if isinstance(exc, SiakgateError):
        return exc
    if isinstance(exc, zeep.exceptions.Fault):
        return _from_fault(exc)
    if isinstance(exc, zeep.exceptions.TransportError):
        return _from_http_status(exc)
    if isinstance(exc, zeep.exceptions.DTDForbidden | zeep.exceptions.EntitiesForbidden):
        return MalformedResponseError("Jawaban SIAK memuat DTD atau entitas XML; ditolak demi keamanan.")
    if isinstance(exc, zeep.exceptions.ExternalReferenceForbidden):
        return MalformedResponseError("Jawaban SIAK merujuk dokumen eksternal; ditolak demi keamanan.")
    if isinstance(
        exc, zeep.exceptions.XMLSyntaxError | zeep.exceptions.XMLParseError | zeep.exceptions.UnexpectedElementError
    ):
        return MalformedResponseError("Jawaban SIAK bukan XML yang sah.")
    if isinstance(exc, zeep.exceptions.ValidationError):
        return MalformedResponseError("Pesan SIAK tidak sesuai kontrak (WSDL/XSD).")
    if isinstance(exc, httpx.TimeoutException):
        return ServiceTimeoutError("Layanan SIAK tidak menjawab dalam batas waktu.")
    if isinstance(exc, httpx.NetworkError | httpx.RemoteProtocolError | httpx.ProxyError):
        return ServiceUnavailableError("Koneksi ke layanan SIAK gagal atau terputus; silakan coba lagi.")
    if isinstance(exc, httpx.TransportError):  # UnsupportedProtocol, LocalProtocolError: our configuration
        return SiakError(f"Alamat atau konfigurasi layanan SIAK salah ({type(exc).__name__}).", code="SIAK_KONFIGURASI")
    return None

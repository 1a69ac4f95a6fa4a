"""Translate what pyHanko, cryptography or a backend raise into siakgate's exception tree.

Why here: the engine promises a ``SignResult`` per document whatever went wrong, with a message an
officer can read (Bahasa Indonesia) and a stable code a program can branch on.

Temporary or definite. Signing at B-T and above asks a TSA for every timestamp; at B-LT and B-LTA the
signer (and each TSA) is validated with OCSP answers and CRLs fetched from BSrE's PKI. A responder that
is slow, answers 5xx, drops the connection or sends something unreadable says nothing about the
certificate: the same batch can be signed a little later. That is a :class:`ServiceUnavailableError`
(``OCSP_CRL_TIDAK_TERSEDIA`` or ``TSA_TIDAK_TERSEDIA``, "coba lagi"), never the certificate verdict
``SERTIFIKAT_TIDAK_VALID``, which stays for what pyhanko_certvalidator decided about a certificate
itself (revoked, expired, not yet valid, no trusted path). The evidence is the exception chain
(``__cause__``, ``__context__`` and the exceptions pyHanko passes as arguments):

* definite: ``RevokedError``, ``ExpiredError``, ``NotYetValidError``, ``InvalidCertificateError``,
  ``DisallowedAlgorithmError`` anywhere in the chain, whatever else failed;
* temporary: ``OCSPFetchError``, ``CRLFetchError``, ``CertificateFetchError``, pyHanko's
  ``TimestampRequestError``, aiohttp's and httpx's transport errors, ``TimeoutError``, a ``ValueError``
  raised while pyHanko reads a TSA's answer, and an ``InsufficientRevinfoError`` whose failures are
  fetch failures. pyhanko_certvalidator keeps an OCSP or CRL fetch failure only as the *text* of that
  error (its revocation check catches ``OCSPFetchError``/``CRLFetchError`` and raises
  ``InsufficientRevinfoError`` without a cause), so there the text ("Failed to fetch OCSP response
  from URL", "Failure to fetch CRL from URL URL") is the evidence, and the HTTP status is not known.

Where a temporary failure is translated, it is logged (WARNING, logger ``siakgate.signing``): the
service, the host it was asked (never the full URL), the HTTP status when known and the exception
class. Never the document, a NIK, a name or a credential.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

import aiohttp
import httpx
from pyhanko.pdf_utils.misc import PdfError, PdfReadError
from pyhanko.sign.general import SigningError as PyHankoSigningError
from pyhanko.sign.timestamps.common_utils import TimestampRequestError
from pyhanko_certvalidator.errors import (
    CertificateFetchError,
    CRLFetchError,
    DisallowedAlgorithmError,
    ExpiredError,
    InsufficientRevinfoError,
    InvalidCertificateError,
    NotYetValidError,
    OCSPFetchError,
    RevokedError,
)

from siakgate.errors import CertificateInvalidError, ServiceUnavailableError, SiakgateError, SigningError

__all__ = ["PkiOutage", "pki_outage", "translate_document_error", "translate_signer_error"]

log = logging.getLogger("siakgate.signing")

_DEFINITE = (RevokedError, ExpiredError, NotYetValidError, InvalidCertificateError, DisallowedAlgorithmError)
"""What pyhanko_certvalidator found about a certificate itself: a verdict, not an outage."""

_OCSP_FAILED = re.compile(r"Failed to fetch OCSP response from (\S+)")
_CRL_FAILED = re.compile(r"Failure to fetch CRL from URL (\S+)")
_URL = re.compile(r"https?://[^\s;,'\"<>]+")
_TSA_CODE = f"{os.sep}pyhanko{os.sep}sign{os.sep}timestamps{os.sep}"

_MESSAGES = {
    "TSA_TIDAK_TERSEDIA": (
        "Layanan cap waktu (TSA) tidak dapat dihubungi atau jawabannya tidak dapat dibaca, sehingga dokumen "
        "belum ditandatangani. Ini gangguan sementara, bukan masalah sertifikat: coba lagi beberapa saat lagi."
    ),
    "OCSP_CRL_TIDAK_TERSEDIA": (
        "Layanan pemeriksaan status sertifikat BSrE (OCSP/CRL) tidak dapat dihubungi atau jawabannya tidak dapat "
        "dibaca, sehingga dokumen belum ditandatangani. Ini gangguan sementara, bukan masalah sertifikat: coba "
        "lagi beberapa saat lagi."
    ),
}


@dataclass(frozen=True)
class PkiOutage:
    """A PKI service (OCSP, CRL, TSA, caIssuers) that did not answer usably: worth another try later."""

    service: str
    """``OCSP``, ``CRL``, ``OCSP/CRL`` (which one is not known, e.g. a bare timeout), ``TSA`` or ``AIA``."""
    host: str | None
    """``host`` or ``host:port`` of the service asked, when the chain names it."""
    status: int | None
    """The HTTP status it answered, when the chain carries it."""
    error_class: str
    """The class of the failure nearest the network (``ClientResponseError``, ``TimeoutError``, ...)."""

    @property
    def code(self) -> str:
        return "TSA_TIDAK_TERSEDIA" if self.service == "TSA" else "OCSP_CRL_TIDAK_TERSEDIA"

    def error(self) -> ServiceUnavailableError:
        return ServiceUnavailableError(_MESSAGES[self.code], code=self.code)

    def log(self) -> None:
        """One WARNING with what an operator needs to find the failing service (never a URL's path or query)."""
        log.warning(
            "pki service unavailable while signing service=%s host=%s status=%s error=%s code=%s",
            self.service,
            self.host or "-",
            self.status if self.status is not None else "-",
            self.error_class,
            self.code,
            extra={
                "pki_service": self.service,
                "pki_host": self.host,
                "http_status": self.status,
                "error_class": self.error_class,
                "code": self.code,
            },
        )


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and every exception it leads to, breadth first, each once."""
    seen: set[int] = set()
    todo = [exc]
    while todo:
        current = todo.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        linked = (current.__cause__, current.__context__, *current.args)
        todo.extend(e for e in linked if isinstance(e, BaseException))


def _host_of(url: object) -> str | None:
    try:
        parts = urlsplit(str(url))
        host, port = parts.hostname, parts.port
    except ValueError:
        return None
    if not host:
        return None
    return f"{host}:{port}" if port else host


def _raised_reading_tsa_answer(exc: BaseException) -> bool:
    """A ValueError from asn1crypto while pyHanko's TSA client parses the answer (a body that is not one)."""
    tb = exc.__traceback__
    while tb is not None:
        if _TSA_CODE in tb.tb_frame.f_code.co_filename:
            return True
        tb = tb.tb_next
    return False


def _network_detail(exc: BaseException) -> tuple[str | None, int | None] | None:
    """(host, status) of an aiohttp/httpx/timeout failure; None if ``exc`` is not one."""
    if isinstance(exc, aiohttp.ClientResponseError):  # status 0: a body refused after a good status line
        return _host_of(exc.request_info.real_url), exc.status or None
    if isinstance(exc, aiohttp.ClientConnectorError):
        return (f"{exc.host}:{exc.port}" if exc.port else exc.host), None
    if isinstance(exc, httpx.HTTPStatusError):
        return _host_of(exc.request.url), exc.response.status_code
    if isinstance(exc, httpx.RequestError):
        try:
            return _host_of(exc.request.url), None
        except RuntimeError:  # an httpx error raised without its request
            return None, None
    if isinstance(exc, aiohttp.ClientError | TimeoutError):
        return None, None
    return None


def pki_outage(exc: BaseException) -> PkiOutage | None:
    """The PKI service that failed temporarily behind ``exc``; None for anything else (see the module docstring)."""
    chain = list(_chain(exc))
    if any(isinstance(e, _DEFINITE) for e in chain):
        return None
    services: list[str] = []
    hosts: list[str] = []
    status: int | None = None
    nearest: str | None = None  # the class of the failure nearest the network
    marker: str | None = None  # the class saying which service failed
    for e in chain:
        text = str(e)
        if isinstance(e, TimestampRequestError) or (isinstance(e, ValueError) and _raised_reading_tsa_answer(e)):
            services.append("TSA")
        elif isinstance(e, OCSPFetchError):
            services.append("OCSP")
        elif isinstance(e, CRLFetchError):
            services.append("CRL")
        elif isinstance(e, CertificateFetchError):
            services.append("AIA")
        elif isinstance(e, InsufficientRevinfoError):
            ocsp, crl = _OCSP_FAILED.findall(text), _CRL_FAILED.findall(text)
            if ocsp:
                services.append("OCSP")
            if crl:
                services.append("CRL")
            if ocsp or crl:
                marker = marker or ("OCSPFetchError" if ocsp else "CRLFetchError")
                hosts += [h for h in map(_host_of, ocsp + crl) if h]
            continue
        else:
            detail = _network_detail(e)
            if detail is None:
                continue
            host, code = detail
            hosts += [host] if host else []
            status = status if status is not None else code
            nearest = type(e).__name__
            continue
        marker = marker or type(e).__name__
        hosts += [h for h in map(_host_of, _URL.findall(text)) if h]
    if not services and nearest is None:
        return None
    service = "/".join(dict.fromkeys(services)) if services else "OCSP/CRL"
    if "TSA" in services:
        service = "TSA"
    error_class = nearest or marker or type(exc).__name__
    return PkiOutage(service, hosts[0] if hosts else None, status, error_class)


def translate_document_error(exc: BaseException) -> SiakgateError:
    """The error result for ONE document that failed while being prepared or finished."""
    if isinstance(exc, SiakgateError):
        return exc
    error: SiakgateError
    outage = pki_outage(exc)
    if outage is not None:
        error = outage.error()
        outage.log()
    elif isinstance(exc, PdfReadError):
        error = SigningError(
            f"Berkas PDF rusak atau tidak dapat dibaca, sehingga tidak dapat ditandatangani ({exc}).",
            code="PDF_TIDAK_VALID",
        )
    elif isinstance(exc, PyHankoSigningError) and "could not be validated" in str(exc):
        error = CertificateInvalidError(
            "Sertifikat penanda tangan tidak dapat divalidasi (dicabut, kedaluwarsa, atau rantai sertifikat "
            "tidak tepercaya); dokumen tidak ditandatangani."
        )
    elif isinstance(exc, PyHankoSigningError | PdfError):
        error = SigningError(f"PDF tidak dapat ditandatangani: {exc}", code="PDF_TIDAK_DAPAT_DITANDATANGANI")
    else:
        error = SigningError(f"Penandatanganan dokumen gagal karena kesalahan internal ({type(exc).__name__}).")
    error.__cause__ = exc
    return error


def translate_signer_error(exc: BaseException) -> SiakgateError:
    """The error every document of the batch gets when the one authorisation failed."""
    if isinstance(exc, SiakgateError):
        return exc
    error = SigningError(f"Kunci penanda tangan gagal menandatangani ({type(exc).__name__}).")
    error.__cause__ = exc
    return error

"""Translate BSrE's answers (Esign v1, Esign v2, CSC) into siakgate's exception tree.

Why one module: the three APIs report the same refusals in three shapes, and a caller must see
the same exception for the same cause whichever API was used.

Shapes handled (see ``mock_bsre/API.md``):

* v1: HTTP 400 ``{"error": "Proses signing gagal : <reason> <code>", "status_code": 400}``
* v2: HTTP 400 ``{"error": "<reason>", "status_code": <code>}``
* CSC: ``{"error": "invalid_pin" | "invalid_otp" | "invalid_request" | ..., "error_description": ...}``
* HTTP 401 (Spring Security body) on the Esign API.

Messages are Bahasa Indonesia and quote BSrE's reason (never a request value we sent).
"""

from __future__ import annotations

import json
import re
from typing import Any

import httpx

from siakgate.errors import (
    BsreAuthError,
    BsreError,
    BsreRequestError,
    CertificateStatusError,
    MalformedResponseError,
    RemoteFaultError,
    ServiceUnavailableError,
    SignerNotRegisteredError,
    WrongPassphraseError,
)

__all__ = ["OTP_INVALID_CODE", "csc_error", "esign_error", "json_body"]

OTP_INVALID_CODE = "OTP_TIDAK_VALID"
"""``code`` of the :class:`WrongPassphraseError` raised for a wrong, used or expired OTP."""

_CODE_AT_END = re.compile(r"\s(\d{4})\s*$")
_PREFIXES = ("Proses signing gagal :", "Proses verifikasi gagal :")
_MAX_REASON = 300

# BSrE reason code -> the certificate status it stands for (None: read it from the message).
_STATUS_CODES: dict[str, str | None] = {"2021": None, "2051": None, "2052": "SUSPEND", "2053": "REVOKE"}
_STATUS_DEFAULT = {"2021": "NO_CERTIFICATE", "2051": "EXPIRED"}
_STATUS_NAMES = ("WAITING_FOR_VERIFICATION", "NO_CERTIFICATE", "NOT_REGISTERED", "EXPIRED", "RENEW", "NEW")
_REQUEST_CODES = {"4000", "4001", "4002"}


def json_body(response: httpx.Response) -> Any:
    """The JSON body, or :class:`MalformedResponseError` when the answer is not JSON."""
    try:
        return json.loads(response.content)
    except ValueError as exc:
        raise MalformedResponseError(
            f"Jawaban BSrE bukan JSON yang valid (HTTP {response.status_code}).",
        ) from exc


def _reason(text: str) -> str:
    for prefix in _PREFIXES:
        if text.startswith(prefix):
            text = text[len(prefix) :]
    return text.strip()[:_MAX_REASON]


def _status_from(remote_code: str, reason: str) -> str:
    fixed = _STATUS_CODES[remote_code]
    if fixed is not None:
        return fixed
    upper = reason.upper()
    for name in _STATUS_NAMES:
        if name in upper:
            return name
    if "DIPERBARUI" in upper:
        return "RENEW"
    return _STATUS_DEFAULT[remote_code]


def _from_code(remote_code: str | None, reason: str, http_status: int) -> RemoteFaultError:
    said = f"BSrE menolak permintaan: {reason}" if reason else "BSrE menolak permintaan."
    if remote_code == "2031":
        return WrongPassphraseError(f"Passphrase salah ({said}).", remote_code=remote_code)
    if remote_code in ("2032", "2061"):
        return WrongPassphraseError(
            f"Kode OTP tidak valid, sudah dipakai, atau kedaluwarsa ({said}).",
            code=OTP_INVALID_CODE,
            remote_code=remote_code,
        )
    if remote_code == "2011":
        return SignerNotRegisteredError(f"Penandatangan tidak terdaftar di BSrE ({said}).", remote_code=remote_code)
    if remote_code in _STATUS_CODES:
        status = _status_from(remote_code, reason)
        return CertificateStatusError(
            f"Sertifikat penandatangan tidak dapat dipakai (status {status}; {said}).",
            status=status,
            remote_code=remote_code,
        )
    if remote_code in _REQUEST_CODES or (http_status == 400 and remote_code is None):
        return BsreRequestError(f"Permintaan tidak dapat diproses BSrE ({said}).", remote_code=remote_code)
    return BsreError(said, remote_code=remote_code)


def esign_error(response: httpx.Response) -> Exception:
    """The exception for a non-2xx answer of the Esign API (v1 or v2); the caller raises it."""
    status = response.status_code
    if status == 401:
        return BsreAuthError(
            "Aplikasi ditolak BSrE (HTTP 401): periksa kredensial HTTP Basic aplikasi atau status aktifnya.",
            remote_code="401",
        )
    try:
        body = json.loads(response.content)
    except ValueError:
        body = None
    if not isinstance(body, dict) or not isinstance(body.get("error"), str):
        if status >= 500:
            return ServiceUnavailableError(f"Layanan BSrE sedang bermasalah (HTTP {status}).")
        return MalformedResponseError(f"Jawaban galat BSrE tidak dapat dibaca (HTTP {status}).")
    text: str = body["error"]
    reason = _reason(text)
    remote_code: str | None = None
    found = _CODE_AT_END.search(reason)
    if found:  # v1: the code ends the text
        remote_code = found.group(1)
        reason = reason[: found.start()].strip()
    elif isinstance(body.get("status_code"), int) and body["status_code"] != status:  # v2: code beside
        remote_code = str(body["status_code"])
    if status >= 500:
        # e.g. 500 "... Gagal terhubung ke server BSrE ... 5000": the Esign Client could not reach BSrE.
        return ServiceUnavailableError(f"Layanan BSrE sedang bermasalah (HTTP {status}): {reason}")
    if status == 404:
        already = "didownload" in reason.lower()
        return BsreRequestError(
            f"Dokumen tidak tersedia di BSrE: {reason}",
            code="DOKUMEN_SUDAH_DIUNDUH" if already else "DOKUMEN_TIDAK_DITEMUKAN",
            remote_code=remote_code or "404",
        )
    return _from_code(remote_code, reason, status)


_CSC_PIN = {"invalid_pin"}
_CSC_OTP = {"invalid_otp"}
_CSC_AUTH = {"invalid_token", "invalid_grant", "invalid_client", "access_denied"}


def csc_error(response: httpx.Response) -> Exception:
    """The exception for a non-2xx answer of the CSC API; the caller raises it."""
    status = response.status_code
    try:
        body = json.loads(response.content)
    except ValueError:
        body = None
    if not isinstance(body, dict) or not isinstance(body.get("error"), str):
        if status >= 500:
            return ServiceUnavailableError(f"Layanan tanda tangan BSrE (CSC) sedang bermasalah (HTTP {status}).")
        if status == 401:
            return BsreAuthError("Aplikasi ditolak layanan CSC BSrE (HTTP 401).", remote_code="401")
        return MalformedResponseError(f"Jawaban galat layanan CSC BSrE tidak dapat dibaca (HTTP {status}).")
    error: str = body["error"]
    description = str(body.get("error_description") or "")[:_MAX_REASON]
    said = f"{error}: {description}" if description else error
    if status >= 500:
        return ServiceUnavailableError(f"Layanan tanda tangan BSrE (CSC) sedang bermasalah ({said}).")
    if error in _CSC_AUTH or status == 401:
        return BsreAuthError(f"Aplikasi ditolak layanan CSC BSrE ({said}).", remote_code=error)
    if error in _CSC_PIN:
        return WrongPassphraseError(f"Passphrase salah ({said}).", remote_code=error)
    if error in _CSC_OTP:
        return WrongPassphraseError(
            f"Kode OTP tidak valid, sudah dipakai, atau kedaluwarsa ({said}).", code=OTP_INVALID_CODE, remote_code=error
        )
    if "disabled" in description.lower():
        return CertificateStatusError(
            f"Kunci penandatangan dinonaktifkan BSrE ({said}).", status="KEY_DISABLED", remote_code=error
        )
    return BsreRequestError(f"Permintaan ditolak layanan CSC BSrE ({said}).", remote_code=error)

"""Translate BSrE's answers (Esign v1, Esign v2, CSC) into siakgate's exception tree.

Why one module: the three APIs report the same refusals in three shapes, and a caller must see
the same exception for the same cause whichever API was used.

Shapes handled (see ``mock_bsre/API.md``):

* v1: HTTP 400 ``{"error": "Proses signing gagal : <reason> <code>", "status_code": 400}``, or the code in
  ``status_code`` (``{"error": "Passphrase anda salah", "status_code": 2031}``, what dptsi/laravel-esign-bsre's
  ``isWrongPassphrase()`` reads): the same exception either way
* v2: HTTP 400 ``{"error": "<reason>", "status_code": <code>}`` (``message`` in place of ``error`` is read too)
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
    TransientError,
    WrongPassphraseError,
)

__all__ = ["OTP_INVALID_CODE", "csc_error", "esign_code", "esign_error", "json_body"]

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


def _esign_text(body: Any) -> str | None:
    """The refusal text of an Esign error body: ``error``, else ``message`` (both occur in the field)."""
    if not isinstance(body, dict):
        return None
    for key in ("error", "message"):
        if isinstance(body.get(key), str):
            text: str = body[key]
            return text
    return None


def esign_code(value: Any) -> str | None:
    """``status_code`` when it is one of BSrE's four-digit reason codes (not an HTTP status echoed)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        value = str(value)
    if isinstance(value, str) and len(value.strip()) == 4 and value.strip().isdigit():
        return value.strip()
    return None


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
    text = _esign_text(body)
    if text is None:
        if status >= 500:
            return ServiceUnavailableError(f"Layanan BSrE sedang bermasalah (HTTP {status}).")
        return MalformedResponseError(f"Jawaban galat BSrE tidak dapat dibaca (HTTP {status}).")
    assert isinstance(body, dict)
    reason = _reason(text)
    remote_code: str | None = None
    found = _CODE_AT_END.search(reason)
    if found:  # v1 as integrators quote it: the code ends the text
        remote_code = found.group(1)
        reason = reason[: found.start()].strip()
    else:  # v2, and v1 as a Laravel client reads it (isWrongPassphrase): the code in status_code
        remote_code = esign_code(body.get("status_code"))
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
_CSC_AUTH_DATA = {"invalid_authentication_data"}  # CSC 2.1+: PIN and OTP travel together in authData
_CSC_AUTH = {"invalid_token", "invalid_grant", "invalid_client", "access_denied"}
_CSC_SAD_EXPIRED_CODE = "OTORISASI_KEDALUWARSA"
"""``code`` of the :class:`TransientError` for an expired SAD (CSC ``invalid_request`` "SAD expired")."""
_CSC_SAD_SPENT_CODE = "OTORISASI_TIDAK_BERLAKU"
"""``code`` for a SAD BSrE no longer knows: every authorised signature made, or never issued
(CSC ``invalid_request`` "Invalid parameter SAD")."""
_CSC_LOCKED_CODE = "KREDENSIAL_TERKUNCI"
_CSC_AGAIN = (
    "BSrE tidak menandatangani hash-nya, dan tidak ada dokumen yang ditandatangani. Ini bukan kesalahan "
    "passphrase: tanda tangani batch ini sekali lagi (dengan kode OTP baru bila memakai OTP)."
)


def _csc_description(description: str) -> str:
    return " ".join(description.lower().rstrip(". ").split())


def csc_error(response: httpx.Response) -> Exception:
    """The exception for a non-2xx answer of the CSC API; the caller raises it.

    The standard's refusals (CSC API v2.0.0.2 error tables) in words, each with a stable ``code``; the
    CSC ``error`` and its English ``error_description`` follow in parentheses, for diagnosis only:

    * ``invalid_pin`` "The PIN is invalid" → :class:`WrongPassphraseError` ``PASSPHRASE_SALAH``;
    * ``invalid_otp`` "The OTP is invalid" → :class:`WrongPassphraseError` ``OTP_TIDAK_VALID``;
    * ``invalid_request`` "SAD expired" → :class:`TransientError` ``OTORISASI_KEDALUWARSA`` and
      "Invalid parameter SAD" (spent or unknown) → ``OTORISASI_TIDAK_BERLAKU``: a new authorisation
      (signing the batch again) is all it takes, so they are temporary, not a rejection;
    * "... locked" (too many wrong PINs or OTPs) → :class:`WrongPassphraseError` ``KREDENSIAL_TERKUNCI``.
    """
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
    said = f"CSC {error}: {description}" if description else f"CSC {error}"
    plain = _csc_description(description)
    if status >= 500:
        return ServiceUnavailableError(f"Layanan tanda tangan BSrE (CSC) sedang bermasalah ({said}).")
    if error in _CSC_AUTH or status == 401:
        return BsreAuthError(f"Aplikasi ditolak layanan CSC BSrE ({said}).", remote_code=error)
    if "locked" in plain:
        return WrongPassphraseError(
            "Kredensial penandatangan dikunci BSrE setelah passphrase atau OTP salah berulang kali; tidak ada "
            f"dokumen yang ditandatangani. Hubungi admin BSrE untuk membukanya ({said}).",
            code=_CSC_LOCKED_CODE,
            remote_code=error,
        )
    if error in _CSC_PIN:
        return WrongPassphraseError(
            "Passphrase penandatangan salah: BSrE menolak otorisasi tanda tangan dan tidak ada dokumen yang "
            f"ditandatangani. Periksa passphrase lalu coba lagi ({said}).",
            remote_code=error,
        )
    if error in _CSC_OTP:
        return WrongPassphraseError(
            "Kode OTP tidak valid, sudah dipakai, atau kedaluwarsa: BSrE menolak otorisasi tanda tangan dan tidak "
            f"ada dokumen yang ditandatangani. Minta kode OTP baru lalu coba lagi ({said}).",
            code=OTP_INVALID_CODE,
            remote_code=error,
        )
    if error in _CSC_AUTH_DATA:
        return WrongPassphraseError(
            "Passphrase atau kode OTP penandatangan ditolak BSrE; tidak ada dokumen yang ditandatangani. "
            f"Periksa lalu coba lagi ({said}).",
            remote_code=error,
        )
    if "sad" in plain.split() and "expired" in plain:
        return TransientError(
            f"Otorisasi tanda tangan dari BSrE (SAD) sudah kedaluwarsa sebelum dipakai. {_CSC_AGAIN} ({said})",
            code=_CSC_SAD_EXPIRED_CODE,
        )
    if plain == "invalid parameter sad":
        return TransientError(
            "Otorisasi tanda tangan dari BSrE (SAD) tidak berlaku lagi: sudah terpakai untuk semua tanda tangan "
            f"yang diotorisasi, atau tidak dikenal BSrE. {_CSC_AGAIN} ({said})",
            code=_CSC_SAD_SPENT_CODE,
        )
    if "disabled" in plain:
        return CertificateStatusError(
            f"Kunci penandatangan dinonaktifkan BSrE ({said}).", status="KEY_DISABLED", remote_code=error
        )
    return BsreRequestError(f"Permintaan ditolak layanan CSC BSrE ({said}).", remote_code=error)

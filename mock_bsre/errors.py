"""Errors of mock BSrE and the bodies the real service answers them with.

Domain code raises :class:`Refused` (a BSrE reason code and message, protocol-neutral); the v1
and v2
routers turn it into the body shape of their API version. :class:`ApiError` carries a ready body and
status; :class:`CscError` follows the CSC API's ``{"error", "error_description"}`` shape.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

# Reason codes. 2011 and 2031 are the real service's; the others are chosen (see API.md).
NOT_REGISTERED = 2011
NO_CERTIFICATE = 2021
WRONG_PASSPHRASE = 2031
INVALID_TOTP = 2032
CERT_EXPIRED = 2051
CERT_SUSPENDED = 2052
CERT_REVOKED = 2053
BAD_REQUEST = 4000
BAD_PDF = 4001
BAD_TAG = 4002
SEAL_NOT_ACTIVE = 2061


class Refused(Exception):
    """A signing or OTP request the service refuses, with its BSrE reason code."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class ApiError(Exception):
    """An answer with a fixed status and JSON body."""

    def __init__(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None):
        super().__init__(str(body))
        self.status = status
        self.body = body
        self.headers = headers or {}


class CscError(Exception):
    """A CSC API error: ``{"error": ..., "error_description": ...}``."""

    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.error = error
        self.description = description


def v1_error(refused: Refused, shape: str = "text", action: str = "signing") -> ApiError:
    """A v1 refusal, always HTTP 400, in one of the two body shapes integrators rely on.

    The guide shows no v1 error body (printed p.7-15 show only the signed PDF), so both field shapes are
    offered (``BsreMockConfig.v1_error_shape``):

    - ``text``: ``{"error": "Proses <action> gagal : <reason> <code>", "status_code": 400}``: the code at the
      end of the text, ``status_code`` the HTTP status (S3/S4 in API.md);
    - ``status-code``: ``{"error": "<reason>", "status_code": <code>}``: the code in ``status_code``, as the
      Laravel client's ``isWrongPassphrase()`` compares ``status_code == 2031`` (S6/S7).
    """
    if shape == "status-code":
        return ApiError(400, {"error": refused.message, "status_code": refused.code})
    text = f"Proses {action} gagal : {refused.message} {refused.code}".rstrip()
    return ApiError(400, {"error": text, "status_code": 400})


def v1_sign_error(refused: Refused, shape: str = "text") -> ApiError:
    """A refused v1 signing request (``POST /api/sign/pdf``) in the configured shape."""
    return v1_error(refused, shape, "signing")


def v2_error(refused: Refused, status: int = 400) -> ApiError:
    """v2 shape: ``{"error": "<reason>", "status_code": <code>}`` (as reported by integrators)."""
    return ApiError(status, {"error": refused.message, "status_code": refused.code})


def unauthorized(path: str) -> ApiError:
    """The Esign Client Service is a Spring application; this is Spring Security's 401 body."""
    body = {
        "timestamp": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "status": 401,
        "error": "Unauthorized",
        "message": "Unauthorized",
        "path": path,
    }
    return ApiError(401, body, {"WWW-Authenticate": 'Basic realm="Realm"'})


def fault_body() -> dict[str, Any]:
    """What the fault injector answers for a protocol fault: a BSrE-shaped server-side failure."""
    return {
        "error": "Proses signing gagal : Gagal terhubung ke server BSrE (simulasi gangguan) 5000",
        "status_code": 500,
    }


async def api_error_handler(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return JSONResponse(exc.body, status_code=exc.status, headers=exc.headers)


async def csc_error_handler(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, CscError)
    return JSONResponse({"error": exc.error, "error_description": exc.description}, status_code=exc.status)

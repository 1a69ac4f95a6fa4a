"""RFC 9457 problem details: every error the API answers, in one shape.

::

    HTTP/1.1 409 Conflict
    Content-Type: application/problem+json

    {"type": "https://siakgate.dev/problems/tindakan-tidak-diizinkan", "title": "Tindakan tidak diizinkan",
     "status": 409, "detail": "...", "code": "TINDAKAN_TIDAK_DIIZINKAN",
     "instance": "/v1/applications/…/actions/approve", "request_id": "…",
     "errors": [{"path": "members[0].nik", "code": "NIK_TIDAK_VALID", "message": "…"}]}

Why handlers and not ``HTTPException``: the workflow raises siakgate's own errors (:mod:`siakgate.errors`)
wherever it decides to refuse; translating them here, once, keeps HTTP out of the domain and gives every
refusal the same shape, a stable ``code`` (``type`` is derived from it) and a message in Bahasa Indonesia.

Status mapping: the one place where an error becomes an HTTP status (the error classes carry none).
The most specific class listed wins (an error's own class first, then its bases):

==============================================  ======  =====================================================
error                                           status  why
==============================================  ======  =====================================================
UnauthenticatedError, SignInRefused,            401     with ``WWW-Authenticate: Bearer``
NotSignedInError
ForbiddenError, CsrfRefusedError                403     the caller's role or region does not allow this
NationalAdminRequiredError                      403     a gateway-wide operation asked by a regional ADMIN
DocumentRoleError                               403     a document the caller's roles may not read
NotFoundError                                   404     no such application, document, batch (or not visible)
ActionNotAllowedError                           409     not in this state, or not this role's step
IdempotencyConflictError, DocumentRejectedError 422     the request cannot be used as sent
TokenError, AccountError, DeskInputError        422     nothing was written
ProfileError                                    500     a profile that does not make sense (a deployment bug)
WorkflowError (any other)                       400
InvalidDataError, SiakInvalidDataError          422     the data, with every issue in ``errors``
WrongPassphraseError                            422     the signer typed a wrong secret: ask again
VerificationError                               422     the upload is not a (signed) PDF
SiakNotFoundError                               404     SIAK does not know the NIK / No. KK
CertificateStatusError, SignerNotRegistered     409     BSrE will not let this signer sign now
CertificateInvalidError                         409     validation decided against the signer's certificate
OutsideJurisdictionError                        403     the KK is of a regency this signer may not sign for
TransientError                                  503     with ``Retry-After``: SIAK or BSrE may answer later
TooManyRequestsError                            429     with ``Retry-After``: the client address is over a limit
SiakError, BsreError, SignedDocumentRejected    502     the upstream refused or answered wrongly
any other SiakgateError                         500     (signing configuration, archive, demo)
request validation (FastAPI)                    422     ``PERMINTAAN_TIDAK_VALID`` with the fields in ``errors``
unknown route / method                          404/405
anything else                                   500     ``KESALAHAN_INTERNAL``, no detail leaked
==============================================  ======  =====================================================

Problem bodies never quote the request: a validation error names the field, never its value (a NIK), and an
unknown key is reported at the object that holds it, never by its name (a NIK sent as a key). Text refused by
:mod:`siakgate.domain.text` is ``TEKS_TIDAK_VALID``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from siakgate.api.context import current_request_id
from siakgate.errors import (
    AccountError,
    ActionNotAllowedError,
    BsreError,
    CertificateInvalidError,
    CertificateStatusError,
    CsrfRefusedError,
    DataIssue,
    DeskInputError,
    DocumentRejectedError,
    ForbiddenError,
    IdempotencyConflictError,
    InvalidDataError,
    NotFoundError,
    NotSignedInError,
    OutsideJurisdictionError,
    ProfileError,
    SiakError,
    SiakgateError,
    SiakInvalidDataError,
    SiakNotFoundError,
    SignedDocumentRejectedError,
    SignerNotRegisteredError,
    SignInRefused,
    TokenError,
    TooManyRequestsError,
    TransientError,
    UnauthenticatedError,
    VerificationError,
    WorkflowError,
    WrongPassphraseError,
)
from siakgate.store.documents import DOCUMENT_CORRUPT

__all__ = [
    "PROBLEM_BASE",
    "PROBLEM_MEDIA_TYPE",
    "Problem",
    "ProblemItem",
    "install_problem_handlers",
    "internal_error",
    "problem",
    "status_of",
]

log = logging.getLogger("siakgate.api")

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_BASE = "https://siakgate.dev/problems/"
RETRY_AFTER_SECONDS = 5

_TITLES = {
    400: "Permintaan tidak dapat diproses",
    401: "Tidak terautentikasi",
    403: "Akses ditolak",
    404: "Tidak ditemukan",
    405: "Metode tidak diizinkan",
    409: "Tindakan tidak diizinkan pada status ini",
    413: "Berkas terlalu besar",
    415: "Jenis berkas tidak diterima",
    422: "Data tidak valid",
    429: "Terlalu banyak permintaan",
    500: "Kesalahan internal",
    502: "Layanan hulu menolak atau menjawab salah",
    503: "Layanan sementara tidak tersedia",
}


class ProblemItem(BaseModel):
    """One reason a request was refused: where (``path``), a stable ``code``, and a message for people."""

    path: str
    code: str
    message: str


class Problem(BaseModel):
    """An RFC 9457 problem document (``application/problem+json``)."""

    type: str = Field(description="A stable URI naming the kind of problem (derived from `code`).")
    title: str
    status: int
    detail: str = Field(description="What went wrong, in Bahasa Indonesia.")
    code: str = Field(description="A stable code for programs, e.g. TIDAK_DITEMUKAN.")
    instance: str = Field(description="The request path.")
    request_id: str | None = None
    errors: list[ProblemItem] | None = None


PROBLEM_RESPONSE = "default"
PROBLEM_DOC: dict[str, Any] = {
    "model": Problem,
    "description": "Masalah (RFC 9457, application/problem+json), dengan status apa pun.",
    "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
}
"""The ``default`` response of every operation (``FastAPI(responses=...)``): what the problem handlers send."""


def problem(
    request: Request,
    status: int,
    code: str,
    detail: str,
    *,
    errors: Iterable[ProblemItem] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """Build the problem response for ``request`` (also usable by routes and middleware)."""
    body = Problem(
        type=PROBLEM_BASE + code.lower().replace("_", "-"),
        title=_TITLES.get(status, "Permintaan ditolak"),
        status=status,
        detail=detail,
        code=code,
        instance=request.url.path,
        request_id=current_request_id(),
        errors=list(errors) if errors is not None else None,
    )
    return JSONResponse(
        body.model_dump(exclude_none=True), status_code=status, headers=headers, media_type=PROBLEM_MEDIA_TYPE
    )


def _items(issues: Sequence[DataIssue]) -> list[ProblemItem] | None:
    return [ProblemItem(path=i.path, code=i.code, message=i.message) for i in issues] or None


_STATUS: dict[type[SiakgateError], int] = {
    UnauthenticatedError: 401,
    SignInRefused: 401,
    NotSignedInError: 401,
    ForbiddenError: 403,
    CsrfRefusedError: 403,
    NotFoundError: 404,
    ActionNotAllowedError: 409,
    IdempotencyConflictError: 422,
    DocumentRejectedError: 422,
    TokenError: 422,
    AccountError: 422,
    DeskInputError: 422,
    ProfileError: 500,
    WorkflowError: 400,
    InvalidDataError: 422,
    SiakInvalidDataError: 422,
    WrongPassphraseError: 422,
    VerificationError: 422,
    SiakNotFoundError: 404,
    CertificateStatusError: 409,
    CertificateInvalidError: 409,
    SignerNotRegisteredError: 409,
    OutsideJurisdictionError: 403,
    TransientError: 503,
    TooManyRequestsError: 429,
    SiakError: 502,
    BsreError: 502,
    SignedDocumentRejectedError: 502,
}
"""Each branch of :mod:`siakgate.errors` the API answers with something other than 500 (the module's table)."""


def status_of(error: SiakgateError) -> int:
    """The HTTP status for one of siakgate's errors: its own class's, else its nearest listed base's."""
    for cls in type(error).__mro__:
        status = _STATUS.get(cls)
        if status is not None:
            return status
    return 500


async def _siakgate_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, SiakgateError)
    status = status_of(exc)
    issues: Sequence[DataIssue] = getattr(exc, "issues", ())
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)} if isinstance(exc, TransientError) else None
    if status == 401:
        headers = {"WWW-Authenticate": 'Bearer realm="siakgate"'}
    if isinstance(exc, TooManyRequestsError):
        headers = {"Retry-After": str(exc.retry_after)}
    if status >= 500:
        log.warning("request refused by %s: %s", type(exc).__name__, exc.code)
    # A 500's own words stay in the log unless they are meant for the caller: workflow errors and a stored
    # document that is corrupt with no good archive copy (the admin must restore it; the message says how).
    said = status != 500 or isinstance(exc, WorkflowError) or exc.code == DOCUMENT_CORRUPT
    detail = exc.message if said else "Terjadi kesalahan di gateway."
    return problem(request, status, exc.code, detail, errors=_items(issues), headers=headers)


def _location(loc: Sequence[Any]) -> str:
    """``("body", "members", 0, "nik")`` -> ``members[0].nik`` (``body``/``query``/... kept for non-body)."""
    parts = list(loc[1:]) if loc and loc[0] == "body" else list(loc)
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "body"


_VALIDATION_MESSAGES = {
    "missing": "wajib diisi",
    "extra_forbidden": "tidak dikenal",
    "json_invalid": "bukan JSON yang sah",
    "string_type": "harus berupa teks",
    "int_parsing": "harus berupa bilangan bulat",
    "enum": "nilai tidak dikenal",
    "literal_error": "nilai tidak dikenal",
    "string_too_short": "terlalu pendek",
    "string_too_long": "terlalu panjang",
    "too_short": "terlalu pendek",
    "too_long": "terlalu panjang",
    "teks_tidak_valid": "memuat karakter yang tidak diizinkan",
    "string_pattern_mismatch": "formatnya tidak sesuai",
    "list_type": "harus berupa daftar",
    "model_attributes_type": "harus berupa objek",
    "dict_type": "harus berupa objek",
    "date_from_datetime_parsing": "harus berupa tanggal (YYYY-MM-DD)",
    "date_parsing": "harus berupa tanggal (YYYY-MM-DD)",
    "date_out_of_range": "tanggal di luar rentang 2000-01-01 s.d. 2099-12-31",
    "greater_than_equal": "terlalu kecil",
    "less_than_equal": "terlalu besar",
}


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    items = []
    for error in exc.errors():
        kind = str(error.get("type", "value_error"))
        # Never echo error["input"] or pydantic's message, which may quote it: the input can be a NIK.
        message = _VALIDATION_MESSAGES.get(kind, "nilai tidak valid")
        loc = tuple(error.get("loc", ()))
        if kind == "extra_forbidden":
            loc = loc[:-1]  # the unknown key is the client's data (it may be a NIK): name only where it sits
        items.append(ProblemItem(path=_location(loc), code=kind.upper(), message=message))
    detail = f"Permintaan tidak valid ({len(items)} masalah): " + "; ".join(f"{i.path} {i.message}" for i in items)
    return problem(request, 422, "PERMINTAAN_TIDAK_VALID", detail, errors=items)


_HTTP_CODES = {
    401: ("TIDAK_TERAUTENTIKASI", "Token API diperlukan."),
    404: ("ALAMAT_TIDAK_DITEMUKAN", "Alamat tidak ditemukan."),
    405: ("METODE_TIDAK_DIIZINKAN", "Metode HTTP ini tidak tersedia untuk alamat ini."),
    413: ("BERKAS_TERLALU_BESAR", "Berkas terlalu besar."),
    415: ("JENIS_BERKAS_DITOLAK", "Jenis berkas tidak diterima."),
}


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code, detail = _HTTP_CODES.get(exc.status_code, ("PERMINTAAN_DITOLAK", "Permintaan ditolak."))
    return problem(request, exc.status_code, code, detail, headers=dict(exc.headers or {}))


def internal_error(request: Request) -> JSONResponse:
    """The answer to a bug: no detail leaked (the request log line and the traceback say what happened)."""
    return problem(request, 500, "KESALAHAN_INTERNAL", "Terjadi kesalahan di gateway; coba lagi atau hubungi admin.")


def install_problem_handlers(app: FastAPI) -> None:
    """Register the handlers on ``app``: siakgate's errors, validation and HTTP errors.

    Anything else (a bug) is answered by :class:`siakgate.api.observability.RequestLogMiddleware` with
    :func:`internal_error`, so it is logged once, as JSON, and never re-raised into the server's own logs.
    """
    app.add_exception_handler(SiakgateError, _siakgate_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)

"""The exception tree of siakgate: every error the library raises on purpose derives from one root.

::

    SiakgateError
    ├── InvalidDataError              data that SIAK would refuse (see siakgate.domain)
    ├── TransientError                worth retrying: the other side may answer next time
    │   ├── ServiceUnavailableError   connection refused or dropped, HTTP 429/502/503/504, SOAP LAYANAN_TIDAK_TERSEDIA
    │   ├── ServiceTimeoutError       no answer in time
    │   └── MalformedResponseError    an answer that is not the protocol (broken XML or JSON)
    ├── SiakError                     SIAK refused the call (a SOAP fault with a stable KODE)
    │   ├── SiakNotFoundError         NIK_TIDAK_DITEMUKAN, NO_KK_TIDAK_DITEMUKAN, PERMOHONAN_TIDAK_DITEMUKAN
    │   ├── SiakInvalidDataError      DATA_TIDAK_VALID (with the issues SIAK listed)
    │   ├── SiakDuplicateError        DUPLIKAT
    │   ├── SiakStateError            STATUS_TIDAK_SESUAI
    │   └── SiakAuthError             TIDAK_BERWENANG
    ├── WrongPassphraseError          the signer's passphrase, PIN or OTP was refused, whoever checked it:
    │                                 BSrE (2031, a wrong or used OTP), a PKCS#12 file, a PKCS#11 token
    ├── BsreError                     BSrE refused the call (an Esign or CSC error body)
    │   ├── BsreAuthError             the calling application's credentials (HTTP 401)
    │   ├── SignerNotRegisteredError  2011 / NOT_REGISTERED
    │   ├── CertificateStatusError    the signer may not sign: EXPIRED, REVOKE, SUSPEND, NEW, ...
    │   └── BsreRequestError          a request BSrE could not use (bad PDF, bad tag, bad parameter)
    ├── SigningError                  a PDF could not be signed locally (key, token, PDF)
    │   └── SignedDocumentRejectedError  a PDF returned by the Esign Client failed our validation
    ├── VerificationError             a file that cannot be read as a signed PDF
    └── WorkflowError                 the gateway refused a request about an application
        ├── ProfileError              a service profile that does not make sense (refused at start-up)
        ├── NotFoundError             no such application, document, batch (or not visible to the caller)
        ├── ForbiddenError            the caller's role or region does not allow this
        ├── ActionNotAllowedError     not in this state, or not this role's step
        ├── IdempotencyConflictError  an Idempotency-Key reused with a different request
        └── DocumentRejectedError     an upload too large or of a type not accepted

Retry (tenacity) only ``TransientError``. Errors translated from a library keep the original as
``__cause__`` (``raise ... from exc``). A caller can catch ``SiakgateError`` for everything, or one
branch for what it knows how to handle. Each
error carries a stable ``code`` (for programs) and a ``message`` in Bahasa Indonesia (for people).
``siakgate.domain.issues`` draws the domain's subclasses of ``InvalidDataError``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


class SiakgateError(Exception):
    """Root of every error siakgate raises on purpose."""

    code: str = "SIAKGATE_ERROR"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code

    def __str__(self) -> str:
        return f"[{self.code}] {self.message}"


@dataclass(frozen=True, slots=True)
class DataIssue:
    """One reason why data was refused.

    ``code`` is stable (programs branch on it), ``path`` says where (``members[2].nik``, or a SIAK
    element path such as ``ANGGOTA[2].NIK``), ``message`` is Bahasa Indonesia for the officer.
    Messages never quote a NIK or a name, so an issue may be logged as it is.
    """

    code: str
    path: str
    message: str


class InvalidDataError(SiakgateError):
    """Data that SIAK would refuse.

    Carries *every* issue found, not just the first, so an officer fixes a file in one go.
    """

    code = "DATA_TIDAK_VALID"

    def __init__(self, issues: Iterable[DataIssue], message: str | None = None, *, code: str | None = None) -> None:
        self.issues: tuple[DataIssue, ...] = tuple(issues)
        if message is None:
            details = "; ".join(issue.message for issue in self.issues)
            message = f"Data tidak valid ({len(self.issues)} masalah): {details}"
        super().__init__(message, code=code)

    def __reduce__(self) -> tuple[object, ...]:
        # Exceptions pickle through their args; ours are built from issues, not from a message.
        return (type(self), (self.issues, self.message), {"code": self.code})

    @property
    def issue_codes(self) -> list[str]:
        """The issues' codes in the order found (handy for callers and tests)."""
        return [issue.code for issue in self.issues]


class TransientError(SiakgateError):
    """The call may succeed if repeated: the only branch that retries apply to."""

    code = "LAYANAN_SEMENTARA_GAGAL"


class ServiceUnavailableError(TransientError):
    code = "LAYANAN_TIDAK_TERSEDIA"


class ServiceTimeoutError(TransientError):
    code = "WAKTU_HABIS"


class MalformedResponseError(TransientError):
    code = "JAWABAN_TIDAK_VALID"


class RemoteFaultError(SiakgateError):
    """A refusal by a remote service, with the remote's own code (``remote_code``) kept for diagnosis."""

    def __init__(self, message: str, *, code: str | None = None, remote_code: str | None = None) -> None:
        super().__init__(message, code=code)
        self.remote_code = remote_code


class SiakError(RemoteFaultError):
    code = "SIAK_MENOLAK"


class SiakNotFoundError(SiakError):
    code = "SIAK_TIDAK_DITEMUKAN"


class SiakInvalidDataError(SiakError):
    """SIAK refused the data; ``issues`` lists what SIAK named (element and message)."""

    code = "SIAK_DATA_TIDAK_VALID"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        remote_code: str | None = None,
        issues: Iterable[DataIssue] = (),
    ) -> None:
        super().__init__(message, code=code, remote_code=remote_code)
        self.issues: tuple[DataIssue, ...] = tuple(issues)


class SiakDuplicateError(SiakError):
    code = "SIAK_DUPLIKAT"


class SiakStateError(SiakError):
    code = "SIAK_STATUS_TIDAK_SESUAI"


class SiakAuthError(SiakError):
    code = "SIAK_TIDAK_BERWENANG"


class WrongPassphraseError(RemoteFaultError):
    """The signer's secret was refused. One class for every backend, so a caller (the workstation) tells the
    Kepala Dinas "passphrase salah" the same way whichever key holder said no; ``code`` says which secret
    (PASSPHRASE_SALAH, PIN_SALAH, OTP_TIDAK_VALID, ...) and ``remote_code`` keeps BSrE's own code."""

    code = "PASSPHRASE_SALAH"


class BsreError(RemoteFaultError):
    code = "BSRE_MENOLAK"


class BsreAuthError(BsreError):
    code = "BSRE_TIDAK_BERWENANG"


class SignerNotRegisteredError(BsreError):
    code = "PENANDATANGAN_TIDAK_TERDAFTAR"


class CertificateStatusError(BsreError):
    """The signer's certificate may not sign; ``status`` is BSrE's status name (EXPIRED, REVOKE, ...)."""

    code = "SERTIFIKAT_TIDAK_AKTIF"

    def __init__(self, message: str, *, status: str, code: str | None = None, remote_code: str | None = None) -> None:
        super().__init__(message, code=code, remote_code=remote_code)
        self.status = status


class BsreRequestError(BsreError):
    code = "PERMINTAAN_BSRE_TIDAK_VALID"


class SigningError(SiakgateError):
    code = "PENANDATANGANAN_GAGAL"


class SignedDocumentRejectedError(SigningError):
    code = "DOKUMEN_BERTANDA_TANGAN_DITOLAK"


class VerificationError(SiakgateError):
    code = "BUKAN_PDF_BERTANDA_TANGAN"


class WorkflowError(SiakgateError):
    """The gateway refused a request about an application; ``status`` is the HTTP status the API answers."""

    code = "PERMINTAAN_DITOLAK"
    status = 400


class ProfileError(WorkflowError):
    code = "PROFIL_LAYANAN_TIDAK_VALID"
    status = 500


class NotFoundError(WorkflowError):
    code = "TIDAK_DITEMUKAN"
    status = 404


class ForbiddenError(WorkflowError):
    code = "AKSES_DITOLAK"
    status = 403


class ActionNotAllowedError(WorkflowError):
    code = "TINDAKAN_TIDAK_DIIZINKAN"
    status = 409


class IdempotencyConflictError(WorkflowError):
    code = "IDEMPOTENCY_KEY_BENTROK"
    status = 422


class DocumentRejectedError(WorkflowError):
    code = "DOKUMEN_DITOLAK"
    status = 422

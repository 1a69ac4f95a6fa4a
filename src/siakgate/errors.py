"""The exception tree of siakgate: every error the library raises on purpose derives from one root.

::

    SiakgateError
    ├── InvalidDataError              data that SIAK would refuse (see siakgate.domain)
    │   ├── UnknownCodeError          KODE_TIDAK_DIKENAL: a code or label not in codes.json
    │   ├── InvalidNikError           NIK_TIDAK_VALID: a NIK that cannot be parsed
    │   ├── InvalidNoKkError          NO_KK_TIDAK_VALID: a No. KK that cannot be parsed
    │   ├── InvalidFamilyError        KK_TIDAK_VALID: a Kartu Keluarga SIAK would refuse
    │   └── UnknownRequirementError   PERSYARATAN_TIDAK_DIKENAL: a requirement not in the catalogue
    ├── TransientError                worth retrying: the other side may answer next time
    │   ├── ServiceUnavailableError   connection refused or dropped, HTTP 429/502/503/504, SOAP LAYANAN_TIDAK_TERSEDIA;
    │   │                             BSrE's OCSP/CRL or TSA failing while signing
    │   │                             (OCSP_CRL_TIDAK_TERSEDIA, TSA_TIDAK_TERSEDIA)
    │   ├── ServiceTimeoutError       no answer in time
    │   └── MalformedResponseError    an answer that is not the protocol (broken XML or JSON)
    ├── RemoteFaultError              a refusal by a remote service, its own code kept as ``remote_code``
    │   ├── SiakError                 SIAK refused the call (a SOAP fault with a stable KODE)
    │   │   ├── SiakNotFoundError     NIK_TIDAK_DITEMUKAN, NO_KK_TIDAK_DITEMUKAN, PERMOHONAN_TIDAK_DITEMUKAN
    │   │   ├── SiakInvalidDataError  DATA_TIDAK_VALID (with the issues SIAK listed)
    │   │   ├── SiakDuplicateError    DUPLIKAT
    │   │   ├── SiakStateError        STATUS_TIDAK_SESUAI
    │   │   └── SiakAuthError         TIDAK_BERWENANG
    │   ├── WrongPassphraseError      the signer's passphrase, PIN or OTP was refused, whoever checked it:
    │   │                             BSrE (2031, a wrong or used OTP), a PKCS#12 file, a PKCS#11 token
    │   └── BsreError                 BSrE refused the call (an Esign or CSC error body)
    │       ├── BsreAuthError         the calling application's credentials (HTTP 401)
    │       ├── SignerNotRegisteredError  2011 / NOT_REGISTERED
    │       ├── CertificateStatusError    the signer may not sign: EXPIRED, REVOKE, SUSPEND, NEW, ...
    │       └── BsreRequestError      a request BSrE could not use (bad PDF, bad tag, bad parameter)
    ├── SigningError                  a PDF could not be signed locally (key, token, PDF)
    │   ├── SignedDocumentRejectedError  a PDF returned by the Esign Client failed our validation
    │   ├── SigningConfigError        a signing backend that cannot be built (a key file or setting missing)
    │   ├── CertificateInvalidError   SERTIFIKAT_TIDAK_VALID: validation's verdict on the signer (revoked, expired,
    │   │                             untrusted chain); a verdict, never retried (an unreachable OCSP/CRL is transient)
    │   └── OutsideJurisdictionError  WILAYAH_DI_LUAR_KEWENANGAN: a KK of a regency the signer does not sign for
    ├── VerificationError             a file that cannot be read as a signed PDF
    ├── ArchiveError                  the archive cannot copy or repair a signed KK
    │   ├── NoGoodCopyError           no location (nor the document store) holds a copy with the record's SHA-256
    │   └── CorruptSourceError        a copy's bytes did not hash to the record's SHA-256 (nothing written)
    ├── DemoError                     a ``siakgate demo`` flow did not complete
    │   └── DemoUnavailableError      the gateway or mock SIAK cannot be reached, or the options are unusable
    └── WorkflowError                 the gateway refused a request (about an application, a caller, an account)
        ├── ProfileError              a service profile that does not make sense (refused at start-up)
        ├── NotFoundError             no such application, document, batch (or not visible to the caller)
        ├── ForbiddenError            the caller's role or region does not allow this
        │   ├── NationalAdminRequiredError  KHUSUS_ADMIN_NASIONAL: a gateway-wide operation, for an ADMIN with no region
        │   └── DocumentRoleError       PERAN_TIDAK_BERHAK_DOKUMEN: the caller's roles may not read this document
        ├── ActionNotAllowedError     not in this state, or not this role's step
        ├── IdempotencyConflictError  an Idempotency-Key reused with a different request
        ├── DocumentRejectedError     an upload too large, of a type not accepted, or with active content
        ├── UnauthenticatedError      no API token, an unknown or a revoked one
        ├── TokenError                an API token that cannot be created or revoked as asked
        ├── AccountError              a workstation account that cannot be created or changed as asked
        ├── SignInRefused             the workstation's sign-in refused (one message for every reason)
        ├── NotSignedInError          no live workstation session (a page redirects to the sign-in page)
        ├── CsrfRefusedError          a workstation request without its session's CSRF token
        ├── TooManyRequestsError      TERLALU_BANYAK_PERMINTAAN: a client over its rate or sign-in failure limit
        └── DeskInputError            a service-desk request the desk cannot use (nothing written)
            └── FollowUpRequiredError a complaint closed without its recorded follow-up

Retry (tenacity) only ``TransientError``. Errors translated from a library keep the original as
``__cause__`` (``raise ... from exc``). A caller can catch ``SiakgateError`` for everything, or one
branch for what it knows how to handle. Each
error carries a stable ``code`` (for programs) and a ``message`` in Bahasa Indonesia (for people).

Every exception class of the package is defined here, but for control-flow signals that never leave
their package (the retry loop's in ``siakgate.bsre._http``, the command line's ``UsageProblem``); the
modules that raise one re-export it where it was public (``siakgate.domain.issues``,
``siakgate.api.tokens``, ``siakgate.web.accounts``, ...). No class carries an HTTP status: the API's
answer to each branch is decided in one table, ``siakgate.api.problems``. ``siakgate.domain.issues``
keeps the domain's stable issue codes.
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


class UnknownCodeError(InvalidDataError):
    """A numeric code or a label that is not in the shared code lists (``contracts/codes.json``)."""

    code = "KODE_TIDAK_DIKENAL"


class InvalidNikError(InvalidDataError):
    """A NIK whose structure is wrong (length, digits, region, date, serial)."""

    code = "NIK_TIDAK_VALID"


class InvalidNoKkError(InvalidDataError):
    """A No. KK whose structure is wrong (length, digits, region, date, serial)."""

    code = "NO_KK_TIDAK_VALID"


class InvalidFamilyError(InvalidDataError):
    """A Kartu Keluarga that SIAK would refuse; ``issues`` lists every problem found in one pass."""

    code = "KK_TIDAK_VALID"


class UnknownRequirementError(InvalidDataError):
    """A requirement (persyaratan) code that is not in the catalogue of :mod:`siakgate.domain.cases`."""

    code = "PERSYARATAN_TIDAK_DIKENAL"


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


class SigningConfigError(SigningError):
    """A signing backend that cannot be built: the gateway refuses to start rather than fail at the first batch."""

    code = "KONFIGURASI_TTE_TIDAK_LENGKAP"


class CertificateInvalidError(SigningError):
    """Certificate validation decided against the signer (revoked, expired, an untrusted chain).

    Only for a verdict: an OCSP responder, CRL or TSA that did not answer is a ``ServiceUnavailableError``
    (:func:`siakgate.signing._errors.pki_outage`)."""

    code = "SERTIFIKAT_TIDAK_VALID"


class OutsideJurisdictionError(SigningError):
    """A KK of a regency (kabupaten/kota) its signer is not bound to: refused before any key is used.

    ``WILAYAH_DI_LUAR_KEWENANGAN``; ``WILAYAH_TIDAK_DIKETAHUI`` when the document carries no region code
    at all (a signer bound to regencies signs nothing it cannot place). See :mod:`siakgate.signing.jurisdiction`.
    """

    code = "WILAYAH_DI_LUAR_KEWENANGAN"


class VerificationError(SiakgateError):
    code = "BUKAN_PDF_BERTANDA_TANGAN"


class ArchiveError(SiakgateError):
    """The archive cannot copy or repair a signed KK or a requirement file."""

    code = "ARSIP_GAGAL"


class NoGoodCopyError(ArchiveError):
    """No location (nor the document store) holds a copy with the record's SHA-256."""

    code = "ARSIP_TIDAK_ADA_SALINAN_BAIK"

    def __init__(self, sha256: str) -> None:
        super().__init__(f"Tidak ada salinan arsip yang baik (SHA-256 {sha256}) di lokasi mana pun.")
        self.sha256 = sha256

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (self.sha256,))


class CorruptSourceError(ArchiveError):
    """The source's bytes did not have the expected SHA-256 (nothing was written)."""

    code = "ARSIP_SUMBER_RUSAK"

    def __init__(self, source: str) -> None:
        super().__init__(f"Salinan sumber tidak sesuai SHA-256 catatan arsip; tidak ada yang ditulis: {source}")
        self.source = source

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (self.source,))


class DemoError(SiakgateError):
    """A ``siakgate demo`` flow did not complete (exit code 1)."""

    code = "DEMO_GAGAL"


class DemoUnavailableError(DemoError):
    """The gateway or mock SIAK cannot be reached, or the options are unusable (exit code 2)."""

    code = "LAYANAN_DEMO_TIDAK_TERSEDIA"


class WorkflowError(SiakgateError):
    """The gateway refused a request: about an application, or from a caller, an officer or the desk.

    Which HTTP status the API answers for each branch is decided in :mod:`siakgate.api.problems`, not here.
    """

    code = "PERMINTAAN_DITOLAK"


class ProfileError(WorkflowError):
    code = "PROFIL_LAYANAN_TIDAK_VALID"


class NotFoundError(WorkflowError):
    code = "TIDAK_DITEMUKAN"


class ForbiddenError(WorkflowError):
    code = "AKSES_DITOLAK"


class NationalAdminRequiredError(ForbiddenError):
    """A gateway-wide operation (the archive's verify/restore, the audit chain) asked by a regional ADMIN."""

    code = "KHUSUS_ADMIN_NASIONAL"


class DocumentRoleError(ForbiddenError):
    """A document of a visible application that none of the caller's roles may read
    (:data:`~siakgate.workflow.access.DOCUMENT_READERS`)."""

    code = "PERAN_TIDAK_BERHAK_DOKUMEN"


class ActionNotAllowedError(WorkflowError):
    code = "TINDAKAN_TIDAK_DIIZINKAN"


class IdempotencyConflictError(WorkflowError):
    code = "IDEMPOTENCY_KEY_BENTROK"


class DocumentRejectedError(WorkflowError):
    code = "DOKUMEN_DITOLAK"


class UnauthenticatedError(WorkflowError):
    """No API token, an unknown one or a revoked one (the API answers which header to send)."""

    code = "TOKEN_TIDAK_VALID"


class TokenError(WorkflowError):
    """An API token that cannot be created or revoked as asked (``siakgate tokens``)."""

    code = "TOKEN_DITOLAK"


class AccountError(WorkflowError):
    """A workstation account that cannot be created or changed as asked (``siakgate users``)."""

    code = "AKUN_DITOLAK"


class SignInRefused(WorkflowError):
    """The workstation's sign-in refused; one message for every reason (see :mod:`siakgate.web.accounts`)."""

    code = "GAGAL_MASUK"

    def __init__(self, max_failures: int, lockout_minutes: int) -> None:
        super().__init__(
            "Nama pengguna atau kata sandi salah, atau akun sedang dikunci. "
            f"Setelah {max_failures} kali gagal berturut-turut akun dikunci {lockout_minutes} menit."
        )
        self.max_failures = max_failures
        self.lockout_minutes = lockout_minutes

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (self.max_failures, self.lockout_minutes))


class NotSignedInError(WorkflowError):
    """No live workstation session: a page redirects to the sign-in page, a fetch gets 401."""

    code = "SESI_BERAKHIR"

    def __init__(self, expired: bool = False) -> None:
        super().__init__("Sesi berakhir; silakan masuk lagi." if expired else "Silakan masuk terlebih dahulu.")
        self.expired = expired

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (self.expired,))


class CsrfRefusedError(WorkflowError):
    """A state-changing workstation request without the session's CSRF token: 403 and a page that says so."""

    code = "CSRF_DITOLAK"

    def __init__(self) -> None:
        super().__init__(
            "Formulir ini sudah tidak berlaku (token keamanan tidak cocok). Muat ulang halaman lalu coba lagi."
        )

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), ())


class TooManyRequestsError(WorkflowError):
    """A client address over a limit (public verification's rate, the workstation's sign-in failures).

    ``retry_after`` is the whole seconds until it may ask again (the API sends it as ``Retry-After``).
    """

    code = "TERLALU_BANYAK_PERMINTAAN"

    def __init__(self, retry_after: int, message: str | None = None) -> None:
        minutes = max(1, -(-retry_after // 60))
        super().__init__(
            message or f"Terlalu banyak permintaan dari alamat Anda. Coba lagi dalam {minutes} menit.",
        )
        self.retry_after = retry_after

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (self.retry_after, self.message))


class DeskInputError(WorkflowError):
    """A request the service desk cannot use (an unknown level, a Bidang missing, a bad period): nothing written."""

    code = "PERMINTAAN_TIDAK_VALID"


class FollowUpRequiredError(DeskInputError):
    """A complaint cannot be closed without its recorded follow-up (tindak lanjut)."""

    code = "TINDAK_LANJUT_WAJIB"

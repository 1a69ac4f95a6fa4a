"""Translate what pyHanko, cryptography or a backend raise into siakgate's exception tree.

Why here: the engine promises a ``SignResult`` per document whatever went wrong, with a message an
officer can read (Bahasa Indonesia) and a stable code a program can branch on.
"""

from __future__ import annotations

from pyhanko.pdf_utils.misc import PdfError, PdfReadError
from pyhanko.sign.general import SigningError as PyHankoSigningError
from pyhanko.sign.timestamps.common_utils import TimestampRequestError

from siakgate.errors import ServiceUnavailableError, SiakgateError, SigningError

__all__ = ["translate_document_error", "translate_signer_error"]


def translate_document_error(exc: BaseException) -> SiakgateError:
    """The error result for ONE document that failed while being prepared or finished."""
    if isinstance(exc, SiakgateError):
        return exc
    error: SiakgateError
    if isinstance(exc, PdfReadError):
        error = SigningError(
            f"Berkas PDF rusak atau tidak dapat dibaca, sehingga tidak dapat ditandatangani ({exc}).",
            code="PDF_TIDAK_VALID",
        )
    elif isinstance(exc, TimestampRequestError):
        error = ServiceUnavailableError(
            "Layanan cap waktu (TSA) tidak dapat dihubungi atau jawabannya tidak valid; coba lagi nanti.",
        )
    elif isinstance(exc, PyHankoSigningError) and "could not be validated" in str(exc):
        error = SigningError(
            "Sertifikat penanda tangan tidak dapat divalidasi (dicabut, kedaluwarsa, atau rantai sertifikat "
            "tidak tepercaya); dokumen tidak ditandatangani.",
            code="SERTIFIKAT_TIDAK_VALID",
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

"""HTTP statuses are decided in one table (siakgate.api.problems); no error class carries one."""

from __future__ import annotations

import inspect

import pytest

from siakgate import errors
from siakgate.api.problems import status_of
from siakgate.errors import (
    AccountError,
    ActionNotAllowedError,
    BsreAuthError,
    CertificateStatusError,
    CorruptSourceError,
    CsrfRefusedError,
    DataIssue,
    DeskInputError,
    DocumentRejectedError,
    FollowUpRequiredError,
    ForbiddenError,
    IdempotencyConflictError,
    InvalidNikError,
    NotFoundError,
    NotSignedInError,
    OutsideJurisdictionError,
    ProfileError,
    ServiceTimeoutError,
    SiakDuplicateError,
    SiakgateError,
    SiakInvalidDataError,
    SiakNotFoundError,
    SignedDocumentRejectedError,
    SigningConfigError,
    SignInRefused,
    TokenError,
    UnauthenticatedError,
    VerificationError,
    WorkflowError,
    WrongPassphraseError,
)

ISSUE = DataIssue("NIK_FORMAT", "nik", "NIK harus 16 digit.")


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (UnauthenticatedError("Token API tidak dikenal."), 401),
        (SignInRefused(5, 15), 401),
        (NotSignedInError(expired=True), 401),
        (ForbiddenError("x"), 403),
        (CsrfRefusedError(), 403),
        (NotFoundError("x"), 404),
        (ActionNotAllowedError("x"), 409),
        (IdempotencyConflictError("x"), 422),
        (DocumentRejectedError("x"), 422),
        (TokenError("x"), 422),
        (AccountError("x"), 422),
        (FollowUpRequiredError("x"), 422),
        (DeskInputError("x"), 422),
        (ProfileError("x"), 500),
        (WorkflowError("x"), 400),
        (InvalidNikError([ISSUE]), 422),
        (SiakInvalidDataError("x", issues=[ISSUE]), 422),
        (WrongPassphraseError("x"), 422),
        (VerificationError("x"), 422),
        (SiakNotFoundError("x"), 404),
        (CertificateStatusError("x", status="REVOKE"), 409),
        (OutsideJurisdictionError("x"), 403),
        (ServiceTimeoutError("x"), 503),
        (SiakDuplicateError("x"), 502),
        (BsreAuthError("x"), 502),
        (SignedDocumentRejectedError("x"), 502),
        (SigningConfigError("x"), 500),
        (CorruptSourceError("/arsip/a.pdf"), 500),
    ],
)
def test_status_of_each_branch(error: SiakgateError, status: int) -> None:
    assert status_of(error) == status


def test_no_error_class_carries_an_http_status() -> None:
    classes = [c for _, c in inspect.getmembers(errors, inspect.isclass) if issubclass(c, BaseException)]
    assert SignInRefused in classes
    for cls in classes:
        assert not any(isinstance(vars(base).get("status"), int) for base in cls.__mro__), cls

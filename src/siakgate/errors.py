"""The exception tree of siakgate: every error the library raises on purpose derives from one root.

::

    SiakgateError
    └── InvalidDataError          data that SIAK would refuse (see siakgate.domain)

Later layers (the SIAK and BSrE clients, signing, the workflow) add their branches here, so a caller
can catch ``SiakgateError`` for everything, or one branch for what it knows how to handle. Each
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

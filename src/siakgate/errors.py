"""The exception tree of siakgate: every error the library raises on purpose derives from one root.

::

    SiakgateError
    └── InvalidDataError          data that SIAK would refuse (see siakgate.domain)

Later layers (the SIAK and BSrE clients, signing, the workflow) add their branches here, so a caller can catch
``SiakgateError`` for everything, or one branch for what it knows how to handle. Each error carries a stable ``code``
(for programs) and a ``message`` in Bahasa Indonesia (for people).
"""

from __future__ import annotations


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

"""Logging a background loop's failing passes without flooding the log while a dependency is down.

The gateway's loops (the workflow's worker, the archive's replicator and renewer, the notification delivery)
run a pass every few seconds. While the database or SIAK is down every pass fails the same way; a full
traceback each time is kilobytes a second of noise that hides what matters. :class:`PassLog` writes:

* one line per failing pass (exception class and the first line of its message, no traceback);
* the full traceback once: on the first failure, and again only when the kind of error changes;
* one line when a pass succeeds again after failures (how many passes failed).
"""

from __future__ import annotations

import logging

from sqlalchemy.exc import DBAPIError

from siakgate.errors import SiakgateError

__all__ = ["PassLog", "short_reason"]


def _first_line(exc: BaseException) -> str:
    text = exc.message if isinstance(exc, SiakgateError) else str(exc)
    lines = text.strip().splitlines()
    return lines[0].strip()[:200] if lines else ""


def _described(exc: BaseException) -> str:
    if isinstance(exc, DBAPIError) and exc.orig is not None:
        exc = exc.orig
    first = _first_line(exc)
    return f"{type(exc).__name__}: {first}" if first else type(exc).__name__


def short_reason(exc: BaseException) -> str:
    """``ExceptionClass: first line`` of ``exc``, and of the driver's error behind it when it translates one
    (``ServiceUnavailableError: ... (OperationalError: connection refused)``); never a traceback or SQL."""
    reason = _described(exc)
    cause = exc.__cause__
    if cause is not None and isinstance(exc, SiakgateError):
        reason += f" ({_described(cause)})"
    return reason


def _kind(exc: BaseException) -> tuple[str, str | None]:
    return type(exc).__qualname__, getattr(exc, "code", None)


class PassLog:
    """What one background loop says about its passes (see the module docstring); one instance per loop."""

    def __init__(self, logger: logging.Logger, name: str) -> None:
        self._log = logger
        self.name = name
        """The loop, as the operator reads it (Indonesian): ``"pekerja alur kerja"``."""
        self.failures = 0
        """Passes failed in a row (0 while healthy)."""
        self._kind: tuple[str, str | None] | None = None

    def failed(self, exc: BaseException) -> None:
        """A pass raised ``exc``: one line; with the traceback when this kind of error is new."""
        self.failures += 1
        kind = _kind(exc)
        if kind != self._kind:
            self._kind = kind
            self._log.error(
                "Putaran %s gagal: %s (jejak lengkap hanya kali ini, sampai jenis galatnya berubah)",
                self.name,
                short_reason(exc),
                exc_info=exc,
            )
            return
        self._log.warning("Putaran %s gagal (%d kali berturut-turut): %s", self.name, self.failures, short_reason(exc))

    def succeeded(self) -> None:
        """A pass ran through: says so once when it follows failures."""
        if self.failures:
            self._log.warning("Putaran %s pulih setelah %d putaran gagal", self.name, self.failures)
        self.failures = 0
        self._kind = None

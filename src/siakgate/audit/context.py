"""Which calling system the current request comes through, for audit entries written deep inside the workflow.

A ``contextvars.ContextVar``, set once per request (:func:`bind`, called when the API authenticates the
token); code that runs in a worker thread through ``anyio.to_thread`` inherits it, so the audit listener
(:mod:`siakgate.audit.hooks`) can name the calling system of a state change without the workflow passing
it around. Outside a request (the background worker, the CLI) nothing is bound and the entry's actor
stands for itself.
"""

from __future__ import annotations

from contextvars import ContextVar, Token

__all__ = ["bind", "calling_system", "unbind"]

_calling_system: ContextVar[str | None] = ContextVar("siakgate_audit_calling_system", default=None)


def bind(name: str) -> Token[str | None]:
    """Name the calling system (the API token's name) for the rest of this request (task)."""
    return _calling_system.set(name)


def unbind(token: Token[str | None]) -> None:
    _calling_system.reset(token)


def calling_system(default: str) -> str:
    """The bound calling system, or ``default`` (the actor written in the row) when none is bound."""
    return _calling_system.get() or default

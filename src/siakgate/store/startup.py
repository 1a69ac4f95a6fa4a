"""Waiting for the database at start-up: bounded exponential backoff, one clear line per attempt.

A gateway started before its database (a server booting, PostgreSQL restarting, a container started first)
should not die on its first connection with a traceback: it tries again, telling the operator in one line
per attempt what it does, and gives up after a bound with one line and an error the entry point turns into
an exit code (``python -m siakgate.api.serving`` exits 1)::

    Basis data belum dapat dihubungi (percobaan 3/10), mencoba lagi dalam 4 dtk: OperationalError: ...
    Basis data tidak dapat dihubungi setelah 10 percobaan (postgresql+psycopg://siakgate:***@db/siakgate) ...

The bound comes from the settings (``database_wait_attempts``, ``database_wait_first_seconds``,
``database_wait_max_seconds``): the n-th wait is ``first * 2**(n-1)`` seconds, at most ``max``. Only a
transient failure (:class:`~siakgate.errors.ServiceUnavailableError`: refused, unreachable, too busy) is
retried; anything else passes through at once. psycopg reports a refused password as an ``OperationalError``
too, so it is retried like an unreachable server: it costs the bound, and each line says why.

``python -m siakgate.api.serving`` waits in its supervisor before any worker starts; the app's lifespan
(:func:`siakgate.api.runtime.open_gateway`) waits as well, which is what ``siakgate serve`` relies on.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Final, Protocol

import anyio
import anyio.to_thread
from sqlalchemy import text
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential,
)

from siakgate.errors import ServiceUnavailableError
from siakgate.store.db import Database, _translated_errors
from siakgate.store.passlog import short_reason

__all__ = [
    "DatabaseUnreachableError",
    "DatabaseWait",
    "check_connection",
    "wait_for_database",
    "wait_for_database_async",
]

log = logging.getLogger("siakgate.store")

UNREACHABLE_CODE: Final = "BASIS_DATA_TIDAK_TERSEDIA"


class DatabaseUnreachableError(ServiceUnavailableError):
    """The database did not answer within the start-up bound (the message says how often and why)."""

    code = UNREACHABLE_CODE


@dataclass(frozen=True, slots=True)
class DatabaseWait:
    """How long start-up waits for the database: ``attempts`` connections, waits doubling from ``first_seconds``
    up to ``max_seconds`` between them."""

    attempts: int = 10
    first_seconds: float = 1.0
    max_seconds: float = 30.0


class _Settings(Protocol):
    database_wait_attempts: int
    database_wait_first_seconds: float
    database_wait_max_seconds: float


def wait_policy(settings: _Settings) -> DatabaseWait:
    """The bound configured in :class:`siakgate.config.Settings`."""
    return DatabaseWait(
        attempts=settings.database_wait_attempts,
        first_seconds=settings.database_wait_first_seconds,
        max_seconds=settings.database_wait_max_seconds,
    )


def check_connection(db: Database) -> None:
    """Connect and run ``SELECT 1`` (blocking); an unreachable database raises ServiceUnavailableError."""
    with _translated_errors(), db.engine.connect() as connection:
        connection.execute(text("SELECT 1"))


def _reason(exc: BaseException) -> str:
    """The driver's reason (``OperationalError: connection failed: ... Connection refused``), no traceback."""
    if isinstance(exc, ServiceUnavailableError) and exc.__cause__ is not None:
        return short_reason(exc.__cause__)
    return short_reason(exc)


def _seconds(value: float) -> str:
    return f"{value:.0f}" if value >= 10 or float(value).is_integer() else f"{value:.1f}"


def _announce(policy: DatabaseWait) -> Callable[[RetryCallState], None]:
    def before_sleep(state: RetryCallState) -> None:
        outcome = state.outcome
        error = outcome.exception() if outcome is not None else None
        delay = state.next_action.sleep if state.next_action is not None else 0.0
        log.warning(
            "Basis data belum dapat dihubungi (percobaan %d/%d), mencoba lagi dalam %s dtk: %s",
            state.attempt_number,
            policy.attempts,
            _seconds(delay),
            _reason(error) if error is not None else "-",
        )

    return before_sleep


def _given_up(db: Database, policy: DatabaseWait, exc: ServiceUnavailableError) -> DatabaseUnreachableError:
    message = (
        f"Basis data tidak dapat dihubungi setelah {policy.attempts} percobaan ({db.url}): {_reason(exc)}. "
        "Gateway berhenti; periksa apakah basis data berjalan dan SIAKGATE_DATABASE_URL benar."
    )
    log.error("%s", message)
    return DatabaseUnreachableError(message)


def _policy_kwargs(policy: DatabaseWait) -> dict[str, object]:
    return {
        "stop": stop_after_attempt(policy.attempts),
        "wait": wait_exponential(multiplier=policy.first_seconds, exp_base=2, max=policy.max_seconds),
        "retry": retry_if_exception_type(ServiceUnavailableError),
        "before_sleep": _announce(policy),
        "reraise": True,
    }


def wait_for_database(db: Database, policy: DatabaseWait, *, sleep: Callable[[float], None] = time.sleep) -> None:
    """Block until ``db`` answers, or raise :class:`DatabaseUnreachableError` once ``policy`` is spent."""
    try:
        Retrying(sleep=sleep, **_policy_kwargs(policy))(check_connection, db)  # type: ignore[arg-type]
    except DatabaseUnreachableError:
        raise
    except ServiceUnavailableError as exc:
        raise _given_up(db, policy, exc) from None


async def wait_for_database_async(
    db: Database, policy: DatabaseWait, *, sleep: Callable[[float], Awaitable[None]] = anyio.sleep
) -> None:
    """:func:`wait_for_database` for the app's lifespan: the connection runs in a worker thread."""
    try:
        async for attempt in AsyncRetrying(sleep=sleep, **_policy_kwargs(policy)):  # type: ignore[arg-type]
            with attempt:
                await anyio.to_thread.run_sync(check_connection, db)
    except DatabaseUnreachableError:
        raise
    except ServiceUnavailableError as exc:
        raise _given_up(db, policy, exc) from None

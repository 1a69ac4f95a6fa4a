"""Sending one request to BSrE: transport errors translated, transient failures retried.

Retry rules (why each):

* Retried: connect errors and connect/pool timeouts (the request never left), read/write timeouts
  and dropped connections, HTTP 429/502/503/504. 429 waits ``Retry-After`` when given (seconds or
  an HTTP date), else exponential backoff with jitter; attempts and an overall deadline bound it.
* Never retried: any other 4xx (a wrong passphrase, a bad PDF, 401) and any answer BSrE produced
  on purpose, HTTP 500 (mapped to :class:`ServiceUnavailableError` for the caller to decide) and
  malformed bodies.
* ``single_use`` calls are retried only when BSrE provably did not process them: a connect-phase
  failure or HTTP 429. That covers calls that spend something once: an OTP (v2 ``totp``, CSC
  ``OTP``), a SAD (``signHash``), a seal code, a one-time download, or a call that e-mails a code.
  Re-sending a *passphrase* sign call after a read timeout is allowed: BSrE may have signed, and
  signing again only yields another valid signature of the same document.

Secrets travel only in request bodies, never in URLs or headers we build, so httpx's request
logging (URL at INFO/DEBUG) cannot print them; see ``_logfilter`` for NIKs in v1 URL paths.
"""

from __future__ import annotations

import email.utils
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import anyio
import httpx
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception_type,
    stop_after_attempt,
    stop_after_delay,
    wait_exponential_jitter,
)

from siakgate.clock import monotonic, wall_seconds
from siakgate.errors import ServiceTimeoutError, ServiceUnavailableError, TransientError

__all__ = ["RETRY_STATUSES", "RetryPolicy", "send"]

RETRY_STATUSES = frozenset({429, 502, 503, 504})

Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try. Defaults suit the office network (clients there use 7 to 60 s timeouts)."""

    attempts: int = 4
    initial_wait: float = 0.5
    max_wait: float = 8.0
    jitter: float = 0.5
    deadline: float = 60.0
    """Overall seconds for all attempts and waits of one call."""
    max_retry_after: float = 30.0
    """A longer ``Retry-After`` is not waited for: the call gives up instead."""
    sleep: Sleep = field(default=anyio.sleep)
    """The clock seam: tests pass a recorder instead of really sleeping."""


class _Retry(Exception):
    """Internal: one attempt failed in a way the policy may retry."""

    def __init__(self, error: TransientError, cause: BaseException | None, retry_after: float | None = None) -> None:
        super().__init__(str(error))
        self.error = error
        self.cause = cause
        self.retry_after = retry_after


class _GiveUp(Exception):
    """Internal: a retryable failure that must not be retried (single-use call, Retry-After too long)."""

    def __init__(self, retry: _Retry) -> None:
        super().__init__(str(retry.error))
        self.retry = retry


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - wall_seconds())


async def _attempt(
    client: httpx.AsyncClient,
    build: Callable[[], httpx.Request],
    *,
    single_use: bool,
    policy: RetryPolicy,
) -> httpx.Response:
    request = build()
    try:
        response = await client.send(request)
    except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
        # The request never reached BSrE: always safe to try again.
        error: TransientError = (
            ServiceTimeoutError("BSrE tidak menjawab saat membuka koneksi.")
            if isinstance(exc, httpx.TimeoutException)
            else ServiceUnavailableError("BSrE tidak dapat dihubungi (koneksi gagal).")
        )
        raise _Retry(error, exc) from exc
    except httpx.TimeoutException as exc:
        retry = _Retry(ServiceTimeoutError("BSrE tidak menjawab dalam batas waktu."), exc)
        raise (_GiveUp(retry) if single_use else retry) from exc
    except httpx.TransportError as exc:
        retry = _Retry(ServiceUnavailableError("Koneksi ke BSrE terputus sebelum jawaban lengkap."), exc)
        raise (_GiveUp(retry) if single_use else retry) from exc
    if response.status_code in RETRY_STATUSES:
        wait = _retry_after(response) if response.status_code == 429 else None
        retry = _Retry(
            ServiceUnavailableError(f"Layanan BSrE sedang sibuk atau tidak tersedia (HTTP {response.status_code})."),
            None,
            wait,
        )
        if single_use and response.status_code != 429:
            raise _GiveUp(retry)
        if wait is not None and wait > policy.max_retry_after:
            raise _GiveUp(retry)
        raise retry
    return response


async def send(
    client: httpx.AsyncClient,
    build: Callable[[], httpx.Request],
    *,
    policy: RetryPolicy,
    single_use: bool = False,
) -> httpx.Response:
    """Send the request ``build()`` makes (rebuilt for every attempt) under ``policy``.

    Returns any answer that is not retryable (2xx, 4xx, 500, ...) for the caller to read; raises
    :class:`ServiceUnavailableError` / :class:`ServiceTimeoutError` when the attempts run out.
    """
    backoff = wait_exponential_jitter(multiplier=policy.initial_wait, max=policy.max_wait, jitter=policy.jitter)
    started = monotonic()

    def wait(state: RetryCallState) -> float:
        outcome = state.outcome
        exc = outcome.exception() if outcome is not None else None
        seconds = exc.retry_after if isinstance(exc, _Retry) and exc.retry_after is not None else backoff(state)
        remaining = policy.deadline - (monotonic() - started)
        return max(0.0, min(seconds, remaining))

    retrying = AsyncRetrying(
        retry=retry_if_exception_type(_Retry),
        stop=stop_after_attempt(max(1, policy.attempts)) | stop_after_delay(policy.deadline),
        wait=wait,
        sleep=policy.sleep,
        reraise=True,
    )
    try:
        response: httpx.Response = await retrying(_attempt, client, build, single_use=single_use, policy=policy)
    except _Retry as failed:
        raise failed.error from failed.cause
    except _GiveUp as gave_up:
        raise gave_up.retry.error from gave_up.retry.cause
    return response

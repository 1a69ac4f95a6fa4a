"""When a SIAK call is repeated: only :class:`~siakgate.errors.TransientError`, with backoff, jitter, a
maximum number of attempts and an overall deadline, and never in a way that could apply a change twice.

A transient failure is either *not processed* (SIAK surely did nothing: the connection was never made,
HTTP 429/503, or SIAK's own LAYANAN_TIDAK_TERSEDIA fault, which it answers after rolling back) or
*ambiguous* (the request may have been carried out: a read timeout, a connection dropped after
sending, a broken answer, another 5xx). :class:`Safety` says what each operation may do with an
ambiguous failure; see :mod:`siakgate.siak.client` for which operation has which safety.

Taking LAYANAN_TIDAK_TERSEDIA as "not processed" trusts SIAK to answer it only after rolling back;
it matters for the one UNSAFE operation (a reprint), where a wrong guess adds one print to a count.
"""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

import anyio
import httpx
import zeep.exceptions
from tenacity import (
    AsyncRetrying,
    retry_if_exception,
    stop_after_attempt,
    stop_before_delay,
    wait_exponential_jitter,
)

from siakgate.errors import TransientError

__all__ = ["RetryPolicy", "Safety", "not_processed", "run_with_retry"]

T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try: at most ``attempts`` calls, waits growing from ``initial_wait`` to ``max_wait``
    seconds (exponential, with up to ``initial_wait`` of random jitter), and no new attempt that would
    start later than ``deadline`` seconds after the first. Each attempt's own timeout is the injected
    ``httpx.AsyncClient``'s.
    """

    attempts: int = 4
    initial_wait: float = 0.5
    max_wait: float = 8.0
    deadline: float = 30.0

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError("attempts must be at least 1")
        if self.initial_wait < 0 or self.max_wait < self.initial_wait:
            raise ValueError("waits must satisfy 0 <= initial_wait <= max_wait")
        if self.deadline <= 0:
            raise ValueError("deadline must be positive")


NO_RETRY = RetryPolicy(attempts=1)


class Safety(enum.Enum):
    """What repeating an operation after an *ambiguous* failure would do."""

    READ = "read"
    """No effect on SIAK: every transient failure is retried."""
    IDEMPOTENT = "idempotent"
    """SIAK recognises the repeat (EntriDataKeluarga's CLIENT_REQUEST_ID): every transient failure is retried."""
    TRANSITION = "transition"
    """A one-way status change: retried; a STATUS_TIDAK_SESUAI after an ambiguous failure is checked
    against the request's current status (the change may be ours, already done)."""
    UNSAFE = "unsafe"
    """Each call counts (a reprint): retried only when the failure was surely not processed."""


def not_processed(error: TransientError) -> bool:
    """Whether SIAK surely did not carry out the request that failed with ``error``."""
    cause = error.__cause__
    if isinstance(cause, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout):
        return True
    if isinstance(cause, zeep.exceptions.TransportError):
        return cause.status_code in (429, 503)
    return isinstance(cause, zeep.exceptions.Fault)  # LAYANAN_TIDAK_TERSEDIA: SIAK rolled back


async def run_with_retry(
    attempt: Callable[[int], Awaitable[T]],
    policy: RetryPolicy,
    should_retry: Callable[[TransientError], bool],
) -> T:
    """Call ``attempt(n)`` (n = 1, 2, ...) until it returns, or raise the last error.

    Only a :class:`TransientError` for which ``should_retry`` holds is retried; anything else is
    raised at once.
    """

    def retryable(exc: BaseException) -> bool:
        return isinstance(exc, TransientError) and should_retry(exc)

    retrying = AsyncRetrying(
        stop=stop_after_attempt(policy.attempts) | stop_before_delay(policy.deadline),
        wait=wait_exponential_jitter(multiplier=policy.initial_wait, max=policy.max_wait, jitter=policy.initial_wait),
        retry=retry_if_exception(retryable),
        sleep=anyio.sleep,
        reraise=True,
    )
    async for state in retrying:
        with state:
            return await attempt(state.retry_state.attempt_number)
    raise AssertionError("unreachable: tenacity either returns or re-raises")  # pragma: no cover

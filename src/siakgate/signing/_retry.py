"""Trying a PKI round trip again while BSrE's OCSP, CRL or TSA service fails temporarily.

Why in the signing package and not in an HTTP client: pyHanko's fetchers and TSA client (aiohttp) retry
nothing, and a validation context keeps what its fetchers got, failures included, for its whole life. So
what is repeated is a whole step with a fresh context: the batch's preparation (phase 1: the signer's
validation, before any key is used) or one document's finish (phase 3: timestamp and evidence, after the
key has signed; a TSA that hiccups once must not cost the Kepala Dinas a spent OTP or the batch).

As everywhere in siakgate, only :class:`~siakgate.errors.TransientError` is retried (tenacity): a few
attempts, exponential backoff with jitter, and one deadline for a whole phase, so an outage costs a batch a
bounded wait, not attempts times documents. What is still failing then is the document's result, and the
batch can be signed again later.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import anyio
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type, stop_after_attempt, wait_exponential_jitter
from tenacity.stop import stop_base

from siakgate.clock import monotonic
from siakgate.errors import TransientError

__all__ = ["DEFAULT_PKI_RETRY", "PkiRetryPolicy", "pki_retrying"]


class _StopAt(stop_base):
    """Stop once a :func:`siakgate.clock.monotonic` reading is reached (a deadline shared by a phase's documents)."""

    def __init__(self, deadline_at: float) -> None:
        self.deadline_at = deadline_at

    def __call__(self, retry_state: RetryCallState) -> bool:
        return monotonic() >= self.deadline_at


Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True)
class PkiRetryPolicy:
    """How hard to try a PKI step again (per document in phase 3, per batch in phase 1)."""

    attempts: int = 3
    initial_wait: float = 0.5
    max_wait: float = 4.0
    jitter: float = 0.25
    deadline: float = 60.0
    """Seconds, from the start of a phase, after which no further attempt is started in it."""
    sleep: Sleep = field(default=anyio.sleep)
    """The clock seam: tests pass a recorder instead of really sleeping."""


DEFAULT_PKI_RETRY = PkiRetryPolicy()


def pki_retrying(policy: PkiRetryPolicy, deadline_at: float) -> AsyncRetrying:
    """A tenacity loop that repeats on a :class:`TransientError` until ``policy.attempts`` or ``deadline_at``
    (a :func:`siakgate.clock.monotonic` reading, shared by the documents of one phase); then re-raises it."""

    return AsyncRetrying(
        retry=retry_if_exception_type(TransientError),
        stop=stop_after_attempt(max(1, policy.attempts)) | _StopAt(deadline_at),
        wait=wait_exponential_jitter(multiplier=policy.initial_wait, max=policy.max_wait, jitter=policy.jitter),
        sleep=policy.sleep,
        reraise=True,
    )

"""The workstation's own knobs: lock-out and sign-in throttling, session lifetimes, the clock (a seam for the tests).

Kept apart from :class:`siakgate.config.Settings` on purpose: these are security policy with sane
defaults an office rarely changes, and the tests pin the clock and shorten the times through
``app.state.web_config`` without touching the gateway's settings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from siakgate.clock import Clock

__all__ = ["WebConfig"]


@dataclass(frozen=True)
class WebConfig:
    max_failures: int = 5
    """Failed sign-ins of one account from one client address (within ``failure_window``) that lock the account
    for that address; also, with ``lock_addresses``, the consecutive failures that lock it everywhere."""
    lockout: timedelta = timedelta(minutes=15)
    """How long an account stays locked for an address that failed it."""
    failure_window: timedelta = timedelta(minutes=15)
    """How long a failed sign-in counts against its address (:mod:`siakgate.web.throttle`)."""
    address_max_failures: int = 20
    """Failed sign-ins from one client address (any accounts, within ``failure_window``) that throttle the address."""
    address_lockout: timedelta = timedelta(minutes=15)
    """How long a throttled address is answered 429 for every account."""
    lock_addresses: int = 3
    """Distinct client addresses (failing within ``failure_window``) after which ``max_failures`` consecutive
    failures lock the account for every address: a guess spread over many addresses."""
    account_lockout: timedelta = timedelta(minutes=5)
    """How long such an account-wide lock lasts (shorter: it also locks the officer out)."""
    session_idle: timedelta = timedelta(minutes=30)
    """A session unused this long is over (an unattended tablet)."""
    session_lifetime: timedelta = timedelta(hours=10)
    """A session is over this long after sign-in, used or not (one working day)."""
    poll_interval_ms: int = 1000
    """How often the batch page asks for the signing progress."""
    clock: Clock = field(default_factory=Clock)
    """The gateway's clock (the app factory passes its own; a config built alone reads the system's)."""

    def now(self) -> datetime:
        return self.clock()

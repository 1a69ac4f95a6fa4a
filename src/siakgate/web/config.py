"""The workstation's own knobs: lock-out, session lifetimes, the clock (a seam for the tests).

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
    """Consecutive failed sign-ins that lock an account."""
    lockout: timedelta = timedelta(minutes=15)
    """How long a locked account stays locked."""
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

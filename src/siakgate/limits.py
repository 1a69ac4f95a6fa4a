"""Abuse resistance shared by the REST API and the workstation: who the client is, and how often it may ask.

* :func:`client_address` — the address a request came from. The TCP peer (``request.client.host``),
  unless that peer is one of the configured reverse proxies (``Settings.trusted_proxies``, none by
  default): then ``X-Forwarded-For`` is read from the right, skipping trusted proxies, and the first
  address not trusted is the client. A header from anyone else is ignored, so a caller cannot choose
  its own address by sending one. ``siakgate serve`` turns uvicorn's own proxy-header handling off, so
  this is the one rule.
* :class:`TokenBuckets` — a token bucket per key (an address): ``per_minute`` requests in a burst,
  refilled at ``per_minute`` per minute. Used by the public verification routes
  (:mod:`siakgate.api.ratelimit`).
* :class:`FailureWindows` — failures per key in a sliding window (the workstation's sign-in,
  :mod:`siakgate.web.throttle`).

Time comes from the injected business clock, never from ``time``: a test moves the clock and the
windows move with it. State is in memory, per process: several gateways sharing one database each
keep their own counts, so a limit applies per gateway process (an address spread over N gateways by a
load balancer gets up to N times the allowance). The number of keys is bounded (:data:`MAX_KEYS`): the
least recently used are forgotten first, so a flood of addresses cannot grow memory without end.
"""

from __future__ import annotations

import ipaddress
import math
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import TypeAlias, TypeVar

from starlette.requests import HTTPConnection

__all__ = ["MAX_KEYS", "FailureWindows", "Networks", "TokenBuckets", "client_address", "networks"]

MAX_KEYS = 10_000
"""Keys (addresses, account-address pairs) remembered at most, per table."""

Network: TypeAlias = ipaddress.IPv4Network | ipaddress.IPv6Network
Networks: TypeAlias = tuple[Network, ...]


def networks(values: Iterable[str]) -> Networks:
    """Addresses or CIDR networks (``10.0.0.5``, ``10.0.0.0/24``, ``::1``) as networks (ValueError if not)."""
    return tuple(ipaddress.ip_network(value.strip(), strict=False) for value in values)


def _ip(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def _trusted(value: str, proxies: Networks) -> bool:
    ip = _ip(value)
    return ip is not None and any(ip in network for network in proxies)


def client_address(connection: HTTPConnection, trusted_proxies: Networks = ()) -> str:
    """The client's address (see the module docstring); ``unknown`` when the server gave none."""
    peer = connection.client.host if connection.client is not None else "unknown"
    if not trusted_proxies or not _trusted(peer, trusted_proxies):
        return peer
    hops = [hop.strip() for hop in ",".join(connection.headers.getlist("x-forwarded-for")).split(",") if hop.strip()]
    address = peer
    for hop in reversed(hops):
        if _ip(hop) is None:  # a hop that is not an address: trust nothing further left
            break
        address = hop
        if not _trusted(hop, trusted_proxies):
            break
    return address


def _seconds(clock: Callable[[], datetime]) -> float:
    return clock().timestamp()


_V = TypeVar("_V")


def _bounded(table: dict[str, _V]) -> None:
    while len(table) > MAX_KEYS:
        del table[next(iter(table))]  # the least recently used (keys are re-inserted when used)


class TokenBuckets:
    """A token bucket per key: ``per_minute`` requests at once, one more every ``60 / per_minute`` seconds."""

    def __init__(self, per_minute: int, clock: Callable[[], datetime]) -> None:
        if per_minute < 1:
            raise ValueError("per_minute must be at least 1")
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, at)

    def take(self, key: str) -> int:
        """Take one token for ``key``: 0 if granted, else the whole seconds until one is there (Retry-After)."""
        now = _seconds(self._clock)
        tokens, at = self._buckets.pop(key, (self.capacity, now))
        tokens = min(self.capacity, tokens + max(0.0, now - at) * self.rate)
        wait = 0
        if tokens >= 1.0:
            tokens -= 1.0
        else:
            wait = max(1, math.ceil((1.0 - tokens) / self.rate))
        self._buckets[key] = (tokens, now)
        _bounded(self._buckets)
        return wait


class FailureWindows:
    """Failures per key within a sliding ``window`` (seconds), and a block per key until a moment."""

    def __init__(self, window_seconds: float, clock: Callable[[], datetime]) -> None:
        self.window = window_seconds
        self._clock = clock
        self._failures: dict[str, list[float]] = {}
        self._blocked: dict[str, float] = {}

    def now(self) -> float:
        return _seconds(self._clock)

    def recent(self, key: str) -> Sequence[float]:
        """The moments of ``key``'s failures still in the window."""
        horizon = self.now() - self.window
        kept = [at for at in self._failures.get(key, ()) if at > horizon]
        if kept:
            self._failures[key] = kept
        else:
            self._failures.pop(key, None)
        return kept

    def counted(self) -> list[str]:
        """The keys with failures counted (some may have left the window: ask :meth:`recent`)."""
        return list(self._failures)

    def add(self, key: str) -> int:
        """Count one failure for ``key`` now; the failures in the window, this one included."""
        kept = [*self.recent(key), self.now()]
        self._failures.pop(key, None)
        self._failures[key] = kept
        _bounded(self._failures)
        return len(kept)

    def clear(self, key: str) -> None:
        self._failures.pop(key, None)
        self._blocked.pop(key, None)

    def block(self, key: str, seconds: float) -> None:
        """Block ``key`` for ``seconds`` from now; its failures are forgotten (a fresh start afterwards)."""
        self._failures.pop(key, None)
        self._blocked.pop(key, None)
        self._blocked[key] = self.now() + seconds
        _bounded(self._blocked)

    def blocked_for(self, key: str) -> int:
        """Whole seconds ``key`` stays blocked (0: not blocked)."""
        until = self._blocked.get(key)
        if until is None:
            return 0
        left = until - self.now()
        if left <= 0:
            del self._blocked[key]
            return 0
        return max(1, math.ceil(left))

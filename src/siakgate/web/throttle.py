"""Sign-in throttling per client address, so that the lock-out cannot be used against a known officer.

A lock-out per account alone lets anyone lock ``kepaladinas`` out by failing its password on purpose,
again every quarter of an hour. So failures are counted where they come from (the client address,
:func:`siakgate.limits.client_address`, behind ``Settings.trusted_proxies``):

* **per address**: ``address_max_failures`` failed sign-ins from one address within ``failure_window``,
  whatever the accounts, and the address is throttled for ``address_lockout``: every sign-in from it
  is answered 429 (``TERLALU_BANYAK_PERMINTAAN``, ``Retry-After``) before any password is checked;
* **per (account, address)**: ``max_failures`` failures of one account from one address within
  ``failure_window`` lock that account *for that address* for ``lockout``; the officer signing in from
  their own workstation's address still gets in;
* **account-wide** (in the database, ``web_users.locked_until``, so every gateway honours it): only when
  the account has ``max_failures`` consecutive failures and, within ``failure_window``, failures from at
  least ``lock_addresses`` distinct addresses (a guess spread over many addresses), for the shorter
  ``account_lockout`` (:func:`siakgate.web.accounts.check_password`).

A refused sign-in still says the same thing whatever the reason (wrong password, unknown name, a lock);
only an address's throttling is told as such (429), since it concerns the address, not an account. A
sign-in refused while locked counts against the address, not again against the pair. A success clears
the pair's failures, not the address's (a valid account must not wash an address clean).

The counts are in memory, per gateway process (:mod:`siakgate.limits`): gateways sharing a database
each count their own, so behind a load balancer an address gets up to that many times the allowance;
the account-wide lock is in the database and shared. Behind one NAT (an office's single public address)
all officers share an address and its allowance: configure the proxy that knows the real addresses in
``trusted_proxies``, or raise ``address_max_failures``.
"""

from __future__ import annotations

import logging

from siakgate.limits import FailureWindows
from siakgate.web.config import WebConfig

__all__ = ["SignInThrottle"]

log = logging.getLogger("siakgate.web")


def _pair(name: str, address: str) -> str:
    return f"{name}\x00{address}"


class SignInThrottle:
    """The workstation's failure counts (one per gateway, in :class:`~siakgate.web.core.WebContext`)."""

    def __init__(self, config: WebConfig) -> None:
        self.config = config
        window = config.failure_window.total_seconds()
        self._addresses = FailureWindows(window, config.now)
        self._pairs = FailureWindows(window, config.now)
        self._spread = FailureWindows(window, config.now)  # key: the pair; one entry per failure, for distinct counts

    def address_wait(self, address: str) -> int:
        """Whole seconds ``address`` stays throttled (0: it may try)."""
        return self._addresses.blocked_for(address)

    def pair_locked(self, name: str, address: str) -> bool:
        """Whether ``name`` is locked for ``address``."""
        return self._pairs.blocked_for(_pair(name, address)) > 0

    def addresses_if_failed(self, name: str, address: str) -> int:
        """Distinct addresses that failed ``name`` within the window, counting ``address`` as one of them."""
        prefix = f"{name}\x00"
        found = {key for key in self._spread.counted() if key.startswith(prefix) and self._spread.recent(key)}
        found.add(_pair(name, address))
        return len(found)

    def failed(self, name: str, address: str) -> None:
        """Count a refused sign-in of ``name`` from ``address``; throttle or lock when a limit is reached."""
        config = self.config
        if self._addresses.add(address) >= config.address_max_failures:
            self._addresses.block(address, config.address_lockout.total_seconds())
            log.warning("web sign-in throttled for an address failures=%s", config.address_max_failures)
        pair = _pair(name, address)
        self._spread.add(pair)
        if self._pairs.blocked_for(pair):
            return
        if self._pairs.add(pair) >= config.max_failures:
            self._pairs.block(pair, config.lockout.total_seconds())
            log.warning("web account locked for an address")

    def succeeded(self, name: str, address: str) -> None:
        """A right password: the pair starts afresh (the address's count stays)."""
        pair = _pair(name, address)
        self._pairs.clear(pair)
        self._spread.clear(pair)

"""Sign-in throttling per client address (siakgate.web.throttle): a lock-out that cannot be aimed at an officer.

Addresses come from ``X-Forwarded-For``, the gateway trusting the loopback proxy (``trusted_proxies``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from api_kit import gateway_settings
from sqlalchemy import select
from sqlalchemy.orm import Session
from web_kit import PASSWORD, Browser, Web, serve_web

from mock_common.pytest_plugin import MockService
from siakgate.store.models_web import WebUser

WRONG = "salah-salah-salah"


@pytest.fixture
def proxied(database_url: str, tmp_path: Path, mock_siak: MockService, mock_bsre_aia: MockService) -> Iterator[Web]:
    settings = gateway_settings(
        database_url, tmp_path / "state", mock_siak, mock_bsre_aia, trusted_proxies=["127.0.0.1", "::1"]
    )
    with serve_web(settings) as running:
        yield running


def _from(web: Web, address: str) -> Browser:
    browser = web.browser()
    browser.client.headers["X-Forwarded-For"] = address
    return browser


def _locked_until(web: Web, username: str) -> object:
    def read(session: Session) -> object:
        return session.scalars(select(WebUser.locked_until).where(WebUser.username == username)).one()

    return asyncio.run(web.db.run(read, read_only=True))


def test_failures_from_one_address_neither_lock_the_officer_out_nor_let_the_address_go_on(proxied: Web) -> None:
    web = proxied
    web.user("kepaladinas", "KEPALA_DINAS")
    web.user("kasi", "KASI")
    attacker, officer = _from(web, "10.0.0.1"), _from(web, "10.0.0.2")
    for _ in range(20):
        assert attacker.sign_in("kepaladinas", WRONG).status_code == 401
    # The officer, from their own workstation's address, still gets in.
    assert officer.sign_in("kepaladinas", PASSWORD).status_code == 303
    assert _locked_until(web, "kepaladinas") is None
    # The address is throttled for every account, right password or not.
    throttled = attacker.sign_in("kasi", PASSWORD)
    assert throttled.status_code == 429
    assert int(throttled.headers["Retry-After"]) == 15 * 60
    assert "Terlalu banyak permintaan dari alamat Anda" in throttled.text
    assert 'data-testid="error-banner"' in throttled.text
    web.clock.advance(minutes=14, seconds=59)
    assert attacker.sign_in("kasi", PASSWORD).status_code == 429
    web.clock.advance(seconds=2)
    assert attacker.sign_in("kasi", PASSWORD).status_code == 303
    assert _from(web, "10.0.0.1").sign_in("kepaladinas", PASSWORD).status_code == 303


def test_an_account_failed_from_several_addresses_is_locked_everywhere_for_five_minutes(proxied: Web) -> None:
    web = proxied
    web.user("kepaladinas", "KEPALA_DINAS")
    for address, tries in (("10.0.1.1", 2), ("10.0.1.2", 2)):
        for _ in range(tries):
            assert _from(web, address).sign_in("kepaladinas", WRONG).status_code == 401
    assert _locked_until(web, "kepaladinas") is None
    assert _from(web, "10.0.1.3").sign_in("kepaladinas", WRONG).status_code == 401  # 5 failures, 3 addresses
    assert _locked_until(web, "kepaladinas") is not None
    assert _from(web, "10.0.1.9").sign_in("kepaladinas", PASSWORD).status_code == 401
    web.clock.advance(minutes=5, seconds=1)
    assert _from(web, "10.0.1.9").sign_in("kepaladinas", PASSWORD).status_code == 303


def test_without_a_proxy_the_peer_is_throttled(web: Web) -> None:
    """The ``web`` fixture trusts no proxy: the TCP peer is the address (the header rule: tests/test_limits.py)."""
    web.user("kasi", "KASI")
    browser = web.browser()
    for _ in range(20):
        browser.sign_in("kasi", WRONG)
    assert browser.sign_in("kasi", PASSWORD).status_code == 429

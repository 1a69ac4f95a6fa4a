"""siakgate.limits: the client address behind trusted proxies, token buckets and failure windows on the clock."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from starlette.requests import Request

from siakgate.clock import Clock
from siakgate.limits import FailureWindows, TokenBuckets, client_address, networks


def _request(peer: str, *forwarded: str) -> Request:
    headers = [(b"x-forwarded-for", value.encode()) for value in forwarded]
    return Request({"type": "http", "method": "GET", "path": "/", "headers": headers, "client": (peer, 1234)})


PROXIES = networks(["10.0.0.2", "172.16.0.0/12"])


@pytest.mark.parametrize(
    ("peer", "forwarded", "expected"),
    [
        ("203.0.113.5", ("198.51.100.1",), "203.0.113.5"),  # not a proxy: the header is ignored
        ("10.0.0.2", (), "10.0.0.2"),
        ("10.0.0.2", ("198.51.100.1",), "198.51.100.1"),
        ("10.0.0.2", ("6.6.6.6, 198.51.100.1, 172.16.4.4",), "198.51.100.1"),  # the first untrusted from the right
        ("10.0.0.2", ("6.6.6.6", "198.51.100.1"), "198.51.100.1"),  # several headers are one list
        ("10.0.0.2", ("198.51.100.1, bukan-alamat",), "10.0.0.2"),  # garbage: trust nothing further left
        ("10.0.0.2", ("172.16.0.9",), "172.16.0.9"),  # only proxies: the farthest
    ],
)
def test_client_address(peer: str, forwarded: tuple[str, ...], expected: str) -> None:
    assert client_address(_request(peer, *forwarded), PROXIES) == expected


def test_no_trusted_proxies_by_default() -> None:
    assert client_address(_request("10.0.0.2", "198.51.100.1")) == "10.0.0.2"


def test_networks_refuse_what_is_not_an_address() -> None:
    with pytest.raises(ValueError):
        networks(["proxy.dinas.example"])


def test_token_bucket_refills_on_the_clock() -> None:
    clock = Clock.fixed(datetime(2026, 12, 3, tzinfo=UTC))
    buckets = TokenBuckets(2, clock)
    assert [buckets.take("a"), buckets.take("a"), buckets.take("a")] == [0, 0, 30]
    assert buckets.take("b") == 0
    clock.advance(seconds=29)
    assert buckets.take("a") == 1
    clock.advance(seconds=1)
    assert buckets.take("a") == 0


def test_failure_window_slides_and_blocks() -> None:
    clock = Clock.fixed(datetime(2026, 12, 3, tzinfo=UTC))
    windows = FailureWindows(60, clock)
    assert windows.add("a") == 1
    clock.advance(seconds=30)
    assert windows.add("a") == 2
    clock.advance(seconds=31)
    assert windows.add("a") == 2
    windows.block("a", 10)
    assert windows.blocked_for("a") == 10
    clock.advance(seconds=10)
    assert windows.blocked_for("a") == 0

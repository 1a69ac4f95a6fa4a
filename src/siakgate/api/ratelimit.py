"""Rate limits of the public routes (no token): FastAPI dependencies, one token bucket per client address.

``POST /v1/verify`` validates an uploaded PDF in full (CPU, and OCSP/CRL fetches), ``GET /v1/verify/{ref}``
reads one row; both are open to anyone, so each client address (:func:`siakgate.limits.client_address`,
behind ``trusted_proxies``) gets ``rate_limit.verify_per_minute`` / ``rate_limit.verify_lookup_per_minute``
requests, refilled continuously. Over the limit: 429 ``TERLALU_BANYAK_PERMINTAAN`` with ``Retry-After``
(:class:`~siakgate.errors.TooManyRequestsError`, answered by :mod:`siakgate.api.problems`).

The buckets live on the app (``app.state``), built at the first request from the gateway's settings and
clock; they are in memory, per process (see :mod:`siakgate.limits`). A dependency runs after FastAPI has
read the request's body, so an upload over the limit is received but never validated.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from siakgate.api.deps import GatewayDep
from siakgate.api.runtime import Gateway
from siakgate.errors import TooManyRequestsError
from siakgate.limits import Networks, TokenBuckets, client_address, networks

__all__ = ["RateLimits", "limit_verify_lookup", "limit_verify_upload"]


@dataclass
class RateLimits:
    """The public routes' buckets and who may name the client (one per app)."""

    proxies: Networks
    verify: TokenBuckets
    verify_lookup: TokenBuckets

    @classmethod
    def of(cls, gateway: Gateway) -> RateLimits:
        limits = gateway.settings.rate_limit
        return cls(
            proxies=networks(gateway.settings.trusted_proxies),
            verify=TokenBuckets(limits.verify_per_minute, gateway.clock),
            verify_lookup=TokenBuckets(limits.verify_lookup_per_minute, gateway.clock),
        )


def _limits(request: Request, gateway: Gateway) -> RateLimits:
    """The app's limits for its running gateway (a new lifespan, a new gateway: new buckets)."""
    built: tuple[Gateway, RateLimits] | None = getattr(request.app.state, "rate_limits", None)
    if built is None or built[0] is not gateway:
        built = request.app.state.rate_limits = (gateway, RateLimits.of(gateway))
    return built[1]


def _take(buckets: TokenBuckets, address: str) -> None:
    wait = buckets.take(address)
    if wait:
        raise TooManyRequestsError(wait)


async def limit_verify_upload(request: Request, gateway: GatewayDep) -> None:
    """``POST /v1/verify``: one token of the client address's bucket, or 429."""
    limits = _limits(request, gateway)
    _take(limits.verify, client_address(request, limits.proxies))


async def limit_verify_lookup(request: Request, gateway: GatewayDep) -> None:
    """``GET /v1/verify/{ref}``: one token of the client address's bucket, or 429."""
    limits = _limits(request, gateway)
    _take(limits.verify_lookup, client_address(request, limits.proxies))

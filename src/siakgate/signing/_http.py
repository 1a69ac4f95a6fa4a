"""One HTTP session per batch for what signing asks BSrE's PKI: timestamps, OCSP answers, CRLs, caIssuers.

Why: pyHanko's ``HTTPTimeStamper``, given no session, opens a new aiohttp session for every timestamp,
and with it a new SSL context that loads certifi's CA bundle (about 40 ms of CPU, most of a B-T
signature's cost) and a new TCP connection. A batch asks one TSA once per KK; the validation context of
a B-LT batch asks the same OCSP responder and CRL distribution points. :class:`BatchSession` is the one
session all of them share: its connections are kept alive and reused, at most :data:`MAX_CONNECTIONS` per
host at a time (the engine overlaps several documents' round trips; BSrE should not see a burst), and
the SSL context is made once per process (:func:`ssl_context`, certifi's bundle as pyHanko uses it).

An aiohttp session belongs to the event loop that made it, and the engine runs each phase on a private
loop of its own: the session is made on first use in the running loop and closed by :meth:`BatchSession.close`
(``BatchContext.aclose``) before that loop ends; the next loop gets a new one. It subclasses pyHanko's
``LazySession``, which its timestamper and fetchers accept for exactly this.
"""

from __future__ import annotations

import ssl
from functools import cache

import aiohttp
import certifi
from pyhanko.sign.timestamps import HTTPTimeStamper, TimeStamper
from pyhanko_certvalidator.fetchers.aiohttp_fetchers import AIOHttpFetcherBackend
from pyhanko_certvalidator.fetchers.aiohttp_fetchers.util import LazySession

__all__ = ["MAX_CONNECTIONS", "TSA_TIMEOUT", "BatchSession", "batch_timestamper", "fetcher_backend", "ssl_context"]

MAX_CONNECTIONS = 8
"""Connections open at once to one PKI host (TSA, OCSP, CRL) from one batch."""
TSA_TIMEOUT = 30
"""Seconds for one timestamp round trip (as before: a slow TSA is still a TSA)."""


@cache
def ssl_context() -> ssl.SSLContext:
    """The client SSL context for PKI services (certifi's CA bundle), made once per process.

    Loading the bundle is what made every timestamp cost 40 ms; a context is read-only once made and safe
    to share between sessions, loops and threads.
    """
    return ssl.create_default_context(cafile=certifi.where())


class BatchSession(LazySession):
    """The aiohttp session of one batch: made on first use in the running event loop, closed by :meth:`close`."""

    def __init__(self, *, max_connections: int = MAX_CONNECTIONS) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._current: aiohttp.ClientSession | None = None
        self.max_connections = max_connections
        self.opened = 0
        """Sessions made so far (one per event loop that used this batch's network)."""

    def get_session(self) -> aiohttp.ClientSession:
        session = self._current
        if session is None or session.closed:
            connector = aiohttp.TCPConnector(ssl=ssl_context(), limit_per_host=self.max_connections)
            session = self._current = aiohttp.ClientSession(connector=connector)
            self.opened += 1
        return session

    async def close(self) -> None:
        """Close the session of the running loop, if one was made; a later use makes a new one."""
        session, self._current = self._current, None
        if session is not None:
            await session.close()


def batch_timestamper(url: str, session: BatchSession) -> TimeStamper:
    """pyHanko's RFC 3161 client for ``url``, its requests sent through the batch's ``session``.

    pyHanko's own client (not ours) so that what a failing TSA raises stays what
    :mod:`siakgate.signing._errors` reads: ``TimestampRequestError`` from ``aiohttp`` errors.
    """
    return HTTPTimeStamper(url, timeout=TSA_TIMEOUT, session=session)


def fetcher_backend(session: BatchSession) -> AIOHttpFetcherBackend:
    """pyhanko_certvalidator's OCSP/CRL/certificate fetchers, sending through the batch's ``session``.

    A validation context keeps one set of fetchers, and a fetcher keeps every answer it fetched: the
    signer's (and the TSA's) OCSP answers and CRLs are fetched once per batch, not once per KK.
    """
    backend = AIOHttpFetcherBackend()
    backend.session = session  # the constructor's annotation says ClientSession; a LazySession is what it keeps
    return backend

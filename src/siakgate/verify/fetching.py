"""Fetching revocation information only from configured endpoints: no outbound request decided by a stranger.

A certificate names where its OCSP responder, its CRLs and its issuer's certificate are (AIA ``ocsp`` and
``caIssuers``, CRL distribution points), and pyhanko_certvalidator fetches from there. In an uploaded PDF
whoever made the certificate chose those URLs: ``http://127.0.0.1:8500/...`` would make the gateway call
itself, thirty URLs thirty requests. :class:`AllowListFetcherBackend` wraps a real fetcher backend (pyHanko's
fetcher seam, :class:`~pyhanko_certvalidator.fetchers.api.FetcherBackend`) and lets a fetch through only when
every URL the certificate or CRL names for it is on an :class:`EndpointAllowList`. Otherwise it refuses with
the error the validator expects from a failed fetch (``OCSPFetchError``, ``CRLFetchError``; a refused
issuer certificate is skipped, as pyHanko skips one it cannot fetch), before any network I/O. For the
verification engine a refused fetch is a responder that could not be reached: the revocation status stays
unknown and the verdict ``INDETERMINATE``, never ``VALID``.

Why all URLs of an object and not the allowed ones among them: the wrapped fetcher takes the URLs from the
certificate itself, all of them; a certificate that names a stranger's endpoint next to ours gets nothing
fetched for it.

An allow-list entry is a URL prefix (``http://127.0.0.1:8082/pki/``: that scheme, host and port, a path
under that one) or a host (``ocsp.example.go.id``, ``ca.example.go.id:8080``: http or https, any path; the
scheme's default port unless one is given). URLs are compared after parsing, and refused when they carry
user information, dot segments (``/pki/../api``, encoded or not), whitespace, backslashes or non-ASCII
characters: whatever a client might read differently from this check.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator, Iterable, Sequence
from dataclasses import dataclass
from typing import TypeAlias
from urllib.parse import unquote, urlsplit

from asn1crypto import cms, crl, ocsp, x509
from pyhanko_certvalidator.authority import Authority
from pyhanko_certvalidator.errors import CRLFetchError, OCSPFetchError
from pyhanko_certvalidator.fetchers.api import (
    CertificateFetcher,
    CRLFetcher,
    FetcherBackend,
    Fetchers,
    OCSPFetcher,
)
from pyhanko_certvalidator.fetchers.common_utils import enumerate_delivery_point_urls, gather_aia_issuer_urls
from pyhanko_certvalidator.util import get_ocsp_urls, get_relevant_crl_dps

__all__ = ["AllowListFetcherBackend", "EndpointAllowList", "allow_listed_backend"]

logger = logging.getLogger(__name__)

_DEFAULT_PORTS = {"http": 80, "https": 443}
_UNSAFE_CHARACTERS = frozenset(" \t\r\n\\")

AnyCert: TypeAlias = x509.Certificate | cms.AttributeCertificateV2


@dataclass(frozen=True)
class _Url:
    scheme: str
    host: str
    port: int
    path: str


def _parse(url: str) -> _Url | None:
    """The parts of an http(s) URL, or None when it is one a client might read otherwise than we do."""
    if not url.isascii() or any(char in _UNSAFE_CHARACTERS for char in url):
        return None
    try:
        split = urlsplit(url)
        port = split.port
    except ValueError:
        return None
    scheme = split.scheme.lower()
    host = (split.hostname or "").rstrip(".")
    if scheme not in _DEFAULT_PORTS or not host or "@" in split.netloc:
        return None
    path = split.path or "/"
    if any(segment in (".", "..") for segment in unquote(path).split("/")):
        return None
    return _Url(scheme, host, port if port is not None else _DEFAULT_PORTS[scheme], path)


@dataclass(frozen=True)
class _Entry:
    host: str
    port: int | None
    """None: the default port of the URL's scheme."""
    scheme: str | None
    """None: a host entry (http or https, any path)."""
    path: str

    def matches(self, url: _Url) -> bool:
        if url.host != self.host:
            return False
        if self.scheme is None:
            return url.port == (self.port if self.port is not None else _DEFAULT_PORTS[url.scheme])
        if (url.scheme, url.port) != (self.scheme, self.port):
            return False
        prefix = self.path if self.path.endswith("/") else self.path + "/"
        return url.path == self.path or url.path.startswith(prefix)


def _entry(text: str) -> _Entry:
    text = text.strip()
    if "://" in text:
        url = _parse(text)
        if url is None or urlsplit(text).query or urlsplit(text).fragment:
            raise ValueError(f"not an http(s) URL prefix: {text!r}")
        return _Entry(url.host, url.port, url.scheme, url.path)
    url = _parse(f"http://{text}/")
    if url is None or not text or "/" in text:
        raise ValueError(f"not a host or host:port: {text!r}")
    explicit = urlsplit(f"http://{text}/").port
    return _Entry(url.host, explicit, None, "/")


class EndpointAllowList:
    """The OCSP/CRL/caIssuers endpoints the gateway may fetch from: URL prefixes and hosts (module docstring).

    Raises :class:`ValueError` naming an entry that is neither.
    """

    def __init__(self, entries: Iterable[str]) -> None:
        self.entries: tuple[str, ...] = tuple(entry.strip() for entry in entries)
        self._parsed = tuple(_entry(entry) for entry in self.entries)

    def allows(self, url: str) -> bool:
        parsed = _parse(url)
        return parsed is not None and any(entry.matches(parsed) for entry in self._parsed)

    def refused(self, urls: Iterable[str]) -> list[str]:
        """The URLs of ``urls`` not on the list."""
        return [url for url in urls if not self.allows(url)]

    def __repr__(self) -> str:
        return f"EndpointAllowList({list(self.entries)!r})"


def _shown(urls: Sequence[str]) -> str:
    """Refused URLs for a message: a certificate's URLs are a stranger's text, so few and short."""
    shown = ", ".join(repr(url[:120]) for url in urls[:3])
    return shown + (f" (+{len(urls) - 3})" if len(urls) > 3 else "")


def _crl_urls(cert: AnyCert) -> list[str]:
    points = get_relevant_crl_dps(cert, use_deltas=True)
    return [url for point in points for url in enumerate_delivery_point_urls(point)]


class _OCSPFetcher(OCSPFetcher):
    def __init__(self, inner: OCSPFetcher, allowed: EndpointAllowList) -> None:
        self._inner = inner
        self._allowed = allowed

    async def fetch(self, cert: AnyCert, authority: Authority) -> ocsp.OCSPResponse:
        refused = self._allowed.refused(get_ocsp_urls(cert))
        if refused:
            logger.warning("OCSP fetch refused, responder not on the allow-list: %s", _shown(refused))
            raise OCSPFetchError(f"OCSP responder not on the allow-list: {_shown(refused)}")
        return await self._inner.fetch(cert, authority)

    def fetched_responses(self) -> Iterable[ocsp.OCSPResponse]:
        return self._inner.fetched_responses()

    def fetched_responses_for_cert(self, cert: AnyCert) -> Iterable[ocsp.OCSPResponse]:
        return self._inner.fetched_responses_for_cert(cert)


class _CRLFetcher(CRLFetcher):
    def __init__(self, inner: CRLFetcher, allowed: EndpointAllowList) -> None:
        self._inner = inner
        self._allowed = allowed

    async def fetch(self, cert: AnyCert, *, use_deltas: bool | None = None) -> Iterable[crl.CertificateList]:
        # Delta CRL points too, whatever ``use_deltas`` says: pyHanko's fetchers default to fetching them.
        refused = self._allowed.refused(_crl_urls(cert))
        if refused:
            logger.warning("CRL fetch refused, distribution point not on the allow-list: %s", _shown(refused))
            raise CRLFetchError(f"CRL distribution point not on the allow-list: {_shown(refused)}")
        if use_deltas is None:
            return await self._inner.fetch(cert)
        return await self._inner.fetch(cert, use_deltas=use_deltas)

    def fetched_crls(self) -> Iterable[crl.CertificateList]:
        return self._inner.fetched_crls()

    def fetched_crls_for_cert(self, cert: AnyCert) -> Iterable[crl.CertificateList]:
        return self._inner.fetched_crls_for_cert(cert)


async def _nothing() -> AsyncGenerator[x509.Certificate, None]:
    return
    yield  # pragma: no cover (makes this an async generator)


class _CertificateFetcher(CertificateFetcher):
    """A refused issuer certificate is skipped, as pyHanko's fetchers skip one they fail to fetch."""

    def __init__(self, inner: CertificateFetcher, allowed: EndpointAllowList) -> None:
        self._inner = inner
        self._allowed = allowed

    def fetch_cert_issuers(self, cert: AnyCert) -> AsyncGenerator[x509.Certificate, None]:
        refused = self._allowed.refused(gather_aia_issuer_urls(cert))
        if refused:
            logger.warning("Issuer certificate fetch refused, caIssuers not on the allow-list: %s", _shown(refused))
            return _nothing()
        return self._inner.fetch_cert_issuers(cert)

    def fetch_crl_issuers(self, certificate_list: crl.CertificateList) -> AsyncGenerator[x509.Certificate, None]:
        refused = self._allowed.refused(certificate_list.issuer_cert_urls)
        if refused:
            logger.warning("CRL issuer fetch refused, caIssuers not on the allow-list: %s", _shown(refused))
            return _nothing()
        return self._inner.fetch_crl_issuers(certificate_list)

    def fetched_certs(self) -> Iterable[x509.Certificate]:
        return self._inner.fetched_certs()


class AllowListFetcherBackend(FetcherBackend):
    """``inner``'s fetchers, refusing every fetch from an endpoint that is not on ``allowed``.

    Closing it closes ``inner``.
    """

    def __init__(self, inner: FetcherBackend, allowed: EndpointAllowList) -> None:
        self.inner = inner
        self.allowed = allowed

    def get_fetchers(self) -> Fetchers:
        fetchers = self.inner.get_fetchers()
        return Fetchers(
            ocsp_fetcher=_OCSPFetcher(fetchers.ocsp_fetcher, self.allowed),
            crl_fetcher=_CRLFetcher(fetchers.crl_fetcher, self.allowed),
            cert_fetcher=_CertificateFetcher(fetchers.cert_fetcher, self.allowed),
        )

    async def close(self) -> None:
        await self.inner.close()  # type: ignore[no-untyped-call]


def allow_listed_backend(allowed: Iterable[str], *, per_request_timeout: float = 10) -> AllowListFetcherBackend:
    """pyHanko's aiohttp backend behind ``allowed`` (URL prefixes and hosts); the caller closes it."""
    from pyhanko_certvalidator.fetchers.aiohttp_fetchers import AIOHttpFetcherBackend

    allow_list = allowed if isinstance(allowed, EndpointAllowList) else EndpointAllowList(allowed)
    return AllowListFetcherBackend(AIOHttpFetcherBackend(per_request_timeout=per_request_timeout), allow_list)

"""The bundled SIAK contract loaded once, the hardened zeep settings, and the httpx transport zeep posts through.

Three zeep 4.3 defaults are unsafe or unwanted for a gateway that carries personal data, so they are
replaced here rather than worked around at every call:

* ``AsyncTransport.__init__`` overwrites the headers of the ``httpx.AsyncClient`` it is given (a shared,
  injected client would lose its own headers) and opens a second, synchronous ``httpx.Client`` that is
  never closed. :class:`HttpxSoapTransport` keeps the injected client as it is and opens nothing.
* ``AsyncTransport.post`` logs whole request and response envelopes at DEBUG (they hold NIKs, names and
  WS-Security passwords). :class:`HttpxSoapTransport` never logs a body.
* zeep parses with DTDs allowed and follows ``http(s)`` imports by default. :data:`ZEEP_SETTINGS`
  forbids DTDs, entities and external references, parses strictly and keeps libxml2's size limits.

The WSDL and its XSD are read from the installed ``siakgate.contracts`` package by
:class:`PackageLoader`, which refuses every other location, so loading the contract never touches the
network (nor ``requests``); :func:`bundled_wsdl` parses it once per process and every client shares
the parsed document (it is read-only after loading).
"""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path
from typing import Any, cast

import httpx
from zeep.settings import Settings
from zeep.transports import AsyncTransport
from zeep.wsdl import Document

__all__ = [
    "BINDING",
    "NS",
    "ZEEP_SETTINGS",
    "HttpxSoapTransport",
    "PackageLoader",
    "bundled_wsdl",
]

NS = "urn:siakgate:siak:v1"
BINDING = f"{{{NS}}}SiakBinding"

ZEEP_SETTINGS = Settings(
    strict=True,
    forbid_dtd=True,
    forbid_entities=True,
    forbid_external=True,
    xml_huge_tree=False,
)
"""Applied to loading the contract and to parsing every answer (zeep reads ``client.settings``)."""


class PackageLoader:
    """A zeep "transport" that can only read the contract files shipped in ``siakgate.contracts``.

    zeep calls ``load(url)`` for the WSDL and for each ``xs:import``; anything outside the package
    directory (a URL, another file) is refused, so a tampered contract cannot make the loader fetch.
    """

    binding_classes = None  # zeep asks the transport for custom binding classes; we have none

    def __init__(self, directory: Path) -> None:
        self._directory = directory.resolve()

    def load(self, url: str) -> bytes:
        path = Path(url).resolve()
        if path.parent != self._directory or not path.is_file():
            raise ValueError(f"the SIAK contract may only import files of siakgate.contracts, not {url!r}")
        return path.read_bytes()


@functools.cache
def bundled_wsdl() -> Any:
    """The parsed bundled WSDL (a ``zeep.wsdl.Document``), loaded on first use and then shared."""
    with resources.as_file(resources.files("siakgate.contracts") / "siak.wsdl") as wsdl_path:
        loader = PackageLoader(wsdl_path.parent)
        return Document(str(wsdl_path), cast(Any, loader), settings=ZEEP_SETTINGS)


class HttpxSoapTransport(AsyncTransport):
    """zeep's async transport over an injected ``httpx.AsyncClient``, without zeep's side effects.

    ``auth`` (HTTP Basic, optional) is passed per request, so the injected client needs no
    SIAK-specific configuration and may be shared. Timeouts are the client's own.
    """

    def __init__(self, client: httpx.AsyncClient, *, auth: httpx.Auth | None = None) -> None:
        # Deliberately not calling AsyncTransport.__init__ (see the module docstring).
        self.client = client
        self.cache = None
        self.wsdl_client = None
        self._auth = auth
        self._close_session = False  # read by zeep's Transport.__del__

    async def aclose(self) -> None:
        """The injected client belongs to the caller, who closes it."""

    def load(self, url: str) -> bytes:
        raise ValueError("documents are never fetched at run time; the SIAK contract is bundled")

    async def post(self, address: str, message: bytes, headers: dict[str, str]) -> httpx.Response:
        if self._auth is None:
            return await self.client.post(address, content=message, headers=headers)
        return await self.client.post(address, content=message, headers=headers, auth=self._auth)

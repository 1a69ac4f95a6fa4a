"""PAdES signing of KK PDFs: one interface (``api``), one batch engine, four backends.

* :class:`Pkcs12Backend` (``pkcs12``): a local PKCS#12 file;
* :class:`Pkcs11Backend` (``pkcs11``): a PKCS#11 token or HSM;
* ``remote_hash.RemoteHashBackend``: BSrE's key through CSC hash signing (only hashes leave the gateway);
* ``esign.EsignBackend``: BSrE's Esign Client in whole-document mode (v1 or v2), its answers validated.

The two BSrE-backed backends live in their modules (they bring in the BSrE client); the rest is here.
:class:`JurisdictionGuard` holds any of them to the regencies its signer signs KKs for (a KK of another
regency is refused before any key is used: :mod:`siakgate.signing.jurisdiction`).
:func:`siakgate.signing.factory.build_backend` builds any of the four from a ``BackendSpec`` (the gateway's
settings and ``siakgate sign`` both describe their key that way).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from siakgate.signing.api import (
    TTE_SENTENCE,
    Credential,
    PadesLevel,
    RawBatchSigner,
    SigningBackend,
    SigningOptions,
    SignRequest,
    SignResult,
    TteBlock,
)

if TYPE_CHECKING:
    from siakgate.signing.engine import sign_batch
    from siakgate.signing.jurisdiction import Jurisdiction, JurisdictionGuard
    from siakgate.signing.pkcs11 import Pkcs11Backend
    from siakgate.signing.pkcs12 import Pkcs12Backend

__all__ = [
    "TTE_SENTENCE",
    "Credential",
    "Jurisdiction",
    "JurisdictionGuard",
    "PadesLevel",
    "Pkcs11Backend",
    "Pkcs12Backend",
    "RawBatchSigner",
    "SignRequest",
    "SignResult",
    "SigningBackend",
    "SigningOptions",
    "TteBlock",
    "sign_batch",
]

_LAZY: dict[str, str] = {
    "sign_batch": "siakgate.signing.engine",
    "Jurisdiction": "siakgate.signing.jurisdiction",
    "JurisdictionGuard": "siakgate.signing.jurisdiction",
    "Pkcs11Backend": "siakgate.signing.pkcs11",
    "Pkcs12Backend": "siakgate.signing.pkcs12",
}
"""The engine and the backends (pyHanko, the appearance, HTTP clients) are imported on first use: the
verifier needs only :class:`PadesLevel` from here, and ``siakgate verify`` should not pay for signing."""


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))

"""siakgate: SIAK integration adapter and TTE signing gateway for Dinas Dukcapil.

The public API is what ``__all__`` lists; everything else is private and may change. Subpackages:
:mod:`siakgate.domain` (the KK, pure), :mod:`siakgate.siak` (SIAK's SOAP API), :mod:`siakgate.bsre` (BSrE's
Esign and CSC APIs), :mod:`siakgate.signing` (PAdES batch signing), :mod:`siakgate.verify` (signature reports),
:mod:`siakgate.contracts` (the SIAK WSDL/XSD and code lists). Every error derives from :class:`SiakgateError`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from siakgate.bsre import BsreClient, CscClient
    from siakgate.domain import (
        CaseType,
        KartuKeluarga,
        Member,
        Nik,
        NoKk,
        ensure_valid_family,
        mask_nik,
        parse_family,
        parse_nik,
        parse_no_kk,
        validate_family,
    )
    from siakgate.errors import (
        BsreError,
        CertificateStatusError,
        DataIssue,
        InvalidDataError,
        ServiceTimeoutError,
        ServiceUnavailableError,
        SiakError,
        SiakgateError,
        SignedDocumentRejectedError,
        SignerNotRegisteredError,
        SigningError,
        TransientError,
        VerificationError,
        WrongPassphraseError,
    )
    from siakgate.siak import SiakClient
    from siakgate.signing import (
        Credential,
        PadesLevel,
        Pkcs11Backend,
        Pkcs12Backend,
        SigningOptions,
        SignRequest,
        SignResult,
        TteBlock,
    )
    from siakgate.verify import VerificationReport, verify_pdf

__version__ = "0.1.0.dev0"

__all__ = [
    "BsreClient",
    "BsreError",
    "CaseType",
    "CertificateStatusError",
    "Credential",
    "CscClient",
    "DataIssue",
    "InvalidDataError",
    "KartuKeluarga",
    "Member",
    "Nik",
    "NoKk",
    "PadesLevel",
    "Pkcs11Backend",
    "Pkcs12Backend",
    "ServiceTimeoutError",
    "ServiceUnavailableError",
    "SiakClient",
    "SiakError",
    "SiakgateError",
    "SignRequest",
    "SignResult",
    "SignedDocumentRejectedError",
    "SignerNotRegisteredError",
    "SigningError",
    "SigningOptions",
    "TransientError",
    "TteBlock",
    "VerificationError",
    "VerificationReport",
    "WrongPassphraseError",
    "__version__",
    "ensure_valid_family",
    "mask_nik",
    "parse_family",
    "parse_nik",
    "parse_no_kk",
    "validate_family",
    "verify_pdf",
]

_LAZY: dict[str, str] = {
    "BsreClient": "siakgate.bsre",
    "CscClient": "siakgate.bsre",
    "CaseType": "siakgate.domain",
    "KartuKeluarga": "siakgate.domain",
    "Member": "siakgate.domain",
    "Nik": "siakgate.domain",
    "NoKk": "siakgate.domain",
    "ensure_valid_family": "siakgate.domain",
    "mask_nik": "siakgate.domain",
    "parse_family": "siakgate.domain",
    "parse_nik": "siakgate.domain",
    "parse_no_kk": "siakgate.domain",
    "validate_family": "siakgate.domain",
    "BsreError": "siakgate.errors",
    "CertificateStatusError": "siakgate.errors",
    "DataIssue": "siakgate.errors",
    "InvalidDataError": "siakgate.errors",
    "ServiceTimeoutError": "siakgate.errors",
    "ServiceUnavailableError": "siakgate.errors",
    "SiakError": "siakgate.errors",
    "SiakgateError": "siakgate.errors",
    "SignedDocumentRejectedError": "siakgate.errors",
    "SignerNotRegisteredError": "siakgate.errors",
    "SigningError": "siakgate.errors",
    "TransientError": "siakgate.errors",
    "VerificationError": "siakgate.errors",
    "WrongPassphraseError": "siakgate.errors",
    "SiakClient": "siakgate.siak",
    "Credential": "siakgate.signing",
    "PadesLevel": "siakgate.signing",
    "Pkcs11Backend": "siakgate.signing",
    "Pkcs12Backend": "siakgate.signing",
    "SigningOptions": "siakgate.signing",
    "SignRequest": "siakgate.signing",
    "SignResult": "siakgate.signing",
    "TteBlock": "siakgate.signing",
    "VerificationReport": "siakgate.verify",
    "verify_pdf": "siakgate.verify",
}
"""Where each public name lives: imported on first use, so ``import siakgate.cli`` (``siakgate --help``) does
not pull in pyHanko, SQLAlchemy, zeep and httpx before a command needs them."""


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # once: later lookups are plain attribute reads
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))

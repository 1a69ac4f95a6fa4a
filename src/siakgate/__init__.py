"""siakgate: SIAK integration adapter and TTE signing gateway for Dinas Dukcapil.

The public API is what ``__all__`` lists; everything else is private and may change. Subpackages:
:mod:`siakgate.domain` (the KK, pure), :mod:`siakgate.siak` (SIAK's SOAP API), :mod:`siakgate.bsre` (BSrE's
Esign and CSC APIs), :mod:`siakgate.signing` (PAdES batch signing), :mod:`siakgate.verify` (signature reports),
:mod:`siakgate.contracts` (the SIAK WSDL/XSD and code lists). Every error derives from :class:`SiakgateError`.
"""

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

"""The top-level public API is exactly ``__all__``: adding or dropping a name is a deliberate act."""

from __future__ import annotations

from importlib.resources import files

import siakgate

EXPECTED = {
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
}


def test_all_is_the_expected_public_api() -> None:
    assert set(siakgate.__all__) == EXPECTED
    for name in siakgate.__all__:
        assert hasattr(siakgate, name), name


def test_every_error_derives_from_the_single_root() -> None:
    assert issubclass(siakgate.InvalidDataError, siakgate.SiakgateError)


def test_contract_files_ship_with_the_package() -> None:
    contracts = files("siakgate.contracts")
    for name in ("siak.wsdl", "siak.xsd", "codes.json"):
        assert (contracts / name).is_file(), name
    assert (files("siakgate") / "py.typed").is_file()

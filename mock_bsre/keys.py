"""Small adapters between the PKI helper's objects and what pyHanko / cryptography want.

The PKI package may hand out asn1crypto or cryptography objects; these functions accept either,
so the
mock does not depend on that choice.
"""

from __future__ import annotations

from typing import Any

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes


def cert_der(cert: Any) -> bytes:
    if isinstance(cert, bytes | bytearray):
        return bytes(cert)
    if hasattr(cert, "dump"):
        return bytes(cert.dump())
    return bytes(cert.public_bytes(serialization.Encoding.DER))


def asn1_cert(cert: Any) -> asn1_x509.Certificate:
    if isinstance(cert, asn1_x509.Certificate):
        return cert
    return asn1_x509.Certificate.load(cert_der(cert))


def crypto_private_key(key: Any) -> PrivateKeyTypes:
    if isinstance(key, asn1_keys.PrivateKeyInfo):
        return serialization.load_der_private_key(key.dump(), password=None)
    if isinstance(key, bytes | bytearray):
        data = bytes(key)
        if data.lstrip().startswith(b"-----"):
            return serialization.load_pem_private_key(data, password=None)
        return serialization.load_der_private_key(data, password=None)
    return key  # type: ignore[no-any-return]

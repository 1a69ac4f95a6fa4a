"""Certificates as callers hand them over: DER or PEM bytes (one certificate or several).

Kept apart from :mod:`siakgate.verify._certs` and imported first by :mod:`siakgate.verify`: the signing
package imports :func:`load_certificates` while it loads, and :mod:`siakgate.verify.model` imports the
signing package, so this module must not need either.
"""

from __future__ import annotations

from collections.abc import Iterable

from asn1crypto import pem
from asn1crypto import x509 as asn1_x509

__all__ = ["load_certificates", "parse_certificates"]


def load_certificates(data: bytes) -> list[bytes]:
    """DER certificates from PEM (one or more blocks) or DER bytes; ValueError when there are none."""
    if pem.detect(data):
        ders = [der for kind, _headers, der in pem.unarmor(data, multiple=True) if kind == "CERTIFICATE"]
    else:
        ders = [data]
    certs = []
    for der in ders:
        try:
            asn1_x509.Certificate.load(der).native  # noqa: B018 - forces a full parse
        except Exception as exc:
            raise ValueError("not an X.509 certificate (PEM or DER)") from exc
        certs.append(der)
    if not certs:
        raise ValueError("no certificate found")
    return certs


def parse_certificates(certs: Iterable[bytes]) -> list[asn1_x509.Certificate]:
    """Certificates given as DER or PEM (callers often hold the PEM file's bytes)."""
    return [asn1_x509.Certificate.load(der) for data in certs for der in load_certificates(data)]

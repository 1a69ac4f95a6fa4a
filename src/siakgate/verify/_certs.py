"""Reading certificates for the report: who signed, the chain, and why a chain is (not) trusted.

Distinguished names are printed the way BSrE's verify answer prints them (RFC 4514, as Java and
``cryptography`` do), so the BSrE-shaped answers match mock BSrE's byte for byte.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from cryptography import x509 as crypto_x509

from siakgate.verify.model import CertificateInfo, SignerInfo


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


def dn(cert: asn1_x509.Certificate, which: str) -> str:
    parsed = crypto_x509.load_der_x509_certificate(cert.dump())
    return (parsed.subject if which == "subject" else parsed.issuer).rfc4514_string()


def common_name(cert: asn1_x509.Certificate) -> str:
    subject: dict[str, Any] = cert.subject.native
    value = subject.get("common_name", "")
    return str(value[0] if isinstance(value, list) else value)


def _attr(cert: asn1_x509.Certificate, name: str) -> str | None:
    subject: dict[str, Any] = cert.subject.native
    value = subject.get(name)
    if value is None:
        return None
    return str(value[0] if isinstance(value, list) else value)


def _email(cert: asn1_x509.Certificate) -> str | None:
    san = cert.subject_alt_name_value
    if san is not None:
        for general_name in san:
            if general_name.name == "rfc822_name":
                return str(general_name.native)
    return _attr(cert, "email_address")


def serial_hex(cert: asn1_x509.Certificate) -> str:
    return format(cert.serial_number, "x")


def signer_info(cert: asn1_x509.Certificate) -> SignerInfo:
    return SignerInfo(
        name=common_name(cert),
        nik=_attr(cert, "serial_number"),
        email=_email(cert),
        organization=_attr(cert, "organization_name"),
        title=_attr(cert, "title"),
        subject_dn=dn(cert, "subject"),
        issuer_dn=dn(cert, "issuer"),
        certificate_serial=serial_hex(cert),
        not_before=cert.not_valid_before,
        not_after=cert.not_valid_after,
    )


def chain_info(signer: asn1_x509.Certificate, others: Sequence[asn1_x509.Certificate]) -> tuple[CertificateInfo, ...]:
    chain = [signer, *[c for c in others if c.dump() != signer.dump()]]
    return tuple(
        CertificateInfo(
            common_name=common_name(c),
            subject_dn=dn(c, "subject"),
            issuer_dn=dn(c, "issuer"),
            serial=serial_hex(c),
            not_before=c.not_valid_before,
            not_after=c.not_valid_after,
        )
        for c in chain
    )


def _date(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%d-%m-%Y")


def trust_explanation(
    problem: str | None,
    cert: asn1_x509.Certificate,
    anchor: str | None,
    revoked_at: datetime | None,
    now: datetime,
) -> str:
    """Bahasa Indonesia: why the signer's certificate is (not) trusted."""
    if problem is None:
        return f"Sertifikat terpercaya: berantai ke {anchor or 'akar terpercaya'}."
    if revoked_at is not None or "REVOKED" in problem:
        when = f" pada {_date(revoked_at)}" if revoked_at is not None else ""
        return f"Sertifikat penandatangan telah dicabut (revoked){when}."
    if cert.not_valid_after < now and ("OUT_OF_BOUNDS" in problem or "EXPIRED" in problem):
        return f"Sertifikat penandatangan sudah kedaluwarsa (berlaku sampai {_date(cert.not_valid_after)})."
    if cert.not_valid_before > now or "NOT_YET_VALID" in problem:
        return f"Sertifikat penandatangan belum berlaku (berlaku mulai {_date(cert.not_valid_before)})."
    if problem == "NO_CERTIFICATE_CHAIN_FOUND":
        return "Sertifikat penandatangan tidak diterbitkan oleh otoritas sertifikat yang terpercaya."
    return f"Rantai sertifikat penandatangan tidak dapat divalidasi ({problem})."

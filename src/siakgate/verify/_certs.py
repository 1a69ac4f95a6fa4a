"""Reading certificates for the report: who signed, the chain, and why a chain is (not) trusted.

Distinguished names are printed the way BSrE's verify answers print them: RFC 4514 attribute syntax, the
attributes in the order the certificate encodes them, ``C=ID,O=...,CN=...`` (guide v2.2.1 p.16 and p.35),
so the BSrE-shaped answers match BSrE's (and mock BSrE's) byte for byte.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from asn1crypto import x509 as asn1_x509
from cryptography import x509 as crypto_x509

from siakgate.verify.model import CertificateInfo, Indication, SignerInfo


def dn(cert: asn1_x509.Certificate, which: str) -> str:
    """``C=ID,O=...,CN=...``: each RDN in RFC 4514 syntax, in the certificate's order (RFC 4514 itself
    reverses it; BSrE does not, guide p.16 and p.35)."""
    parsed = crypto_x509.load_der_x509_certificate(cert.dump())
    name = parsed.subject if which == "subject" else parsed.issuer
    return ",".join(rdn.rfc4514_string() for rdn in name.rdns)


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


_SIGNATURE_KINDS = {"rsassa_pkcs1v15": "RSA", "rsassa_pss": "RSA-PSS", "ecdsa": "ECDSA", "dsa": "DSA"}

# RFC 5280's keyUsage bit names, in bit order (the names and order BSrE lists them in, guide p.35-36).
_KEY_USAGES = {
    "digital_signature": "digitalSignature",
    "non_repudiation": "nonRepudiation",
    "key_encipherment": "keyEncipherment",
    "data_encipherment": "dataEncipherment",
    "key_agreement": "keyAgreement",
    "key_cert_sign": "keyCertSign",
    "crl_sign": "crlSign",
    "encipher_only": "encipherOnly",
    "decipher_only": "decipherOnly",
}


def signature_algorithm(cert: asn1_x509.Certificate) -> str:
    """``RSA with SHA256``, as BSrE writes a certificate's signature algorithm (guide p.35-36)."""
    algo = cert["signature_algorithm"]
    try:
        kind = str(algo.signature_algo)
        digest = str(algo.hash_algo).upper()
    except ValueError:  # an algorithm asn1crypto cannot split: its name (or OID) as it stands
        return str(algo["algorithm"].native)
    return f"{_SIGNATURE_KINDS.get(kind, kind.upper())} with {digest}"


def key_usages(cert: asn1_x509.Certificate) -> tuple[str, ...]:
    value = cert.key_usage_value
    bits = set(value.native) if value is not None else set()
    return tuple(name for bit, name in _KEY_USAGES.items() if bit in bits)


def _path_first(signer: asn1_x509.Certificate, others: Sequence[asn1_x509.Certificate]) -> list[asn1_x509.Certificate]:
    """The signer, its issuer, that one's issuer... (BSrE's order, guide p.35-36), then the rest as embedded."""
    chain = [signer]
    rest = [c for c in others if c.dump() != signer.dump()]
    while issuer := next((c for c in rest if c.subject == chain[-1].issuer), None):
        chain.append(issuer)
        rest.remove(issuer)
        if issuer.subject == issuer.issuer:  # a root: nothing issues it
            break
    return chain + rest


def chain_info(signer: asn1_x509.Certificate, others: Sequence[asn1_x509.Certificate]) -> tuple[CertificateInfo, ...]:
    return tuple(
        CertificateInfo(
            common_name=common_name(c),
            subject_dn=dn(c, "subject"),
            issuer_dn=dn(c, "issuer"),
            serial=serial_hex(c),
            not_before=c.not_valid_before,
            not_after=c.not_valid_after,
            sha256=hashlib.sha256(c.dump()).hexdigest().upper(),
            signature_algorithm=signature_algorithm(c),
            key_usages=key_usages(c),
        )
        for c in _path_first(signer, others)
    )


def _date(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%d-%m-%Y")


_EXPIRY_PROBLEMS = frozenset(
    {"OUT_OF_BOUNDS_NO_POE", "OUT_OF_BOUNDS_NOT_REVOKED", "EXPIRED", "CERTIFICATE_CHAIN_GENERAL_FAILURE"}
)
"""The AdES sub-indications an expired certificate produces (pyHanko reports an expired CA certificate in
the chain as CERTIFICATE_CHAIN_GENERAL_FAILURE)."""

_STALE = "data status sertifikat (OCSP/CRL) tidak dapat diambil atau sudah tidak mutakhir"


def _since(problem: str | None, cert: asn1_x509.Certificate, revoked_at: datetime | None) -> str:
    """What changed after a signature was proven to exist (``VALID_AT_SIGNING_TIME``)."""
    if revoked_at is not None:
        return f"sertifikat itu kemudian dicabut pada {_date(revoked_at)}"
    if problem in _EXPIRY_PROBLEMS:
        return f"sertifikat itu kini sudah kedaluwarsa (berlaku sampai {_date(cert.not_valid_after)})"
    return f"status pencabutannya kini tidak dapat diperiksa ({_STALE}), tetapi data validasi saat itu ada di dokumen"


def trust_explanation(
    problem: str | None,
    cert: asn1_x509.Certificate,
    anchor: str | None,
    revoked_at: datetime | None,
    now: datetime,
    *,
    indication: Indication = Indication.INVALID,
    proven_at: datetime | None = None,
    timestamped_at: datetime | None = None,
) -> str:
    """Bahasa Indonesia: why the signer's certificate is (not) trusted, and since when.

    ``proven_at``: when the signature was proven to exist (past validation); ``timestamped_at``: the time in
    its signature timestamp, which shows a signature made after the expiry or the revocation for what it is.
    """
    chained = f"berantai ke {anchor or 'akar terpercaya'}"
    if indication is Indication.VALID_AT_SIGNING_TIME and proven_at is not None:
        return (
            f"Sertifikat terpercaya ({chained}) saat tanda tangan terbukti ada, {_date(proven_at)}; "
            f"{_since(problem, cert, revoked_at)}."
        )
    pending = indication is Indication.INDETERMINATE
    if problem is None:
        return f"Sertifikat terpercaya: {chained}."
    if revoked_at is not None or "REVOKED" in problem:
        text = "Sertifikat penandatangan telah dicabut (revoked)"
        if revoked_at is not None:
            text += f" pada {_date(revoked_at)}"
            if timestamped_at is not None and timestamped_at >= revoked_at:
                text += f"; cap waktu menunjukkan tanda tangan dibuat sesudahnya ({_date(timestamped_at)})"
        if pending:
            text += f"; bukti bahwa tanda tangan dibuat sebelumnya belum dapat diperiksa karena {_STALE}"
        return text + "."
    if cert.not_valid_after < now and (problem in _EXPIRY_PROBLEMS or pending):
        text = f"Sertifikat penandatangan sudah kedaluwarsa (berlaku sampai {_date(cert.not_valid_after)})"
        if problem == "CERTIFICATE_CHAIN_GENERAL_FAILURE":
            text += ", begitu pula sertifikat dalam rantai penerbitnya"
        if timestamped_at is not None and timestamped_at > cert.not_valid_after:
            text += f"; cap waktu menunjukkan tanda tangan dibuat sesudahnya ({_date(timestamped_at)})"
        elif pending:
            text += f"; bukti bahwa tanda tangan dibuat sebelumnya belum dapat diperiksa karena {_STALE}"
        elif timestamped_at is None:
            text += "; tidak ada cap waktu yang membuktikan tanda tangan dibuat sebelumnya"
        return text + "."
    if cert.not_valid_before > now or "NOT_YET_VALID" in problem:
        return f"Sertifikat penandatangan belum berlaku (berlaku mulai {_date(cert.not_valid_before)})."
    if pending or problem == "TRY_LATER":
        return f"Status pencabutan sertifikat penandatangan tidak dapat diperiksa saat ini karena {_STALE}."
    if problem == "NO_CERTIFICATE_CHAIN_FOUND":
        return "Sertifikat penandatangan tidak diterbitkan oleh otoritas sertifikat yang terpercaya."
    return f"Rantai sertifikat penandatangan tidak dapat divalidasi ({problem})."

"""Fresh CRLs (RFC 5280) for the two test CAs, signed on every request.

A CRL made at request time never goes stale, so tests written today still validate in 2035. The CRL
number is the issue time in seconds, which increases from one CRL to the next as RFC 5280 asks.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization

from mock_bsre.pki.store import CA_NAMES, Pki, PkiError

VALIDITY = timedelta(days=1)


def build_crl(pki: Pki, ca: str, now: datetime | None = None) -> bytes:
    """A DER CRL signed by ``ca`` (``root-ca`` or ``issuing-ca``) listing what it revoked."""
    if ca not in CA_NAMES:
        raise PkiError(f"no CRL for {ca!r}; known CAs: {', '.join(CA_NAMES)}")
    now = (now or datetime.now(UTC)).replace(microsecond=0)
    ca_cert = pki.crypto_certificate(ca)
    ski = ca_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(ca_cert.subject)
        .last_update(now)
        .next_update(now + VALIDITY)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), critical=False)
        .add_extension(x509.CRLNumber(int(now.timestamp())), critical=False)
    )
    for revocation in pki.revocations(ca):
        if revocation.revoked_at > now:
            continue
        entry = x509.RevokedCertificateBuilder().serial_number(revocation.serial).revocation_date(revocation.revoked_at)
        reason = revocation.crypto_reason
        if reason is not None:
            entry = entry.add_extension(x509.CRLReason(reason), critical=False)
        builder = builder.add_revoked_certificate(entry.build())
    crl = builder.sign(pki.crypto_private_key(ca), hashes.SHA256())
    return crl.public_bytes(serialization.Encoding.DER)

"""OCSP responder (RFC 6960) for the test PKI, built on cryptography's OCSP builder.

Why not certomancer's responder: poppler's ``pdfsig`` (NSS) rejected its answers in an earlier
attempt, while a responder on cryptography's ``OCSPResponseBuilder`` was accepted. Certificates
issued by the issuing CA are answered by the delegated ``ocsp-responder`` (id-pkix-ocsp-nocheck,
included in the response); those issued by the root are answered by the root itself.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509 import ocsp

from mock_bsre.pki.store import CA_NAMES, ISSUING_CA, OCSP_RESPONDER, Pki

VALIDITY = timedelta(days=1)
_HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "sha1": hashes.SHA1,
    "sha224": hashes.SHA224,
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
}


def _issuer_hashes(pki: Pki, ca: str, algorithm: hashes.HashAlgorithm) -> tuple[bytes, bytes]:
    """(issuerNameHash, issuerKeyHash) of ``ca`` as an OCSP CertID computes them."""
    name_der = pki.crypto_certificate(ca).subject.public_bytes()
    # issuerKeyHash covers the subjectPublicKey BIT STRING contents, not the whole SPKI.
    spki = pki.certificate(ca)["tbs_certificate"]["subject_public_key_info"]
    key_bits = spki["public_key"].contents[1:]  # drop the unused-bits octet
    name_hash = hashlib.new(algorithm.name, name_der).digest()
    key_hash = hashlib.new(algorithm.name, key_bits).digest()
    return name_hash, key_hash


def _find_issuer(pki: Pki, request: ocsp.OCSPRequest) -> str | None:
    for ca in CA_NAMES:
        if _issuer_hashes(pki, ca, request.hash_algorithm) == (
            request.issuer_name_hash,
            request.issuer_key_hash,
        ):
            return ca
    return None


def _nonce(request: ocsp.OCSPRequest) -> x509.OCSPNonce | None:
    try:
        return request.extensions.get_extension_for_class(x509.OCSPNonce).value
    except x509.ExtensionNotFound:
        return None


def malformed_response() -> bytes:
    """The protocol's own answer to a request it cannot parse."""
    return ocsp.OCSPResponseBuilder.build_unsuccessful(ocsp.OCSPResponseStatus.MALFORMED_REQUEST).public_bytes(
        serialization.Encoding.DER
    )


def respond(pki: Pki, request_der: bytes, now: datetime | None = None) -> bytes:
    """Answer one DER OCSP request with a signed DER OCSP response (never raises on bad input)."""
    try:
        request = ocsp.load_der_ocsp_request(request_der)
        algorithm = request.hash_algorithm
        serial = request.serial_number
        nonce = _nonce(request)
    except (ValueError, TypeError, NotImplementedError, UnsupportedAlgorithm):
        return malformed_response()
    if algorithm.name not in _HASHES:
        return malformed_response()

    now = (now or datetime.now(UTC)).replace(microsecond=0)
    issuer = _find_issuer(pki, request)
    # An unknown issuer still gets a signed answer, from the delegated responder: status UNKNOWN.
    signer_name = ISSUING_CA if issuer in (None, ISSUING_CA) else issuer
    responder = OCSP_RESPONDER if signer_name == ISSUING_CA else signer_name

    status = ocsp.OCSPCertStatus.UNKNOWN
    revocation_time = None
    revocation_reason = None
    if issuer is not None and pki.name_for_serial(serial, issuer) is not None:
        revocation = pki.revocation(serial, issuer)
        if revocation is not None and revocation.revoked_at <= now:
            status = ocsp.OCSPCertStatus.REVOKED
            revocation_time = revocation.revoked_at
            revocation_reason = revocation.crypto_reason
        else:
            status = ocsp.OCSPCertStatus.GOOD

    builder = ocsp.OCSPResponseBuilder().add_response_by_hash(
        issuer_name_hash=request.issuer_name_hash,
        issuer_key_hash=request.issuer_key_hash,
        serial_number=serial,
        algorithm=_HASHES[algorithm.name](),
        cert_status=status,
        this_update=now,
        next_update=now + VALIDITY,
        revocation_time=revocation_time,
        revocation_reason=revocation_reason,
    )
    responder_cert = pki.crypto_certificate(responder)
    builder = builder.responder_id(ocsp.OCSPResponderEncoding.HASH, responder_cert)
    if responder != signer_name:
        builder = builder.certificates([responder_cert])
    if nonce is not None:
        builder = builder.add_extension(nonce, critical=False)
    key = pki.crypto_private_key(responder)
    response = builder.sign(key, hashes.SHA256())
    return response.public_bytes(serialization.Encoding.DER)
